"""Figures for supervisors: what an area received in a period and how it was answered.

The orders counted are those received in the period (a cohort): of them, how many were resolved, on
time, sent back, extended, rated and found satisfying. "Overdue now" is every open order past its
deadline today, whenever it came in. Four grouped queries, whatever the size of the area.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from linli.accounts.permissions import NEEDS_READ, Scope, path_under
from linli.areas.models import Area
from linli.db.values import count_where
from linli.errors import Invalid, NotFound
from linli.lib.clock import LOCAL
from linli.needs.models import CLOCK_STATES, ServiceCategory, WorkOrder
from linli.needs.schemas import FigureRow, FiguresOut

RESOLVED = ("closed", "rated")
MAX_DAYS = 3 * 366


@dataclass
class Counts:
    received: int = 0
    dismissed: int = 0
    resolved: int = 0
    on_time: int = 0
    rework: int = 0
    extended: int = 0
    rated: int = 0
    satisfied: int = 0
    overdue_now: int = 0

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def row(self, key: int | None, name: str, name_en: str = "") -> FigureRow:
        """Return these counts with their rates."""
        cases = self.received - self.dismissed
        return FigureRow(
            id=key,
            name=name,
            name_en=name_en,
            **{f.name: getattr(self, f.name) for f in fields(self)},
            resolution_rate=_rate(self.resolved, cases),
            on_time_rate=_rate(self.on_time, self.resolved),
            rework_rate=_rate(self.rework, cases),
            extension_rate=_rate(self.extended, cases),
            satisfaction_rate=_rate(self.satisfied, self.rated),
        )


def figures(session: Session, scope: Scope, area_id: int, date_from: date, date_to: date) -> FiguresOut:
    """Return the figures of ``area_id`` and everything below it for orders received ``date_from``..``date_to``.

    Days are local (Asia/Shanghai) and both ends are included. Refuses a period longer than three years.
    """
    area = session.get(Area, area_id)
    if area is None:
        raise NotFound("area")
    scope.check(NEEDS_READ, area.path, "area")
    if date_to < date_from or (date_to - date_from).days > MAX_DAYS:
        raise Invalid("figures.period", "Choose a period of at most three years, its end after its start.", "date_to")
    start = datetime.combine(date_from, time(0), LOCAL).astimezone(UTC)
    end = datetime.combine(date_to + timedelta(days=1), time(0), LOCAL).astimezone(UTC)
    below = WorkOrder.area_id.in_(select(Area.id).where(path_under(Area.path, area.path)))
    in_period = and_(below, WorkOrder.created_at >= start, WorkOrder.created_at < end)
    overdue_now = and_(below, WorkOrder.overdue.is_(True), WorkOrder.state.in_(CLOCK_STATES))

    # The area one level down that holds each order: its path is the asked path and one more segment.
    held = aliased(Area)
    child = func.substr(held.path, 1, len(area.path) + 4) if area.level != "grid" else held.path
    by_category = _grouped(session, WorkOrder.category_id, in_period, overdue_now)
    by_child = _grouped(session, child, in_period, overdue_now, held)

    names = {
        i: (n, en)
        for i, n, en in session.execute(select(ServiceCategory.id, ServiceCategory.name, ServiceCategory.name_en))
    }
    children = dict(
        session.execute(select(Area.path, Area.id).where(Area.parent_id == area.id)).all()
        if area.level != "grid"
        else [(area.path, area.id)]
    )
    child_names = dict(session.execute(select(Area.id, Area.name).where(Area.id.in_(children.values()))).all())
    total = Counts()
    for counts in by_category.values():
        total.add(counts)
    return FiguresOut(
        area_id=area.id,
        area=area.name,
        date_from=date_from,
        date_to=date_to,
        total=total.row(area.id, area.name),
        by_category=[
            c.row(k, *names.get(k, ("", ""))) for k, c in sorted(by_category.items(), key=lambda kv: -kv[1].received)
        ],
        by_area=[
            c.row(children.get(k), child_names.get(children.get(k), k))  # type: ignore[arg-type]
            for k, c in sorted(by_child.items(), key=lambda kv: str(kv[0]))
        ],
    )


def by_area(session: Session, date_from: date, date_to: date) -> dict[tuple[int, int], Counts]:
    """Return the counts of every order received ``date_from``..``date_to`` (local days), by area and category.

    For the monthly rollups (``reports``): the whole database at once, no scope; "overdue now" is left out.
    """
    start = datetime.combine(date_from, time(0), LOCAL).astimezone(UTC)
    end = datetime.combine(date_to + timedelta(days=1), time(0), LOCAL).astimezone(UTC)
    in_period = and_(WorkOrder.created_at >= start, WorkOrder.created_at < end)
    return _grouped(session, (WorkOrder.area_id, WorkOrder.category_id), in_period, None)


def _grouped(session: Session, key: Any, in_period: Any, overdue_now: Any, held: Any = None) -> dict[Any, Counts]:
    """Return the counts of the period's orders, and the orders overdue now, grouped by ``key``.

    ``key`` is one expression, or a tuple of them (the counts are then keyed by tuples); ``overdue_now``
    None leaves that count out.
    """
    keys = key if isinstance(key, tuple) else (key,)

    resolved = WorkOrder.state.in_(RESOLVED)
    period = (
        select(
            *keys,
            func.count(),
            count_where(WorkOrder.state == "dismissed"),
            count_where(resolved),
            count_where(and_(resolved, WorkOrder.closed_at <= WorkOrder.due_at)),
            count_where(WorkOrder.rework_count > 0),
            count_where(WorkOrder.extension_count > 0),
            count_where(WorkOrder.rating.isnot(None)),
            count_where(WorkOrder.rating.in_(("satisfied", "basic"))),
        )
        .select_from(WorkOrder)
        .where(in_period)
    )
    if held is not None:
        period = period.join(held, held.id == WorkOrder.area_id)
    out: dict[Any, Counts] = {}
    width = len(keys)
    for row in session.execute(period.group_by(*keys)).all():
        k = row[0] if width == 1 else tuple(row[:width])
        out[k] = Counts(*(int(n or 0) for n in row[width:]))
    if overdue_now is None:
        return out
    late = select(key, func.count()).select_from(WorkOrder).where(overdue_now)
    if held is not None:
        late = late.join(held, held.id == WorkOrder.area_id)
    for k, n in session.execute(late.group_by(key)).all():
        out.setdefault(k, Counts()).overdue_now = int(n)
    return out


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
