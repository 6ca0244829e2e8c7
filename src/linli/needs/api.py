"""Needs and work orders through the API: intake, the lifecycle, "my orders", figures, the catalogue.

``public`` holds the routes a resident without an account uses (send a request, follow it with its
tracking code, rate it); they are rate-limited per client address.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel

from linli.needs import catalogue, escalation, figures, intake, lifecycle, notify, progress, queries, teams
from linli.needs.access import Actor
from linli.needs.schemas import (
    CalendarDayOut,
    CategoryIn,
    CategoryOut,
    CategoryUpdate,
    FiguresOut,
    NeedIn,
    NeedOut,
    NeedPage,
    NotificationOut,
    PublicNeedIn,
    PublicRatingIn,
    SubmittedOut,
    TeamIn,
    TeamOut,
    TickOut,
    TrackingOut,
    TransitionIn,
    UrgencyOut,
    UrgencyUpdate,
)
from linli.web import ratelimit
from linli.web.deps import Access, SessionDep, client_of, current_scope, get_locale
from linli.web.errors import error_body

router = APIRouter(prefix="/api/v1", tags=["needs"], dependencies=[Depends(current_scope)])
public = APIRouter(prefix="/api/v1/public", tags=["needs"])
# The public routes (API and pages) are counted per client address, in the app's shared limiter.
SUBMIT_LIMIT = "5/minute"
TRACK_LIMIT = "30/minute"
MAX_CSV = 1024 * 1024


def submit_limit(request: Request) -> None:
    """Refuse (429) a client address sending requests without an account too often."""
    ratelimit.check(request, "needs.submit", SUBMIT_LIMIT)


def track_limit(request: Request) -> None:
    """Refuse (429) a client address looking up tracking codes too often (codes are not guessed)."""
    ratelimit.check(request, "needs.track", TRACK_LIMIT)


def refusal(request: Request, error: lifecycle.MoveRefused | lifecycle.NotYourMove) -> JSONResponse:
    """Return a refused move as ``{"error": {…, "allowed": [actions]}}`` with its status (409 or 403)."""
    body = error_body(error, get_locale(request))
    body["error"]["allowed"] = error.allowed
    return JSONResponse(body, status_code=error.status)


# ---- orders ----------------------------------------------------------------------------------


@router.get("/needs", response_model=NeedPage)
def needs(
    scope: Access,
    session: SessionDep,
    state: Annotated[str, Query(max_length=200, description="States, comma-separated; `open` = not yet closed")] = "",
    overdue: bool | None = None,
    area_id: int | None = None,
    category_id: int | None = None,
    source: Annotated[str | None, Query(pattern="^(visit|resident|staff|hotline)$")] = None,
    assignee_user_id: int | None = None,
    grid_log_item_id: int | None = None,
    duplicates: bool | None = None,
    sort: Annotated[str, Query(pattern="^(new|due)$")] = "new",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> NeedPage:
    """List the orders of the caller's areas, newest first or by deadline."""
    f = queries.NeedFilter(
        states=tuple(s.strip() for s in state.split(",") if s.strip()),
        overdue=overdue,
        area_id=area_id,
        category_id=category_id,
        source=source,
        assignee_user_id=assignee_user_id,
        grid_log_item_id=grid_log_item_id,
        duplicates=duplicates,
        sort=sort,
    )
    return queries.list_needs(session, scope, f, page, page_size)


@router.post("/needs", response_model=NeedOut, status_code=201)
def create_need(data: NeedIn, scope: Access, session: SessionDep) -> NeedOut:
    """File a new order (staff, hotline, visit), or a signed-in resident's own request."""
    order = intake.create_order(session, scope, data)
    return queries.one(session, Actor.of(session, scope), order.id)


@router.get("/needs/mine", response_model=list[NeedOut])
def my_orders(scope: Access, session: SessionDep, done: bool = False) -> list[NeedOut]:
    """Return the orders assigned to the caller or their teams: still to do, or (``done``) reported."""
    return queries.my_orders(session, scope, done)


@router.get("/needs/requested", response_model=list[NeedOut])
def my_requests(scope: Access, session: SessionDep) -> list[NeedOut]:
    """Return the requests the caller made as a resident."""
    return queries.my_requests(session, scope)


@router.get("/needs/figures", response_model=FiguresOut)
def need_figures(scope: Access, session: SessionDep, area_id: int, date_from: date, date_to: date) -> FiguresOut:
    """Return an area's figures for the orders received in a period (both days included)."""
    return figures.figures(session, scope, area_id, date_from, date_to)


@router.post("/needs/from-log-items/{log_item_id}", response_model=NeedOut, status_code=201)
def need_from_log_item(log_item_id: int, scope: Access, session: SessionDep, category_id: int | None = None) -> NeedOut:
    """Make an order of a visit's open item; the two stay linked."""
    order = intake.order_from_log_item(session, scope, log_item_id, category_id)
    return queries.one(session, Actor.of(session, scope), order.id)


@router.get("/needs/by-log-item/{log_item_id}", response_model=NeedOut)
def need_of_log_item(log_item_id: int, scope: Access, session: SessionDep) -> NeedOut:
    """Return the order made of a visit's open item."""
    return queries.by_log_item(session, scope, log_item_id)


@router.get("/needs/{need_id}", response_model=NeedOut)
def need(need_id: int, scope: Access, session: SessionDep) -> NeedOut:
    """Return one order with its timeline and the actions the caller may take."""
    return queries.get_need(session, scope, need_id)


@router.post(
    "/needs/{need_id}/transitions",
    response_model=NeedOut,
    responses={409: {"description": "The state does not allow the move, or the version is stale"}},
)
def transition(need_id: int, data: TransitionIn, request: Request, scope: Access, session: SessionDep) -> Any:
    """Move an order: ``{"action": "dispatch", "assignee_user_id": 7, "version": 3}``.

    A move the state does not allow answers 409 and one that is another part's answers 403, both with
    the actions the caller may take (``error.allowed``).
    """
    try:
        order = lifecycle.transition(session, scope, need_id, data)
    except (lifecycle.MoveRefused, lifecycle.NotYourMove) as error:
        return refusal(request, error)
    return queries.one(session, Actor.of(session, scope), order.id)


@router.post("/needs/{need_id}/progress", response_model=NeedOut)
async def report_progress(
    need_id: int,
    request: Request,
    scope: Access,
    session: SessionDep,
    note: Annotated[str, Form(max_length=4000)],
    version: Annotated[int | None, Form()] = None,
    photo: Annotated[UploadFile | None, File()] = None,
) -> Any:
    """Add a progress note, with a photo (JPEG, PNG or WebP, up to 5 MB), as the order's handler."""
    content = await photo.read(progress.uploads.MAX_BYTES + 1) if photo is not None else None
    try:
        order = progress.report_progress(session, scope, need_id, note, version, content)
    except (lifecycle.MoveRefused, lifecycle.NotYourMove) as error:
        return refusal(request, error)
    return queries.one(session, Actor.of(session, scope), order.id)


@router.get("/needs/{need_id}/photos/{photo_name}", response_class=FileResponse)
def photo(need_id: int, photo_name: str, scope: Access, session: SessionDep) -> FileResponse:
    """Return a photo sent with a progress note."""
    path, media_type = progress.photo_of(session, scope, need_id, photo_name)
    return FileResponse(path, media_type=media_type, headers={"cache-control": "private, no-store"})


# ---- the catalogue, teams, notifications -------------------------------------------------------


@router.get("/need-categories", response_model=list[CategoryOut])
def categories(session: SessionDep, include_retired: bool = False) -> list[CategoryOut]:
    """Return the service categories."""
    return catalogue.list_categories(session, include_retired)


@router.post("/need-categories", response_model=CategoryOut, status_code=201)
def create_category(data: CategoryIn, scope: Access, session: SessionDep) -> CategoryOut:
    """Add a service category."""
    return catalogue.create_category(session, scope, data)


@router.patch("/need-categories/{category_id}", response_model=CategoryOut)
def update_category(category_id: int, data: CategoryUpdate, scope: Access, session: SessionDep) -> CategoryOut:
    """Rename a service category, or retire it (``active`` false)."""
    return catalogue.update_category(session, scope, category_id, data)


@router.get("/need-urgencies", response_model=list[UrgencyOut])
def urgencies(session: SessionDep) -> list[UrgencyOut]:
    """Return the urgency levels with their deadlines and escalation thresholds."""
    return catalogue.list_urgencies(session)


@router.patch("/need-urgencies/{urgency_code}", response_model=UrgencyOut)
def update_urgency(urgency_code: str, data: UrgencyUpdate, scope: Access, session: SessionDep) -> UrgencyOut:
    """Change an urgency level's deadline or escalation thresholds."""
    return catalogue.update_urgency(session, scope, urgency_code, data)


@router.get("/work-calendar", response_model=list[CalendarDayOut])
def calendar(session: SessionDep, year: Annotated[int, Query(ge=2000, le=2100)]) -> list[CalendarDayOut]:
    """Return a year's public holidays and swapped working days (调休)."""
    return catalogue.list_calendar(session, year)


class ImportedOut(BaseModel):
    years: list[int]


@router.post("/work-calendar", response_model=ImportedOut)
async def import_calendar(scope: Access, session: SessionDep, file: Annotated[UploadFile, File()]) -> ImportedOut:
    """Replace the years a CSV (``date,kind,name``) covers; every bad row is reported, nothing half-written."""
    text = (await file.read(MAX_CSV)).decode("utf-8", errors="replace")
    return ImportedOut(years=catalogue.import_calendar(session, scope, text))


@router.get("/teams", response_model=list[TeamOut])
def team_list(scope: Access, session: SessionDep) -> list[TeamOut]:
    """Return the service teams of the caller's areas."""
    return teams.list_teams(session, scope)


@router.post("/teams", response_model=TeamOut, status_code=201)
def create_team(data: TeamIn, scope: Access, session: SessionDep) -> TeamOut:
    """Add a service team with its members."""
    return teams.create_team(session, scope, data)


@router.get("/notifications", response_model=list[NotificationOut])
def notifications(
    request: Request,
    scope: Access,
    session: SessionDep,
    unread: bool = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[NotificationOut]:
    """Return a page of the caller's notifications, newest first, in the caller's language."""
    return notify.list_notifications(session, scope, get_locale(request), unread, page, page_size)


class ReadOut(BaseModel):
    marked: int


@router.post("/notifications/read-all", response_model=ReadOut)
def read_all_notifications(scope: Access, session: SessionDep) -> ReadOut:
    """Mark every notification of the caller read."""
    return ReadOut(marked=notify.mark_read(session, scope))


@router.post("/notifications/{notification_id}/read", response_model=ReadOut)
def read_notification(notification_id: int, scope: Access, session: SessionDep) -> ReadOut:
    """Mark one of the caller's notifications read (another's is not found)."""
    return ReadOut(marked=notify.mark_read(session, scope, [notification_id]))


@router.post("/needs-sla-tick", response_model=TickOut)
def sla_tick(scope: Access, session: SessionDep) -> TickOut:
    """Run the escalation once now (administrators; the worker runs it every minute)."""
    scope.require("needs.manage")
    return escalation.tick(session)


# ---- public: without an account ------------------------------------------------------------------


class FormOut(BaseModel):
    categories: list[CategoryOut]
    communities: list[dict[str, Any]]


@public.get("/needs/form", response_model=FormOut)
def public_form(session: SessionDep) -> FormOut:
    """Return what the request form offers: the service categories and the communities."""
    return FormOut(categories=catalogue.list_categories(session), communities=intake.communities(session))


@public.post("/needs", response_model=SubmittedOut, status_code=201, dependencies=[Depends(submit_limit)])
def public_submit(request: Request, data: PublicNeedIn, session: SessionDep) -> SubmittedOut:
    """Send a request without an account; keep the tracking code to follow it."""
    return intake.submit_public(session, data, client_of(request))


@public.get("/needs/{tracking_code}", response_model=TrackingOut, dependencies=[Depends(track_limit)])
def public_track(request: Request, tracking_code: str, session: SessionDep) -> TrackingOut:
    """Follow a request by its tracking code."""
    return queries.tracking(session, tracking_code)


@public.post("/needs/{tracking_code}/rating", response_model=TrackingOut, dependencies=[Depends(track_limit)])
def public_rate(request: Request, tracking_code: str, data: PublicRatingIn, session: SessionDep) -> Any:
    """Rate a closed request: 满意 / 基本满意 / 不满意 (a dissatisfied rating reopens it)."""
    move = TransitionIn(action="rate", **data.model_dump())
    try:
        lifecycle.transition_by_code(session, tracking_code, move, client_of(request))
    except (lifecycle.MoveRefused, lifecycle.NotYourMove) as error:
        return refusal(request, error)
    return queries.tracking(session, tracking_code)
