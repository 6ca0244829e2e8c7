"""Search keys: a name is found by its full pinyin and initials, in every reading."""

from __future__ import annotations

import pytest

from linli.lib.pinyin import name_keys, readings


def found_by(name: str, typed: str) -> bool:
    """Return whether a prefix search for ``typed`` finds ``name`` (as the resident list searches)."""
    return any(key.startswith(typed) for key in name_keys(name))


@pytest.mark.parametrize("typed", ["zw", "zhangwei", "zhang", "z", "张", "张伟", "伟"])
def test_it_finds_zhang_wei(typed: str) -> None:
    assert found_by("张伟", typed)


def test_it_does_not_find_zhang_wei_by_another_name() -> None:
    assert not found_by("张伟", "lw")
    assert not found_by("张伟", "wz")


@pytest.mark.parametrize(("name", "surnames"), [("曾伟", ("zeng", "ceng")), ("单田芳", ("shan", "dan"))])
def test_it_indexes_both_readings_of_a_surname(name: str, surnames: tuple[str, ...]) -> None:
    for surname in surnames:
        assert found_by(name, surname), surname
        assert found_by(name, surname[0] + "".join(k[0] for k in readings(name[1:])[:1])), surname


def test_it_keeps_the_surnames_other_readings_when_the_given_name_has_many() -> None:
    # 乐 reads le or yue: 单乐乐 has a dozen spellings, and the cap must not cut shan.
    assert found_by("单乐乐", "shanlele")
    assert found_by("单乐乐", "sll")
    assert found_by("曾乐乐", "zenglele")


def test_it_reads_names_as_names_are_read_not_in_archaic_readings() -> None:
    # pypinyin also knows 王 as yu and 许 as hu: a search for yu must not find every 王.
    assert not found_by("王伟", "yu")
    assert not found_by("许达", "hud")
    assert found_by("万俟卨", "moqi")
    assert found_by("解小东", "xiexiaodong") and found_by("解小东", "jiexiaodong")
    assert readings("曾伟")[0] == "zengwei"  # the reading a surname takes comes first


def test_it_finds_a_name_with_a_middle_dot() -> None:
    for typed in ("maimaiti", "mmt", "买买提艾力", "艾力"):
        assert found_by("买买提·艾力", typed), typed
    assert not any("·" in key for key in name_keys("买买提·艾力"))


def test_it_keeps_keys_within_the_index_column() -> None:
    assert all(len(key) <= 80 for key in name_keys("庄" * 60))
