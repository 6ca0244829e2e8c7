"""A volunteer's whole record: slots, time away, qualifications, tasks, hours this year, and the service
record (志愿服务记录) that prints as a certificate-style page; marking a no-show.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.permissions import SUPPLY_MANAGE, Scope
from linli.areas.models import Area
from linli.areas.services import ancestry
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import Conflict, NotFound
from linli.lib import clock
from linli.needs.models import WorkOrder
from linli.volunteers import services
from linli.volunteers.models import OPEN_TASK_STATES, Availability, Away, Qualification, ServiceHours, Volunteer
from linli.volunteers.models import VolunteerTask as Task
from linli.volunteers.schemas import AwayIn, HoursOut, QualificationOut, SlotIn, TaskOut, VolunteerDetail


def detail(session: Session, scope: Scope, volunteer_id: int) -> VolunteerDetail:
    """Return one profile with its slots, time away still to come, qualifications, recent tasks and hours."""
    base = services.get_volunteer(session, scope, volunteer_id)
    today = clock.today()
    slots = session.scalars(
        select(Availability)
        .where(Availability.volunteer_id == volunteer_id)
        .order_by(Availability.weekday, Availability.start_minute)
    )
    away = session.scalars(
        select(Away).where(Away.volunteer_id == volunteer_id, Away.ends_on >= today).order_by(Away.starts_on)
    )
    tasks = session.execute(
        select(Task, WorkOrder.title)
        .join(WorkOrder, WorkOrder.id == Task.order_id)
        .where(Task.volunteer_id == volunteer_id)
        .order_by(Task.invited_at.desc())
        .limit(50)
    ).all()
    return VolunteerDetail(
        **base.model_dump(),
        slots=[SlotIn(weekday=s.weekday, start=s.start_minute, end=s.end_minute) for s in slots],
        away=[AwayIn(starts_on=a.starts_on, ends_on=a.ends_on, reason=a.reason) for a in away],
        qualifications=qualifications(session, volunteer_id, today),
        hours_this_year=services.hours_in_year(session, volunteer_id, today.year),
        tasks=[
            TaskOut(
                id=t.id,
                order_id=t.order_id,
                title=title,
                state=t.state,
                reason=t.reason,
                starts_at=t.starts_at,
                ends_at=t.ends_at,
                invited_at=t.invited_at,
            )
            for t, title in tasks
        ],
        notes=session.scalar(select(Volunteer.notes).where(Volunteer.id == volunteer_id)) or "",
    )


def qualifications(session: Session, volunteer_id: int, today: date) -> list[QualificationOut]:
    """Return a volunteer's qualifications; one counts (``valid``) when confirmed and not expired."""
    rows = session.scalars(
        select(Qualification).where(Qualification.volunteer_id == volunteer_id).order_by(Qualification.id)
    )
    return [
        QualificationOut(
            id=q.id,
            kind=q.kind,
            name=q.name,
            number=q.number,
            confirmed_by_id=q.confirmed_by_id,
            confirmed_at=q.confirmed_at,
            expires_on=q.expires_on,
            valid=q.confirmed_at is not None and (q.expires_on is None or q.expires_on >= today),
        )
        for q in rows
    ]


def hours(session: Session, scope: Scope, volunteer_id: int, year: int | None = None) -> list[HoursOut]:
    """Return the hours a volunteer served (in ``year``, or all), newest first."""
    services.get_volunteer(session, scope, volunteer_id)  # the access check
    query = select(ServiceHours).where(ServiceHours.volunteer_id == volunteer_id)
    if year is not None:
        query = query.where(ServiceHours.day >= date(year, 1, 1), ServiceHours.day <= date(year, 12, 31))
    return [
        HoursOut(
            id=h.id,
            day=h.day,
            order_id=h.order_id,
            service_id=h.service_id,
            scheduled_hours=h.scheduled_hours,
            served_hours=h.served_hours,
            by_staff=h.by_staff,
            note=h.note,
        )
        for h in session.scalars(query.order_by(ServiceHours.day.desc(), ServiceHours.id.desc()))
    ]


def mine(session: Session, scope: Scope) -> VolunteerDetail | None:
    """Return the caller's own profile in full, or None when their account has none."""
    own = services.own_volunteer(session, scope)
    return detail(session, scope, own.id) if own else None


def mark_no_show(session: Session, scope: Scope, task_id: int) -> None:
    """Record that a volunteer did not turn up for an accepted task: it counts against their reliability."""
    with transaction(session):
        row = session.execute(
            select(Task, Volunteer, Area.path)
            .join(Volunteer, Volunteer.id == Task.volunteer_id)
            .join(Area, Area.id == Volunteer.area_id)
            .where(Task.id == task_id)
        ).first()
        if row is None or not scope.reaches(SUPPLY_MANAGE, row[2]):
            raise NotFound("task")
        task, volunteer, _ = row
        if task.state not in OPEN_TASK_STATES:
            raise Conflict("volunteer.task_closed", "This task is no longer open.", "task_id")
        task.state, task.answered_at = "no_show", utcnow()
        volunteer.no_shows += 1
        volunteer.open_tasks = max(0, volunteer.open_tasks - 1)
        services.record_event(session, scope, "volunteer.no_show", volunteer, {"order": [None, task.order_id]})


def community_name(session: Session, area_id: int) -> str:
    """Return the name of the community an area lies in (who issues a service record)."""
    path = session.scalar(select(Area.path).where(Area.id == area_id)) or ""
    chain = ancestry(path) if path else []
    found = session.scalar(select(Area.name).where(Area.path.in_(chain), Area.level == "community")) if chain else None
    return found or ""
