"""The batch scorer gives every pair the score the one-need scorer gives it, and admits the same pairs."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from linli.config import MATCH_WEIGHTS
from linli.lib import skills
from linli.matching.batch import score_pairs
from linli.matching.scoring import NeedFacts, Place, SupplierFacts, refusal, score

WEIGHTS = MATCH_WEIGHTS
NOW = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
TODAY = date(2026, 12, 5)
CODES = sorted(skills.CODES)
CATEGORIES = {1: "repairs", 2: "free_clinic", 3: "home_care"}


def _place(rng: random.Random) -> Place:
    community = rng.choice([100, 200])
    grid = community + rng.choice([1, 2])
    return Place(rng.choice([None, 1, 2, 3]), rng.choice([None, "图强小区", "阳台山小区"]), grid, community)


def _instance(seed: int) -> tuple[list[NeedFacts], list[SupplierFacts]]:
    rng = random.Random(seed)
    needs = []
    for i in range(rng.randint(0, 12)):
        place = _place(rng)
        category = rng.choice(list(CATEGORIES))
        wanted = rng.choice([None, NOW + timedelta(minutes=rng.randint(0, 7 * 1440))])
        needs.append(
            NeedFacts(
                order_id=i + 1,
                category_id=category,
                category_code=CATEGORIES[category],
                place=place,
                reach=frozenset({place.grid_id or 0, place.community_id or 0, 1}),
                text_skills=frozenset(rng.sample(CODES, rng.randint(0, 2))),
                wanted_at=wanted,
            )
        )
    suppliers = []
    for j in range(rng.randint(0, 10)):
        place = _place(rng)
        own = frozenset(rng.sample(CODES, rng.randint(0, 4)))
        suppliers.append(
            SupplierFacts(
                kind="volunteer",
                id=j + 1,
                name=f"v{j}",
                place=place,
                serves=frozenset({rng.choice([place.community_id or 0, place.grid_id or 0, 1])}),
                categories=frozenset(rng.sample(list(CATEGORIES), rng.randint(1, 3))),
                skills=own,
                skills_for=frozenset(skills.categories_for(own)),
                slots=tuple(
                    (rng.randint(0, 6), a, a + rng.randint(1, 300))
                    for a in (rng.randint(0, 1200) for _ in range(rng.randint(0, 3)))
                ),
                away=((TODAY, TODAY + timedelta(days=2)),) if rng.random() < 0.2 else (),
                open_tasks=rng.randint(0, 3),
                limit=rng.randint(1, 3),
                rating=rng.choice([None, 0.0, 0.5, 1.0]),
                reliability=rng.choice([1.0, 0.5]),
                last_task_at=rng.choice([None, NOW - timedelta(days=rng.randint(0, 60))]),
                declined=frozenset({rng.randint(1, 12)}) if rng.random() < 0.2 else frozenset(),
                excluded_categories=frozenset({"free_clinic"}) if rng.random() < 0.5 else frozenset(),
            )
        )
    return needs, suppliers


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([0.0, 6.0, 9.0]))
def test_it_scores_every_pair_as_the_one_need_scorer_does(seed: int, minimum: float) -> None:
    needs, suppliers = _instance(seed)
    pairs = score_pairs(needs, suppliers, WEIGHTS, minimum, NOW, TODAY)
    got = {(int(i), int(j)): float(v) for i, j, v in zip(pairs.needs, pairs.suppliers, pairs.scores, strict=True)}
    expected = {}
    for i, need in enumerate(needs):
        for j, supplier in enumerate(suppliers):
            if refusal(need, supplier, TODAY) is None:
                value = score(need, supplier, WEIGHTS, NOW).score
                if value >= minimum:
                    expected[(i, j)] = value
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert abs(got[key] - value) < 1e-6
    for i in range(len(needs)):
        assert (i in pairs.why) == (not any(k[0] == i for k in expected))


def test_it_says_why_a_need_has_no_candidate() -> None:
    needs, suppliers = _instance(7)
    nobody = score_pairs(needs, [], WEIGHTS, 0.0, NOW, TODAY)
    assert set(nobody.why.values()) <= {"category"} and len(nobody.why) == len(needs)
    too_high = score_pairs(needs, suppliers, WEIGHTS, 1000.0, NOW, TODAY)
    assert too_high.needs.size == 0
    assert "category" in too_high.why.values() or "minimum" in too_high.why.values() or not needs
