"""Figures for supervisors: 走访率 and more, per grid and per grid worker, over a period.

For a period ``start``..``end`` the figures are read as of its last day ``as_of`` (``end``, or today
when the period is not over). Households counted are those whose rhythm is running and had started
by ``as_of``. A household is

- *contacted on time* when its last contact (any channel; a door visit is a contact) on or before
  ``as_of`` lies within its contact interval: on or after ``as_of - contact_every`` (a line due today
  is not late yet);
- *visited on time* likewise for door visits and its visit interval;
- *overdue* when it misses either of the intervals it has.

The median days since last contact is over households with a person under close care (never
contacted: days since the rhythm started). Logs written and their average duration count logs whose
start falls in the period (Asia/Shanghai days), by grid and by author.

The rhythm table holds each household's last contact; only households contacted again after
``as_of`` are looked up in the logs (one index probe each), so the current month reads no logs for
those figures at all.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, bindparam, case, func, literal, select
from sqlalchemy.orm import Session

from linli.accounts.models import Assignment, User
from linli.accounts.permissions import READ, Scope
from linli.areas.models import Area
from linli.areas.services import area_labels
from linli.db.base import UTCDateTime
from linli.errors import Invalid, NotFound
from linli.lib import clock
from linli.visits.cadence import local_day
from linli.visits.models import GridLog, HouseholdRhythm
from linli.visits.permissions import WORKER_ROLE
from linli.visits.schemas import CoverageOut, CoverageRow

T: Table = HouseholdRhythm.__table__  # type: ignore[assignment]
MAX_DAYS = 400


def day_start(day: date) -> datetime:
    """Return the UTC instant at which the Asia/Shanghai ``day`` begins."""
    return datetime.combine(day, time(0), tzinfo=clock.LOCAL).astimezone(UTC)


class _Counts:
    def __init__(self) -> None:
        self.households = self.contact_households = self.contacted = 0
        self.visit_households = self.visited = self.overdue = self.logs = 0
        self.minutes = 0
        self.care_days: list[int] = []

    def add(self, other: _Counts) -> None:
        for name in (
            "households",
            "contact_households",
            "contacted",
            "visit_households",
            "visited",
            "overdue",
            "logs",
            "minutes",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.care_days.extend(other.care_days)

    def row(self, name: str, area_id: int | None = None, user_id: int | None = None) -> CoverageRow:
        def rate(part: int, whole: int) -> float | None:
            return round(part / whole, 4) if whole else None

        return CoverageRow(
            area_id=area_id,
            user_id=user_id,
            name=name,
            households=self.households,
            contact_households=self.contact_households,
            contacted_on_time=self.contacted,
            contact_rate=rate(self.contacted, self.contact_households),
            visit_households=self.visit_households,
            visited_on_time=self.visited,
            visit_rate=rate(self.visited, self.visit_households),
            overdue=self.overdue,
            care_households=len(self.care_days),
            median_days_since_contact=float(statistics.median(self.care_days)) if self.care_days else None,
            logs=self.logs,
            avg_duration=round(self.minutes / self.logs, 1) if self.logs else None,
        )


def _grids(session: Session, scope: Scope, area_id: int | None) -> list[tuple[int, int | None]]:
    """Return (id, community id) of the grids in reach, or under ``area_id``, in code order."""
    condition = scope.area_ids(READ)
    if condition is None:
        return []
    query = select(Area.id, Area.parent_id).where(condition, Area.level == "grid").order_by(Area.code)
    if area_id is not None:
        area = session.get(Area, area_id)
        if area is None or not scope.reaches(READ, area.path):
            raise NotFound("area")
        query = query.where(Area.path.startswith(area.path))
    return [(i, parent) for i, parent in session.execute(query)]


def _communities(
    session: Session, grids: list[tuple[int, int | None]], counts: dict[int, _Counts]
) -> list[CoverageRow]:
    """Return the figures of each community the grids belong to, when they belong to more than one."""
    by_community: dict[int, _Counts] = defaultdict(_Counts)
    for grid, community in grids:
        if community is not None:
            by_community[community].add(counts[grid])
    if len(by_community) < 2:
        return []
    names = area_labels(session, by_community)
    return [by_community[c].row(names[c], area_id=c) for c in by_community]


def _last_as_of(hi: Any, door: bool) -> ColumnElement[Any]:
    """Return the last contact (or door visit) before ``hi``: the rhythm's, or else a probe into the logs."""
    column = T.c.last_visit_at if door else T.c.last_contact_at
    probe = select(func.max(GridLog.started_at)).where(
        GridLog.household_id == T.c.household_id, GridLog.started_at < hi
    )
    if door:
        probe = probe.where(GridLog.channel == "door")
    return case((column < hi, column), else_=probe.scalar_subquery())


def _running(ids: list[int], as_of: date) -> list[ColumnElement[bool]]:
    return [T.c.area_id.in_(ids), T.c.active.is_(True), T.c.registered_on <= as_of]


def _households(session: Session, ids: list[int], as_of: date, counts: dict[int, _Counts]) -> None:
    hi = bindparam("hi", day_start(as_of + timedelta(days=1)), type_=UTCDateTime())
    pairs = session.execute(select(T.c.contact_every, T.c.visit_every).where(*_running(ids, as_of)).distinct()).all()
    for contact, visit in pairs:
        same = [
            T.c.contact_every.is_(None) if contact is None else T.c.contact_every == contact,
            T.c.visit_every.is_(None) if visit is None else T.c.visit_every == visit,
        ]
        # Each household's two flags, computed once (a materialised CTE is not folded into the outer
        # query, where each flag is read twice); a log probe only for an interval the pair has.
        flags: list[ColumnElement[Any]] = [T.c.area_id]
        for every, door, name in ((contact, False, "c"), (visit, True, "v")):
            if every is None:
                flags.append(literal(1).label(name))
                continue
            lo = bindparam(f"{name}_lo", day_start(as_of - timedelta(days=every)), type_=UTCDateTime())
            flags.append(case((_last_as_of(hi, door) >= lo, 1), else_=0).label(name))
        each = (
            select(*flags)
            .where(*_running(ids, as_of), *same)
            .cte(f"pair_{contact}_{visit}")
            .prefix_with("MATERIALIZED")
        )
        rows = session.execute(
            select(
                each.c.area_id,
                func.count(),
                func.sum(each.c.c),
                func.sum(each.c.v),
                func.sum(case((and_(each.c.c == 1, each.c.v == 1), 0), else_=1)),
            ).group_by(each.c.area_id)
        ).all()
        for area, total, contacted, visited, overdue in rows:
            c = counts[area]
            c.households += total
            if contact is not None:
                c.contact_households += total
                c.contacted += int(contacted or 0)
            if visit is not None:
                c.visit_households += total
                c.visited += int(visited or 0)
            c.overdue += int(overdue or 0)
    care = session.execute(
        select(T.c.area_id, T.c.registered_on, _last_as_of(hi, False)).where(
            *_running(ids, as_of), T.c.close_care.is_(True)
        )
    ).all()
    for area, start, last in care:
        moment = _aware(last)
        since: date = local_day(moment) or start if moment else start
        counts[area].care_days.append((as_of - since).days)


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite returns a CASE over a sub-select as stored text
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _logs(session: Session, ids: list[int], start: date, end: date) -> dict[tuple[int, int | None], tuple[int, int]]:
    """Return ``{(grid, author): (logs, minutes)}`` for logs started in the period: one pass over a covering index."""
    lo, hi = day_start(start), day_start(end + timedelta(days=1))
    rows = session.execute(
        select(GridLog.area_id, GridLog.user_id, func.count(), func.sum(GridLog.duration_minutes))
        .where(GridLog.area_id.in_(ids), GridLog.started_at >= lo, GridLog.started_at < hi)
        .group_by(GridLog.area_id, GridLog.user_id)
    ).all()
    return {(area, user): (n, int(minutes or 0)) for area, user, n, minutes in rows}


def coverage(
    session: Session, scope: Scope, start: date, end: date, area_id: int | None = None, today: date | None = None
) -> CoverageOut:
    """Return the coverage figures of every grid (and grid worker) in reach, or under ``area_id``, for a period."""
    scope.require(READ)
    if end < start:
        raise Invalid("visits.period_reversed", "The period ends before it starts.", "end")
    if (end - start).days > MAX_DAYS:
        raise Invalid("visits.period_long", "A period is at most {days} days.", "end", days=MAX_DAYS)
    as_of = min(end, today or clock.today())
    grids = _grids(session, scope, area_id)
    ids = [g for g, _ in grids]
    counts: dict[int, _Counts] = defaultdict(_Counts)
    logs: dict[tuple[int, int | None], tuple[int, int]] = {}
    if ids:
        _households(session, ids, as_of, counts)
        logs = _logs(session, ids, start, end)
        for (area, _), (n, minutes) in logs.items():
            counts[area].logs += n
            counts[area].minutes += minutes
    labels = area_labels(session, ids)
    total = _Counts()
    for g in ids:
        total.add(counts[g])
    return CoverageOut(
        start=start,
        end=end,
        as_of=as_of,
        total=total.row("total"),
        communities=_communities(session, grids, counts),
        grids=[counts[g].row(labels[g], area_id=g) for g in ids],
        workers=_workers(session, ids, logs, counts) if ids else [],
    )


def _workers(
    session: Session, ids: list[int], logs: dict[tuple[int, int | None], tuple[int, int]], counts: dict[int, _Counts]
) -> list[CoverageRow]:
    rows = session.execute(
        select(User.id, User.display_name, Assignment.area_id)
        .join(Assignment, Assignment.user_id == User.id)
        .where(Assignment.role == WORKER_ROLE, Assignment.area_id.in_(ids))
        .order_by(User.display_name, User.id)
    ).all()
    by_user: dict[int, tuple[int, int]] = {}
    for (_, user), (n, minutes) in logs.items():
        if user is not None:
            done, spent = by_user.get(user, (0, 0))
            by_user[user] = (done + n, spent + minutes)
    workers: dict[int, tuple[str, _Counts]] = {}
    for uid, name, grid in rows:
        _, c = workers.setdefault(uid, (name, _Counts()))
        c.add(counts[grid])
    out = []
    for uid, (name, c) in workers.items():
        c.logs, c.minutes = by_user.get(uid, (0, 0))
        out.append(c.row(name, user_id=uid))
    return out
