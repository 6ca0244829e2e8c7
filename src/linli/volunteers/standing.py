"""Standing services (常态服务): a volunteer's or team's offer on a schedule, households signing up for a
session, and the hours credited to the volunteers who served it.

The doctor's monthly 骨科义诊 is ``monthly:15`` from 09:00 to 11:30; the chef's birthday dinner for people
living alone is another. Sessions are the days the schedule names; a household signs up once per session,
up to the capacity (the unique constraint is the final guard against a race).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linli.accounts.permissions import SUPPLY_MANAGE, SUPPLY_READ, Scope
from linli.areas.models import Area
from linli.audit import services as audit
from linli.db.engine import transaction
from linli.errors import Conflict, Invalid, NotFound
from linli.needs.models import ServiceCategory, Team
from linli.registry.models import Household
from linli.volunteers.models import ServiceHours, ServiceSignup, StandingService, Volunteer
from linli.volunteers.schemas import SessionHoursIn, SignupIn, StandingServiceIn, StandingServiceOut


def sessions_between(schedule: str, start: date, end: date) -> list[date]:
    """Return the days from ``start`` to ``end`` (both included) that ``schedule`` names.

    ``weekly:<0-6>`` (Monday 0) or ``monthly:<1-28>``; anything else names no day.
    """
    kind, _, value = schedule.partition(":")
    if not value.isdigit():
        return []
    number = int(value)
    days = []
    day = start
    while day <= end:
        if (kind == "weekly" and day.weekday() == number) or (kind == "monthly" and day.day == number):
            days.append(day)
        day += timedelta(days=1)
    return days


def _check_schedule(schedule: str) -> None:
    kind, _, value = schedule.partition(":")
    limits = {"weekly": (0, 6), "monthly": (1, 28)}
    if kind not in limits or not value.isdigit() or not limits[kind][0] <= int(value) <= limits[kind][1]:
        message = "A schedule is weekly:<0-6> (Monday is 0) or monthly:<1-28>."
        raise Invalid("standing.bad_schedule", message, "schedule")


def create_service(session: Session, scope: Scope, data: StandingServiceIn) -> StandingServiceOut:
    """Return a new standing service of a volunteer or a team in an area the caller keeps."""
    _check_schedule(data.schedule)
    if (data.volunteer_id is None) == (data.team_id is None):
        raise Invalid("standing.who", "Name one volunteer or one team who gives the service.", "volunteer_id")
    with transaction(session):
        path = session.scalar(select(Area.path).where(Area.id == data.area_id))
        if path is None:
            raise NotFound("area")
        scope.check(SUPPLY_MANAGE, path, "area")
        if session.get(ServiceCategory, data.category_id) is None:
            raise Invalid("standing.unknown_category", "Unknown service category.", "category_id")
        if data.volunteer_id is not None and session.get(Volunteer, data.volunteer_id) is None:
            raise NotFound("volunteer")
        if data.team_id is not None and session.get(Team, data.team_id) is None:
            raise NotFound("team")
        service = StandingService(**data.model_dump())
        session.add(service)
        session.flush()
        _audit(session, scope, "standing.create", service, {"title": [None, service.title]})
    return _out(session, service)


def list_services(session: Session, scope: Scope, area_id: int | None = None) -> list[StandingServiceOut]:
    """Return the active standing services in the caller's areas (of ``area_id`` and below when given)."""
    query = select(StandingService).where(
        StandingService.active.is_(True), scope.filter(SUPPLY_READ, StandingService.area_id)
    )
    if area_id is not None:
        path = session.scalar(select(Area.path).where(Area.id == area_id)) or "/none/"
        query = query.where(StandingService.area_id.in_(select(Area.id).where(Area.path.startswith(path))))
    services = session.scalars(query.order_by(StandingService.id)).all()
    return [_out(session, s) for s in services]


def sign_up(session: Session, scope: Scope, service_id: int, data: SignupIn) -> StandingServiceOut:
    """Return the service with a household signed up for one of its sessions; refuses a day it does not
    meet, a full session, or a household signed up already."""
    with transaction(session):
        service = _load(session, scope, service_id, SUPPLY_MANAGE)
        if data.session_on not in sessions_between(service.schedule, data.session_on, data.session_on):
            raise Invalid("standing.no_session", "The service does not meet on that day.", "session_on")
        household = session.get(Household, data.household_id)
        if household is None or household.dissolved_on is not None:
            raise NotFound("household")
        taken = session.scalar(
            select(func.count()).where(
                ServiceSignup.service_id == service.id, ServiceSignup.session_on == data.session_on
            )
        )
        if (taken or 0) >= service.capacity:
            raise Conflict("standing.full", "That session is full.", "session_on")
        session.add(
            ServiceSignup(
                service_id=service.id,
                household_id=household.id,
                session_on=data.session_on,
                note=data.note,
                created_by_id=scope.user_id,
            )
        )
        try:
            session.flush()
        except IntegrityError:
            raise Conflict(
                "standing.signed_up", "This household is signed up for that session.", "household_id"
            ) from None
        _audit(
            session,
            scope,
            "standing.sign_up",
            service,
            {"household": [None, household.id], "on": [None, str(data.session_on)]},
        )
    return _out(session, service)


def credit_session(session: Session, scope: Scope, service_id: int, data: SessionHoursIn) -> int:
    """Credit the hours of one session to each volunteer who served it; return how many were credited."""
    with transaction(session):
        service = _load(session, scope, service_id, SUPPLY_MANAGE)
        if data.session_on not in sessions_between(service.schedule, data.session_on, data.session_on):
            raise Invalid("standing.no_session", "The service does not meet on that day.", "session_on")
        volunteers = session.scalars(select(Volunteer).where(Volunteer.id.in_(data.volunteer_ids))).all()
        if len(volunteers) != len(set(data.volunteer_ids)):
            raise NotFound("volunteer")
        scheduled = (service.end_minute - service.start_minute) / 60
        for volunteer in volunteers:
            served = data.hours if data.hours is not None else scheduled
            session.add(
                ServiceHours(
                    volunteer_id=volunteer.id,
                    service_id=service.id,
                    day=data.session_on,
                    scheduled_hours=scheduled,
                    served_hours=served,
                    recorded_by_id=scope.user_id,
                    note=service.title,
                )
            )
            volunteer.hours_served += served
        _audit(session, scope, "standing.hours", service, {"volunteers": [None, sorted(data.volunteer_ids)]})
    return len(volunteers)


def _load(session: Session, scope: Scope, service_id: int, capability: str) -> StandingService:
    row = session.execute(
        select(StandingService, Area.path)
        .join(Area, Area.id == StandingService.area_id)
        .where(StandingService.id == service_id)
    ).first()
    if row is None or not scope.reaches(capability, row[1]):
        raise NotFound("standing_service")
    return row[0]


def _out(session: Session, service: StandingService) -> StandingServiceOut:
    signups = session.scalar(select(func.count()).where(ServiceSignup.service_id == service.id)) or 0
    return StandingServiceOut(
        id=service.id,
        area_id=service.area_id,
        category_id=service.category_id,
        title=service.title,
        description=service.description,
        volunteer_id=service.volunteer_id,
        team_id=service.team_id,
        schedule=service.schedule,
        start_minute=service.start_minute,
        end_minute=service.end_minute,
        capacity=service.capacity,
        place=service.place,
        signups=signups,
    )


def _audit(session: Session, scope: Scope, action: str, service: StandingService, changes: dict[str, object]) -> None:
    audit.record_by(
        session,
        scope,
        action,
        entity="standing_service",
        entity_id=service.id,
        area_id=service.area_id,
        changes=changes,
    )


def taken_by_session(session: Session, service_id: int, days: list[date]) -> dict[date, int]:
    """Return how many households are signed up for each of ``days`` (one query)."""
    if not days:
        return {}
    rows = session.execute(
        select(ServiceSignup.session_on, func.count())
        .where(ServiceSignup.service_id == service_id, ServiceSignup.session_on.in_(days))
        .group_by(ServiceSignup.session_on)
    ).all()
    return {day: count for day, count in rows}
