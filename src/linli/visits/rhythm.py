"""The household rhythm projection: computed from members, tags, rules and overrides; moved on by logs.

``recompute_rhythm`` writes a ``household_rhythm`` row from the registry (``start_rhythm`` the first row
of households a bulk registration just created, from what it holds, through the same ``_projection``);
``record_contact`` moves one row on when a log is written. All run inside the caller's transaction.
The table is written with Core statements only, so no stale ORM copy of a row lingers in a session.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import BindParameter, Table, bindparam, case, func, select, update
from sqlalchemy.orm import Session

from linli.areas.models import Area
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.lib import clock
from linli.registry.bulk import insert_rows
from linli.registry.models import House, Household, Resident, ResidentTag, Tag
from linli.visits.cadence import Home, Member, Override, RuleSpec, TagInfo, cadence, due_dates
from linli.visits.models import GridLog, HouseholdCadence, HouseholdRhythm, VisitAlert
from linli.visits.rules import ensure_default_policy, rule_specs

CHUNK = 2000
# session.info key of the tags read in the current transaction (hooks.py forgets it when it ends).
TAGS_KEY = "linli.visits.tags"
T: Table = HouseholdRhythm.__table__  # type: ignore[assignment]


def tag_infos(session: Session) -> dict[str, TagInfo]:
    """Return every active tag by code, read once per transaction (the worklist asks on every call)."""
    cached = session.info.get(TAGS_KEY)
    if cached is None:
        cached = session.info[TAGS_KEY] = read_tags(session)
    return cached


def read_tags(session: Session) -> dict[str, TagInfo]:
    """Return every active tag by code, read now."""
    rows = session.execute(
        select(Tag.code, Tag.name, Tag.care_weight, Tag.close_care, Tag.kind, Tag.name_en).where(Tag.active.is_(True))
    ).all()
    return {row[0]: TagInfo(*row) for row in rows}


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


class _Context:
    """What a recomputation reads once: tags, communities of grids, rules per community."""

    def __init__(self, session: Session, today: date) -> None:
        self.session = session
        self.today = today
        self.now = utcnow()
        self.tags = read_tags(session)  # fresh: a tag's change may be what is being recomputed
        self.tag_codes = {k: v for k, v in session.execute(select(Tag.id, Tag.code).where(Tag.active.is_(True)))}
        self.community: dict[int, int | None] = {}
        self.rules: dict[int, list[RuleSpec]] = {}

    def community_of(self, area_ids: Iterable[int]) -> None:
        missing = [a for a in set(area_ids) if a not in self.community]
        if missing:
            for area_id, parent_id, level in self.session.execute(
                select(Area.id, Area.parent_id, Area.level).where(Area.id.in_(missing))
            ):
                self.community[area_id] = parent_id if level == "grid" else area_id if level == "community" else None

    def rules_of(self, community_id: int | None) -> list[RuleSpec]:
        if community_id is None:
            return []
        if community_id not in self.rules:
            ensure_default_policy(self.session, community_id)
            self.rules[community_id] = rule_specs(self.session, community_id)
        return self.rules[community_id]


def recompute_rhythm(
    session: Session, household_ids: Iterable[int] | None = None, *, today: date | None = None, from_logs: bool = False
) -> int:
    """Recompute the rhythm of ``household_ids`` (every household when None); return how many rows.

    Runs inside the caller's write transaction. Intervals, care weight and basis come from the
    active members' tags, ages and kinds under the community's rules (seeded with the defaults the
    first time) or the household's override. Last contact and visit are kept, except for a new row or
    with ``from_logs``, which read them from the grid logs. A household with no active member, or
    dissolved, stops: it drops off every worklist and its overdue alerts are resolved; when members
    come back its rhythm starts again that day.
    """
    context = _Context(session, today or clock.today())
    if household_ids is None:
        ids = list(session.scalars(select(Household.id).order_by(Household.id)))
    else:
        ids = sorted(set(household_ids))
    for chunk in _chunks(ids):
        _recompute_chunk(context, chunk, from_logs)
    return len(ids)


def _recompute_chunk(context: _Context, ids: list[int], from_logs: bool) -> None:
    session = context.session
    households = session.execute(
        select(
            Household.id,
            Household.area_id,
            Household.building_id,
            Household.registered_on,
            Household.dissolved_on,
            Household.care_grade,
            House.status.label("house_status"),
        )
        .outerjoin(House, House.id == Household.house_id)
        .where(Household.id.in_(ids))
    ).all()
    context.community_of(h.area_id for h in households)
    members: dict[int, list[tuple[int, date | None, str]]] = defaultdict(list)
    # Status is checked here, not in SQL: during a bulk load the planner's statistics are stale and it
    # would AND the household lookup with a scan of ``ix_resident_status`` (everyone is active).
    for rid, hid, born, kind, status in session.execute(
        select(Resident.id, Resident.household_id, Resident.birth_date, Resident.kind, Resident.status).where(
            Resident.household_id.in_(ids)
        )
    ):
        if hid is not None and status == "active":
            members[hid].append((rid, born, kind))
    registered = {rid for people in members.values() for rid, _, _ in people}
    tags: dict[int, set[str]] = defaultdict(set)
    for rid, tag_id in session.execute(
        select(ResidentTag.resident_id, ResidentTag.tag_id)
        .join(Resident, Resident.id == ResidentTag.resident_id)
        .where(Resident.household_id.in_(ids))
    ):
        if rid in registered and tag_id in context.tag_codes:
            tags[rid].add(context.tag_codes[tag_id])
    overrides = {
        c.household_id: Override(c.contact_every_days, c.visit_every_days, c.reason)
        for c in session.scalars(select(HouseholdCadence).where(HouseholdCadence.household_id.in_(ids)))
    }
    existing = {row.household_id: row for row in session.execute(select(T).where(T.c.household_id.in_(ids)))}
    need_logs = [h.id for h in households if from_logs or h.id not in existing]
    lasts = last_logs(session, need_logs)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    stopped: list[int] = []
    for h in households:
        people = [Member(born, kind, frozenset(tags.get(rid, ()))) for rid, born, kind in members.get(h.id, [])]
        old = existing.get(h.id)
        row = _projection(context, h, people, old, lasts.get(h.id), overrides.get(h.id))
        if old is not None and old.active and not row["active"]:
            stopped.append(h.id)
        (updates if old is not None else inserts).append(row)
    insert_rows(session, T, inserts)
    if updates:
        statement = (
            update(T)
            .where(T.c.household_id == bindparam("b_household_id"))
            .values({k: bindparam(f"b_{k}") for k in updates[0] if k != "household_id"})
        )
        session.execute(statement, [{f"b_{k}": v for k, v in row.items()} for row in updates])
    if stopped:
        session.execute(
            update(VisitAlert)
            .where(
                VisitAlert.household_id.in_(stopped),
                VisitAlert.kind == "overdue_close_care",
                VisitAlert.resolved_at.is_(None),
            )
            .values(resolved_at=utcnow(), resolution="moved out")
        )


def _projection(
    context: _Context,
    h: Any,
    people: list[Member],
    old: Any,
    last: tuple[datetime | None, datetime | None] | None,
    override: Override | None,
) -> dict[str, Any]:
    """Return the rhythm row of household ``h`` (id, area, building, registered and dissolved on, and
    where known its house status and care grade).

    ``old`` is its current row (None for a new one) and ``last`` its last contact and door visit
    read from the logs (None: keep the old row's).
    """
    active = bool(people) and h.dissolved_on is None
    restarted_on = old.restarted_on if old is not None else None
    stopped_on = old.stopped_on if old is not None else None
    if active and stopped_on is not None:
        restarted_on, stopped_on = context.today, None
    elif not active and old is not None and old.active:
        stopped_on = context.today
    start = max(h.registered_on, restarted_on) if restarted_on else h.registered_on
    community = context.community.get(h.area_id)
    home = Home(getattr(h, "house_status", None), getattr(h, "care_grade", None))
    result = cadence(people, context.rules_of(community), context.tags, context.today, override, home)
    if last is not None:
        last_contact, last_visit = last
    elif old is not None:
        last_contact, last_visit = old.last_contact_at, old.last_visit_at
    else:
        last_contact = last_visit = None
    contact_due, visit_due, next_due = due_dates(
        result.contact_every, result.visit_every, last_contact, last_visit, start
    )
    return {
        "household_id": h.id,
        "area_id": h.area_id,
        "building_id": h.building_id,
        "registered_on": start,
        "restarted_on": restarted_on,
        "stopped_on": stopped_on,
        "active": active,
        "contact_every": result.contact_every,
        "visit_every": result.visit_every,
        "care_weight": result.care_weight,
        "close_care": result.close_care,
        "basis": result.basis,
        "rule_id": result.rule_id,
        "last_contact_at": last_contact,
        "last_visit_at": last_visit,
        "contact_due_on": contact_due if active else None,
        "visit_due_on": visit_due if active else None,
        "next_due_on": next_due if active else None,
        "recheck_on": result.recheck_on if active else None,
        "updated_at": context.now,
    }


@dataclass(frozen=True, slots=True)
class NewHome:
    """A household written in this transaction whose members are all new, with what its rhythm needs.

    ``members`` are (birth date, person kind, tag ids) of each one.
    """

    id: int
    area_id: int
    building_id: int | None
    registered_on: date
    members: list[tuple[date | None, str, Sequence[int]]]
    dissolved_on: None = None
    house_status: str | None = None
    care_grade: None = None


def start_rhythm(session: Session, homes: Sequence[NewHome], *, today: date | None = None) -> None:
    """Write the first rhythm of ``homes``, inside the caller's write transaction.

    The same rows ``recompute_rhythm`` would write, without its reads: such a household has no row,
    no logs and no override yet, and its members are given rather than read back (an import of
    100,000 residents creates ~35,000 households, and reading them back cost half its rhythm time).
    """
    context = _Context(session, today or clock.today())
    context.community_of(h.area_id for h in homes)
    codes = context.tag_codes
    rows = []
    for h in homes:
        people = [
            Member(born, kind, frozenset(codes[t] for t in tag_ids if t in codes)) for born, kind, tag_ids in h.members
        ]
        rows.append(_projection(context, h, people, None, None, None))
    insert_rows(session, T, rows)


def last_logs(session: Session, household_ids: list[int]) -> dict[int, tuple[datetime | None, datetime | None]]:
    """Return ``{household: (last contact, last door visit)}`` read from the grid logs."""
    found: dict[int, tuple[datetime | None, datetime | None]] = {}
    for chunk in _chunks(household_ids):
        rows = session.execute(
            select(
                GridLog.household_id,
                func.max(GridLog.started_at),
                func.max(case((GridLog.channel == "door", GridLog.started_at))),
            )
            .where(GridLog.household_id.in_(chunk))
            .group_by(GridLog.household_id)
        ).all()
        for hid, contact, visit in rows:
            found[hid] = (_aware(contact), _aware(visit))
    return found


def _aware(value: Any) -> datetime | None:
    # An aggregate loses the column type; SQLite then returns the stored text.
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def record_contact(session: Session, household_id: int, channel: str, started_at: datetime) -> bool:
    """Move a household's rhythm on after a log of ``channel`` at ``started_at`` (a door visit is a contact too).

    Return whether the household is under close care (the only kind an overdue alert is open for).
    A log older than the last one changes nothing; a household without a row yet is computed.
    """
    row = session.execute(select(T).where(T.c.household_id == household_id)).first()
    if row is None:
        recompute_rhythm(session, [household_id], from_logs=True)
        return True
    last_contact = max((d for d in (row.last_contact_at, started_at) if d), default=None)
    last_visit = row.last_visit_at
    if channel == "door":
        last_visit = max((d for d in (row.last_visit_at, started_at) if d), default=None)
    contact_due, visit_due, next_due = due_dates(
        row.contact_every, row.visit_every, last_contact, last_visit, row.registered_on
    )
    values: dict[str, Any] = {"last_contact_at": last_contact, "last_visit_at": last_visit}
    if row.active:
        values.update(contact_due_on=contact_due, visit_due_on=visit_due, next_due_on=next_due)
    session.execute(update(T).where(T.c.household_id == household_id).values(values))
    return bool(row.close_care)


# Built once: a worklist asks these on every call. Two small index ranges, not one UNION: PostgreSQL
# plans a union of the two as a parallel append, and starting its workers alone takes ~10 ms.
_GRIDS: BindParameter[int] = bindparam("grids", expanding=True)
_RECHECK = select(T.c.household_id).where(T.c.area_id.in_(_GRIDS), T.c.recheck_on <= bindparam("today"))
_MISSING = select(Household.id).where(
    Household.area_id.in_(_GRIDS),
    Household.dissolved_on.is_(None),
    Household.id.not_in(select(T.c.household_id).where(T.c.area_id.in_(_GRIDS))),
)


def refresh_stale(session: Session, grid_ids: list[int], today: date) -> int:
    """Recompute households of ``grid_ids`` whose rhythm is missing or due a recheck (a birthday); return how many.

    A rhythm goes missing only when rows were written around the ORM without ``recompute_rhythm``;
    a recheck falls due on a birthday an age rule names. Writes only when something is stale.
    """
    if not grid_ids:
        return 0
    stale = set(session.scalars(_RECHECK, {"grids": grid_ids, "today": today}))
    stale |= set(session.scalars(_MISSING, {"grids": grid_ids}))
    if not stale:
        return 0
    with transaction(session):
        recompute_rhythm(session, stale, today=today)
    return len(stale)
