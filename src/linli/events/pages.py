"""The events: pages. The phone form to report one (camera, two-level category, building of the grid,
handled on the spot or not, open events of the same kind shown before filing); the list with filters and
colour badges; an event's page with its order's timeline, the reporter's check and escalation; the 督办 list.

Each route parses what the browser sent, calls the same service as the API, and renders.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from linli.accounts.permissions import EVENTS_MANAGE, EVENTS_REPORT, NEEDS_SUPERVISE
from linli.errors import DomainError, Invalid
from linli.events import categories, escalation, services
from linli.events.schemas import MAX_PHOTOS, EscalateIn, PlaceIn, ReportIn, SeenIn, VerifyIn
from linli.i18n import translate
from linli.lib import clock
from linli.needs import uploads
from linli.needs.labels import ACTION_LABELS as ORDER_ACTIONS
from linli.needs.labels import STATE_LABELS as ORDER_STATES
from linli.web.deps import Access, SessionDep, current_scope, get_locale
from linli.web.forms import as_int, field_errors
from linli.web.render import is_htmx, pager_url, render

router = APIRouter(dependencies=[Depends(current_scope)])

STATE_LABELS = {
    "register": "To register (立案)",
    "dispatch": "To dispatch (派遣)",
    "handle": "Being handled (处置)",
    "verify": "To check (核查)",
    "close": "To close (结案)",
    "closed": "Case closed",
    "dismissed": "Not taken up",
    "suspended": "Suspended",
}
COLOUR_LABELS = {"green": "On time", "yellow": "Running late", "red": "Overdue"}
HANDLING_LABELS = {"on_spot": "Handled on the spot", "reported": "Reported up"}
LEVEL_LABELS = {"community": "Community", "street": "Street", "district": "District"}
FIELDS = {
    "category_id",
    "description",
    "building_id",
    "area_id",
    "photos",
    "action_taken",
    "address",
    "latitude",
    "longitude",
}


def labels(request: Request) -> dict[str, Any]:
    locale = get_locale(request)

    def of(table: dict[str, str]) -> Any:
        return lambda code: translate(table[code], locale) if code in table else code

    return {
        "state_label": of(STATE_LABELS),
        "colour_label": of(COLOUR_LABELS),
        "handling_label": of(HANDLING_LABELS),
        "level_label": of(LEVEL_LABELS),
        # The work order's timeline, named as on the order's own page.
        "order_action": of(ORDER_ACTIONS),
        "order_state": of(ORDER_STATES),
        "when": lambda moment: clock.local(moment).strftime("%Y-%m-%d %H:%M") if moment else "",
    }


def show(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return render(request, f"events/{template}", {**labels(request), "nav": "events", **context}, status=status)


def options(table: dict[str, str], locale: str) -> list[tuple[str, str]]:
    return [(code, translate(text, locale)) for code, text in table.items()]


# ---- the list and the 督办 list -----------------------------------------------------------------


@router.get("/events", include_in_schema=False)
def event_list(request: Request, scope: Access, session: SessionDep) -> Response:
    """The community's events with filters (state, colour, category, grid), red and yellow first."""
    q = request.query_params
    locale = get_locale(request)
    f = services.EventFilter(
        state=q.get("state") or None,
        colour=q.get("colour") or None,
        category_id=as_int(q.get("category_id"), 1),
        area_id=as_int(q.get("area_id"), 1),
        handling=q.get("handling") or None,
        mine=q.get("mine") == "1",
    )
    page = as_int(q.get("page"), 1, 100000) or 1
    results = services.list_events(session, scope, f, page, 20)
    context: dict[str, Any] = {"scope": scope, "results": results, "filters": f, "page_url": pager_url(request)}
    if is_htmx(request):
        return render(request, "events/list.html", {**labels(request), **context}, block="results")
    groups = categories.tree(session)
    context.update(
        state_options=options(STATE_LABELS, locale),
        colour_options=options(COLOUR_LABELS, locale),
        handling_options=options(HANDLING_LABELS, locale),
        category_options=[(g.id, g.name) for g in groups],
        grid_options=services.places(session, scope).grids if scope.can(EVENTS_REPORT) else [],
        can_report=scope.can(EVENTS_REPORT),
        can_watch=scope.can(EVENTS_MANAGE) or scope.can(NEEDS_SUPERVISE),
    )
    return show(request, "list.html", context)


@router.get("/events/supervision", include_in_schema=False)
def supervision_page(request: Request, scope: Access, session: SessionDep) -> Response:
    """The 督办 list: yellow and red cases, red first."""
    page = as_int(request.query_params.get("page"), 1, 100000) or 1
    results = services.supervision(session, scope, page, 20)
    return show(request, "supervision.html", {"scope": scope, "results": results, "page_url": pager_url(request)})


# ---- reporting ----------------------------------------------------------------------------


@router.get("/events/new", include_in_schema=False)
def new_event(request: Request, scope: Access, session: SessionDep) -> Response:
    """The report form, for a phone."""
    scope.require(EVENTS_REPORT)
    return _form(request, scope, session, {}, {})


def _form(
    request: Request, scope: Any, session: Any, values: dict[str, Any], errors: dict[str, list[str]], status: int = 200
) -> Response:
    context = {
        "scope": scope,
        "values": values,
        "errors": errors,
        "groups": categories.tree(session),
        "places": services.places(session, scope),
        "max_photos": MAX_PHOTOS,
    }
    return show(request, "form.html", context, status)


def _coordinate(value: str | None) -> float | None:
    """Return a coordinate the form's location button filled in, or None (empty or not a number)."""
    try:
        return float(value) if value else None
    except ValueError:
        return None


@router.post("/events/new", include_in_schema=False)
async def report_page(request: Request, scope: Access, session: SessionDep) -> Response:
    """File the report (or close it at once when handled on the spot) and show the event."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    photos = [f for f in form.getlist("photos") if isinstance(f, UploadFile) and f.filename]
    try:
        contents = [await p.read(uploads.MAX_BYTES + 1) for p in photos[: MAX_PHOTOS + 1]]
        building_id = as_int(values.get("building_id"), 1)
        data = ReportIn(
            category_id=as_int(values.get("category_id"), 1) or 0,
            description=values.get("description", ""),
            building_id=building_id,
            area_id=None if building_id else as_int(values.get("area_id"), 1),
            address=values.get("address", ""),
            on_spot=values.get("on_spot") == "1",
            latitude=_coordinate(values.get("latitude")),
            longitude=_coordinate(values.get("longitude")),
            action_taken=values.get("action_taken", ""),
        )
        event = services.report(session, scope, data, contents)
    except (DomainError, ValidationError) as error:
        if isinstance(error, DomainError) and error.status == 404:
            raise
        errors = field_errors(error, get_locale(request), FIELDS)
        return _form(request, scope, session, values, errors, 422)
    return RedirectResponse(f"/events/{event.id}", status_code=303)


@router.post("/events/duplicates", include_in_schema=False)
async def duplicates_part(request: Request, scope: Access, session: SessionDep) -> Response:
    """The open events of the same kind at the chosen building or grid (a part of the form, by htmx)."""
    form = await request.form()
    category_id = as_int(form.get("category_id"), 1)
    building_id = as_int(form.get("building_id"), 1)
    found: list[Any] = []
    if category_id:
        try:
            place = PlaceIn(
                category_id=category_id,
                building_id=building_id,
                area_id=None if building_id else as_int(form.get("area_id"), 1),
                latitude=_coordinate(str(form.get("latitude") or "")),
                longitude=_coordinate(str(form.get("longitude") or "")),
            )
            found = services.duplicates(session, scope, place)
        except (Invalid, ValidationError):
            found = []
    return render(request, "events/_duplicates.html", {**labels(request), "found": found, "checked": bool(category_id)})


# ---- one event ----------------------------------------------------------------------------


@router.get("/events/{event_id}", include_in_schema=False)
def event_page(event_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """An event: where, what, photos, its stage and colour, the order's timeline, and what the caller may do."""
    return _event(request, scope, session, event_id, {})


def _event(
    request: Request, scope: Any, session: Any, event_id: int, errors: dict[str, list[str]], status: int = 200
) -> Response:
    event = services.get_event(session, scope, event_id)
    manages = scope.can(EVENTS_MANAGE) or scope.can(NEEDS_SUPERVISE)
    context = {
        "scope": scope,
        "e": event,
        "errors": errors,
        "can_verify": event.state == "verify" and (event.reported_by_id == scope.user_id or scope.can(EVENTS_MANAGE)),
        "can_escalate": manages and event.colour == "red" and event.escalation != "district",
        "can_link": event.state in services.OPEN and scope.can(EVENTS_REPORT),
    }
    return show(request, "detail.html", context, status)


async def _act(request: Request, scope: Any, session: Any, event_id: int, action: Any) -> Response:
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        action(values)
    except (DomainError, ValidationError) as error:
        if isinstance(error, DomainError) and error.status == 404:
            raise
        errors = field_errors(error, get_locale(request), {"note", "reason", "to"})
        return _event(request, scope, session, event_id, errors, 422)
    return RedirectResponse(f"/events/{event_id}", status_code=303)


@router.post("/events/{event_id}/verification", include_in_schema=False)
async def verify_page(event_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """The reporter's check: passed, or back to the handler."""
    return await _act(
        request,
        scope,
        session,
        event_id,
        lambda v: services.verify(
            session, scope, event_id, VerifyIn(passed=v.get("passed") == "1", note=v.get("note", ""))
        ),
    )


@router.post("/events/{event_id}/escalation", include_in_schema=False)
async def escalate_page(event_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Escalate a late case, past a level if need be."""
    return await _act(
        request,
        scope,
        session,
        event_id,
        lambda v: escalation.escalate(
            session,
            scope,
            event_id,
            EscalateIn(to=v.get("to", ""), reason=v.get("reason", "")),
        ),
    )


@router.post("/events/{event_id}/seen", include_in_schema=False)
async def seen_page(event_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Link a sighting to this open event instead of filing it again."""
    return await _act(
        request,
        scope,
        session,
        event_id,
        lambda v: services.seen_again(session, scope, event_id, SeenIn(note=v.get("note", ""))),
    )
