"""A grid worker's list for a day: who is due or overdue, why, in what order, today or later this week.

The list is one index range on ``household_rhythm (area_id, next_due_on)`` over the worker's grids.
A household due for a door visit appears once, as a visit (the visit is a contact too); one due only
for a contact appears as a contact. Priority is (days overdue + 1) × (1 + the largest care weight of
the members' tags): a line due today counts one day, so care weight still orders it. The
``visits_per_day`` setting keeps that many door visits for today, highest priority first (ties by
due date, then household id: the same data always gives the same split); the rest are for later
this week. Contacts (a phone call or a message) all stay today. Today's lines are grouped by
building so the walk is short.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import Table, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from linli.accounts.models import Assignment, User
from linli.accounts.permissions import READ, SENSITIVE, Scope, path_under
from linli.areas.models import Area
from linli.areas.services import area_labels
from linli.errors import NotFound
from linli.lib import clock
from linli.registry.models import Building, Household, Resident
from linli.runtime import settings_of
from linli.visits.cadence import local_day
from linli.visits.models import HouseholdRhythm
from linli.visits.permissions import WORKER_ROLE, worker_paths
from linli.visits.rhythm import refresh_stale, tag_infos
from linli.visits.schemas import GridRef, WorkerOut, WorkersOut, WorklistLine, WorklistOut
from linli.visits.words import basis_words, reason_line

T: Table = HouseholdRhythm.__table__  # type: ignore[assignment]
# Days overdue count towards priority up to a month: a household registered years ago and never
# visited would otherwise outrank everyone under close care for ever.
PRIORITY_DAYS = 30


@dataclass(frozen=True)
class Grid:
    id: int
    name: str
    code: str
    path: str


def _grids_under(session: Session, paths: Sequence[str]) -> list[Grid]:
    if not paths:
        return []
    condition = or_(*(path_under(Area.path, p) for p in paths))
    rows = session.execute(
        select(Area.id, Area.name, Area.code, Area.path).where(condition, Area.level == "grid").order_by(Area.code)
    ).all()
    return [Grid(*row) for row in rows]


def _grids_for(
    session: Session, scope: Scope, user_id: int | None, area_id: int | None
) -> tuple[list[Grid], int | None, str]:
    """Return the grids of the list asked for, whose list it is, and their name."""
    if area_id is not None:
        area = session.get(Area, area_id)
        if area is None or area.level not in ("grid", "community") or not scope.reaches(READ, area.path):
            raise NotFound("area")
        if area.level == "grid":
            return [Grid(area.id, area.name, area.code, area.path)], None, area.name
        return _grids_under(session, [area.path]), None, area.name
    if user_id is None or user_id == scope.user_id:
        return _grids_under(session, worker_paths(scope)), scope.user_id, scope.display_name
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user")
    paths = session.scalars(
        select(Area.path)
        .join(Assignment, Assignment.area_id == Area.id)
        .where(Assignment.user_id == user_id, Assignment.role == WORKER_ROLE)
    ).all()
    grids = [g for g in _grids_under(session, list(paths)) if scope.reaches(READ, g.path)]
    if not grids:
        raise NotFound("user")
    return grids, user.id, user.display_name


def unowned_grids(session: Session, scope: Scope, day: date) -> list[GridRef]:
    """Return the grids in reach with no grid worker assigned, with how many households are due there."""
    condition = scope.area_ids(READ)
    if condition is None:
        return []
    owned = select(Assignment.area_id).where(Assignment.role == WORKER_ROLE)
    rows = session.execute(
        select(Area.id, Area.name, Area.code)
        .where(condition, Area.level == "grid", Area.id.not_in(owned))
        .order_by(Area.code)
    ).all()
    due, labels = _due_counts(session, [r[0] for r in rows], day), area_labels(session, [r[0] for r in rows])
    return [GridRef(id=i, name=labels[i], code=c, due=due.get(i, 0)) for i, _, c in rows]


def _due_counts(session: Session, grid_ids: list[int], day: date) -> dict[int, int]:
    if not grid_ids:
        return {}
    rows = session.execute(
        select(T.c.area_id, func.count()).where(T.c.area_id.in_(grid_ids), T.c.next_due_on <= day).group_by(T.c.area_id)
    )
    return {k: v for k, v in rows}


def worklist(
    session: Session,
    scope: Scope,
    day: date | None = None,
    *,
    user_id: int | None = None,
    area_id: int | None = None,
    locale: str = "zh",
    with_unowned: bool = True,
) -> WorklistOut:
    """Return the worklist of ``day`` (today by default) for the caller, another worker, or one area.

    A supervisor or secretary may read any worker's list within their reach (only the grids they
    reach are shown); a worker outside it is not found. Unowned grids in the caller's reach come with
    every list, as a warning (``with_unowned`` False leaves them out: a batch of every grid's list).
    """
    scope.require(READ)
    day = day or clock.today()
    grids, owner, name = _grids_for(session, scope, user_id, area_id)
    ids = [g.id for g in grids]
    refresh_stale(session, ids, clock.today())
    lines = _lines(session, scope, ids, day, locale) if ids else []
    capacity = settings_of(session).visits_per_day
    due = Counter(line.area_id for line in lines)  # every row due by ``day`` is a line
    return WorklistOut(
        date=day,
        user_id=owner,
        worker=name,
        grids=[GridRef(id=g.id, name=g.name, code=g.code, due=due.get(g.id, 0)) for g in grids],
        capacity=capacity,
        items=arrange(lines, capacity),
        unowned_grids=unowned_grids(session, scope, day) if with_unowned else [],
    )


_LINES = (
    select(T, Building.compound, Building.name.label("building_name"), Household.room, Resident.name.label("head"))
    .join(Household, Household.id == T.c.household_id)
    .join(Building, Building.id == T.c.building_id)
    .outerjoin(Resident, and_(Resident.id == Household.head_id, Resident.status == "active"))
    .where(T.c.area_id.in_(bindparam("grids", expanding=True)), T.c.next_due_on <= bindparam("day"))
)


def _lines(session: Session, scope: Scope, grid_ids: list[int], day: date, locale: str) -> list[WorklistLine]:
    rows = session.execute(_LINES, {"grids": grid_ids, "day": day}).all()
    tags = tag_infos(session) if rows else {}
    sensitive = scope.can(SENSITIVE)
    return [_line(row, day, tags, sensitive, locale) for row in rows]


def _line(row: Any, day: date, tags: dict[str, Any], sensitive: bool, locale: str) -> WorklistLine:
    visit_due = row.visit_due_on is not None and row.visit_due_on <= day
    contact_due = row.contact_due_on is not None and row.contact_due_on <= day
    kind: Literal["contact", "visit"] = "visit" if visit_due else "contact"
    due = row.visit_due_on if visit_due else row.contact_due_on
    earliest = min(
        d for d in (row.visit_due_on if visit_due else None, row.contact_due_on if contact_due else None) if d
    )
    overdue = (day - earliest).days
    last_visit = local_day(row.last_visit_at)
    last_contact = max((d for d in (local_day(row.last_contact_at), last_visit) if d), default=None)
    basis = basis_words(row.basis, tags, sensitive, locale)
    return WorklistLine(
        household_id=row.household_id,
        kind=kind,
        due_date=due,
        days_overdue=overdue,
        priority=(min(overdue, PRIORITY_DAYS) + 1) * (1 + row.care_weight),
        reason=reason_line(
            basis, kind, day, last_contact, last_visit, row.registered_on, kind == "visit" and contact_due, locale
        ),
        slot="today",
        area_id=row.area_id,
        building_id=row.building_id,
        building=" ".join(p for p in (row.compound, row.building_name) if p),
        room=row.room,
        head_name=row.head,
        care_weight=row.care_weight,
        close_care=row.close_care,
        last_contact_at=row.last_contact_at,
        last_visit_at=row.last_visit_at,
    )


def _rank(line: WorklistLine) -> tuple[int, date, int]:
    return (-line.priority, line.due_date, line.household_id)


def _walk(lines: list[WorklistLine]) -> list[WorklistLine]:
    """Return lines grouped by building: the building with the most pressing line first."""
    first: dict[int, tuple[int, date, int]] = {}
    for line in sorted(lines, key=_rank):
        first.setdefault(line.building_id, _rank(line))
    return sorted(lines, key=lambda line: (first[line.building_id], line.building_id, _rank(line)))


def arrange(lines: list[WorklistLine], capacity: int) -> list[WorklistLine]:
    """Return today's visits by building, today's contacts by building, then the visits left for later."""
    visits = sorted((line for line in lines if line.kind == "visit"), key=_rank)
    contacts = [line for line in lines if line.kind == "contact"]
    later = [line.model_copy(update={"slot": "later"}) for line in visits[capacity:]]
    return _walk(visits[:capacity]) + _walk(contacts) + later


def workers(session: Session, scope: Scope, day: date | None = None) -> WorkersOut:
    """Return the grid workers in the caller's reach with how many households are due, and the unowned grids."""
    scope.require(READ)
    day = day or clock.today()
    condition = scope.area_ids(READ)
    if condition is None:
        return WorkersOut(date=day, workers=[], unowned_grids=[])
    rows = session.execute(
        select(User.id, User.display_name, Area.id, Area.name, Area.code)
        .join(Assignment, Assignment.user_id == User.id)
        .join(Area, Area.id == Assignment.area_id)
        .where(Assignment.role == WORKER_ROLE, Area.level == "grid", condition, User.active.is_(True))
        .order_by(Area.code, User.display_name)
    ).all()
    due, labels = _due_counts(session, sorted({r[2] for r in rows}), day), area_labels(session, [r[2] for r in rows])
    found: dict[int, WorkerOut] = {}
    for uid, uname, gid, _, gcode in rows:
        worker = found.setdefault(uid, WorkerOut(user_id=uid, name=uname, grids=[], due=0))
        worker.grids.append(GridRef(id=gid, name=labels[gid], code=gcode, due=due.get(gid, 0)))
        worker.due += due.get(gid, 0)
    return WorkersOut(date=day, workers=list(found.values()), unowned_grids=unowned_grids(session, scope, day))
