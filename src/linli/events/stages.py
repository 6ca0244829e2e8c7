"""The stages of a reported event over the work-order engine's states, and each stage's clock and colour.

立案 register   — the order is ``received`` (waiting to be registered)
派遣 dispatch   — ``registered`` or ``returned`` (waiting for a department or team)
处置 handle     — ``dispatched``, ``handling``, ``extended``, ``supervised``, ``rework``
核查 verify     — ``reported`` (the handler says it is done; the reporter checks)
结案 close      — ``checked`` (waiting for the community to close it)
then ``closed`` (the order ``closed`` or ``rated``), ``dismissed`` (不予立案) or ``suspended`` (挂起).

Each stage's clock starts when the case enters it and runs its category's limit in working hours on the
working-day calendar: yellow once ``yellow_percent`` of it is used, red at its end. The handling stage's
end is also the order's own deadline (``due_at``), so the engine's SLA tick marks the same case overdue.
A move that stays in a stage (a reassignment, a progress note) keeps its clock; a suspension stops it and
the resumption moves it on by as long.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, select
from sqlalchemy.orm import Session

from linli.events import categories
from linli.events.models import STAGES, EventCategory, GridEvent
from linli.lib.workdays import WorkCalendar
from linli.needs import catalogue
from linli.needs.lifecycle import RESUME, SAME, TABLE, Moved
from linli.needs.models import WorkOrder, WorkOrderEvent

STAGE_OF = {
    "received": "register",
    "registered": "dispatch",
    "returned": "dispatch",
    "dispatched": "handle",
    "handling": "handle",
    "extended": "handle",
    "supervised": "handle",
    "rework": "handle",
    "reported": "verify",
    "checked": "close",
    "closed": "closed",
    "rated": "closed",
    "dismissed": "dismissed",
    "suspended": "suspended",
}


def start(event: GridEvent, category: EventCategory, stage: str, now: datetime, calendar: WorkCalendar) -> None:
    """Put ``event`` in ``stage`` with a fresh clock from ``now`` (none for the end states)."""
    if event.state in STAGES and event.stage_due_at is not None and now > event.stage_due_at:
        event.late = True
    event.state = stage
    if stage not in STAGES:
        event.stage_started_at = event.stage_yellow_at = event.stage_due_at = None
        return
    hours = categories.limit_hours(category, stage)
    event.stage_started_at = now
    event.stage_yellow_at = calendar.add_working_hours(now, hours * category.yellow_percent / 100)
    event.stage_due_at = calendar.add_working_hours(now, hours)


def colour(event: GridEvent, now: datetime) -> str | None:
    """Return green, yellow or red for an event whose stage clock runs, else None."""
    if event.state not in STAGES or event.stage_due_at is None or event.stage_yellow_at is None:
        return None
    if now >= event.stage_due_at:
        return "red"
    if now >= event.stage_yellow_at:
        return "yellow"
    return "green"


def colour_is(wanted: str, now: datetime) -> ColumnElement[bool]:
    """Return the SQL condition of ``colour`` being ``wanted`` (the lists filter by it)."""
    running = and_(GridEvent.state.in_(STAGES), GridEvent.stage_due_at.is_not(None))
    if wanted == "red":
        return and_(running, GridEvent.stage_due_at <= now)
    if wanted == "yellow":
        return and_(running, GridEvent.stage_due_at > now, GridEvent.stage_yellow_at <= now)
    return and_(running, GridEvent.stage_yellow_at > now)


def urgency_order(now: datetime) -> ColumnElement[int]:
    """Return a sort key: red first, then yellow, then the rest."""
    return case((colour_is("red", now), 0), (colour_is("yellow", now), 1), else_=2)


def after_move(session: Session, order: WorkOrder, moved: Moved) -> None:
    """Keep the stage of the event behind ``order`` in step with the order's move (``lifecycle.AFTER_MOVE``)."""
    if order.source != "event":
        return
    event = session.scalar(select(GridEvent).where(GridEvent.order_id == order.id))
    if event is None:
        return
    move = TABLE[(moved.from_state, moved.action)]
    to = moved.from_state if move.to == SAME else (order.resume_state or "dispatched") if move.to == RESUME else move.to
    stage = STAGE_OF.get(to, event.state)
    category = session.get(EventCategory, event.category_id)
    assert category is not None
    calendar = catalogue.work_calendar(session)
    if moved.action == "resume":
        _resume(session, event, order, stage, moved.at)
    elif stage == "suspended":
        event.state = stage  # the clock is kept, stopped: the resumption moves it on
    elif stage != event.state:
        start(event, category, stage, moved.at, calendar)
    if moved.action == "dispatch" and order.dispatched_at == moved.at and event.stage_due_at is not None:
        # The first dispatch starts the engine's clock: its deadline is the handling stage's end.
        order.due_at = event.stage_due_at
    if stage == "closed":
        event.closed_at = moved.at
    elif moved.action == "reopen":
        event.closed_at = None


def _resume(session: Session, event: GridEvent, order: WorkOrder, stage: str, now: datetime) -> None:
    """Move the stage's clock on by as long as the case stood suspended."""
    since = session.scalar(
        select(WorkOrderEvent.at)
        .where(WorkOrderEvent.order_id == order.id, WorkOrderEvent.action == "suspend")
        .order_by(WorkOrderEvent.id.desc())
        .limit(1)
    )
    stood = (now - since) if since is not None else timedelta(0)
    event.state = stage
    for name in ("stage_started_at", "stage_yellow_at", "stage_due_at"):
        value = getattr(event, name)
        if value is not None:
            setattr(event, name, value + stood)
