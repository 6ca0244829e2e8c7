"""Each part of a candidate's score, the hard refusals, ties broken by fairness, and the minimum."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from linli.config import MATCH_WEIGHTS
from linli.matching.batch import score_pairs
from linli.matching.scoring import NeedFacts, Place, SupplierFacts, available, refusal, score
from linli.matching.solver import solve

WEIGHTS = MATCH_WEIGHTS
NOW = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # a Saturday, 10:00 in Asia/Shanghai
TODAY = date(2026, 12, 5)
HOME = Place(building_id=7, compound="图强小区", grid_id=11, community_id=10)
NEED = NeedFacts(
    order_id=1,
    category_id=2,
    category_code="repairs",
    place=HOME,
    reach=frozenset({11, 10, 1}),
    text_skills=frozenset({"utility_repair"}),
    wanted_at=NOW,
)
BASE = SupplierFacts(
    kind="volunteer",
    id=1,
    name="曾伟",
    place=HOME,
    serves=frozenset({10}),
    categories=frozenset({2}),
    skills=frozenset({"utility_repair"}),
    skills_for=frozenset({"repairs"}),
    slots=((5, 9 * 60, 12 * 60),),
    limit=2,
)


def parts(supplier: SupplierFacts, need: NeedFacts = NEED) -> dict[str, float]:
    assert refusal(need, supplier, TODAY) is None
    return score(need, supplier, WEIGHTS, NOW).parts


def test_it_scores_a_named_skill_above_a_skill_for_the_category() -> None:
    assert parts(BASE)["skill"] == 1.0
    assert parts(replace(BASE, skills=frozenset({"appliance_repair"})))["skill"] == 0.6
    assert parts(replace(BASE, skills=frozenset(), skills_for=frozenset()))["skill"] == 0.0


def test_it_scores_nearer_places_higher() -> None:
    levels = [
        HOME,
        replace(HOME, building_id=8),
        replace(HOME, building_id=8, compound="阳台山小区"),
        replace(HOME, building_id=8, compound="阳台山小区", grid_id=12),
        Place(None, None, 21, 20),
    ]
    distances = [parts(replace(BASE, place=p))["distance"] for p in levels]
    assert distances == [1.0, 0.8, 0.6, 0.4, 0.2]


def test_it_reads_availability_at_the_time_wanted() -> None:
    assert available(BASE, NOW) == 1.0  # Saturday 10:00 is inside Saturday 09:00-12:00
    assert available(BASE, NOW + timedelta(hours=3)) == 0.0  # 13:00
    assert available(replace(BASE, slots=()), NOW) == 1.0  # no slots named: any time
    assert available(BASE, None) == 0.5


def test_load_rating_reliability_and_fairness_each_move_the_score() -> None:
    assert parts(replace(BASE, open_tasks=1))["load"] == 0.5
    assert parts(BASE)["rating"] == 0.7 and parts(replace(BASE, rating=1.0))["rating"] == 1.0
    assert parts(replace(BASE, reliability=0.5))["reliability"] == 0.5
    assert parts(replace(BASE, last_task_at=NOW - timedelta(days=15)))["fairness"] == 0.5
    assert parts(replace(BASE, last_task_at=NOW - timedelta(days=90)))["fairness"] == 1.0


def test_it_refuses_what_cannot_be_asked_at_all() -> None:
    assert refusal(NEED, replace(BASE, categories=frozenset({3})), TODAY) == "category"
    assert refusal(NEED, replace(BASE, serves=frozenset({20})), TODAY) == "reach"
    assert refusal(NEED, replace(BASE, open_tasks=2), TODAY) == "limit"
    assert refusal(NEED, replace(BASE, away=((TODAY, TODAY),)), TODAY) == "away"
    assert refusal(NEED, replace(BASE, declined=frozenset({1})), TODAY) == "declined"
    assert refusal(NEED, replace(BASE, excluded_categories=frozenset({"repairs"})), TODAY) == "qualification"


def test_every_reason_names_its_part() -> None:
    scored = score(NEED, BASE, WEIGHTS, NOW)
    assert set(scored.notes) == set(scored.parts) == set(WEIGHTS)


def test_on_equal_scores_the_one_who_worked_least_lately_wins() -> None:
    busy = replace(BASE, id=1, last_task_at=NOW - timedelta(days=1))
    rested = replace(BASE, id=2, last_task_at=None)
    pairs = score_pairs([NEED], [busy, rested], WEIGHTS, 0.0, NOW, TODAY)
    solution = solve(1, [1, 1], pairs.needs, pairs.suppliers, pairs.scores)
    assert int(solution.supplier_of[0]) == 1  # the rested one, index 1


def test_a_need_stays_unmatched_rather_than_take_a_candidate_below_the_minimum() -> None:
    far = replace(BASE, place=Place(None, None, 21, 20), skills=frozenset(), skills_for=frozenset(), slots=((0, 0, 1),))
    value = score(NEED, far, WEIGHTS, NOW).score
    pairs = score_pairs([NEED], [far], WEIGHTS, value + 0.01, NOW, TODAY)
    assert pairs.needs.size == 0 and pairs.why == {0: "minimum"}
    assert int(solve(1, [1], pairs.needs, pairs.suppliers, pairs.scores).supplier_of[0]) == -1
