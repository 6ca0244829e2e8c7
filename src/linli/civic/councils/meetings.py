"""Meetings (议事会议): an agenda of topics, who came (the quorum), minutes, and resolutions voted per member present.

The members on the day are those who joined on or before the meeting's day (Asia/Shanghai) and had not
left by then (``left_on`` empty or after it). Recording attendance fixes the members on the day, those
present and whether the meeting is quorate (present × 100 ≥ quorum_percent × members). A vote is recorded
for each member present (for, against, abstain; one per member, the primary key the final guard), may be
changed until the count is closed (audited), and is refused when the meeting is not quorate. Closing the
count applies the pass rule copied onto the resolution; a passed or failed resolution decides its topic.
Publishing makes it readable by the residents of the area.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linli.accounts.permissions import CIVIC_MANAGE, Scope
from linli.audit import services as audit
from linli.civic.councils import access, counting
from linli.civic.councils.models import (
    AgendaItem,
    Ballot,
    Council,
    CouncilMember,
    Meeting,
    MeetingAttendance,
    Resolution,
    Topic,
)
from linli.civic.councils.schemas import (
    AgendaOut,
    AttendanceIn,
    BallotOut,
    BallotsIn,
    MeetingIn,
    MeetingOut,
    MinutesIn,
    ResolutionIn,
    ResolutionOut,
)
from linli.civic.councils.services import current_on, members_out
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import Conflict, Invalid, NotFound
from linli.lib import clock

AGENDA_STATES = ("open", "scheduled")


def _meeting(session: Session, scope: Scope, meeting_id: int, lock: bool = False) -> tuple[Meeting, access.Reach]:
    query = select(Meeting).where(Meeting.id == meeting_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    meeting = session.scalars(query).first() if 0 < meeting_id < access.MAX_ID else None
    if meeting is None:
        raise NotFound("meeting")
    return meeting, access.reach(session, scope, meeting.council_id, "meeting")


def _resolution(
    session: Session, scope: Scope, resolution_id: int, lock: bool = False
) -> tuple[Resolution, Meeting, access.Reach]:
    query = select(Resolution).where(Resolution.id == resolution_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    row = session.scalars(query).first() if 0 < resolution_id < access.MAX_ID else None
    if row is None:
        raise NotFound("resolution")
    meeting = session.get(Meeting, row.meeting_id)
    assert meeting is not None
    reached = access.reach(session, scope, meeting.council_id, "resolution")
    if not reached.staff and row.published_at is None:
        raise NotFound("resolution")
    return row, meeting, reached


# ---- meetings --------------------------------------------------------------------------------------


def create_meeting(session: Session, scope: Scope, council_id: int, data: MeetingIn) -> MeetingOut:
    """Plan a meeting with its agenda; the topics on it become ``scheduled``."""
    with transaction(session):
        reached = access.reach(session, scope, council_id)
        reached.require(scope, CIVIC_MANAGE)
        if not reached.council.active:
            raise Conflict("council.inactive", "This council is no longer active.")
        wanted = list(dict.fromkeys(data.topic_ids))
        topics = {
            t.id: t
            for t in session.scalars(
                select(Topic).where(Topic.id.in_([i for i in wanted if 0 < i < access.MAX_ID] or [0]))
            )
        }
        if any(
            i not in topics or topics[i].council_id != council_id or topics[i].state not in AGENDA_STATES
            for i in wanted
        ):
            raise Invalid("meeting.topic", "Only open topics of this council can go on the agenda.", "topic_ids")
        meeting = Meeting(
            council_id=council_id, title=data.title, starts_at=data.starts_at, place=data.place, state="planned"
        )
        session.add(meeting)
        session.flush()
        for position, topic_id in enumerate(wanted):
            session.add(AgendaItem(meeting_id=meeting.id, topic_id=topic_id, position=position))
            topics[topic_id].state = "scheduled"
        session.flush()
        audit.record_by(
            session, scope, "council.meeting_create", entity="council_meeting", entity_id=meeting.id,
            area_id=reached.council.area_id,
            changes={"title": [None, data.title], "starts_at": [None, data.starts_at.isoformat()],
                     "place": [None, data.place], "agenda": [None, wanted]},
        )  # fmt: skip
        return meeting_out(session, meeting, staff=True)


def record_attendance(session: Session, scope: Scope, meeting_id: int, data: AttendanceIn) -> MeetingOut:
    """Record the members present; fixes the members on the day and whether the meeting is quorate."""
    with transaction(session):
        meeting, reached = _meeting(session, scope, meeting_id, lock=True)
        reached.require(scope, CIVIC_MANAGE)
        if meeting.state == "cancelled":
            raise Conflict("meeting.cancelled", "This meeting was cancelled.")
        voted = session.scalar(
            select(func.count())
            .select_from(Ballot)
            .join(Resolution, Resolution.id == Ballot.resolution_id)
            .where(Resolution.meeting_id == meeting.id)
        )
        if voted:
            raise Conflict("meeting.voting_started", "Votes are recorded; the attendance can no longer change.")
        day = clock.local_date(meeting.starts_at)
        members = set(
            session.scalars(
                select(CouncilMember.id).where(CouncilMember.council_id == meeting.council_id, *current_on(day))
            )
        )
        present = sorted(set(data.present))
        if any(m not in members for m in present):
            raise Invalid("meeting.not_member", "Only members of the council on the meeting's day can be present.",
                          "present")  # fmt: skip
        before = sorted(
            session.scalars(select(MeetingAttendance.member_id).where(MeetingAttendance.meeting_id == meeting.id))
        )
        session.execute(delete(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id))
        now = utcnow()
        session.add_all(
            MeetingAttendance(meeting_id=meeting.id, member_id=m, recorded_by_id=scope.user_id, recorded_at=now)
            for m in present
        )
        meeting.members_count, meeting.present_count = len(members), len(present)
        meeting.quorate = counting.quorate(len(present), len(members), reached.council.quorum_percent)
        meeting.state = "held"
        session.flush()
        audit.record_by(
            session, scope, "council.attendance", entity="council_meeting", entity_id=meeting.id,
            area_id=reached.council.area_id,
            changes={"present": [before, present], "members_count": [None, len(members)],
                     "quorate": [None, meeting.quorate]},
        )  # fmt: skip
        return meeting_out(session, meeting, staff=True)


def set_minutes(session: Session, scope: Scope, meeting_id: int, data: MinutesIn) -> MeetingOut:
    """Keep the minutes of a meeting (replacing the ones kept before, which the audit trail remembers)."""
    with transaction(session):
        meeting, reached = _meeting(session, scope, meeting_id, lock=True)
        reached.require(scope, CIVIC_MANAGE)
        before = meeting.minutes
        meeting.minutes = data.minutes.strip()
        session.flush()
        audit.record_by(
            session, scope, "council.minutes", entity="council_meeting", entity_id=meeting.id,
            area_id=reached.council.area_id, changes={"minutes": [before, meeting.minutes]},
        )  # fmt: skip
        return meeting_out(session, meeting, staff=True)


def cancel_meeting(session: Session, scope: Scope, meeting_id: int) -> MeetingOut:
    """Cancel a planned meeting; its scheduled topics go back to the open list."""
    with transaction(session):
        meeting, reached = _meeting(session, scope, meeting_id, lock=True)
        reached.require(scope, CIVIC_MANAGE)
        if meeting.state != "planned":
            raise Conflict("meeting.not_planned", "Only a planned meeting can be cancelled.")
        meeting.state = "cancelled"
        on_agenda = select(AgendaItem.topic_id).where(AgendaItem.meeting_id == meeting.id)
        for topic in session.scalars(select(Topic).where(Topic.id.in_(on_agenda), Topic.state == "scheduled")):
            topic.state = "open"
        session.flush()
        audit.record_by(
            session, scope, "council.meeting_cancel", entity="council_meeting", entity_id=meeting.id,
            area_id=reached.council.area_id, changes={"state": ["planned", "cancelled"]},
        )  # fmt: skip
        return meeting_out(session, meeting, staff=True)


def get_meeting(session: Session, scope: Scope, meeting_id: int) -> MeetingOut:
    """Return a meeting; residents see its time, place and agenda and the resolutions published."""
    meeting, reached = _meeting(session, scope, meeting_id)
    return meeting_out(session, meeting, staff=reached.staff)


def meetings_of(session: Session, council_id: int, limit: int = 20) -> list[Meeting]:
    """Return a council's latest meetings, newest first (one query)."""
    return list(
        session.scalars(
            select(Meeting).where(Meeting.council_id == council_id).order_by(Meeting.starts_at.desc()).limit(limit)
        )
    )


def meeting_out(session: Session, meeting: Meeting, staff: bool) -> MeetingOut:
    name = session.scalar(select(Council.name).where(Council.id == meeting.council_id)) or ""
    agenda = [
        AgendaOut(topic_id=i, title=t, state=s)
        for i, t, s in session.execute(
            select(Topic.id, Topic.title, Topic.state)
            .join(AgendaItem, AgendaItem.topic_id == Topic.id)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position)
        )
    ]
    query = select(Resolution).where(Resolution.meeting_id == meeting.id)
    if not staff:
        query = query.where(Resolution.published_at.is_not(None))
    resolutions = resolution_outs(session, list(session.scalars(query.order_by(Resolution.id))), staff)
    present = (
        sorted(session.scalars(select(MeetingAttendance.member_id).where(MeetingAttendance.meeting_id == meeting.id)))
        if staff
        else []
    )
    return MeetingOut(
        id=meeting.id,
        council_id=meeting.council_id,
        council=name,
        title=meeting.title,
        starts_at=meeting.starts_at,
        place=meeting.place,
        state=meeting.state,
        minutes=meeting.minutes if staff else "",
        members_count=meeting.members_count,
        present_count=meeting.present_count,
        quorate=meeting.quorate,
        agenda=agenda,
        present=present,
        resolutions=resolutions,
    )


def members_on_the_day(session: Session, meeting: Meeting) -> list[tuple[int, str, str]]:
    """Return ``(member id, name, represents)`` of the council's members on the meeting's day."""
    day = clock.local_date(meeting.starts_at)
    rows = session.scalars(
        select(CouncilMember)
        .where(CouncilMember.council_id == meeting.council_id, *current_on(day))
        .order_by(CouncilMember.role != "chair", CouncilMember.id)
    ).all()
    return [(m.id, m.name, m.represents) for m in members_out(session, list(rows))]


# ---- resolutions and votes ----------------------------------------------------------------------------


def add_resolution(session: Session, scope: Scope, meeting_id: int, data: ResolutionIn) -> ResolutionOut:
    """Put a motion on an agenda topic to the vote, under the council's pass rule of the day."""
    with transaction(session):
        meeting, reached = _meeting(session, scope, meeting_id, lock=True)
        reached.require(scope, CIVIC_MANAGE)
        if meeting.state == "cancelled":
            raise Conflict("meeting.cancelled", "This meeting was cancelled.")
        on_agenda = session.scalar(
            select(AgendaItem.topic_id).where(AgendaItem.meeting_id == meeting.id, AgendaItem.topic_id == data.topic_id)
        ) if 0 < data.topic_id < access.MAX_ID else None  # fmt: skip
        if on_agenda is None:
            raise Invalid("resolution.not_on_agenda", "The topic is not on this meeting's agenda.", "topic_id")
        row = Resolution(
            meeting_id=meeting.id, topic_id=data.topic_id, text=data.text, pass_rule=reached.council.pass_rule
        )
        session.add(row)
        session.flush()
        audit.record_by(
            session, scope, "council.resolution_create", entity="resolution", entity_id=row.id,
            area_id=reached.council.area_id,
            changes={"topic_id": [None, data.topic_id], "text": [None, data.text], "pass_rule": [None, row.pass_rule]},
        )  # fmt: skip
        return resolution_outs(session, [row], staff=True)[0]


def record_ballots(session: Session, scope: Scope, resolution_id: int, data: BallotsIn) -> ResolutionOut:
    """Record the votes of members present; a member's earlier vote is changed (audited) until the count closes."""
    with transaction(session):
        row, meeting, reached = _resolution(session, scope, resolution_id, lock=True)
        reached.require(scope, CIVIC_MANAGE)
        if row.outcome != "pending":
            raise Conflict("resolution.counted", "The count of this resolution is closed.")
        if not meeting.quorate:
            raise Conflict("council.no_quorum", "The meeting is not quorate; no vote can be taken.")
        ids = [b.member_id for b in data.ballots]
        if len(set(ids)) != len(ids):
            raise Invalid("ballot.twice", "One vote per member.", "ballots")
        members = set(
            session.scalars(
                select(CouncilMember.id).where(
                    CouncilMember.council_id == meeting.council_id,
                    CouncilMember.id.in_([i for i in ids if 0 < i < access.MAX_ID] or [0]),
                )
            )
        )
        present = set(
            session.scalars(select(MeetingAttendance.member_id).where(MeetingAttendance.meeting_id == meeting.id))
        )
        held = {b.member_id: b for b in session.scalars(select(Ballot).where(Ballot.resolution_id == row.id))}
        now = utcnow()
        for ballot in data.ballots:
            if ballot.member_id not in members:
                raise Invalid("ballot.not_member", "Only members of this council vote.", "member_id")
            if ballot.member_id not in present:
                raise Invalid("ballot.absent", "Only members present at the meeting vote.", "member_id")
            earlier = held.get(ballot.member_id)
            if earlier is not None and earlier.choice == ballot.choice:
                continue
            if earlier is not None:
                audit.record_by(
                    session, scope, "council.ballot_change", entity="resolution", entity_id=row.id,
                    area_id=reached.council.area_id,
                    changes={"member_id": [None, ballot.member_id], "choice": [earlier.choice, ballot.choice]},
                )  # fmt: skip
                earlier.choice, earlier.recorded_by_id, earlier.recorded_at = ballot.choice, scope.user_id, now
            else:
                session.add(
                    Ballot(
                        resolution_id=row.id,
                        member_id=ballot.member_id,
                        choice=ballot.choice,
                        recorded_by_id=scope.user_id,
                        recorded_at=now,
                    )
                )
                audit.record_by(
                    session, scope, "council.ballot", entity="resolution", entity_id=row.id,
                    area_id=reached.council.area_id,
                    changes={"member_id": [None, ballot.member_id], "choice": [None, ballot.choice]},
                )  # fmt: skip
        try:
            session.flush()
        except IntegrityError as error:  # the same member's vote entered twice at the same moment
            raise Conflict("ballot.voted", "This member's vote was just recorded; reload and try again.") from error
        return resolution_outs(session, [row], staff=True)[0]


def close_count(session: Session, scope: Scope, resolution_id: int) -> ResolutionOut:
    """Close the count: the votes are counted under the resolution's rule; its topic is decided."""
    with transaction(session):
        row, meeting, reached = _resolution(session, scope, resolution_id, lock=True)
        reached.require(scope, CIVIC_MANAGE)
        if row.outcome != "pending":
            raise Conflict("resolution.counted", "The count of this resolution is closed.")
        if not meeting.quorate:
            raise Conflict("council.no_quorum", "The meeting is not quorate; no vote can be taken.")
        counts = dict(
            session.execute(
                select(Ballot.choice, func.count()).where(Ballot.resolution_id == row.id).group_by(Ballot.choice)
            ).all()
        )
        row.votes_for, row.votes_against = counts.get("for", 0), counts.get("against", 0)
        row.votes_abstain = counts.get("abstain", 0)
        row.outcome = counting.outcome(row.pass_rule, meeting.present_count, row.votes_for, row.votes_against)
        topic = session.scalars(
            select(Topic).where(Topic.id == row.topic_id).with_for_update().execution_options(populate_existing=True)
        ).one()
        before = topic.state
        if topic.state in AGENDA_STATES:
            topic.state, topic.decided_at = "decided", utcnow()
        session.flush()
        audit.record_by(
            session, scope, "council.count", entity="resolution", entity_id=row.id, area_id=reached.council.area_id,
            changes={"outcome": ["pending", row.outcome], "for": [None, row.votes_for],
                     "against": [None, row.votes_against], "abstain": [None, row.votes_abstain],
                     "present": [None, meeting.present_count], "topic_state": [before, topic.state]},
        )  # fmt: skip
        return resolution_outs(session, [row], staff=True)[0]


def publish(session: Session, scope: Scope, resolution_id: int) -> ResolutionOut:
    """Publish a counted resolution: the residents of the area can read it and how each member voted."""
    with transaction(session):
        row, _, reached = _resolution(session, scope, resolution_id, lock=True)
        reached.require(scope, CIVIC_MANAGE)
        if row.outcome == "pending":
            raise Conflict("resolution.pending", "Close the count before publishing.")
        if row.published_at is not None:
            raise Conflict("resolution.published", "This resolution is already published.")
        row.published_at = utcnow()
        session.flush()
        audit.record_by(
            session, scope, "council.publish", entity="resolution", entity_id=row.id, area_id=reached.council.area_id,
            changes={"published_at": [None, row.published_at.isoformat()]},
        )  # fmt: skip
        return resolution_outs(session, [row], staff=True)[0]


def get_resolution(session: Session, scope: Scope, resolution_id: int) -> ResolutionOut:
    """Return a resolution: staff see it at any stage; residents of the area once published."""
    row, _, reached = _resolution(session, scope, resolution_id)
    return resolution_outs(session, [row], staff=reached.staff)[0]


def resolution_outs(session: Session, rows: list[Resolution], staff: bool) -> list[ResolutionOut]:
    """Return resolutions as shown (four queries); ballots per member for staff, or once published."""
    if not rows:
        return []
    ids = [r.id for r in rows]
    titles = dict(session.execute(select(Topic.id, Topic.title).where(Topic.id.in_({r.topic_id for r in rows}))).all())
    present = dict(
        session.execute(
            select(Meeting.id, Meeting.present_count).where(Meeting.id.in_({r.meeting_id for r in rows}))
        ).all()
    )
    ballots: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for resolution_id, member_id, choice in session.execute(
        select(Ballot.resolution_id, Ballot.member_id, Ballot.choice)
        .where(Ballot.resolution_id.in_(ids))
        .order_by(Ballot.member_id)
    ):
        ballots[resolution_id].append((member_id, choice))
    members = {
        m.id: m
        for m in session.scalars(
            select(CouncilMember).where(CouncilMember.id.in_({m for v in ballots.values() for m, _ in v} or [0]))
        )
    }
    names = {m.id: m.name for m in members_out(session, list(members.values()))} if members else {}
    out = []
    for r in rows:
        shown = staff or r.published_at is not None
        out.append(
            ResolutionOut(
                id=r.id,
                meeting_id=r.meeting_id,
                topic_id=r.topic_id,
                topic=titles.get(r.topic_id, ""),
                text=r.text,
                pass_rule=r.pass_rule,
                votes_for=r.votes_for if shown else 0,
                votes_against=r.votes_against if shown else 0,
                votes_abstain=r.votes_abstain if shown else 0,
                present=present.get(r.meeting_id, 0),
                outcome=r.outcome if shown else "pending",
                published_at=r.published_at,
                ballots=[BallotOut(member_id=m, name=names.get(m, ""), choice=c) for m, c in ballots[r.id]]
                if shown
                else [],
            )
        )
    return out
