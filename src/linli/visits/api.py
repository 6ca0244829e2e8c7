"""千户访 through the API: worklists, grid logs, household timelines, alerts, policy and coverage."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from linli.visits import alerts, coverage, logs, policy, present, worklist
from linli.visits.schemas import (
    AlertOut,
    CadenceIn,
    CadenceOut,
    CoverageOut,
    GridLogIn,
    GridLogOut,
    GridLogUpdate,
    NoteIn,
    PolicyOut,
    ResolveIn,
    RuleIn,
    RuleOut,
    RuleUpdate,
    TimelineOut,
    WorkersOut,
    WorklistOut,
)
from linli.web.deps import Access, Locale, SessionDep, current_scope

router = APIRouter(prefix="/api/v1", tags=["visits"], dependencies=[Depends(current_scope)])


@router.get("/worklist", response_model=WorklistOut)
def get_worklist(
    scope: Access,
    session: SessionDep,
    locale: Locale,
    date: date | None = None,
    user_id: int | None = Query(None, description="Another worker's list (supervisors, secretaries)"),
    area_id: int | None = Query(None, description="The list of one grid or community, e.g. an unowned grid"),
) -> WorklistOut:
    """Return the households due or overdue on ``date`` (today by default), in walking order, with reasons."""
    return worklist.worklist(session, scope, date, user_id=user_id, area_id=area_id, locale=locale)


@router.get("/worklist/workers", response_model=WorkersOut)
def get_workers(scope: Access, session: SessionDep, date: date | None = None) -> WorkersOut:
    """Return the grid workers in reach with how many households are due, and the grids no one owns."""
    return worklist.workers(session, scope, date)


@router.post("/grid-logs", response_model=GridLogOut, status_code=201)
def create_grid_log(data: GridLogIn, scope: Access, session: SessionDep) -> GridLogOut:
    """Write a grid log of a contact or visit, with the needs raised and the skills found."""
    return logs.create_log(session, scope, data)


@router.get("/grid-logs/{log_id}", response_model=GridLogOut)
def get_grid_log(log_id: int, scope: Access, session: SessionDep) -> GridLogOut:
    """Return one grid log with its items and notes."""
    return logs.get_log(session, scope, log_id)


@router.patch("/grid-logs/{log_id}", response_model=GridLogOut)
def correct_grid_log(log_id: int, data: GridLogUpdate, scope: Access, session: SessionDep) -> GridLogOut:
    """Correct your own log within 24 hours of writing it; send the ``version`` you read."""
    return logs.correct_log(session, scope, log_id, data)


@router.post("/grid-logs/{log_id}/notes", response_model=GridLogOut, status_code=201)
def add_grid_log_note(log_id: int, data: NoteIn, scope: Access, session: SessionDep) -> GridLogOut:
    """Append a note to a log."""
    return logs.add_note(session, scope, log_id, data)


@router.get("/households/{household_id}/grid-logs", response_model=TimelineOut)
def household_timeline(
    household_id: int,
    scope: Access,
    session: SessionDep,
    locale: Locale,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> TimelineOut:
    """Return a household's rhythm, open items and grid logs, newest first."""
    return present.timeline(session, scope, household_id, page, page_size, locale)


@router.get("/households/{household_id}/cadence", response_model=CadenceOut | None)
def household_cadence(household_id: int, scope: Access, session: SessionDep) -> CadenceOut | None:
    """Return the household's own rhythm, or null when the community's rules decide."""
    return policy.get_cadence(session, scope, household_id)


@router.put("/households/{household_id}/cadence", response_model=CadenceOut)
def set_household_cadence(household_id: int, data: CadenceIn, scope: Access, session: SessionDep) -> CadenceOut:
    """Give a household its own rhythm, with a reason (community staff)."""
    return policy.set_cadence(session, scope, household_id, data)


@router.delete("/households/{household_id}/cadence", status_code=204)
def clear_household_cadence(household_id: int, scope: Access, session: SessionDep) -> Response:
    """Remove a household's own rhythm (community staff)."""
    policy.clear_cadence(session, scope, household_id)
    return Response(status_code=204)


@router.get("/visit-rules", response_model=PolicyOut)
def visit_rules(community_id: int, scope: Access, session: SessionDep) -> PolicyOut:
    """Return a community's visit rules in order (the defaults the first time)."""
    return policy.get_policy(session, scope, community_id)


@router.post("/visit-rules", response_model=RuleOut, status_code=201)
def create_visit_rule(data: RuleIn, scope: Access, session: SessionDep) -> RuleOut:
    """Add a visit rule (community staff); the community's households are recomputed."""
    return policy.create_rule(session, scope, data)


@router.patch("/visit-rules/{rule_id}", response_model=RuleOut)
def update_visit_rule(rule_id: int, data: RuleUpdate, scope: Access, session: SessionDep) -> RuleOut:
    """Change, reorder, disable or enable a visit rule (community staff)."""
    return policy.update_rule(session, scope, rule_id, data)


@router.get("/visit-alerts", response_model=list[AlertOut])
def visit_alerts(
    scope: Access, session: SessionDep, community_id: int | None = None, resolved: bool = False
) -> list[AlertOut]:
    """Return the open alerts of the communities in reach (with ``resolved``, the resolved ones too)."""
    return alerts.list_alerts(session, scope, community_id, resolved)


@router.post("/visit-alerts/{alert_id}/resolve", response_model=AlertOut)
def resolve_visit_alert(alert_id: int, data: ResolveIn, scope: Access, session: SessionDep) -> AlertOut:
    """Resolve an alert, saying what was done."""
    return alerts.resolve_alert(session, scope, alert_id, data)


@router.get("/visits/coverage", response_model=CoverageOut)
def visit_coverage(
    start: date, end: date, scope: Access, session: SessionDep, area_id: int | None = None
) -> CoverageOut:
    """Return 走访率 and the other coverage figures per grid and per grid worker for a period."""
    return coverage.coverage(session, scope, start, end, area_id)
