"""A volunteer's tasks follow their work orders: invited at dispatch, accepted, declined, done with hours.

The needs module knows nothing of volunteers; it calls ``after_move`` (registered in
``needs.lifecycle.AFTER_MOVE`` when this package is imported) inside the transaction of every move, and
this keeps ``VolunteerTask`` rows, ``ServiceHours`` and the counters on ``Volunteer`` in step — or
refuses the move (a clash of times, a volunteer asked again after declining) unless staff override it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.audit import services as audit
from linli.errors import Conflict
from linli.lib import clock
from linli.needs.lifecycle import Moved
from linli.needs.models import WorkOrder
from linli.runtime import settings_of
from linli.volunteers.models import OPEN_TASK_STATES, ServiceHours, Volunteer, VolunteerTask

RATING_VALUES = {"satisfied": 1.0, "basic": 0.5, "dissatisfied": 0.0}
# ``session.info`` key: the volunteer (without an account) on whose behalf the dispatch's assignee takes it.
PROXY = "linli.volunteers.proxy"


def after_move(session: Session, order: WorkOrder, moved: Moved) -> None:
    """Keep the volunteer side of ``order`` in step with its move (see the module docstring)."""
    if moved.action == "dispatch":
        _withdraw_open_tasks(session, order.id, moved.at)
        proxied = session.info.get(PROXY)
        if proxied is not None:
            volunteer = session.get(Volunteer, proxied)
        elif order.assignee_user_id is not None:
            volunteer = session.scalar(select(Volunteer).where(Volunteer.user_id == order.assignee_user_id))
        else:
            volunteer = None
        if volunteer is not None:
            offer(session, order, volunteer, moved.actor_user_id, moved.at, moved.data.override)
    elif moved.action in ("accept", "return", "report_done"):
        task = _task_of(session, order.id, moved.actor_user_id)
        if task is None and order.assignee_team_id is not None and moved.action != "return":
            task = _team_task(session, order, moved)
        if task is None:
            return
        volunteer, task_row = task
        if moved.action == "accept":
            task_row.state, task_row.answered_at = "accepted", moved.at
            volunteer.accepted += 1
        elif moved.action == "return":
            task_row.state, task_row.answered_at, task_row.reason = "declined", moved.at, moved.data.reason[:500]
            volunteer.declined += 1
            volunteer.open_tasks = max(0, volunteer.open_tasks - 1)
        else:
            _done(session, volunteer, task_row, order, moved)
    elif moved.action == "rate" and moved.data.rating:
        for volunteer in session.scalars(
            select(Volunteer)
            .join(VolunteerTask, VolunteerTask.volunteer_id == Volunteer.id)
            .where(VolunteerTask.order_id == order.id, VolunteerTask.state == "done")
        ):
            volunteer.rating_count += 1
            volunteer.rating_sum += RATING_VALUES[moved.data.rating]


def window(order: WorkOrder, hours: float) -> tuple[datetime | None, datetime | None]:
    """Return the time a task for ``order`` holds its volunteer, or ``(None, None)`` when it names no time."""
    if order.wanted_at is None:
        return None, None
    return order.wanted_at, order.wanted_at + timedelta(hours=hours)


def clashes(session: Session, volunteer_id: int, starts: datetime, ends: datetime, order_id: int) -> list[int]:
    """Return the orders of the volunteer's open tasks whose times overlap ``[starts, ends)``."""
    return list(
        session.scalars(
            select(VolunteerTask.order_id).where(
                VolunteerTask.volunteer_id == volunteer_id,
                VolunteerTask.state.in_(OPEN_TASK_STATES),
                VolunteerTask.order_id != order_id,
                VolunteerTask.starts_at < ends,
                VolunteerTask.ends_at > starts,
            )
        )
    )


def offer(
    session: Session, order: WorkOrder, volunteer: Volunteer, actor_user_id: int | None, at: datetime, override: bool
) -> VolunteerTask:
    """Return the volunteer's task for ``order``, offered now (call inside the order's transaction).

    Refuses a volunteer who declined this order before, or whose open tasks overlap its time, unless
    ``override`` (audited). A volunteer without an account is offered it through the staff member who
    took the order on their behalf (``matching.dispatch_to``): the task then follows that member's moves.
    """
    task = session.scalar(
        select(VolunteerTask).where(VolunteerTask.volunteer_id == volunteer.id, VolunteerTask.order_id == order.id)
    )
    if task is not None and task.state == "declined" and not override:
        raise Conflict(
            "volunteer.declined_before",
            "This volunteer declined this order; choose someone else, or override to ask again.",
            "assignee_user_id",
        )
    starts, ends = window(order, settings_of(session).task_hours)
    overlapping = clashes(session, volunteer.id, starts, ends, order.id) if starts and ends else []
    if overlapping and not override:
        raise Conflict(
            "volunteer.time_clash",
            "This volunteer already has a task at that time (order {orders}); override to assign anyway.",
            "assignee_user_id",
            orders=", ".join(str(o) for o in overlapping),
        )
    if overlapping:
        audit.record(
            session,
            "volunteer.overlap_override",
            user_id=actor_user_id,
            entity="volunteer",
            entity_id=volunteer.id,
            area_id=order.area_id,
            changes={"order": [None, order.id], "clashes_with": [None, overlapping]},
        )
    if task is None:
        task = VolunteerTask(volunteer_id=volunteer.id, order_id=order.id)
        session.add(task)
    task.state, task.reason, task.answered_at = "invited", "", None
    task.starts_at, task.ends_at, task.overlap_override = starts, ends, bool(overlapping)
    task.invited_by_id, task.invited_at = actor_user_id, at
    volunteer.invited += 1
    volunteer.open_tasks += 1
    return task


def _team_task(session: Session, order: WorkOrder, moved: Moved) -> tuple[Volunteer, VolunteerTask] | None:
    """Return a task for the team member who takes up a team's order, when they have a volunteer profile.

    A team's order is offered to nobody in particular; the member who accepts it (or reports it done)
    is the one whose hours it earns.
    """
    member = session.scalar(select(Volunteer).where(Volunteer.user_id == moved.actor_user_id))
    if member is None:
        return None
    return member, offer(session, order, member, moved.actor_user_id, moved.at, override=True)


def _withdraw_open_tasks(session: Session, order_id: int, at: datetime) -> None:
    """Withdraw whatever task is open on the order: it is going to someone else (or again to the same one)."""
    for volunteer, task in session.execute(
        select(Volunteer, VolunteerTask)
        .join(VolunteerTask, VolunteerTask.volunteer_id == Volunteer.id)
        .where(VolunteerTask.order_id == order_id, VolunteerTask.state.in_(OPEN_TASK_STATES))
    ):
        task.state, task.answered_at = "withdrawn", at
        volunteer.open_tasks = max(0, volunteer.open_tasks - 1)


def _task_of(session: Session, order_id: int, user_id: int | None) -> tuple[Volunteer, VolunteerTask] | None:
    """Return the open task on the order of the volunteer with account ``user_id``, or else of a volunteer
    without an account whom the acting staff member stands in for; None when there is neither."""
    if user_id is None:
        return None
    row = session.execute(
        select(Volunteer, VolunteerTask)
        .join(VolunteerTask, VolunteerTask.volunteer_id == Volunteer.id)
        .where(
            (Volunteer.user_id == user_id) | Volunteer.user_id.is_(None),
            VolunteerTask.order_id == order_id,
            VolunteerTask.state.in_(OPEN_TASK_STATES),
        )
        .order_by(Volunteer.user_id.is_(None))
    ).first()
    return (row[0], row[1]) if row else None


def _done(session: Session, volunteer: Volunteer, task: VolunteerTask, order: WorkOrder, moved: Moved) -> None:
    task.state, task.answered_at = "done", moved.at
    volunteer.done += 1
    volunteer.open_tasks = max(0, volunteer.open_tasks - 1)
    volunteer.last_task_at = moved.at
    scheduled = settings_of(session).task_hours if task.starts_at else 0.0
    served = moved.data.hours if moved.data.hours is not None else scheduled
    if served:
        session.add(
            ServiceHours(
                volunteer_id=volunteer.id,
                order_id=order.id,
                day=clock.local_date(moved.at),
                scheduled_hours=scheduled,
                served_hours=served,
                recorded_by_id=moved.actor_user_id,
            )
        )
        volunteer.hours_served += served
