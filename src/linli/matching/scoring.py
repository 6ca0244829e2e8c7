"""A candidate's score for a need: weighted parts, each in 0–1, and the reasons that name them.

score = Σ weight[part] × part, with the weights of ``Settings.match_weights``:
- category: the candidate offers the need's category (every candidate does; the part is there so the
  reasons say so and a batch weighs it against staying unmatched);
- skill: a skill the need's words name (1), or a skill that serves its category (0.6);
- distance: same building 1, same compound 0.8, same grid 0.6, same community 0.4, elsewhere 0.2;
- availability at the time the help is wanted: free then 1, not free 0, no time named 0.5;
- load: 1 − open tasks ÷ load limit;
- rating: the mean rating of what they handled (0.7 before any);
- reliability: (done + 1) ÷ (done + no-shows + 1);
- fairness: days since their last task ÷ 30, capped at 1 (never 1), so equal scores go to who did least lately.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from linli.lib import clock

PARTS = ("category", "skill", "distance", "availability", "load", "rating", "reliability", "fairness")
DISTANCES = {"building": 1.0, "compound": 0.8, "grid": 0.6, "community": 0.4, "elsewhere": 0.2}
NO_RATING = 0.7
SKILL_FOR_CATEGORY = 0.6
NO_TIME = 0.5


@dataclass(frozen=True)
class Place:
    """Where someone or something is: the ids that tell near from far (None when unknown)."""

    building_id: int | None = None
    compound: str | None = None
    grid_id: int | None = None
    community_id: int | None = None

    def nearness(self, other: Place) -> str:
        """Return the closest level the two places share."""
        if self.building_id is not None and self.building_id == other.building_id:
            return "building"
        if self.compound and self.compound == other.compound and self.community_id == other.community_id:
            return "compound"
        if self.grid_id is not None and self.grid_id == other.grid_id:
            return "grid"
        if self.community_id is not None and self.community_id == other.community_id:
            return "community"
        return "elsewhere"


@dataclass(frozen=True)
class NeedFacts:
    order_id: int
    category_id: int
    category_code: str
    place: Place
    reach: frozenset[int]  # the need's area and every area above it
    text_skills: frozenset[str]
    wanted_at: datetime | None


@dataclass
class SupplierFacts:
    kind: str  # volunteer | team | resource
    id: int
    name: str
    place: Place
    serves: frozenset[int]  # areas served (each with everything below it)
    categories: frozenset[int]
    skills: frozenset[str] = frozenset()
    skills_for: frozenset[str] = frozenset()  # category codes their skills serve
    slots: tuple[tuple[int, int, int], ...] = ()  # (weekday, start minute, end minute); empty: any time
    away: tuple[tuple[object, object], ...] = ()
    open_tasks: int = 0
    limit: int = 1
    rating: float | None = None
    reliability: float = 1.0
    last_task_at: datetime | None = None
    declined: frozenset[int] = frozenset()  # orders they declined
    excluded_categories: frozenset[str] = field(default_factory=frozenset)  # lacking a valid qualification

    @property
    def capacity(self) -> int:
        return max(0, self.limit - self.open_tasks)


@dataclass(frozen=True)
class Scored:
    score: float
    parts: dict[str, float]
    notes: dict[str, tuple[str, dict[str, object]]]  # part → (English msgid, its parameters)


def refusal(need: NeedFacts, supplier: SupplierFacts, today: object) -> str | None:
    """Return why ``supplier`` cannot take ``need`` at all (a reason code), or None when it can."""
    if need.category_id not in supplier.categories:
        return "category"
    if not (supplier.serves & need.reach):
        return "reach"
    if need.category_code in supplier.excluded_categories:
        return "qualification"
    if need.order_id in supplier.declined:
        return "declined"
    day = clock.local_date(need.wanted_at) if need.wanted_at else today
    if any(start <= day <= end for start, end in supplier.away):  # type: ignore[operator]
        return "away"
    if supplier.capacity <= 0:
        return "limit"
    return None


def available(supplier: SupplierFacts, wanted_at: datetime | None) -> float:
    """Return the availability part: 1 free at ``wanted_at``, 0 not, 0.5 when no time is named."""
    if wanted_at is None:
        return NO_TIME
    if not supplier.slots:
        return 1.0
    local = clock.local(wanted_at)
    minute = local.hour * 60 + local.minute
    return 1.0 if any(d == local.weekday() and s <= minute < e for d, s, e in supplier.slots) else 0.0


def score(need: NeedFacts, supplier: SupplierFacts, weights: dict[str, float], now: datetime) -> Scored:
    """Return the score of ``supplier`` for ``need``, each part with the words that explain it.

    Call it only for a pair ``refusal`` lets through.
    """
    notes: dict[str, tuple[str, dict[str, object]]] = {"category": ("offers this kind of help", {})}
    shared = need.text_skills & supplier.skills
    if shared:
        skill = 1.0
        notes["skill"] = ("has the skill the need names ({skills})", {"skills": tuple(sorted(shared))})
    elif need.category_code in supplier.skills_for:
        skill = SKILL_FOR_CATEGORY
        notes["skill"] = ("has a skill for this kind of help", {})
    else:
        skill = 0.0
        notes["skill"] = ("no matching skill on record", {})
    nearness = need.place.nearness(supplier.place)
    notes["distance"] = (NEARNESS[nearness], {})
    availability = available(supplier, need.wanted_at)
    notes["availability"] = (
        ("no time named", {})
        if need.wanted_at is None
        else ("free at the time wanted", {})
        if availability
        else ("not free at the time wanted", {})
    )
    load = 1.0 - supplier.open_tasks / supplier.limit if supplier.limit else 0.0
    notes["load"] = ("{open} open tasks of {limit}", {"open": supplier.open_tasks, "limit": supplier.limit})
    rating = supplier.rating if supplier.rating is not None else NO_RATING
    notes["rating"] = (
        ("no rating yet", {})
        if supplier.rating is None
        else ("rated {rating} of 100 on average", {"rating": round(supplier.rating * 100)})
    )
    notes["reliability"] = ("turned up {pct} of 100 times", {"pct": round(supplier.reliability * 100)})
    if supplier.last_task_at is None:
        fairness = 1.0
        notes["fairness"] = ("no task yet", {})
    else:
        days = max(0.0, (now - supplier.last_task_at).total_seconds() / 86400)
        fairness = min(1.0, days / 30)
        notes["fairness"] = ("last task {days} days ago", {"days": int(days)})
    parts = {
        "category": 1.0,
        "skill": skill,
        "distance": DISTANCES[nearness],
        "availability": availability,
        "load": load,
        "rating": rating,
        "reliability": supplier.reliability,
        "fairness": fairness,
    }
    total = sum(weights.get(name, 0.0) * value for name, value in parts.items())
    return Scored(round(total, 6), parts, notes)


NEARNESS = {
    "building": "same building",
    "compound": "same compound",
    "grid": "same grid",
    "community": "same community",
    "elsewhere": "another community",
}
# How each part is named in a reason.
PART_NAMES = {
    "category": "Category",
    "skill": "Skill",
    "distance": "Distance",
    "availability": "Availability",
    "load": "Load",
    "rating": "Rating",
    "reliability": "Reliability",
    "fairness": "Fairness",
}
