"""Topic pages (议题): the list with search and filters; a topic's page with its orders, thread, documents,
resolutions and follow-ups (a progress bar), where residents co-sign and post, staff reject, attach
documents and add follow-ups, and owners report progress; the list of late follow-ups."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from starlette.datastructures import UploadFile

from linli.accounts.permissions import CIVIC_JOIN, CIVIC_MANAGE, CIVIC_READ, Scope
from linli.civic.councils import access, documents, follow_ups, services, topics
from linli.civic.councils.labels import FOLLOW_UP_FILTERS, SOURCE_LABELS, TOPIC_STATE_LABELS, labels, options
from linli.civic.councils.models import FollowUp
from linli.civic.councils.page_kit import FormData, errors_of, show
from linli.civic.councils.schemas import FollowUpIn, PostIn, ProgressIn, RejectIn
from linli.errors import DomainError, Invalid, NotFound
from linli.i18n import translate
from linli.needs import uploads
from linli.web.deps import Access, SessionDep, current_scope, get_locale, get_runtime
from linli.web.forms import as_int
from linli.web.render import is_htmx, pager_url, render

router = APIRouter(dependencies=[Depends(current_scope)])
FOLLOW_UP_FIELDS = {"title", "owner_user_id", "owner_name", "due_on", "resolution_id"}


@router.get("/councils/topics", include_in_schema=False)
def topics_page(
    request: Request,
    scope: Access,
    session: SessionDep,
    q: str = "",
    state: str = "",
    source: str = "",
    council_id: str = "",
    page: str = "1",
) -> Response:
    """Return the topics the user sees, newest first; an htmx request gets only the results."""
    if not (scope.can(CIVIC_READ) or scope.can(CIVIC_JOIN)):
        raise NotFound("topic")
    f = topics.TopicFilter(
        q=q[:40],
        state=state if state in TOPIC_STATE_LABELS else None,
        source=source if source in SOURCE_LABELS else None,
        council_id=as_int(council_id, 1, 2**31 - 1),
    )
    size = get_runtime(request).settings.page_size
    results = topics.list_topics(session, scope, f, as_int(page, 1, 100000) or 1, size)
    locale = get_locale(request)
    context: dict[str, Any] = {
        "scope": scope,
        "q": q,
        "filters": {"state": state, "source": source, "council_id": council_id},
        "results": results,
        "page_url": pager_url(request),
    }
    if is_htmx(request):
        return render(request, "councils/topics.html", {**labels(locale), **context}, block="results")
    context["state_options"] = options(TOPIC_STATE_LABELS, locale)
    context["source_options"] = options(SOURCE_LABELS, locale)
    return show(request, "topics.html", context)


@router.get("/councils/follow-ups", include_in_schema=False)
def follow_ups_page(
    request: Request, scope: Access, session: SessionDep, state: str = "late", page: str = "1"
) -> Response:
    """Return the follow-ups of the councils the user reads, the late ones first by default (督办)."""
    scope.require(CIVIC_READ)
    state = state if state in dict(FOLLOW_UP_FILTERS) else "late"
    f = follow_ups.FollowUpFilter(state=None if state == "all" else state)
    size = get_runtime(request).settings.page_size
    results = follow_ups.list_follow_ups(session, scope, f, as_int(page, 1, 100000) or 1, size)
    locale = get_locale(request)
    context = {
        "scope": scope,
        "state": state,
        "results": results,
        "page_url": pager_url(request),
        "state_options": [(code, translate(text, locale)) for code, text in FOLLOW_UP_FILTERS],
    }
    return show(request, "follow_ups.html", context)


@router.get("/councils/documents/{document_id}", include_in_schema=False)
def document_page(document_id: int, request: Request, scope: Access, session: SessionDep) -> FileResponse:
    """Return a topic's document to someone who sees the topic."""
    path, media, name = documents.file_of(session, scope, get_runtime(request).settings, document_id)
    return FileResponse(path, media_type=media, filename=name, headers={"cache-control": "no-store"})


# ---- a topic's page ---------------------------------------------------------------------------------


def _page(request: Request, scope: Scope, session: Any, topic_id: int, status: int = 200, **extra: Any) -> Response:
    topic = topics.get_topic(session, scope, topic_id)
    reached = access.reach(session, scope, topic.council_id, "topic")
    member = access.my_membership(session, scope, topic.council_id) is not None
    can_manage = scope.reaches(CIVIC_MANAGE, reached.path)
    writes = reached.staff and access.can_write(scope, reached.path)
    context = {
        "scope": scope,
        "topic": topic,
        "staff": reached.staff,
        "can_manage": can_manage,
        "can_write": writes,
        "can_attach": writes or member,
        "can_cosign": topic.state == "proposed" and access.sees(scope, reached.path, CIVIC_JOIN) and not topic.signed,
        "can_post": topic.state not in topics.CLOSED_TOPICS
        and (writes or member or access.sees(scope, reached.path, CIVIC_JOIN)),
        "owner_options": [(str(i), n) for i, n in services.staff_choices(session, reached.path)] if can_manage else [],
        "me": scope.user_id,
        "resolution_options": [(str(r.id), r.text[:40]) for r in topic.resolutions],
        "errors": {},
        "values": {"due_on": ""},
        **extra,
    }
    return show(request, "topic.html", context, status=status)


@router.get("/councils/topics/{topic_id}", include_in_schema=False)
def topic_page(topic_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return a topic with everything about it the user may see."""
    return _page(request, scope, session, topic_id)


def _refused(request: Request, scope: Scope, session: Any, topic_id: int, error: Exception, **extra: Any) -> Response:
    if isinstance(error, NotFound):
        raise error
    fields = {"body", "reason", "file", "progress", "note", *FOLLOW_UP_FIELDS}
    errors = errors_of(error, get_locale(request), fields)  # type: ignore[arg-type]
    status = error.status if isinstance(error, DomainError) else 422
    return _page(request, scope, session, topic_id, status=status, errors=errors, **extra)


@router.post("/councils/topics/{topic_id}/cosign", include_in_schema=False)
def cosign_page(topic_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Co-sign the topic and show it again."""
    try:
        topics.cosign(session, scope, topic_id)
    except DomainError as error:
        return _refused(request, scope, session, topic_id, error)
    return RedirectResponse(f"/councils/topics/{topic_id}?signed=1", status_code=303)


@router.post("/councils/topics/{topic_id}/posts", include_in_schema=False)
def post_page(topic_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Add a message to the thread."""
    try:
        topics.add_post(session, scope, topic_id, PostIn(body=str(form.get("body") or "")))
    except (ValidationError, DomainError) as error:
        return _refused(request, scope, session, topic_id, error)
    return RedirectResponse(f"/councils/topics/{topic_id}#thread", status_code=303)


@router.post("/councils/topics/{topic_id}/reject", include_in_schema=False)
def reject_page(topic_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Ask for a reason and confirmation, then decline the topic."""
    if form.get("confirm") != "yes":
        return _page(request, scope, session, topic_id, confirm_reject=True)
    try:
        topics.reject(session, scope, topic_id, RejectIn(reason=str(form.get("reason") or "")))
    except (ValidationError, DomainError) as error:
        return _refused(request, scope, session, topic_id, error, confirm_reject=True)
    return RedirectResponse(f"/councils/topics/{topic_id}", status_code=303)


@router.post("/councils/topics/{topic_id}/documents", include_in_schema=False)
async def upload_page(topic_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Attach the chosen file to the topic."""
    form = await request.form()
    sent = form.get("file")
    try:
        if not isinstance(sent, UploadFile) or not sent.filename:
            raise Invalid("topic.document_missing", "Choose a file to attach.", "file")
        content = await sent.read(uploads.MAX_BYTES + 1)
        documents.upload(session, scope, get_runtime(request).settings, topic_id, sent.filename, content)
    except DomainError as error:
        return _refused(request, scope, session, topic_id, error)
    return RedirectResponse(f"/councils/topics/{topic_id}#documents", status_code=303)


@router.post("/councils/topics/{topic_id}/follow-ups", include_in_schema=False)
def follow_up_page(topic_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Add a follow-up action to the decided topic."""
    values = {k: str(form.get(k) or "").strip() for k in FOLLOW_UP_FIELDS}
    try:
        try:
            due = date.fromisoformat(values["due_on"])
        except ValueError:
            raise Invalid("follow_up.due_on", "Enter a date such as 1980-01-31.", "due_on") from None
        data = FollowUpIn(
            title=values["title"],
            owner_user_id=as_int(values["owner_user_id"], 1, 2**31 - 1),
            owner_name=values["owner_name"][:60],
            due_on=due,
            resolution_id=as_int(values["resolution_id"], 1, 2**31 - 1),
        )
        follow_ups.add_follow_up(session, scope, topic_id, data)
    except (ValidationError, DomainError) as error:
        return _refused(request, scope, session, topic_id, error, values=values)
    return RedirectResponse(f"/councils/topics/{topic_id}#follow-ups", status_code=303)


@router.post("/councils/follow-ups/{follow_up_id}/progress", include_in_schema=False)
def progress_page(follow_up_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Report a follow-up's progress (or that it is done) and go back to its topic."""
    try:
        data = ProgressIn(
            progress=as_int(form.get("progress"), 0, 100) or 0,
            note=str(form.get("note") or "")[:500],
            done=form.get("done") == "1",
        )
        shown = follow_ups.report_progress(session, scope, follow_up_id, data)
    except (ValidationError, DomainError) as error:
        if isinstance(error, NotFound):
            raise
        topic_id = session.scalar(select(FollowUp.topic_id).where(FollowUp.id == follow_up_id))
        return _refused(request, scope, session, topic_id or 0, error)
    back = "/councils/follow-ups" if form.get("back") == "list" else f"/councils/topics/{shown.topic_id}#follow-ups"
    return RedirectResponse(back, status_code=303)
