"""The grid-worker evaluation (网格员考评): each worker's month, scored by weights kept in the settings.

For one month and an area, each grid worker assigned to a grid in it gets:

- ``visits``: the share of their grids' households visited on time at the month's end (``visits.coverage``);
- ``contacts``: the share contacted on time;
- ``logs``: the grid logs they wrote in the month, over the most any worker of the list wrote;
- ``needs``: the work orders they filed in the month, over the most any worker filed;
- ``resolved``: the orders assigned to them and resolved (closed or rated) in the month, over the most;
- ``on_time``: of those, the share resolved by the deadline;
- ``satisfaction``: of those rated, the share rated satisfied or basically satisfied.

The score is the weighted mean of the parts that have a value (a worker with nothing resolved is not
marked down for an on-time rate they could not have), times 100; the list is ranked by score, then name.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from linli.accounts.permissions import READ, Scope
from linli.config import EVALUATION_WEIGHTS
from linli.db.values import count_where
from linli.errors import Invalid
from linli.needs.figures import RESOLVED
from linli.needs.models import WorkOrder
from linli.reports.dashboard import area_in_reach, months_of
from linli.reports.measure import month_end, utc_start
from linli.reports.schemas import AreaRef, EvaluationOut, EvaluationRow
from linli.visits.coverage import coverage

PARTS = tuple(EVALUATION_WEIGHTS)


def evaluation(
    session: Session, scope: Scope, area_id: int | None, period: str, weights: dict[str, float]
) -> EvaluationOut:
    """Return the grid workers of ``area_id`` ranked for the month ``period`` (``2026-11``)."""
    scope.require(READ)
    months = months_of(period)
    if len(months) != 1 or len(period) != 7:
        raise Invalid("evaluation.month", "The evaluation is monthly: give a month as 2026-11.", "period")
    first = months[0]
    last = month_end(first)
    area = area_in_reach(session, scope, area_id)
    figures = coverage(session, scope, first, last, area.id)
    ids = [w.user_id for w in figures.workers if w.user_id is not None]
    start, end = utc_start(first), utc_start(last + timedelta(days=1))
    filed = dict(
        session.execute(
            select(WorkOrder.created_by_id, func.count())
            .where(WorkOrder.created_by_id.in_(ids), WorkOrder.created_at >= start, WorkOrder.created_at < end)
            .group_by(WorkOrder.created_by_id)
        ).all()
    )

    resolved = {
        user: (int(n), int(on_time or 0), int(rated or 0), int(satisfied or 0))
        for user, n, on_time, rated, satisfied in session.execute(
            select(
                WorkOrder.assignee_user_id,
                func.count(),
                count_where(WorkOrder.closed_at <= WorkOrder.due_at),
                count_where(WorkOrder.rating.is_not(None)),
                count_where(WorkOrder.rating.in_(("satisfied", "basic"))),
            )
            .where(
                WorkOrder.assignee_user_id.in_(ids),
                WorkOrder.state.in_(RESOLVED),
                and_(WorkOrder.closed_at >= start, WorkOrder.closed_at < end),
            )
            .group_by(WorkOrder.assignee_user_id)
        )
    }
    most_logs = max((w.logs for w in figures.workers), default=0)
    most_filed = max(filed.values(), default=0)
    most_resolved = max((r[0] for r in resolved.values()), default=0)
    rows = []
    for w in figures.workers:
        if w.user_id is None:
            continue
        n, on_time, rated, satisfied = resolved.get(w.user_id, (0, 0, 0, 0))
        needs = int(filed.get(w.user_id, 0))
        parts: dict[str, float | None] = {
            "visits": w.visit_rate,
            "contacts": w.contact_rate,
            "logs": w.logs / most_logs if most_logs else None,
            "needs": needs / most_filed if most_filed else None,
            "resolved": n / most_resolved if most_resolved else None,
            "on_time": on_time / n if n else None,
            "satisfaction": satisfied / rated if rated else None,
        }
        rows.append(
            EvaluationRow(
                user_id=w.user_id,
                name=w.name,
                households=w.households,
                visit_rate=w.visit_rate,
                contact_rate=w.contact_rate,
                logs=w.logs,
                needs=needs,
                resolved=n,
                on_time_rate=parts["on_time"],
                satisfaction_rate=parts["satisfaction"],
                parts=parts,
                score=score(parts, weights),
                rank=0,
            )
        )
    rows.sort(key=lambda r: (-(r.score if r.score is not None else -1), r.name))
    for i, row in enumerate(rows):
        row.rank = i + 1
    return EvaluationOut(
        area=AreaRef(id=area.id, name=area.name, level=area.level),
        month=first,
        weights={p: weights.get(p, 0.0) for p in PARTS},
        workers=rows,
    )


def score(parts: dict[str, float | None], weights: dict[str, float]) -> float | None:
    """Return the weighted mean of the parts with a value, times 100 (None when no weighted part has one)."""
    weighed = [(weights.get(p, 0.0), v) for p, v in parts.items() if v is not None and weights.get(p, 0.0) > 0]
    total = sum(w for w, _ in weighed)
    return round(100 * sum(w * v for w, v in weighed) / total, 1) if total else None
