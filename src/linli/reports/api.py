"""The dashboard through the API: ``GET /api/v1/dashboard?area_id=&period=2026-11``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from linli.reports.dashboard import dashboard
from linli.reports.evaluation import evaluation
from linli.reports.profile import grid_profile
from linli.reports.schemas import DashboardOut, EvaluationOut, ProfileOut
from linli.web.deps import Access, Locale, SessionDep, current_scope, get_runtime

router = APIRouter(prefix="/api/v1", tags=["reports"], dependencies=[Depends(current_scope)])


@router.get("/dashboard", response_model=DashboardOut)
def get_dashboard(
    scope: Access,
    session: SessionDep,
    locale: Locale,
    area_id: Annotated[int | None, Query(ge=1, description="The area; the user's own when left out")] = None,
    period: Annotated[str | None, Query(max_length=7, description="A month (2026-11) or a year (2026)")] = None,
) -> DashboardOut:
    """The figures of an area for a month or a year, its children side by side, and the last 12 months."""
    return dashboard(session, scope, area_id, period, locale)


@router.get("/profile", response_model=ProfileOut)
def get_profile(
    scope: Access,
    session: SessionDep,
    locale: Locale,
    area_id: Annotated[int | None, Query(ge=1, description="The area; the user's own when left out")] = None,
) -> ProfileOut:
    """The area's profile (网格画像): ages, household sizes, care, skills and professions — counts of 5 or more only."""
    return grid_profile(session, scope, area_id, locale)


@router.get("/evaluation", response_model=EvaluationOut)
def get_evaluation(
    request: Request,
    scope: Access,
    session: SessionDep,
    period: Annotated[str, Query(max_length=7, description="A month (2026-11)")],
    area_id: Annotated[int | None, Query(ge=1, description="The area; the user's own when left out")] = None,
) -> EvaluationOut:
    """The grid workers of an area ranked for a month (网格员考评), with each part of their score and the weights."""
    return evaluation(session, scope, area_id, period, get_runtime(request).settings.evaluation_weights)
