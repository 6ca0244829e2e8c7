"""Needs pages: the orders list, staff entry, an order with its timeline and the moves the viewer may make,
"my orders" on the phone, a resident's requests, the figures; and, without an account, the request form
and the tracking page (rate-limited, like their API).

Each route parses the form, calls the same service as the API, and renders; a refusal is shown on the page.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from linli.accounts.permissions import NEEDS_READ, NEEDS_REQUEST, NEEDS_WRITE
from linli.errors import DomainError
from linli.i18n import translate
from linli.lib import clock
from linli.needs import catalogue, figures, intake, lifecycle, notify, progress, queries, teams
from linli.needs.api import submit_limit, track_limit
from linli.needs.labels import ACTION_LABELS, STATE_LABELS  # shared with the events pages
from linli.needs.schemas import NeedIn, PublicNeedIn, TransitionIn
from linli.registry import places
from linli.web.deps import Access, SessionDep, client_of, current_scope, get_locale
from linli.web.forms import field_errors
from linli.web.render import render

router = APIRouter(dependencies=[Depends(current_scope)])
public = APIRouter()

RATING_LABELS = {"satisfied": "Satisfied", "basic": "Fairly satisfied", "dissatisfied": "Dissatisfied"}
SOURCE_LABELS = {
    "visit": "Grid visit",
    "resident": "Resident",
    "staff": "Staff",
    "hotline": "Hotline",
    "event": "Grid event",
}
URGENCY_LABELS = {"emergency": "Emergency", "urgent": "Urgent", "ordinary": "Ordinary", "complex": "Complex"}
# Moves that need a reason written down, and moves that set a new deadline.
WITH_REASON = {"dismiss", "return", "suspend", "rework", "reopen", "request_extension", "extend"}
WITH_DEADLINE = {"request_extension", "extend"}


def labels(request: Request) -> dict[str, Any]:
    """Return the label functions the needs templates use, in the request's language."""
    locale = get_locale(request)

    def of(table: dict[str, str]) -> Any:
        return lambda code: translate(table.get(code) or code, locale) if code else ""

    return {
        "state_label": of(STATE_LABELS),
        "action_label": of(ACTION_LABELS),
        "rating_label": of(RATING_LABELS),
        "source_label": of(SOURCE_LABELS),
        "urgency_label": of(URGENCY_LABELS),
    }


def page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return render(request, f"needs/{template}", {**labels(request), "nav": "needs", **context}, status=status)


def refused(error: DomainError | ValidationError, locale: str) -> list[str]:
    """Return the messages of a refusal as a page shows them."""
    if isinstance(error, ValidationError):
        return [translate("This value is not valid.", locale)]
    return [e.text(locale) for e in getattr(error, "errors", [error])]


async def form_of(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def as_int(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


def local_time(value: str | None) -> datetime | None:
    """Return a ``datetime-local`` input (Asia/Shanghai) as an aware time, or None."""
    try:
        return datetime.fromisoformat(value or "").replace(tzinfo=clock.LOCAL)
    except ValueError:
        return None


# ---- staff: the list, entry, one order ---------------------------------------------------------


@router.get("/needs", include_in_schema=False)
def needs_page(
    request: Request, scope: Access, session: SessionDep, state: str = "open", overdue: str = "", page_no: str = "1"
) -> Response:
    """Return the orders of the user's areas: open ones by deadline by default."""
    if not scope.can(NEEDS_READ):
        return RedirectResponse("/needs/mine" if scope.can("needs.handle") else "/needs/requested", status_code=303)
    states = tuple(s for s in state.split(",") if s in (*STATE_LABELS, "open"))
    f = queries.NeedFilter(
        states=states, overdue=True if overdue == "1" else None, sort="due" if "open" in states else "new"
    )
    number = max(as_int(page_no) or 1, 1)
    results = queries.list_needs(session, scope, f, number, 30)
    context = {"scope": scope, "results": results, "state": state, "overdue": overdue, "states": list(STATE_LABELS)}
    context["can_write"] = scope.can(NEEDS_WRITE)
    context["page_url"] = lambda n: str(request.url.include_query_params(page_no=n))
    return page(request, "list.html", context)


@router.get("/needs/new", include_in_schema=False)
def new_need(request: Request, scope: Access, session: SessionDep, household_id: str = "") -> Response:
    """Return the staff entry form (a phone call, the hotline, a walk-in)."""
    return _entry_form(
        request, scope, session, {"household_id": household_id, "source": "staff", "urgency": "ordinary"}
    )


@router.post("/needs/new", include_in_schema=False)
async def create_need(request: Request, scope: Access, session: SessionDep) -> Response:
    """File the order and show it, or the form again with the refusal."""
    values = await form_of(request)
    try:
        data = NeedIn(
            category_id=as_int(values.get("category_id")),
            urgency=values.get("urgency") or "ordinary",
            description=values.get("description", ""),
            source=values.get("source") or "staff",
            hotline_number=values.get("hotline_number") or None,
            household_id=as_int(values.get("household_id")),
            area_id=as_int(values.get("area_id")),
            address=values.get("address", ""),
            requester_name=values.get("requester_name", ""),
            requester_phone=values.get("requester_phone") or None,
        )
        order = intake.create_order(session, scope, data)
    except (DomainError, ValidationError) as error:
        return _entry_form(request, scope, session, values, refused(error, get_locale(request)), 422)
    return RedirectResponse(f"/needs/{order.id}", status_code=303)


def _entry_form(
    request: Request,
    scope: Any,
    session: Any,
    values: dict[str, Any],
    errors: list[str] | None = None,
    status: int = 200,
) -> Response:
    context = {
        "scope": scope,
        "values": values,
        "problems": errors or [],
        "household_place": _household_place(session, scope, values.get("household_id")),
        **options(request, session),
        "area_options": [
            (str(h.area_id), h.area_name) for h in scope.holdings if scope.reaches(NEEDS_WRITE, h.area_path)
        ],
    }
    return page(request, "form.html", context, status)


def _household_place(session: Any, scope: Any, household_id: Any) -> str:
    """Return where the form's household is (图强小区 3号楼 301 · 曾伟), or "" when unknown or out of reach."""
    number = as_int(household_id)
    if number is None or not 0 < number < 2**31:
        return ""
    try:
        home = places.get_household(session, scope, number)
    except DomainError:
        return ""
    return " · ".join(part for part in (f"{home.building} {home.room}", home.head_name or "") if part)


def options(request: Request, session: Any) -> dict[str, list[tuple[str, str]]]:
    """Return the category and urgency choices of a form, as ``(value, label)`` pairs."""
    urgency = labels(request)["urgency_label"]
    english = get_locale(request) == "en"
    return {
        "category_options": [
            (str(c.id), c.name_en if english and c.name_en else c.name) for c in catalogue.list_categories(session)
        ],
        "urgency_options": [(u.code, urgency(u.code)) for u in catalogue.list_urgencies(session)],
    }


@router.get("/needs/mine", include_in_schema=False)
def mine_page(request: Request, scope: Access, session: SessionDep, done: str = "") -> Response:
    """Return "my orders" for the phone: what is assigned to me or my team, by deadline."""
    orders = queries.my_orders(session, scope, done == "1")
    return page(request, "mine.html", {"scope": scope, "orders": orders, "done": done == "1", "nav": "mine"})


@router.get("/needs/requested", include_in_schema=False)
def requested_page(request: Request, scope: Access, session: SessionDep) -> Response:
    """Return a resident's own requests, with a form to ask for help."""
    return _requested(request, scope, session, {})


@router.post("/needs/requested", include_in_schema=False)
async def request_help(request: Request, scope: Access, session: SessionDep) -> Response:
    """File a signed-in resident's request for their own home."""
    values = await form_of(request)
    try:
        data = NeedIn(category_id=as_int(values.get("category_id")), description=values.get("description", ""))
        intake.create_order(session, scope, data)
    except (DomainError, ValidationError) as error:
        return _requested(request, scope, session, values, refused(error, get_locale(request)), 422)
    return RedirectResponse("/needs/requested?sent=1", status_code=303)


def _requested(
    request: Request,
    scope: Any,
    session: Any,
    values: dict[str, Any],
    errors: list[str] | None = None,
    status: int = 200,
) -> Response:
    context = {
        "scope": scope,
        "orders": queries.my_requests(session, scope),
        **options(request, session),
        "can_request": scope.can(NEEDS_REQUEST),
        "values": values,
        "problems": errors or [],
        "sent": request.query_params.get("sent") == "1",
        "nav": "requested",
    }
    return page(request, "requested.html", context, status)


@router.get("/needs/figures", include_in_schema=False)
def figures_page(
    request: Request, scope: Access, session: SessionDep, area_id: str = "", date_from: str = "", date_to: str = ""
) -> Response:
    """Return the figures of an area for a period (this year so far by default)."""
    today = clock.today()
    held = [(h.area_id, h.area_name) for h in scope.holdings if scope.reaches(NEEDS_READ, h.area_path)]
    chosen = as_int(area_id) or (held[0][0] if held else None)
    try:
        start = date.fromisoformat(date_from) if date_from else today.replace(month=1, day=1)
        end = date.fromisoformat(date_to) if date_to else today
    except ValueError:
        start, end = today.replace(month=1, day=1), today
    context: dict[str, Any] = {"scope": scope, "areas": held, "area_id": chosen, "date_from": start, "date_to": end}
    context["figures"] = figures.figures(session, scope, chosen, start, end) if chosen else None
    context["nav"] = "figures"
    return page(request, "figures.html", context)


MESSAGES_PAGE = 30


@router.get("/notifications", include_in_schema=False)
def notifications_page(
    request: Request, scope: Access, session: SessionDep, page: Annotated[int, Query(ge=1, le=100_000)] = 1
) -> Response:
    """Return the caller's messages (orders assigned, returned, overdue, escalated …), newest first."""
    found = notify.list_notifications(session, scope, get_locale(request), page=page, page_size=MESSAGES_PAGE + 1)
    context = {"scope": scope, "nav": "messages", "items": found[:MESSAGES_PAGE], "more": len(found) > MESSAGES_PAGE}
    return render(request, "needs/notifications.html", {**context, "page": page})


@router.get("/notifications/unread", include_in_schema=False)
def unread_badge(request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the menu's unread-messages badge (nothing when all are read), fetched once a page loads."""
    return render(request, "needs/unread.html", {"count": notify.unread_count(session, scope)})


@router.post("/notifications/read-all", include_in_schema=False)
def read_all_page(scope: Access, session: SessionDep) -> Response:
    """Mark every message of the caller read, then show the list again."""
    notify.mark_read(session, scope)
    return RedirectResponse("/notifications", status_code=303)


@router.get("/needs/{need_id}", include_in_schema=False)
def need_page(need_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return one order: its facts, its timeline, and a form for each move the viewer may make."""
    return _need(request, scope, session, need_id)


def _need(
    request: Request,
    scope: Any,
    session: Any,
    need_id: int,
    errors: list[str] | None = None,
    status: int = 200,
    beside: dict[str, list[str]] | None = None,
) -> Response:
    """Render one order; ``beside`` holds refusals shown beside their field (the hours of report_done)."""
    need = queries.get_need(session, scope, need_id)
    context: dict[str, Any] = {
        "scope": scope,
        "need": need,
        "problems": errors or [],
        "errors": beside or {},
        "with_reason": WITH_REASON,
        "with_deadline": WITH_DEADLINE,
        "suggested_deadline": (clock.today() + timedelta(days=7)).isoformat() + "T18:00",
    }
    if "dispatch" in need.allowed:
        area_path = _area_path(session, need.area_id)
        context["people"] = teams.assignable(session, area_path)
        context["teams"] = teams.list_teams(session, scope)
    if "register" in need.allowed:
        context.update(options(request, session))
    return page(request, "detail.html", context, status)


def _area_path(session: Any, area_id: int) -> str:
    from linli.areas.models import Area

    area = session.get(Area, area_id)
    return area.path if area else "/"


@router.post("/needs/{need_id}/move", include_in_schema=False)
async def move_need(need_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Make the move the form names, then show the order again (or where the viewer came from)."""
    values = await form_of(request)
    try:
        data = TransitionIn(
            action=values.get("action", ""),
            version=as_int(values.get("version")),
            note=values.get("note", ""),
            reason=values.get("reason", ""),
            assignee_user_id=as_int(values.get("assignee_user_id")),
            team_id=as_int(values.get("team_id")),
            due_at=local_time(values.get("due_at")),
            category_id=as_int(values.get("category_id")),
            urgency=values.get("urgency") or None,
            rating=values.get("rating") or None,
            comment=values.get("comment", ""),
            caused_by_handling=values.get("caused_by_handling", "1") == "1",
            hours=values.get("hours", "").strip() or None,  # pydantic reads "1.5", refuses "abc" beside the field
            override=values.get("override") == "1",
        )
        lifecycle.transition(session, scope, need_id, data)
    except (DomainError, ValidationError) as error:
        status = error.status if isinstance(error, DomainError) else 422
        beside = field_errors(error, get_locale(request), {"hours"})
        problems = list(dict.fromkeys(beside.pop("", []))) if "hours" in beside else refused(error, get_locale(request))
        return _need(request, scope, session, need_id, problems, status, beside)
    back = values.get("back", "")
    return RedirectResponse(
        back if back in ("/needs/mine", "/needs/requested") else f"/needs/{need_id}", status_code=303
    )


@router.post("/needs/{need_id}/progress", include_in_schema=False)
async def progress_need(need_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Add the handler's progress note, with the photo taken on the phone."""
    form = await request.form()
    upload = form.get("photo")
    content = await upload.read(progress.uploads.MAX_BYTES + 1) if isinstance(upload, UploadFile) else None
    note = str(form.get("note") or "")
    try:
        progress.report_progress(session, scope, need_id, note, as_int(str(form.get("version") or "")), content or None)
    except DomainError as error:
        return _need(request, scope, session, need_id, refused(error, get_locale(request)), error.status)
    return RedirectResponse(f"/needs/{need_id}", status_code=303)


# ---- without an account: ask, track, rate ----------------------------------------------------


def _ask(
    request: Request,
    session: Any,
    values: dict[str, Any],
    errors: list[str] | None = None,
    status: int = 200,
    community_code: str = "",
) -> Response:
    """Render the public request form; ``community_code`` (a poster's link) chooses the community."""
    found = intake.communities(session)
    chosen = [c["id"] for c in found if community_code and c["code"] == community_code.strip()]
    if chosen and not values.get("community_id"):
        values = {**values, "community_id": str(chosen[0])}
    context = {
        "values": values,
        "problems": errors or [],
        **options(request, session),
        "community_options": [(str(c["id"]), f"{c['street']} · {c['name']}") for c in found],
        "nav": "",
    }
    return render(request, "needs/ask.html", {**labels(request), **context}, status=status)


@public.get("/ask", include_in_schema=False)
def ask_page(request: Request, session: SessionDep, community: str = "") -> Response:
    """Return the request form for a resident without an account (a phone page).

    ``?community=<code>`` (the link a community prints on its poster's QR code) chooses the community.
    """
    return _ask(request, session, {}, community_code=community)


@public.post("/ask", include_in_schema=False, dependencies=[Depends(submit_limit)])
async def ask(request: Request, session: SessionDep) -> Response:
    """Send the request and show its tracking code."""
    values = await form_of(request)
    try:
        data = PublicNeedIn(
            community_id=as_int(values.get("community_id")) or 0,
            category_id=as_int(values.get("category_id")) or 0,
            description=values.get("description", ""),
            name=values.get("name", ""),
            phone=values.get("phone", ""),
            address=values.get("address", ""),
        )
        sent = intake.submit_public(session, data, client_of(request))
    except (DomainError, ValidationError) as error:
        return _ask(request, session, values, refused(error, get_locale(request)), 422)
    return RedirectResponse(f"/track/{sent.tracking_code}?new=1", status_code=303)


@public.get("/track", include_in_schema=False)
def track_find(request: Request, code: str = "") -> Response:
    """Return the box to type a tracking code in, or go to the request it names."""
    if code.strip():
        return RedirectResponse(f"/track/{code.strip().upper()[:16]}", status_code=303)
    return render(request, "needs/track.html", {**labels(request), "tracked": None, "nav": ""})


@public.get("/track/{tracking_code}", include_in_schema=False, dependencies=[Depends(track_limit)])
def track(request: Request, tracking_code: str, session: SessionDep) -> Response:
    """Return a request's progress for the holder of its tracking code, with a rating form once closed."""
    return _track(request, session, tracking_code)


def _track(request: Request, session: Any, code: str, errors: list[str] | None = None, status: int = 200) -> Response:
    context = {
        "tracked": queries.tracking(session, code),
        "new": request.query_params.get("new") == "1",
        "problems": errors or [],
        "nav": "",
    }
    return render(request, "needs/track.html", {**labels(request), **context}, status=status)


@public.post("/track/{tracking_code}/rating", include_in_schema=False, dependencies=[Depends(track_limit)])
async def rate(request: Request, tracking_code: str, session: SessionDep) -> Response:
    """Record the resident's rating of their closed request."""
    values = await form_of(request)
    try:
        data = TransitionIn(
            action="rate",
            rating=values.get("rating") or None,
            comment=values.get("comment", ""),
            caused_by_handling=values.get("caused_by_handling", "1") == "1",
        )
        lifecycle.transition_by_code(session, tracking_code, data, client_of(request))
    except (DomainError, ValidationError) as error:
        status = error.status if isinstance(error, DomainError) else 422
        return _track(request, session, tracking_code, refused(error, get_locale(request)), status)
    return RedirectResponse(f"/track/{tracking_code}", status_code=303)
