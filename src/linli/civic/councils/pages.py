"""Council pages (协商议事): the list of councils and groups with search and filters; a council's page with its
members, topics and meetings, where staff add members (a resident found by name, or a staff account),
plan meetings and promote recurring work orders, and where residents and members raise topics; the
council form. Topics (``topic_pages``) and meetings (``meeting_pages``) have their own modules.

Each route parses what the browser sent, calls the same service as the API, and renders; a refusal is
shown beside the field it concerns, or at the top of the page.
"""

from __future__ import annotations

import functools
import operator
from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from linli.accounts.permissions import CIVIC_JOIN, CIVIC_MANAGE, CIVIC_READ, Scope
from linli.civic.councils import access, meeting_pages, meetings, services, topic_pages, topics
from linli.civic.councils.labels import KIND_LABELS, RULE_LABELS, labels, options
from linli.civic.councils.page_kit import FormData, errors_of, ids_of, show
from linli.civic.councils.schemas import (
    CouncilIn,
    CouncilUpdate,
    LeaveIn,
    MeetingIn,
    MemberIn,
    PromoteIn,
    TopicIn,
)
from linli.errors import DomainError, Invalid, NotFound
from linli.i18n import translate
from linli.lib import clock
from linli.web.deps import Access, SessionDep, current_scope, get_locale, get_runtime
from linli.web.forms import as_int
from linli.web.render import is_htmx, pager_url, render

router = APIRouter(dependencies=[Depends(current_scope)])
COUNCIL_FIELDS = ("area_id", "name", "kind", "description", "quorum_percent", "pass_rule", "cosigners_needed")


# ---- the list ----------------------------------------------------------------------------------------


@router.get("/councils", include_in_schema=False)
def list_page(
    request: Request,
    scope: Access,
    session: SessionDep,
    q: str = "",
    kind: str = "",
    area_id: str = "",
    page: str = "1",
) -> Response:
    """Return the councils and groups the user sees; an htmx request (typing in the box) gets only the results."""
    if not (scope.can(CIVIC_READ) or scope.can(CIVIC_JOIN)):
        raise NotFound("council")
    f = services.CouncilFilter(q=q[:40], kind=kind if kind in KIND_LABELS else None, area_id=as_int(area_id, 1))
    size = get_runtime(request).settings.page_size
    results = services.list_councils(session, scope, f, as_int(page, 1, 100000) or 1, size)
    locale = get_locale(request)
    context: dict[str, Any] = {
        "scope": scope,
        "q": q,
        "filters": {"kind": kind, "area_id": area_id},
        "results": results,
        "page_url": pager_url(request),
        "can_manage": scope.can(CIVIC_MANAGE),
        "can_read": scope.can(CIVIC_READ),
    }
    if is_htmx(request):
        return render(request, "councils/list.html", {**labels(locale), **context}, block="results")
    context["kind_options"] = options(KIND_LABELS, locale)
    context["area_options"] = [(str(i), n) for i, n in services.area_choices(session, scope, CIVIC_READ)]
    return show(request, "list.html", context)


# ---- keeping a council ---------------------------------------------------------------------------------


def _form(
    request: Request, session: Any, scope: Scope, values: dict[str, Any], council_id: int | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Response:  # fmt: skip
    locale = get_locale(request)
    context = {
        "scope": scope,
        "council_id": council_id,
        "values": values,
        "errors": errors or {},
        "area_options": [(str(i), n) for i, n in services.area_choices(session, scope, CIVIC_MANAGE)],
        "kind_options": options(KIND_LABELS, locale),
        "rule_options": options(RULE_LABELS, locale),
    }
    return show(request, "form.html", context, status=422 if errors else 200)


def _council_fields(form: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in COUNCIL_FIELDS}
    fields["quorum_percent"] = fields["quorum_percent"] or None
    fields["area_id"] = as_int(fields["area_id"], 1) or 0
    return fields


@router.get("/councils/new", include_in_schema=False)
def new_page(request: Request, scope: Access, session: SessionDep, area_id: str = "") -> Response:
    """Return an empty council form."""
    scope.require(CIVIC_MANAGE)
    values = {"area_id": area_id, "kind": "council", "quorum_percent": "50", "pass_rule": "majority_present",
              "cosigners_needed": "10"}  # fmt: skip
    return _form(request, session, scope, values)


@router.post("/councils/new", include_in_schema=False)
def create_page(request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Add the council and open its page; a refusal shows the form again with each error beside its field."""
    scope.require(CIVIC_MANAGE)
    try:
        created = services.create_council(session, scope, CouncilIn(**_council_fields(form)))
    except (ValidationError, DomainError) as error:
        if isinstance(error, NotFound):
            error = Invalid("council.area", "Choose an area you keep councils of.", "area_id")
        return _form(request, session, scope, form, errors=errors_of(error, get_locale(request), set(COUNCIL_FIELDS)))
    return RedirectResponse(f"/councils/{created.id}", status_code=303)


# Static paths (/councils/topics, /councils/meetings/…) before /councils/{council_id}.
router.include_router(topic_pages.router)
router.include_router(meeting_pages.router)


@router.get("/councils/{council_id}/edit", include_in_schema=False)
def edit_page(council_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the form filled in with the council."""
    council = services.get_council(session, scope, council_id)
    access.reach(session, scope, council_id).require(scope, CIVIC_MANAGE)
    values = {k: str(getattr(council, k)) for k in COUNCIL_FIELDS} | {"active": "1" if council.active else ""}
    return _form(request, session, scope, values, council_id)


@router.post("/councils/{council_id}/edit", include_in_schema=False)
def update_page(council_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Save the changes and open the council."""
    access.reach(session, scope, council_id).require(scope, CIVIC_MANAGE)
    fields = _council_fields(form)
    fields.pop("area_id")
    fields.pop("kind")
    fields["active"] = form.get("active") == "1"
    try:
        services.update_council(session, scope, council_id, CouncilUpdate(**fields))
    except (ValidationError, DomainError) as error:
        errors = errors_of(error, get_locale(request), set(COUNCIL_FIELDS))
        return _form(request, session, scope, form, council_id, errors)
    return RedirectResponse(f"/councils/{council_id}", status_code=303)


# ---- a council's page ---------------------------------------------------------------------------------


def _page(request: Request, scope: Scope, session: Any, council_id: int, status: int = 200, **extra: Any) -> Response:
    reached = access.reach(session, scope, council_id)
    council = services.get_council(session, scope, council_id)
    can_manage = scope.reaches(CIVIC_MANAGE, reached.path)
    member_q = str(extra.pop("member_q", ""))
    listed = topics.list_topics(session, scope, topics.TopicFilter(council_id=council_id), 1, 20)
    held = meetings.meetings_of(session, council_id)
    if not reached.staff:
        held = [m for m in held if m.state != "cancelled"]
    context = {
        "scope": scope,
        "council": council,
        "topics": listed,
        "meetings": held,
        "staff": reached.staff,
        "can_manage": can_manage,
        "can_write": reached.staff and access.can_write(scope, reached.path),
        "can_raise": council.active
        and (access.can_write(scope, reached.path) or access.sees(scope, reached.path, CIVIC_JOIN)),
        "member_q": member_q,
        "candidates": services.member_candidates(session, scope, council_id, member_q)
        if member_q and can_manage
        else [],
        "staff_options": [(str(i), n) for i, n in services.staff_choices(session, reached.path)] if can_manage else [],
        "errors": {},
        "values": {},
        **extra,
    }
    return show(request, "detail.html", context, status=status)


@router.get("/councils/{council_id}", include_in_schema=False)
def detail_page(council_id: int, request: Request, scope: Access, session: SessionDep, member_q: str = "") -> Response:
    """Return a council: its rules, members, topics and meetings; forms to add members and raise a topic."""
    return _page(request, scope, session, council_id, member_q=member_q[:20])


@router.post("/councils/{council_id}/members", include_in_schema=False)
def add_member_page(council_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Add the chosen resident or staff account as a member and show the council again."""
    try:
        data = MemberIn(
            resident_id=as_int(form.get("resident_id"), 1),
            user_id=as_int(form.get("user_id"), 1),
            role=form.get("role") if form.get("role") in ("chair", "member") else "member",
            represents=str(form.get("represents") or "")[:60],
        )
        services.add_member(session, scope, council_id, data)
    except (ValidationError, DomainError) as error:
        if isinstance(error, NotFound):
            raise
        errors = errors_of(error, get_locale(request), {"member"})
        return _page(
            request,
            scope,
            session,
            council_id,
            status=422,
            errors={"member": functools.reduce(operator.iadd, errors.values(), [])},
        )
    return RedirectResponse(f"/councils/{council_id}#members", status_code=303)


@router.post("/councils/members/{member_id}/leave", include_in_schema=False)
def leave_page(member_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Ask first, then end a membership today (the member stays on record)."""
    shown = services.get_member(session, scope, member_id)
    locale = get_locale(request)
    back = f"/councils/{shown.council_id}#members"
    context: dict[str, Any] = {
        "scope": scope,
        "title": shown.name,
        "question": translate(
            "{name} leaves the council today and stays on record for the meetings before.", locale
        ).format(name=shown.name),
        "action": f"/councils/members/{member_id}/leave",
        "back": back,
        "button": translate("End the membership", locale),
    }
    if form.get("confirm") != "yes":
        return show(request, "confirm.html", context)
    try:
        services.leave(session, scope, member_id, LeaveIn())
    except DomainError as error:
        return show(request, "confirm.html", context | {"error": error.text(locale)}, status=error.status)
    return RedirectResponse(back, status_code=303)


@router.post("/councils/{council_id}/topics", include_in_schema=False)
def raise_page(council_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Raise a topic and open it (staff, members: on the list at once; residents: co-signing begins)."""
    values = {"title": str(form.get("title") or ""), "body": str(form.get("body") or "")}
    try:
        raised = topics.raise_topic(session, scope, council_id, TopicIn(**values))
    except (ValidationError, DomainError) as error:
        if isinstance(error, NotFound):
            raise
        errors = errors_of(error, get_locale(request), {"title", "body"})
        return _page(request, scope, session, council_id, status=422, errors=errors, values=values)
    return RedirectResponse(f"/councils/topics/{raised.id}", status_code=303)


# ---- promoting recurring orders --------------------------------------------------------------------------


@router.get("/councils/{council_id}/promote", include_in_schema=False)
def promote_page(council_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the recurring work orders of the council's area no topic holds yet, to make one topic of."""
    council = services.get_council(session, scope, council_id)
    groups = topics.order_groups(session, scope, council_id)
    return show(request, "promote.html", {"scope": scope, "council": council, "groups": groups, "errors": {}})


@router.post("/councils/{council_id}/promote", include_in_schema=False)
def promote_post(council_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Make one topic of the chosen orders and open it."""
    try:
        data = PromoteIn(
            title=str(form.get("title") or ""), body=str(form.get("body") or ""), order_ids=ids_of(form["order_ids"])
        )
        made = topics.promote(session, scope, council_id, data)
    except (ValidationError, DomainError) as error:
        if isinstance(error, NotFound):
            raise
        council = services.get_council(session, scope, council_id)
        groups = topics.order_groups(session, scope, council_id)
        context = {"scope": scope, "council": council, "groups": groups, "values": form,
                   "errors": errors_of(error, get_locale(request), {"title", "order_ids"})}  # fmt: skip
        return show(request, "promote.html", context, status=422)
    return RedirectResponse(f"/councils/topics/{made.id}", status_code=303)


# ---- planning a meeting -----------------------------------------------------------------------------------


def _meeting_form(
    request: Request, session: Any, scope: Scope, council_id: int, values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
) -> Response:  # fmt: skip
    council = services.get_council(session, scope, council_id)
    access.reach(session, scope, council_id).require(scope, CIVIC_MANAGE)
    agenda = [
        t
        for state in ("open", "scheduled")
        for t in topics.list_topics(
            session, scope, topics.TopicFilter(council_id=council_id, state=state), 1, 100
        ).items
    ]
    context = {"scope": scope, "council": council, "agenda": agenda, "values": values, "errors": errors or {}}
    return show(request, "meeting_form.html", context, status=422 if errors else 200)


@router.get("/councils/{council_id}/meetings/new", include_in_schema=False)
def new_meeting_page(council_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the form to plan a meeting, with the open topics to put on its agenda."""
    day = clock.today() + timedelta(days=7)
    values = {"title": "", "day": day.isoformat(), "time": "19:30", "place": "", "topic_ids": []}
    return _meeting_form(request, session, scope, council_id, values)


@router.post("/councils/{council_id}/meetings/new", include_in_schema=False)
def create_meeting_page(
    council_id: int, request: Request, scope: Access, session: SessionDep, form: FormData
) -> Response:
    """Plan the meeting and open it."""
    try:
        try:
            day = date.fromisoformat(str(form.get("day") or ""))
            hour, minute = (int(p) for p in str(form.get("time") or "").replace("：", ":").split(":")[:2])
            starts = datetime.combine(day, time(hour, minute), clock.LOCAL)
        except ValueError:
            raise Invalid("meeting.when", "Enter the day and the time, such as 19:30.", "day") from None
        data = MeetingIn(
            title=str(form.get("title") or ""), starts_at=starts, place=str(form.get("place") or "")[:100],
            topic_ids=ids_of(form["topic_ids"]),
        )  # fmt: skip
        made = meetings.create_meeting(session, scope, council_id, data)
    except (ValidationError, DomainError) as error:
        if isinstance(error, NotFound):
            raise
        errors = errors_of(error, get_locale(request), {"title", "day", "place", "topic_ids"})
        return _meeting_form(request, session, scope, council_id, form, errors)
    return RedirectResponse(f"/councils/meetings/{made.id}", status_code=303)
