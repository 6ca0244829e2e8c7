"""The visit rhythm as pure functions: which rules a household matches, and when it is next due.

No database here: ``rhythm.py`` loads households and rules and calls these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from linli.lib import clock


@dataclass(frozen=True)
class TagInfo:
    code: str
    name: str
    care_weight: int
    close_care: bool
    kind: str
    name_en: str = ""


@dataclass(frozen=True)
class Member:
    """An active member of a household, as far as the visit rules look at people."""

    birth_date: date | None
    kind: str
    tags: frozenset[str]


@dataclass(frozen=True)
class RuleSpec:
    id: int
    position: int
    name: str
    condition: str
    value: str
    contact_every: int | None
    visit_every: int | None


@dataclass(frozen=True)
class Override:
    contact_every: int | None
    visit_every: int | None
    reason: str


@dataclass(frozen=True)
class Cadence:
    """What a household's rhythm is and why."""

    contact_every: int | None
    visit_every: int | None
    care_weight: int
    close_care: bool
    basis: str
    rule_id: int | None
    recheck_on: date | None


def birthday(birth: date, years: int) -> date:
    """Return the day someone born on ``birth`` turns ``years``; 29 February turns on 1 March."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return date(birth.year + years, 3, 1)


def _tags_of(members: Sequence[Member], tags: dict[str, TagInfo]) -> list[TagInfo]:
    codes = sorted({code for m in members for code in m.tags if code in tags})
    return [tags[c] for c in codes]


@dataclass(frozen=True)
class Home:
    """What the visit rules look at beyond the people: the household's house status and care grade."""

    house_status: str | None = None
    care_grade: str | None = None


NO_HOME = Home()


def matches(
    rule: RuleSpec, members: Sequence[Member], held: list[TagInfo], today: date, home: Home = NO_HOME
) -> list[str] | None:
    """Return the tag codes that made ``rule`` match (possibly none), or None when it does not match.

    ``held`` is the members' tags (``_tags_of``), worked out once for every rule.
    """
    if rule.condition == "everyone":
        return []
    if rule.condition == "house_status":
        return [] if home.house_status == rule.value else None
    if rule.condition == "care_grade":
        return [] if home.care_grade == rule.value else None
    if rule.condition == "tag":
        return [rule.value] if any(t.code == rule.value for t in held) else None
    if rule.condition == "close_care":
        found = [t.code for t in held if t.close_care]
        return found or None
    if rule.condition == "tagged":
        return [t.code for t in held] or None
    if rule.condition == "kind":
        return [] if any(m.kind == rule.value for m in members) else None
    if rule.condition == "min_age":
        years = int(rule.value)
        return [] if any(m.birth_date and clock.age_on(m.birth_date, today) >= years for m in members) else None
    return None


def cadence(
    members: Sequence[Member],
    rules: Sequence[RuleSpec],
    tags: dict[str, TagInfo],
    today: date,
    override: Override | None = None,
    home: Home = NO_HOME,
) -> Cadence:
    """Return the rhythm of a household with ``members`` under the community's active ``rules``.

    Of every matching rule the smallest contact interval and the smallest visit interval win (the
    strictest rhythm); an override wins over the rules. The basis names the tags of the deciding rule
    (the one giving the shortest contact interval, else the shortest visit, earliest position on a tie),
    or the rule's name when it is not about tags (a house status or a care grade). ``home`` is the
    household's house status and care grade. ``recheck_on`` is the next birthday on which a
    ``min_age`` rule starts to match.
    """
    held = _tags_of(members, tags)
    care_weight = max((t.care_weight for t in held), default=0)
    close_care = any(t.close_care for t in held)
    recheck = _recheck_on(members, rules, today)
    if override is not None:
        return Cadence(
            override.contact_every,
            override.visit_every,
            care_weight,
            close_care,
            f"override:{override.reason}"[:240],
            None,
            recheck,
        )
    matched = [(rule, found) for rule in rules if (found := matches(rule, members, held, today, home)) is not None]
    contact = min((r.contact_every for r, _ in matched if r.contact_every), default=None)
    visit = min((r.visit_every for r, _ in matched if r.visit_every), default=None)
    if not matched:
        return Cadence(None, None, care_weight, close_care, "", None, recheck)

    def strictness(item: tuple[RuleSpec, list[str]]) -> tuple[int, int, int]:
        rule = item[0]
        return (rule.contact_every or 10**6, rule.visit_every or 10**6, rule.position)

    rule, found = min(matched, key=strictness)
    basis = f"tags:{','.join(found)}" if found else f"rule:{rule.name}"
    return Cadence(contact, visit, care_weight, close_care, basis[:240], rule.id, recheck)


def _recheck_on(members: Sequence[Member], rules: Sequence[RuleSpec], today: date) -> date | None:
    ages = sorted({int(r.value) for r in rules if r.condition == "min_age"})
    days = [
        birthday(m.birth_date, years)
        for m in members
        if m.birth_date
        for years in ages
        if birthday(m.birth_date, years) > today
    ]
    return min(days, default=None)


def local_day(moment: datetime | None) -> date | None:
    """Return the Asia/Shanghai date of a UTC time (a log at 17:00 UTC is the next local day)."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(clock.LOCAL).date()


def due_on(last: date | None, every: int | None, start: date) -> date | None:
    """Return the day a household is next due, or None without a rhythm.

    A household never contacted is due on the day its rhythm started (its registration), not later;
    nor is one due before that day, even when an old log from before a move-out is its last.
    """
    if every is None:
        return None
    if last is None:
        return start
    return max(start, last + timedelta(days=every))


def due_dates(
    contact_every: int | None,
    visit_every: int | None,
    last_contact_at: datetime | None,
    last_visit_at: datetime | None,
    start: date,
) -> tuple[date | None, date | None, date | None]:
    """Return ``(contact due, visit due, next due)``. A door visit is a contact too."""
    last_visit = local_day(last_visit_at)
    last_contact = max((d for d in (local_day(last_contact_at), last_visit) if d), default=None)
    contact = due_on(last_contact, contact_every, start)
    visit = due_on(last_visit, visit_every, start)
    return contact, visit, min((d for d in (contact, visit) if d), default=None)
