"""Scoring every admissible (need, supplier) pair of a batch at once, with numpy.

The same score as ``scoring.score`` (a test holds the two equal on random instances), computed a block
at a time: the needs of one category and one reach (the same areas above them) against the suppliers
that offer that category in that reach. A district batch of 10,000 needs has about a million such
pairs; scored one by one in Python that took ~10 s, as blocks it takes well under one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
from numpy.typing import NDArray

from linli.lib import clock, skills
from linli.matching.scoring import (
    DISTANCES,
    NO_RATING,
    NO_TIME,
    PARTS,
    SKILL_FOR_CATEGORY,
    NeedFacts,
    SupplierFacts,
)

SKILL_BIT = {code: i for i, code in enumerate(sorted(skills.CODES))}
if len(SKILL_BIT) > 64:  # pragma: no cover - the vocabulary is data; a 65th skill needs a wider mask
    raise RuntimeError("the skill mask holds 64 skills")


@dataclass(frozen=True)
class Pairs:
    """The admissible pairs of a batch (need index, supplier index, score) and why a need has none."""

    needs: NDArray[np.intp]
    suppliers: NDArray[np.intp]
    scores: NDArray[np.float64]
    why: dict[int, str]


def _mask(codes: frozenset[str]) -> int:
    bits = 0
    for code in codes:
        if code in SKILL_BIT:
            bits |= 1 << SKILL_BIT[code]
    return bits


def _minute_of_week(moment: datetime) -> int:
    local = clock.local(moment)
    return local.weekday() * 1440 + local.hour * 60 + local.minute


class _Suppliers:
    """The suppliers as arrays, one entry per supplier, for scoring blocks by fancy indexing."""

    def __init__(self, suppliers: list[SupplierFacts], now: datetime) -> None:
        self.facts = suppliers
        compounds: dict[tuple[int | None, str], int] = {}

        def compound_id(community: int | None, name: str | None) -> int:
            return compounds.setdefault((community, name), len(compounds)) if name else -1

        self.building = np.array([s.place.building_id or -1 for s in suppliers], dtype=np.int64)
        self.compound = np.array(
            [compound_id(s.place.community_id, s.place.compound) for s in suppliers], dtype=np.int64
        )
        self.grid = np.array([s.place.grid_id or -1 for s in suppliers], dtype=np.int64)
        self.community = np.array([s.place.community_id or -1 for s in suppliers], dtype=np.int64)
        self.compounds = compounds
        self.skills = np.array([_mask(s.skills) for s in suppliers], dtype=np.uint64)
        limits = np.array([s.limit for s in suppliers], dtype=np.float64)
        opens = np.array([s.open_tasks for s in suppliers], dtype=np.float64)
        self.load = np.where(limits > 0, 1.0 - opens / np.where(limits > 0, limits, 1.0), 0.0)
        self.rating = np.array([NO_RATING if s.rating is None else s.rating for s in suppliers], dtype=np.float64)
        self.reliability = np.array([s.reliability for s in suppliers], dtype=np.float64)
        self.fairness = np.array(
            [
                1.0
                if s.last_task_at is None
                else min(1.0, max(0.0, (now - s.last_task_at).total_seconds() / 86400) / 30)
                for s in suppliers
            ],
            dtype=np.float64,
        )
        self.capacity = np.array([s.capacity for s in suppliers], dtype=np.int64)
        # Every weekly slot flattened (owner, start and end as minutes of the week): who is free at a
        # given minute is one vectorised test over all slots, cached per minute the batch asks about.
        slots = [(j, d * 1440 + a, d * 1440 + b) for j, s in enumerate(suppliers) for d, a, b in s.slots]
        self.slot_owner = np.array([o for o, _, _ in slots], dtype=np.intp)
        self.slot_start = np.array([a for _, a, _ in slots], dtype=np.int64)
        self.slot_end = np.array([b for _, _, b in slots], dtype=np.int64)
        self.any_time = np.array([not s.slots for s in suppliers], dtype=np.bool_)
        self._free: dict[int, NDArray[np.bool_]] = {}

    def free_at(self, minute: int) -> NDArray[np.bool_]:
        """Return who is free at ``minute`` of the week (Monday 00:00 is 0), as ``scoring.available`` says."""
        if minute not in self._free:
            free = self.any_time.copy()
            inside = (self.slot_start <= minute) & (minute < self.slot_end)
            free[self.slot_owner[inside]] = True
            self._free[minute] = free
        return self._free[minute]


def score_pairs(
    needs: list[NeedFacts],
    suppliers: list[SupplierFacts],
    weights: dict[str, float],
    minimum: float,
    now: datetime,
    today: date,
) -> Pairs:
    """Return every admissible pair's score at or above ``minimum``, and why each need without one has none.

    Why: ``category`` nobody in reach offers it; ``limit`` all who do are at their limit, away, lacking
    a qualification or declined it; ``minimum`` every admissible candidate scores below the minimum.
    """
    table = _Suppliers(suppliers, now)
    # Who offers a category in an area: a group's candidates are the union over the areas of its reach.
    offering: dict[tuple[int, int], list[int]] = defaultdict(list)
    for j, supplier in enumerate(suppliers):
        for category in supplier.categories:
            for area in supplier.serves:
                offering[(category, area)].append(j)
    groups: dict[tuple[int, frozenset[int]], list[int]] = defaultdict(list)
    for i, need in enumerate(needs):
        groups[(need.category_id, need.reach)].append(i)
    out_n: list[NDArray[np.intp]] = []
    out_s: list[NDArray[np.intp]] = []
    out_v: list[NDArray[np.float64]] = []
    why: dict[int, str] = {}
    for (category, reach), members in groups.items():
        found = [offering.get((category, area), ()) for area in reach]
        js = np.unique(np.concatenate([np.asarray(f, dtype=np.intp) for f in found])) if found else np.zeros(0, np.intp)
        if js.size == 0:
            for i in members:
                why[i] = "category"
            continue
        block = [needs[i] for i in members]
        allowed = _allowed(block, [suppliers[j] for j in js], table.capacity[js], today)
        totals = _totals(block, js, table, weights)
        keep = allowed & (totals >= minimum)
        rows, cols = np.nonzero(keep)
        need_index = np.array(members, dtype=np.intp)
        out_n.append(need_index[rows])
        out_s.append(js[cols])
        out_v.append(totals[rows, cols])
        has: NDArray[np.bool_] = np.asarray(keep.any(axis=1))
        for r, i in enumerate(members):
            if not has[r]:
                why[i] = "minimum" if allowed[r].any() else "limit"
    if not out_n:
        empty_i = np.zeros(0, dtype=np.intp)
        return Pairs(empty_i, empty_i.copy(), np.zeros(0, dtype=np.float64), why)
    return Pairs(np.concatenate(out_n), np.concatenate(out_s), np.concatenate(out_v), why)


def _allowed(
    block: list[NeedFacts], candidates: list[SupplierFacts], capacity: NDArray[np.int64], today: date
) -> NDArray[np.bool_]:
    """Return which pairs pass every hard rule: capacity left, not away, qualified, not declined before."""
    allowed = np.repeat((capacity > 0)[None, :], len(block), axis=0)
    code = block[0].category_code
    unqualified = np.array([code in s.excluded_categories for s in candidates], dtype=np.bool_)
    allowed[:, unqualified] = False
    for col, supplier in enumerate(candidates):
        if supplier.away:
            for row, need in enumerate(block):
                day = clock.local_date(need.wanted_at) if need.wanted_at else today
                if any(start <= day <= end for start, end in supplier.away):  # type: ignore[operator]
                    allowed[row, col] = False
        if supplier.declined:
            for row, need in enumerate(block):
                if need.order_id in supplier.declined:
                    allowed[row, col] = False
    return allowed


def _totals(
    block: list[NeedFacts], js: NDArray[np.intp], table: _Suppliers, weights: dict[str, float]
) -> NDArray[np.float64]:
    """Return the weighted score of every (need, candidate) pair of a block, as ``scoring.score`` adds it."""
    w = {name: weights.get(name, 0.0) for name in PARTS}
    need_skills = np.array([_mask(n.text_skills) for n in block], dtype=np.uint64)
    shared = (need_skills[:, None] & table.skills[js][None, :]) != 0
    code = block[0].category_code
    for_category = np.array([code in table.facts[j].skills_for for j in js], dtype=np.bool_)
    skill = np.where(shared, 1.0, np.where(for_category[None, :], SKILL_FOR_CATEGORY, 0.0))

    building = np.array([n.place.building_id or -2 for n in block], dtype=np.int64)
    compound = np.array(
        [table.compounds.get((n.place.community_id, n.place.compound), -2) if n.place.compound else -2 for n in block],
        dtype=np.int64,
    )
    grid = np.array([n.place.grid_id or -2 for n in block], dtype=np.int64)
    community = np.array([n.place.community_id or -2 for n in block], dtype=np.int64)
    distance = np.select(
        [
            building[:, None] == table.building[js][None, :],
            compound[:, None] == table.compound[js][None, :],
            grid[:, None] == table.grid[js][None, :],
            community[:, None] == table.community[js][None, :],
        ],
        [DISTANCES["building"], DISTANCES["compound"], DISTANCES["grid"], DISTANCES["community"]],
        DISTANCES["elsewhere"],
    )

    availability = np.stack(
        [
            table.free_at(_minute_of_week(n.wanted_at))[js].astype(np.float64)
            if n.wanted_at is not None
            else np.full(js.size, NO_TIME)
            for n in block
        ]
    )

    per_supplier = (
        w["category"] * 1.0
        + w["load"] * table.load[js]
        + w["rating"] * table.rating[js]
        + w["reliability"] * table.reliability[js]
        + w["fairness"] * table.fairness[js]
    )
    totals = per_supplier[None, :] + w["skill"] * skill + w["distance"] * distance + w["availability"] * availability
    return np.round(totals, 6)
