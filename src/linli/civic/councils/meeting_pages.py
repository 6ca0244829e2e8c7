"""Meeting pages (议事会议): the agenda, the sign-in of members present with the quorum read from it, the
minutes, and each resolution's vote entered member by member, counted and published."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from linli.accounts.permissions import CIVIC_MANAGE, Scope
from linli.civic.councils import access, meetings
from linli.civic.councils.models import Meeting, Resolution
from linli.civic.councils.page_kit import FormData, errors_of, ids_of, show
from linli.civic.councils.schemas import AttendanceIn, BallotIn, BallotsIn, MinutesIn, ResolutionIn
from linli.errors import DomainError, Invalid, NotFound
from linli.web.deps import Access, SessionDep, current_scope, get_locale
from linli.web.forms import as_int

router = APIRouter(dependencies=[Depends(current_scope)])
CHOICES = ("for", "against", "abstain")


def _page(request: Request, scope: Scope, session: Any, meeting_id: int, status: int = 200, **extra: Any) -> Response:
    meeting = meetings.get_meeting(session, scope, meeting_id)
    reached = access.reach(session, scope, meeting.council_id, "meeting")
    can_manage = scope.reaches(CIVIC_MANAGE, reached.path)
    row = session.get(Meeting, meeting_id)
    context = {
        "scope": scope,
        "meeting": meeting,
        "staff": reached.staff,
        "can_manage": can_manage,
        "members": meetings.members_on_the_day(session, row) if reached.staff and row is not None else [],
        "quorum_percent": reached.council.quorum_percent,
        "errors": {},
        **extra,
    }
    return show(request, "meeting.html", context, status=status)


def _refused(request: Request, scope: Scope, session: Any, meeting_id: int, error: Exception) -> Response:
    if isinstance(error, NotFound):
        raise error
    errors = errors_of(error, get_locale(request), {"present", "minutes", "topic_id", "text"})  # type: ignore[arg-type]
    status = error.status if isinstance(error, DomainError) else 422
    return _page(request, scope, session, meeting_id, status=status, errors=errors)


@router.get("/councils/meetings/{meeting_id}", include_in_schema=False)
def meeting_page(meeting_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return a meeting: agenda, who came and the quorum, minutes, resolutions and their votes."""
    return _page(request, scope, session, meeting_id)


@router.post("/councils/meetings/{meeting_id}/attendance", include_in_schema=False)
def attendance_page(meeting_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Record the members present and show whether the meeting is quorate."""
    try:
        meetings.record_attendance(session, scope, meeting_id, AttendanceIn(present=ids_of(form["present"])))
    except (ValidationError, DomainError) as error:
        return _refused(request, scope, session, meeting_id, error)
    return RedirectResponse(f"/councils/meetings/{meeting_id}#attendance", status_code=303)


@router.post("/councils/meetings/{meeting_id}/minutes", include_in_schema=False)
def minutes_page(meeting_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Keep the minutes."""
    try:
        meetings.set_minutes(session, scope, meeting_id, MinutesIn(minutes=str(form.get("minutes") or "")))
    except (ValidationError, DomainError) as error:
        return _refused(request, scope, session, meeting_id, error)
    return RedirectResponse(f"/councils/meetings/{meeting_id}#minutes", status_code=303)


@router.post("/councils/meetings/{meeting_id}/cancel", include_in_schema=False)
def cancel_page(meeting_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Ask first, then cancel the planned meeting (its topics go back to the open list)."""
    if form.get("confirm") != "yes":
        return _page(request, scope, session, meeting_id, confirm_cancel=True)
    try:
        meetings.cancel_meeting(session, scope, meeting_id)
    except DomainError as error:
        return _refused(request, scope, session, meeting_id, error)
    return RedirectResponse(f"/councils/meetings/{meeting_id}", status_code=303)


@router.post("/councils/meetings/{meeting_id}/resolutions", include_in_schema=False)
def resolution_page(meeting_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Put a motion on an agenda topic to the vote."""
    try:
        data = ResolutionIn(topic_id=as_int(form.get("topic_id"), 1, 2**31 - 1) or 0, text=str(form.get("text") or ""))
        meetings.add_resolution(session, scope, meeting_id, data)
    except (ValidationError, DomainError) as error:
        return _refused(request, scope, session, meeting_id, error)
    return RedirectResponse(f"/councils/meetings/{meeting_id}#resolutions", status_code=303)


def _meeting_of(session: Any, resolution_id: int) -> int:
    found = session.get(Resolution, resolution_id) if 0 < resolution_id < 2**31 else None
    if found is None:
        raise NotFound("resolution")
    return int(found.meeting_id)


@router.post("/councils/resolutions/{resolution_id}/ballots", include_in_schema=False)
def ballots_page(resolution_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Record the votes entered for the members present (``vote-<member id>``: for, against, abstain)."""
    meetings.get_resolution(session, scope, resolution_id)
    meeting_id = _meeting_of(session, resolution_id)
    ballots = [
        BallotIn(member_id=member, choice=form[key])
        for key in form
        if key.startswith("vote-") and form[key] in CHOICES and (member := as_int(key[5:], 1, 2**31 - 1))
    ]
    try:
        if not ballots:
            raise Invalid("ballot.none", "Choose a vote for at least one member.", "ballots")
        meetings.record_ballots(session, scope, resolution_id, BallotsIn(ballots=ballots))
    except (ValidationError, DomainError) as error:
        return _refused(request, scope, session, meeting_id, error)
    return RedirectResponse(f"/councils/meetings/{meeting_id}#resolution-{resolution_id}", status_code=303)


@router.post("/councils/resolutions/{resolution_id}/count", include_in_schema=False)
def count_page(resolution_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Close the count of a resolution."""
    meetings.get_resolution(session, scope, resolution_id)
    meeting_id = _meeting_of(session, resolution_id)
    try:
        meetings.close_count(session, scope, resolution_id)
    except DomainError as error:
        return _refused(request, scope, session, meeting_id, error)
    return RedirectResponse(f"/councils/meetings/{meeting_id}#resolution-{resolution_id}", status_code=303)


@router.post("/councils/resolutions/{resolution_id}/publish", include_in_schema=False)
def publish_page(resolution_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Publish a counted resolution to the residents of the area."""
    meetings.get_resolution(session, scope, resolution_id)
    meeting_id = _meeting_of(session, resolution_id)
    try:
        meetings.publish(session, scope, resolution_id)
    except DomainError as error:
        return _refused(request, scope, session, meeting_id, error)
    return RedirectResponse(f"/councils/meetings/{meeting_id}#resolution-{resolution_id}", status_code=303)
