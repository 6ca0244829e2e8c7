"""Keeping the monthly rollups current: the month under way in full, a past month when a late change touches it.

``refresh(session, month)`` measures a month from the raw tables (``measure``), adds each area's values
to its ancestors, and replaces the month's rows in one transaction. ``refresh_due`` is the job: the
current month every run (all kinds), and each of the last ``MONTHS_KEPT`` months whose raw rows changed
after its last refresh — a log written late (its visit falls in that month), an order received in that
month and changed since (resolved, rated, reopened), hours entered late. A closed month's ``now`` figures
are never re-measured: they are what the month looked like while it was current.
"""

from __future__ import annotations

import time as timer
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from linli.areas.models import Area
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.lib import clock
from linli.needs.models import WorkOrder
from linli.reports.measure import ALL_KINDS, FIGURES, first_of, kind_of, measure, month_end, utc_start
from linli.reports.models import FigureMonth, RollupRun
from linli.visits.models import GridLog
from linli.volunteers.models import ServiceHours

MONTHS_KEPT = 24
NOW_CODES = frozenset(f.code for f in FIGURES if f.kind == "now")
CHUNK = 5000


def months_back(month: date, count: int) -> list[date]:
    """Return ``count`` first-of-months ending with ``month``'s, oldest first."""
    out = [first_of(month)]
    while len(out) < count:
        out.append(first_of(out[-1] - timedelta(days=1)))
    return out[::-1]


def refresh(session: Session, month: date, kinds: Iterable[str] = ALL_KINDS, today: date | None = None) -> int:
    """Measure ``month`` (the figures of ``kinds``) and replace its rows; return the rows written."""
    started = timer.perf_counter()
    month = first_of(month)
    kinds = tuple(kinds)
    values = measure(session, month, today, kinds)
    parents = dict(session.execute(select(Area.id, Area.parent_id)).all())
    totals: dict[tuple[int, str], int] = defaultdict(int)
    for (area, code), value in values.items():
        at: int | None = area
        while at is not None:
            totals[(at, code)] += value
            at = parents.get(at)
    if "now" in kinds:  # a zero "now" is kept: it tells a measured month from one never measured
        for code in (f.code for f in FIGURES if f.kind == "now"):
            for area in parents:
                totals.setdefault((area, code), 0)
    rows = [
        {"area_id": a, "month": month, "code": c, "value": v}
        for (a, c), v in totals.items()
        if v or (c in NOW_CODES and "now" in kinds)
    ]
    with transaction(session):
        existing = session.scalars(select(FigureMonth.code).where(FigureMonth.month == month).distinct()).all()
        stale = [c for c in existing if kind_of(c) in kinds]
        for i in range(0, len(stale), 500):
            session.execute(
                delete(FigureMonth).where(FigureMonth.month == month, FigureMonth.code.in_(stale[i : i + 500]))
            )
        for i in range(0, len(rows), CHUNK):
            session.execute(insert(FigureMonth), rows[i : i + CHUNK])
        run = session.get(RollupRun, month) or RollupRun(month=month)
        run.refreshed_at = utcnow()
        run.seconds = round(timer.perf_counter() - started)
        session.add(run)
    return len(rows)


def stale_months(session: Session, today: date) -> list[date]:
    """Return the closed months (of those kept) whose raw rows changed after their last refresh."""
    current = first_of(today)
    kept = months_back(current, MONTHS_KEPT)[:-1]
    runs = dict(session.execute(select(RollupRun.month, RollupRun.refreshed_at)).all())
    if not kept:
        return []
    # Months never refreshed are stale; for the others, only rows written after the oldest refresh matter.
    late: set[date] = {m for m in kept if m not in runs}
    seen = [runs[m] for m in kept if m in runs]
    since = min(seen) if seen else None
    start = utc_start(kept[0])
    checks = (
        (WorkOrder.created_at, WorkOrder.updated_at),
        (GridLog.started_at, GridLog.created_at),
    )
    for happened, written in checks:
        query = select(happened, written).where(happened >= start, happened < utc_start(current))
        if since is not None:
            query = query.where(written > since)
        for when, changed in session.execute(query):
            month = first_of(clock.local_date(when))
            ran = runs.get(month)
            if ran is None or changed > ran:
                late.add(month)
    hours = select(ServiceHours.day, ServiceHours.created_at).where(
        ServiceHours.day >= kept[0], ServiceHours.day < current
    )
    if since is not None:
        hours = hours.where(ServiceHours.created_at > since)
    for day, changed in session.execute(hours):
        ran = runs.get(first_of(day))
        if ran is None or changed > ran:
            late.add(first_of(day))
    return sorted(late)


def refresh_due(session: Session, today: date | None = None) -> dict[str, int]:
    """The job: refresh the month under way, and every kept month a late change touched."""
    today = today or clock.today()
    past = stale_months(session, today)
    for month in past:
        refresh(session, month, ("flow", "stock"), today)
    rows = refresh(session, first_of(today), ALL_KINDS, today)
    return {"reports.months": len(past) + 1, "reports.rows": rows}


def backfill(session: Session, months: int = 12, today: date | None = None) -> dict[str, int]:
    """Refresh the last ``months`` months from the raw tables (a new install, the demo, after an import)."""
    today = today or clock.today()
    rows = 0
    for month in months_back(today, months):
        kinds = ALL_KINDS if month == first_of(today) else ("flow", "stock")
        rows += refresh(session, month, kinds, today)
    return {"reports.months": months, "reports.rows": rows}


def last_refreshed(session: Session, month: date) -> datetime | None:
    """Return when ``month`` was last refreshed (None: never)."""
    return session.scalar(select(func.max(RollupRun.refreshed_at)).where(RollupRun.month == first_of(month)))


__all__ = ["backfill", "month_end", "months_back", "refresh", "refresh_due", "stale_months"]
