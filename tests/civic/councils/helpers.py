"""Councils, members, topics and meetings built by the real services, as plain functions with overrides.

A council made here is 阳台山社区's (kept by its ``secretary``), quorum 50 %, passing by a majority of the
members present, opening a residents' topic at 3 co-signers. Resident accounts are linked to residents of
grid 1 or 2 as the demo's ``jumin`` is.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.services import create_user
from linli.areas.models import Area
from linli.civic.councils import follow_ups, meetings, services, topics
from linli.civic.councils.models import (
    Council,
    CouncilMember,
    FollowUp,
    Meeting,
    Resolution,
    Topic,
    TopicDocument,
)
from linli.civic.councils.schemas import (
    AttendanceIn,
    BallotIn,
    BallotsIn,
    CouncilIn,
    CouncilOut,
    FollowUpIn,
    MeetingIn,
    MeetingOut,
    MemberIn,
    ResolutionIn,
    ResolutionOut,
    TopicIn,
    TopicOut,
)
from linli.db.engine import transaction
from linli.lib import clock
from linli.registry.models import Household
from tests.factories import PASSWORD, World, make_resident, scope_of

NAMES = "甲乙丙丁戊己庚辛壬癸"


def at(day: date, hour: int = 19) -> datetime:
    """Return ``day`` at ``hour`` on the community's clock (Asia/Shanghai), aware."""
    return datetime.combine(day, time(hour), clock.LOCAL)


def make_council(db: Session, world: World, username: str = "secretary", **overrides: Any) -> CouncilOut:
    data: dict[str, Any] = {
        "area_id": world.community.id,
        "name": "阳台山社区事务协商议事会",
        "kind": "council",
        "quorum_percent": 50,
        "pass_rule": "majority_present",
        "cosigners_needed": 3,
    }
    data.update(overrides)
    return services.create_council(db, scope_of(db, username), CouncilIn(**data))


def add_residents(db: Session, world: World, council_id: int, count: int, joined_on: date | None = None) -> list[int]:
    """Return the member ids of ``count`` new residents of grid 1 added to the council."""
    ids = []
    for i in range(count):
        resident = make_resident(db, world.household1, name=f"委员{NAMES[i % 10]}{NAMES[i // 10]}", relation="99")
        member = services.add_member(
            db,
            scope_of(db, "secretary"),
            council_id,
            MemberIn(resident_id=resident.id, joined_on=joined_on or clock.today() - timedelta(days=30)),
        )
        ids.append(member.id)
    return ids


def resident_account(db: Session, world: World, username: str, grid: Area | None = None, name: str = "") -> str:
    """Return ``username``: a resident account of a new adult of grid 1's (or ``grid``'s) household."""
    grid = grid or world.grid1
    household = world.household1 if grid.id == world.grid1.id else world.household2
    if grid.id not in (world.grid1.id, world.grid2.id):
        household = world.other_household
    person = make_resident(
        db,
        household,
        name=name or "居民" + NAMES[sum(map(ord, username)) % 10] + NAMES[len(username) % 10],
        relation="99",
    )
    create_user(db, username, PASSWORD, roles=[("resident", grid.code)])
    with transaction(db):
        db.scalars(select(User).where(User.username == username)).one().resident_id = person.id
    return username


def raise_topic(db: Session, username: str, council_id: int, title: str = "加装电梯") -> TopicOut:
    return topics.raise_topic(db, scope_of(db, username), council_id, TopicIn(title=title, body="三号楼想加装电梯"))


def plan(db: Session, council_id: int, topic_ids: list[int], day: date | None = None) -> MeetingOut:
    data = MeetingIn(title="第一次议事会", starts_at=at(day or clock.today()), place="社区议事厅", topic_ids=topic_ids)
    return meetings.create_meeting(db, scope_of(db, "secretary"), council_id, data)


def attend(db: Session, meeting_id: int, present: list[int]) -> MeetingOut:
    return meetings.record_attendance(db, scope_of(db, "secretary"), meeting_id, AttendanceIn(present=present))


def motion(db: Session, meeting_id: int, topic_id: int) -> ResolutionOut:
    return meetings.add_resolution(
        db, scope_of(db, "secretary"), meeting_id, ResolutionIn(topic_id=topic_id, text="同意加装电梯")
    )


def vote(db: Session, resolution_id: int, choices: dict[int, str]) -> ResolutionOut:
    data = BallotsIn(ballots=[BallotIn(member_id=m, choice=c) for m, c in choices.items()])
    return meetings.record_ballots(db, scope_of(db, "secretary"), resolution_id, data)


def decided(
    db: Session, world: World, members: int = 4
) -> tuple[CouncilOut, list[int], TopicOut, MeetingOut, ResolutionOut]:
    """Return a council with ``members`` members, a topic voted on by all present and counted (passed)."""
    council = make_council(db, world)
    ids = add_residents(db, world, council.id, members)
    topic = raise_topic(db, "secretary", council.id)
    meeting = plan(db, council.id, [topic.id])
    attend(db, meeting.id, ids)
    resolution = motion(db, meeting.id, topic.id)
    vote(db, resolution.id, dict.fromkeys(ids, "for"))
    counted = meetings.close_count(db, scope_of(db, "secretary"), resolution.id)
    return council, ids, topic, meeting, counted


# ---- the route walk: grid 1's objects --------------------------------------------------------------


def grid1_council(db: Session, world: World) -> int:
    """Return grid 1's self-governance group, with grid 1's resident (曾伟) as its chair (made once)."""
    existing = db.scalar(select(Council.id).where(Council.area_id == world.grid1.id).order_by(Council.id))
    if existing:
        return existing
    council = make_council(db, world, area_id=world.grid1.id, name="图强小区自治共管小组", kind="group")
    services.add_member(
        db, scope_of(db, "secretary"), council.id,
        MemberIn(resident_id=world.resident1.id, role="chair", represents="3号楼 301",
                 joined_on=clock.today() - timedelta(days=10)),
    )  # fmt: skip
    return council.id


def grid1_member(db: Session, world: World) -> int:
    council_id = grid1_council(db, world)
    found = db.scalar(select(CouncilMember.id).where(CouncilMember.council_id == council_id).order_by(CouncilMember.id))
    assert found is not None
    return found


def grid1_topic(db: Session, world: World) -> int:
    council_id = grid1_council(db, world)
    found = db.scalar(select(Topic.id).where(Topic.council_id == council_id).order_by(Topic.id))
    return found or raise_topic(db, "secretary", council_id, "3号楼301门口堆物").id


def grid1_meeting(db: Session, world: World) -> int:
    council_id = grid1_council(db, world)
    found = db.scalar(select(Meeting.id).where(Meeting.council_id == council_id).order_by(Meeting.id))
    if found:
        return found
    meeting = plan(db, council_id, [grid1_topic(db, world)])
    attend(db, meeting.id, [grid1_member(db, world)])
    return meeting.id


def grid1_resolution(db: Session, world: World) -> int:
    meeting_id = grid1_meeting(db, world)
    found = db.scalar(select(Resolution.id).where(Resolution.meeting_id == meeting_id).order_by(Resolution.id))
    if found:
        return found
    resolution = motion(db, meeting_id, grid1_topic(db, world))
    vote(db, resolution.id, {grid1_member(db, world): "for"})
    return meetings.close_count(db, scope_of(db, "secretary"), resolution.id).id


def grid1_follow_up(db: Session, world: World) -> int:
    resolution_id = grid1_resolution(db, world)
    topic_id = grid1_topic(db, world)
    found = db.scalar(select(FollowUp.id).where(FollowUp.topic_id == topic_id).order_by(FollowUp.id))
    if found:
        return found
    data = FollowUpIn(title="清理301门口堆物", resolution_id=resolution_id, owner_name="曾伟", due_on=clock.today())
    return follow_ups.add_follow_up(db, scope_of(db, "secretary"), topic_id, data).id


def grid1_document(db: Session, world: World) -> int:
    """Return a document row of grid 1's topic (no file on disk: the walk only needs it refused)."""
    topic_id = grid1_topic(db, world)
    found = db.scalar(select(TopicDocument.id).where(TopicDocument.topic_id == topic_id))
    if found:
        return found
    with transaction(db):
        row = TopicDocument(
            topic_id=topic_id,
            filename="3号楼301.pdf",
            stored_name="0" * 32 + ".pdf",
            content_type="application/pdf",
            size=1,
        )
        db.add(row)
        db.flush()
        return row.id


def household_grid(db: Session, household_id: int) -> int:
    household = db.get(Household, household_id)
    assert household is not None
    return household.area_id
