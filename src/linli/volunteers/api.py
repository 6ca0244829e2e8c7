"""Volunteers through the API: profiles (with consent), time away, qualifications, hours; possible volunteers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from linli.errors import NotFound
from linli.volunteers import record, services, standing
from linli.volunteers.schemas import (
    AwayIn,
    HoursIn,
    HoursOut,
    PossibleVolunteerOut,
    QualificationIn,
    SessionHoursIn,
    SignupIn,
    StandingServiceIn,
    StandingServiceOut,
    VolunteerDetail,
    VolunteerIn,
    VolunteerOut,
    VolunteerPage,
    VolunteerUpdate,
)
from linli.web.deps import Access, SessionDep, current_scope

router = APIRouter(prefix="/api/v1/volunteers", tags=["volunteers"], dependencies=[Depends(current_scope)])
services_router = APIRouter(
    prefix="/api/v1/standing-services", tags=["volunteers"], dependencies=[Depends(current_scope)]
)


@services_router.get("", response_model=list[StandingServiceOut])
def standing_services(scope: Access, session: SessionDep, area_id: int | None = None) -> list[StandingServiceOut]:
    """Return the standing services (常态服务) of the caller's areas."""
    return standing.list_services(session, scope, area_id)


@services_router.post("", response_model=StandingServiceOut, status_code=201)
def create_standing(data: StandingServiceIn, scope: Access, session: SessionDep) -> StandingServiceOut:
    """Add a volunteer's or team's standing offer with its schedule."""
    return standing.create_service(session, scope, data)


@services_router.post("/{service_id}/signups", response_model=StandingServiceOut)
def sign_up(service_id: int, data: SignupIn, scope: Access, session: SessionDep) -> StandingServiceOut:
    """Sign a household up for one session."""
    return standing.sign_up(session, scope, service_id, data)


@services_router.post("/{service_id}/hours")
def credit(service_id: int, data: SessionHoursIn, scope: Access, session: SessionDep) -> dict[str, int]:
    """Credit one session's hours to the volunteers who served it."""
    return {"credited": standing.credit_session(session, scope, service_id, data)}


@router.get("", response_model=VolunteerPage)
def volunteers(
    scope: Access,
    session: SessionDep,
    q: Annotated[str, Query(max_length=40)] = "",
    area_id: int | None = None,
    category_id: int | None = None,
    skill: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(pattern="^(active|paused|left)$")] = "active",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> VolunteerPage:
    """Return a page of volunteers in the caller's areas."""
    where = services.VolunteerFilter(q=q, area_id=area_id, category_id=category_id, skill=skill, status=status)
    return services.list_volunteers(session, scope, where, page, size)


@router.post("", response_model=VolunteerOut, status_code=201)
def create(data: VolunteerIn, scope: Access, session: SessionDep) -> VolunteerOut:
    """Enrol a resident who said yes as a volunteer."""
    return services.create_volunteer(session, scope, data)


@router.get("/possible", response_model=list[PossibleVolunteerOut])
def possible(scope: Access, session: SessionDep, area_id: int | None = None) -> list[PossibleVolunteerOut]:
    """Return residents found willing to help who have no profile yet (to invite, never to enrol unasked)."""
    return services.possible_volunteers(session, scope, area_id)


@router.get("/me", response_model=VolunteerDetail)
def me(scope: Access, session: SessionDep) -> VolunteerDetail:
    """Return the caller's own volunteer record (tasks, hours this year), or 404 when they have none."""
    found = record.mine(session, scope)
    if found is None:
        raise NotFound("volunteer")
    return found


@router.get("/{volunteer_id}", response_model=VolunteerDetail)
def one(volunteer_id: int, scope: Access, session: SessionDep) -> VolunteerDetail:
    """Return one volunteer with slots, time away, qualifications, tasks and hours this year."""
    return record.detail(session, scope, volunteer_id)


@router.get("/{volunteer_id}/hours", response_model=list[HoursOut])
def hours_served(
    volunteer_id: int, scope: Access, session: SessionDep, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> list[HoursOut]:
    """Return the hours a volunteer served, newest first (one year, or all)."""
    return record.hours(session, scope, volunteer_id, year)


@router.post("/tasks/{task_id}/no-show", status_code=204)
def no_show(task_id: int, scope: Access, session: SessionDep) -> None:
    """Record that a volunteer did not turn up for a task (it lowers their reliability)."""
    record.mark_no_show(session, scope, task_id)


@router.patch("/{volunteer_id}", response_model=VolunteerOut)
def update(volunteer_id: int, data: VolunteerUpdate, scope: Access, session: SessionDep) -> VolunteerOut:
    """Change a profile (skills, categories, load limit, areas, slots, status)."""
    return services.update_volunteer(session, scope, volunteer_id, data)


@router.post("/{volunteer_id}/away", response_model=VolunteerOut)
def away(volunteer_id: int, data: AwayIn, scope: Access, session: SessionDep) -> VolunteerOut:
    """Record dates a volunteer is away."""
    return services.add_away(session, scope, volunteer_id, data)


@router.post("/{volunteer_id}/qualifications", response_model=VolunteerOut)
def qualification(volunteer_id: int, data: QualificationIn, scope: Access, session: SessionDep) -> VolunteerOut:
    """Record a qualification (confirmed by the caller when they saw it)."""
    return services.add_qualification(session, scope, volunteer_id, data)


@router.post("/{volunteer_id}/hours", response_model=VolunteerOut)
def hours(volunteer_id: int, data: HoursIn, scope: Access, session: SessionDep) -> VolunteerOut:
    """Add hours of service by hand (marked as added by staff)."""
    return services.add_hours(session, scope, volunteer_id, data)
