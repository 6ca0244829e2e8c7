"""Deliberation (协商议事) through the API: councils and members, topics, meetings, votes, follow-ups."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import FileResponse

from linli.civic.councils import documents, follow_ups, meetings, services, topics
from linli.civic.councils.schemas import (
    AttendanceIn,
    BallotIn,
    BallotsIn,
    CouncilDetail,
    CouncilIn,
    CouncilOut,
    CouncilPage,
    CouncilUpdate,
    DocumentOut,
    FollowUpIn,
    FollowUpOut,
    FollowUpPage,
    LeaveIn,
    MeetingIn,
    MeetingOut,
    MemberIn,
    MemberOut,
    MemberUpdate,
    MinutesIn,
    OrderGroup,
    PostIn,
    PostOut,
    ProgressIn,
    PromoteIn,
    RejectIn,
    ResolutionIn,
    ResolutionOut,
    TopicDetail,
    TopicIn,
    TopicOut,
    TopicPage,
)
from linli.web.deps import Access, SessionDep, current_scope, get_runtime

router = APIRouter(prefix="/api/v1", tags=["civic"], dependencies=[Depends(current_scope)])
Paging = Annotated[int, Query(ge=1, le=100000)]
Size = Annotated[int, Query(ge=1, le=200)]


# ---- councils ----------------------------------------------------------------------------------------


@router.get("/councils", response_model=CouncilPage)
def list_councils(
    scope: Access,
    session: SessionDep,
    q: Annotated[str, Query(max_length=40)] = "",
    kind: Annotated[str | None, Query(pattern="^(council|group)$")] = None,
    area_id: Annotated[int | None, Query(ge=1)] = None,
    page: Paging = 1,
    page_size: Size = 20,
) -> CouncilPage:
    """List the councils and groups the caller sees (residents: the active ones of their area)."""
    return services.list_councils(
        session, scope, services.CouncilFilter(q=q, kind=kind, area_id=area_id), page, page_size
    )


@router.post("/councils", response_model=CouncilOut, status_code=201)
def create_council(data: CouncilIn, scope: Access, session: SessionDep) -> CouncilOut:
    """Add a council (议事会) or a self-governance group (自治共管小组) to an area."""
    return services.create_council(session, scope, data)


@router.get("/councils/{council_id}", response_model=CouncilDetail)
def get_council(council_id: int, scope: Access, session: SessionDep) -> CouncilDetail:
    """Return a council with its members."""
    return services.get_council(session, scope, council_id)


@router.patch("/councils/{council_id}", response_model=CouncilOut)
def update_council(council_id: int, data: CouncilUpdate, scope: Access, session: SessionDep) -> CouncilOut:
    """Change a council's name, quorum, pass rule, co-signers needed, or retire it."""
    return services.update_council(session, scope, council_id, data)


@router.post("/councils/{council_id}/members", response_model=MemberOut, status_code=201)
def add_member(council_id: int, data: MemberIn, scope: Access, session: SessionDep) -> MemberOut:
    """Add a resident of the council's area or a staff account as a member."""
    return services.add_member(session, scope, council_id, data)


@router.patch("/council-members/{member_id}", response_model=MemberOut)
def update_member(member_id: int, data: MemberUpdate, scope: Access, session: SessionDep) -> MemberOut:
    """Change a member's role or what they represent."""
    return services.update_member(session, scope, member_id, data)


@router.post("/council-members/{member_id}/leave", response_model=MemberOut)
def leave(member_id: int, scope: Access, session: SessionDep, data: LeaveIn | None = None) -> MemberOut:
    """End a membership (``left_on``, today by default); nothing is deleted."""
    return services.leave(session, scope, member_id, data or LeaveIn())


# ---- topics --------------------------------------------------------------------------------------------


@router.get("/topics", response_model=TopicPage)
def list_topics(
    scope: Access,
    session: SessionDep,
    q: Annotated[str, Query(max_length=40)] = "",
    state: Annotated[str | None, Query(pattern="^(proposed|open|scheduled|decided|closed|rejected)$")] = None,
    source: Annotated[str | None, Query(pattern="^(member|staff|residents|needs)$")] = None,
    council_id: Annotated[int | None, Query(ge=1)] = None,
    area_id: Annotated[int | None, Query(ge=1)] = None,
    page: Paging = 1,
    page_size: Size = 20,
) -> TopicPage:
    """List the topics the caller sees, newest first."""
    f = topics.TopicFilter(q=q, state=state, source=source, council_id=council_id, area_id=area_id)
    return topics.list_topics(session, scope, f, page, page_size)


@router.post("/councils/{council_id}/topics", response_model=TopicOut, status_code=201)
def raise_topic(council_id: int, data: TopicIn, scope: Access, session: SessionDep) -> TopicOut:
    """Raise a topic: ``open`` from staff or a member, ``proposed`` (to co-sign) from another resident."""
    return topics.raise_topic(session, scope, council_id, data)


@router.get("/councils/{council_id}/order-groups", response_model=list[OrderGroup])
def order_groups(council_id: int, scope: Access, session: SessionDep) -> list[OrderGroup]:
    """Return recurring work orders (same category, same building, 3+ in 90 days) no topic holds yet."""
    return topics.order_groups(session, scope, council_id)


@router.post(
    "/councils/{council_id}/promote",
    response_model=TopicOut,
    status_code=201,
    responses={409: {"description": "topic.order_linked"}, 422: {"description": "topic.order_outside"}},
)
def promote(council_id: int, data: PromoteIn, scope: Access, session: SessionDep) -> TopicOut:
    """Make one topic of chosen work orders of the council's area, linked to them."""
    return topics.promote(session, scope, council_id, data)


@router.get("/topics/{topic_id}", response_model=TopicDetail)
def get_topic(topic_id: int, scope: Access, session: SessionDep) -> TopicDetail:
    """Return a topic with its thread, documents, resolutions and follow-ups (as far as the caller may see)."""
    return topics.get_topic(session, scope, topic_id)


@router.post(
    "/topics/{topic_id}/cosign",
    response_model=TopicOut,
    responses={409: {"description": "topic.cosigned, topic.not_proposed"}},
)
def cosign(topic_id: int, scope: Access, session: SessionDep) -> TopicOut:
    """Co-sign a proposed topic (a resident account, once); it opens when enough have signed."""
    return topics.cosign(session, scope, topic_id)


@router.post("/topics/{topic_id}/reject", response_model=TopicOut)
def reject(topic_id: int, data: RejectIn, scope: Access, session: SessionDep) -> TopicOut:
    """Decline a proposed or open topic with a reason."""
    return topics.reject(session, scope, topic_id, data)


@router.post("/topics/{topic_id}/posts", response_model=PostOut, status_code=201)
def add_post(topic_id: int, data: PostIn, scope: Access, session: SessionDep) -> PostOut:
    """Add a message to a topic's discussion."""
    return topics.add_post(session, scope, topic_id, data)


@router.post("/topics/{topic_id}/documents", response_model=DocumentOut, status_code=201)
def upload(
    topic_id: int, request: Request, scope: Access, session: SessionDep, file: Annotated[UploadFile, File()]
) -> DocumentOut:
    """Attach a document (PDF, or a photo as JPEG, PNG or WebP; up to 5 MB)."""
    content = file.file.read(documents.uploads.MAX_BYTES + 1)
    settings = get_runtime(request).settings
    return documents.upload(session, scope, settings, topic_id, file.filename or "", content)


@router.get("/topic-documents/{document_id}", response_class=FileResponse)
def download(document_id: int, request: Request, scope: Access, session: SessionDep) -> FileResponse:
    """Return a topic's document to someone who sees the topic."""
    path, media, name = documents.file_of(session, scope, get_runtime(request).settings, document_id)
    return FileResponse(path, media_type=media, filename=name, headers={"cache-control": "no-store"})


@router.post("/topics/{topic_id}/follow-ups", response_model=FollowUpOut, status_code=201)
def add_follow_up(topic_id: int, data: FollowUpIn, scope: Access, session: SessionDep) -> FollowUpOut:
    """Add a follow-up action to a decided topic."""
    return follow_ups.add_follow_up(session, scope, topic_id, data)


# ---- meetings and votes --------------------------------------------------------------------------------


@router.post("/councils/{council_id}/meetings", response_model=MeetingOut, status_code=201)
def create_meeting(council_id: int, data: MeetingIn, scope: Access, session: SessionDep) -> MeetingOut:
    """Plan a meeting with a time, a place and an agenda of open topics."""
    return meetings.create_meeting(session, scope, council_id, data)


@router.get("/meetings/{meeting_id}", response_model=MeetingOut)
def get_meeting(meeting_id: int, scope: Access, session: SessionDep) -> MeetingOut:
    """Return a meeting: agenda, attendance and quorum, minutes (staff), resolutions."""
    return meetings.get_meeting(session, scope, meeting_id)


@router.put("/meetings/{meeting_id}/attendance", response_model=MeetingOut)
def attendance(meeting_id: int, data: AttendanceIn, scope: Access, session: SessionDep) -> MeetingOut:
    """Record the members present; the quorum is read from it."""
    return meetings.record_attendance(session, scope, meeting_id, data)


@router.put("/meetings/{meeting_id}/minutes", response_model=MeetingOut)
def minutes(meeting_id: int, data: MinutesIn, scope: Access, session: SessionDep) -> MeetingOut:
    """Keep the minutes of a meeting."""
    return meetings.set_minutes(session, scope, meeting_id, data)


@router.post("/meetings/{meeting_id}/cancel", response_model=MeetingOut)
def cancel_meeting(meeting_id: int, scope: Access, session: SessionDep) -> MeetingOut:
    """Cancel a planned meeting; its topics go back to the open list."""
    return meetings.cancel_meeting(session, scope, meeting_id)


@router.post("/meetings/{meeting_id}/resolutions", response_model=ResolutionOut, status_code=201)
def add_resolution(meeting_id: int, data: ResolutionIn, scope: Access, session: SessionDep) -> ResolutionOut:
    """Put a motion on an agenda topic to the vote."""
    return meetings.add_resolution(session, scope, meeting_id, data)


@router.get("/resolutions/{resolution_id}", response_model=ResolutionOut)
def get_resolution(resolution_id: int, scope: Access, session: SessionDep) -> ResolutionOut:
    """Return a resolution (residents: once published)."""
    return meetings.get_resolution(session, scope, resolution_id)


@router.post(
    "/resolutions/{resolution_id}/ballots",
    response_model=ResolutionOut,
    responses={
        409: {"description": "council.no_quorum, resolution.counted"},
        422: {"description": "ballot.absent, ballot.not_member"},
    },
)
def ballot(resolution_id: int, data: BallotIn | BallotsIn, scope: Access, session: SessionDep) -> ResolutionOut:
    """Record one member's vote, or several (``{"ballots": [...]}``); a member's earlier vote is changed."""
    ballots = data if isinstance(data, BallotsIn) else BallotsIn(ballots=[data])
    return meetings.record_ballots(session, scope, resolution_id, ballots)


@router.post("/resolutions/{resolution_id}/count", response_model=ResolutionOut)
def close_count(resolution_id: int, scope: Access, session: SessionDep) -> ResolutionOut:
    """Close the count: the outcome follows the resolution's pass rule; the topic is decided."""
    return meetings.close_count(session, scope, resolution_id)


@router.post("/resolutions/{resolution_id}/publish", response_model=ResolutionOut)
def publish(resolution_id: int, scope: Access, session: SessionDep) -> ResolutionOut:
    """Publish a counted resolution to the residents of the area."""
    return meetings.publish(session, scope, resolution_id)


# ---- follow-ups -----------------------------------------------------------------------------------------


@router.get("/follow-ups", response_model=FollowUpPage)
def list_follow_ups(
    scope: Access,
    session: SessionDep,
    state: Annotated[str, Query(pattern="^(late|open|done|all)$")] = "late",
    council_id: Annotated[int | None, Query(ge=1)] = None,
    area_id: Annotated[int | None, Query(ge=1)] = None,
    page: Paging = 1,
    page_size: Size = 20,
) -> FollowUpPage:
    """List follow-ups (by default the late ones) of the councils the caller reads, soonest due first."""
    f = follow_ups.FollowUpFilter(state=None if state == "all" else state, council_id=council_id, area_id=area_id)
    return follow_ups.list_follow_ups(session, scope, f, page, page_size)


@router.patch("/follow-ups/{follow_up_id}", response_model=FollowUpOut)
def report_progress(follow_up_id: int, data: ProgressIn, scope: Access, session: SessionDep) -> FollowUpOut:
    """Report a follow-up's progress (0–100, a note) or that it is done."""
    return follow_ups.report_progress(session, scope, follow_up_id, data)
