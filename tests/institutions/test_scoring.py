"""The score of an inspection: weighted, an ``na`` left out of both sides, out of 100 to one decimal."""

from __future__ import annotations

from typing import Any

from linli.institutions.checklists import TUTORING_SAFETY
from linli.institutions.scoring import Result, outcome_of, score

ITEMS: list[dict[str, Any]] = [
    {"code": "exits", "type": "pass_fail", "weight": 3},
    {"code": "food", "type": "pass_fail", "weight": 2},
    {"code": "ratio", "type": "score", "weight": 2, "max_score": 10},
    {"code": "remarks", "type": "note", "weight": 0},
]


def test_it_gives_a_full_score_when_everything_passes() -> None:
    got = {"exits": Result("pass"), "food": Result("pass"), "ratio": Result("pass", 10), "remarks": Result("na")}
    assert score(ITEMS, got) == 100.0


def test_it_weighs_each_item() -> None:
    # exits failed: 0 of 3; food passed: 2 of 2; ratio 7 of 10: 1.4 of 2 → 3.4 of 7
    got = {"exits": Result("fail"), "food": Result("pass"), "ratio": Result("pass", 7)}
    assert score(ITEMS, got) == 48.6


def test_it_leaves_an_item_not_applicable_out_of_both_sides() -> None:
    # food na: 3 + 2 * 5/10 = 4 of 5
    got = {"exits": Result("pass"), "food": Result("na"), "ratio": Result("fail", 5)}
    assert score(ITEMS, got) == 80.0


def test_it_rounds_half_up_to_one_decimal() -> None:
    items = [
        {"code": "a", "type": "pass_fail", "weight": 1},
        {"code": "b", "type": "score", "weight": 1, "max_score": 8},
    ]
    # (1 + 1/8) / 2 = 56.25 → 56.3 (Python's round() would give 56.2)
    assert score(items, {"a": Result("pass"), "b": Result("pass", 1)}) == 56.3


def test_it_scores_zero_when_nothing_counts() -> None:
    assert score(ITEMS, {"exits": Result("na"), "food": Result("na"), "ratio": Result("na")}) == 0.0
    assert score(ITEMS, {}) == 0.0


def test_a_score_item_fails_below_six_tenths_of_its_top_score() -> None:
    ratio = ITEMS[2]
    assert outcome_of(ratio, None, 5.9) == "fail"
    assert outcome_of(ratio, "fail", 6) == "pass"  # the score decides
    assert outcome_of(ratio, "na", 3) == "na"
    assert outcome_of(ITEMS[3], "fail", None) == "na"  # a note never fails


def test_the_default_checklist_has_the_tutoring_safety_items() -> None:
    codes = [i["code"] for i in TUTORING_SAFETY["items"]]
    assert codes[:6] == [
        "fire_exits",
        "food_hygiene",
        "staff_qualifications",
        "pupil_teacher_ratio",
        "licence_displayed",
        "insurance",
    ]
    ratio = next(i for i in TUTORING_SAFETY["items"] if i["code"] == "pupil_teacher_ratio")
    assert ratio["type"] == "score" and ratio["max_score"] == 10
    assert any(i["type"] == "note" for i in TUTORING_SAFETY["items"])
