"""The skill vocabulary: every way a skill is written reads as one code, and each code serves known categories."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linli.lib.skill_table import NOT_SKILLS
from linli.lib.skills import (
    PROFESSIONS,
    SKILLS,
    canonical_skills,
    categories_for,
    fold,
    profession_skills,
    skill_name,
)
from linli.needs.catalogue import DEFAULT_CATEGORIES
from linli.synth.people import GENERAL_SKILLS, MEDICAL_SKILLS, PATROL_SKILL

CODES = {skill.code for skill in SKILLS}
SEPARATORS = "，、,;；/ 　和及"


# ---- reading text ----------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["修水管", "水电维修", "会修水管", "水电工", "换灯泡", "通下水道", "Plumbing"])
def test_it_reads_every_way_of_writing_plumbing_as_one_skill(written: str) -> None:
    assert canonical_skills(written) == ["utility_repair"]


def test_it_reads_a_big_chef_as_a_chef() -> None:
    assert canonical_skills("大厨") == canonical_skills("厨师") == ["cooking"]
    assert profession_skills("大厨") == profession_skills("厨师") == ["cooking", "pastry"]


@pytest.mark.parametrize(
    "written",
    [
        "水电维修、电脑",
        "水电维修，电脑",
        "水电维修,电脑",
        "水电维修;电脑",
        "水电维修；电脑",
        "水电维修/电脑",
        "水电维修 电脑",
        "水电维修　电脑",
        "水电维修和电脑",
        "水电维修及电脑",
        " 水电维修 ， 、电脑。",
    ],
)
def test_it_reads_skills_apart_whatever_separates_them(written: str) -> None:
    assert canonical_skills(written) == ["utility_repair", "computers"]


def test_it_reads_full_width_letters_and_digits() -> None:
    assert canonical_skills("会ＣＰＲ") == ["first_aid"]
    assert canonical_skills("Ｅｘｃｅｌ、ｆｉｒｓｔ　ａｉｄ") == ["computers", "first_aid"]
    assert canonical_skills("会用１２３０６买票") == ["ticket_buying"]


def test_it_gives_each_skill_once_in_order_of_first_appearance() -> None:
    assert canonical_skills("修水管、水电维修、换灯泡") == ["utility_repair"]
    assert canonical_skills("电脑，做饭，修水管，烧菜") == ["computers", "cooking", "utility_repair"]
    assert canonical_skills("修水管，做饭，电脑") == ["utility_repair", "cooking", "computers"]


def test_it_finds_skills_inside_a_longer_sentence_but_not_what_a_job_implies() -> None:
    # 电工 names wiring, which 修水管 names too; an electrician's appliance repairs are not named.
    said = "退休前是电工，会修水管，也愿意教老人用手机"
    assert canonical_skills(said) == ["utility_repair", "smartphone_teaching"]
    assert "appliance_repair" in profession_skills("电工")


@pytest.mark.parametrize("written", ["", "   ", "今天上门走访，老人身体还好。", "喜欢下棋", "1234", "无"])
def test_it_finds_nothing_in_text_naming_no_skill(written: str) -> None:
    assert canonical_skills(written) == []


def test_it_skips_a_skill_directly_after_a_negation() -> None:
    assert canonical_skills("不会修电脑") == []  # and not 电脑 either: the negated phrasing is passed over whole
    assert canonical_skills("不懂 法律") == []
    assert canonical_skills("不太会做饭") == []
    assert canonical_skills("会修电脑") == ["computer_repair"]


def test_it_keeps_skills_the_negation_does_not_touch() -> None:
    assert canonical_skills("不会做饭，会修水管") == ["utility_repair"]
    assert canonical_skills("会做饭，不会修水管") == ["cooking"]
    # Only the skill right after the negation is skipped (a documented simplification).
    assert canonical_skills("不会修电脑和手机") == ["smartphone_teaching"]


def test_it_reads_from_the_end_so_accounting_does_not_swallow_computers() -> None:
    assert canonical_skills("会计算机") == ["computers"]
    assert canonical_skills("会计") == ["accounting"]
    assert canonical_skills("不会计算机") == []


def test_it_prefers_the_longest_phrasing() -> None:
    assert canonical_skills("心理辅导") == ["mental_health"]  # not tutoring (辅导)
    assert canonical_skills("陪老人看病") == ["hospital_escort"]  # not medicine (看病)
    assert canonical_skills("代购车票") == ["ticket_buying"]  # not online shopping (代购)
    assert canonical_skills("骨科义诊") == ["orthopaedics", "medicine"]


def test_it_is_not_fooled_by_false_friends() -> None:
    assert canonical_skills("手机号码13800138000") == []
    assert canonical_skills("帮忙交水电费") == ["online_errands"]  # an errand, not a repair
    assert canonical_skills("叫了救护车") == []


def test_it_matches_english_words_whole() -> None:
    assert canonical_skills("cookie") == []
    assert canonical_skills("Cooking, CPR") == ["cooking", "first_aid"]
    assert canonical_skills("会cpr") == ["first_aid"]


def test_it_reads_every_skill_the_demo_data_writes() -> None:
    for written in (*GENERAL_SKILLS, *MEDICAL_SKILLS, PATROL_SKILL):
        assert canonical_skills(written), written


# ---- professions -----------------------------------------------------------------------------


def test_it_reads_a_job_written_any_usual_way() -> None:
    assert profession_skills("大夫") == profession_skills("医生") == ["medicine", "first_aid", "health_talks"]
    assert profession_skills("退休电工") == profession_skills("电工")


def test_it_adds_the_speciality_named_in_a_job() -> None:
    assert profession_skills("骨科医生") == ["medicine", "first_aid", "health_talks", "orthopaedics"]


def test_it_gives_the_source_teams_jobs_their_skills() -> None:
    # 百事帮: a chef, a doctor, a social worker and a firefighter.
    assert "cooking" in profession_skills("厨师")
    assert "medicine" in profession_skills("医生")
    assert "social_work" in profession_skills("社工")
    assert {"fire_safety", "first_aid"} <= set(profession_skills("消防员"))


def test_it_gives_an_unknown_job_only_the_skills_its_words_name() -> None:
    assert profession_skills("水电维修师傅") == ["utility_repair"]
    assert profession_skills("宇航员") == []
    assert profession_skills("") == []


# ---- the tables ------------------------------------------------------------------------------


def test_it_has_between_40_and_60_skills_with_distinct_codes() -> None:
    assert 40 <= len(SKILLS) <= 60
    assert len(CODES) == len(SKILLS)


def test_it_serves_only_categories_the_catalogue_has() -> None:
    known = {code for code, _, _ in DEFAULT_CATEGORIES}
    for skill in SKILLS:
        assert set(skill.categories) <= known, skill.code
    served = {category for skill in SKILLS for category in skill.categories}
    assert served == known  # and every category has a skill to serve it


def test_it_gives_every_phrasing_to_exactly_one_skill() -> None:
    owners = Counter(p for skill in SKILLS for p in skill.phrasings())
    owners.update(fold(p) for p in NOT_SKILLS)
    shared = sorted(p for p, count in owners.items() if count > 1)
    assert shared == []


def test_it_reads_every_phrasing_back_as_its_own_skill() -> None:
    for skill in SKILLS:
        for phrase in skill.phrasings():
            assert phrase and phrase == phrase.strip(), skill.code
            assert not set(phrase) & set(SEPARATORS.replace(" ", "")), phrase
            assert canonical_skills(phrase) == [skill.code], phrase


def test_it_gives_every_job_known_skills_and_its_own_phrasings() -> None:
    owners = Counter(p for job in PROFESSIONS for p in job.phrasings())
    assert [p for p, count in owners.items() if count > 1] == []
    for job in PROFESSIONS:
        assert job.skills and set(job.skills) <= CODES, job.code
        for phrase in job.phrasings():
            assert profession_skills(phrase)[: len(job.skills)] == list(job.skills), phrase


def test_it_keeps_the_vocabulary_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        SKILLS[0].code = "changed"  # type: ignore[misc]


# ---- categories and names --------------------------------------------------------------------


def test_it_gives_the_categories_a_set_of_skills_serves() -> None:
    assert categories_for(["utility_repair", "cooking"]) == {"repairs", "charity_kitchen", "meals_bathing"}
    assert categories_for(canonical_skills("会修水管，做饭")) == {"repairs", "charity_kitchen", "meals_bathing"}
    assert categories_for([]) == set()
    assert categories_for(["calligraphy"]) == set()  # a summer-course skill serves no service category


def test_it_refuses_an_unknown_skill_code() -> None:
    with pytest.raises(KeyError):
        categories_for(["lockpicking"])
    with pytest.raises(KeyError):
        skill_name("lockpicking", "zh")


def test_it_names_a_skill_in_chinese_or_english() -> None:
    assert skill_name("utility_repair", "zh") == "水电维修"
    assert skill_name("utility_repair", "en") == "Plumbing and wiring"
    with pytest.raises(ValueError):
        skill_name("utility_repair", "fr")


# ---- whatever is typed -----------------------------------------------------------------------

PIECES = sorted({p for skill in SKILLS for p in skill.phrasings()} | set(SEPARATORS) | {"不会", "不懂", "会", "老人"})


@given(st.text())
def test_it_reads_any_text_without_failing(text: str) -> None:
    found = canonical_skills(text)
    assert set(found) <= CODES
    assert len(found) == len(set(found))


@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_it_reads_any_mix_of_phrasings_into_known_codes_once_each(text: str) -> None:
    found = canonical_skills(text)
    assert set(found) <= CODES
    assert len(found) == len(set(found))
    assert set(profession_skills(text)) <= CODES
