"""Cells as clerks type them: trimmed, full-width folded, dates in every common spelling, codes by label."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from linli.ledger import normalise as n
from linli.ledger.checking import check_fields
from linli.ledger.columns import map_headers


@pytest.mark.parametrize(
    "value",
    [
        "1949-12-31",
        "1949/12/31",
        "1949.12.31",
        "1949年12月31日",
        "１９４９年１２月３１日",
        " 19491231 ",
        19491231,
        18263,
        18263.0,
        "18263",
        date(1949, 12, 31),
        datetime(1949, 12, 31, 0, 0),
        "1949-12-31 00:00:00",
    ],
)
def test_it_reads_every_common_spelling_of_a_date(value: object) -> None:
    assert n.parse_date(value) == date(1949, 12, 31)


@pytest.mark.parametrize(
    ("value", "reason"), [("1949-02-30", "impossible"), ("去年", "unreadable"), ("12/31", "unreadable")]
)
def test_it_says_why_a_date_is_refused(value: str, reason: str) -> None:
    with pytest.raises(n.DateProblem) as problem:
        n.parse_date(value)
    assert problem.value.reason == reason


def test_it_reads_codes_by_code_label_or_common_word() -> None:
    assert n.code_of("gender", "女性") == "2"
    assert n.code_of("kind", "1") == "01"
    assert n.code_of("kind", "流动人员") == "02"
    assert n.code_of("relation", "户主") == "02"
    assert n.code_of("relation", "妻子") == "10"
    assert n.code_of("relation", "邻居") == "邻居"  # left for the checker to refuse


def test_it_folds_full_width_digits_lowercase_x_and_spaces_in_an_id_number() -> None:
    row = n.normalise(2, {"name": " 张 三 ", "id_number": "１１０１０５ １９４９１２３１ ００２x"})
    check_fields(row)
    assert row.errors == []
    assert row.id_number == "11010519491231002X"
    assert row.name == "张三" and row.birth_date == date(1949, 12, 31) and row.gender == "2"


def test_it_converts_an_old_15_digit_number_to_18() -> None:
    row = n.normalise(2, {"name": "老王", "id_number": "350203491231001"})
    check_fields(row)
    assert row.errors == [] and row.id_number is not None and len(row.id_number) == 18
    assert row.id_number.startswith("35020319491231001")


def test_it_refuses_an_id_number_that_excel_turned_into_a_number() -> None:
    row = n.normalise(2, {"name": "张三", "id_number": 1.1010519491231e17})
    assert [e.code for e in row.errors] == ["ledger.id_number_as_number"]


def test_it_refuses_a_masked_id_number() -> None:
    row = n.normalise(2, {"name": "张三", "id_number": "110105********002X"})
    check_fields(row)
    assert [e.code for e in row.errors] == ["ledger.id_number_masked"]


def test_it_keeps_free_text_as_written_but_undoes_formula_escaping() -> None:
    row = n.normalise(2, {"name": "张三", "notes": "'=腿脚不便，需要帮助", "skills": "  书法、绘画 "})
    assert row.notes == "=腿脚不便，需要帮助" and row.skills == "书法、绘画"


def test_it_reads_a_phone_stored_as_a_number() -> None:
    row = n.normalise(2, {"name": "张三", "phone": 13912345678.0})
    check_fields(row)
    assert row.phone == "+8613912345678" and row.errors == []


def test_it_reads_willingness_and_tags() -> None:
    assert n.parse_bool("是") is True and n.parse_bool("否") is False and n.parse_bool("") is None
    assert n.split_tags("独居老人、退役军人, 低保户；残疾人") == ["独居老人", "退役军人", "低保户", "残疾人"]


def test_it_reads_headers_by_name_in_any_order_and_lists_the_unknown_ones() -> None:
    found = map_headers(["备注", " 姓名* ", "身份证号", "楼号", "微信", "", "错误原因", "姓名"])
    assert found.index == {"notes": 0, "name": 1, "id_number": 2, "building": 3}
    assert found.unknown == ("微信", "姓名")
