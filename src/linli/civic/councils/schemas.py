"""Deliberation payloads: what the API takes in and gives out.

The in-schemas read types and plain ranges; the services check the rest (the area, the members, the
states) so that each refusal has a stable code and names its field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from linli.registry.schemas import Page

Kind = Literal["council", "group"]
PassRule = Literal["majority_present", "majority_cast", "two_thirds_present"]
Role = Literal["chair", "member"]
Choice = Literal["for", "against", "abstain"]


class CouncilIn(BaseModel):
    """A new council (社区事务协商议事会) or self-governance group (小区自治共管小组) of ``area_id``."""

    model_config = ConfigDict(str_strip_whitespace=True)

    area_id: int
    name: str = Field(min_length=1, max_length=100)
    kind: Kind = "council"
    description: str = Field("", max_length=2000)
    quorum_percent: int | None = Field(
        None, ge=1, le=100, description="Share of the members on the day who must be present; the setting when empty"
    )
    pass_rule: PassRule = "majority_present"
    cosigners_needed: int = Field(10, ge=1, le=1000, description="Residents (the raiser included) to open a topic")


class CouncilUpdate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=2000)
    quorum_percent: int | None = Field(None, ge=1, le=100)
    pass_rule: PassRule | None = None
    cosigners_needed: int | None = Field(None, ge=1, le=1000)
    active: bool | None = None


class MemberIn(BaseModel):
    """A member: a resident of the council's area (``resident_id``) or a staff account (``user_id``)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    resident_id: int | None = None
    user_id: int | None = None
    role: Role = "member"
    represents: str = Field("", max_length=60, description="楼栋长, 业委会, 物业, 居民代表 …")
    joined_on: date | None = Field(None, description="Today when empty")


class MemberUpdate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    role: Role | None = None
    represents: str | None = Field(None, max_length=60)


class LeaveIn(BaseModel):
    left_on: date | None = Field(None, description="Today when empty")


class MemberOut(BaseModel):
    id: int
    council_id: int
    resident_id: int | None
    user_id: int | None
    name: str
    role: str
    represents: str
    joined_on: date
    left_on: date | None


class CouncilOut(BaseModel):
    id: int
    area_id: int
    area: str
    name: str
    kind: str
    description: str
    quorum_percent: int
    pass_rule: str
    cosigners_needed: int
    active: bool
    members: int = Field(description="Members today")
    open_topics: int


class CouncilDetail(CouncilOut):
    member_list: list[MemberOut]


CouncilPage = Page[CouncilOut]


class TopicIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=120)
    body: str = Field("", max_length=4000)


class PromoteIn(TopicIn):
    """Orders (工单) of the council's area that make one topic (five orders about the same lift)."""

    order_ids: list[int] = Field(min_length=1, max_length=100)


class RejectIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=500)


class PostIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    body: str = Field(min_length=1, max_length=2000)


class TopicOut(BaseModel):
    id: int
    council_id: int
    council: str
    area_id: int
    title: str
    body: str
    source: str
    state: str
    raised_by: str
    cosigners: int
    cosigners_needed: int
    progress: int
    decided_at: datetime | None
    created_at: datetime


TopicPage = Page[TopicOut]


class LinkedOrder(BaseModel):
    id: int
    title: str
    state: str
    created_at: datetime


class PostOut(BaseModel):
    id: int
    author: str
    body: str
    created_at: datetime


class DocumentOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    created_at: datetime


class BallotOut(BaseModel):
    member_id: int
    name: str
    choice: str


class ResolutionIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    topic_id: int
    text: str = Field(min_length=1, max_length=4000)


class BallotIn(BaseModel):
    member_id: int
    choice: Choice


class BallotsIn(BaseModel):
    ballots: list[BallotIn] = Field(min_length=1, max_length=500)


class ResolutionOut(BaseModel):
    id: int
    meeting_id: int
    topic_id: int
    topic: str
    text: str
    pass_rule: str
    votes_for: int
    votes_against: int
    votes_abstain: int
    present: int
    outcome: str
    published_at: datetime | None
    ballots: list[BallotOut] = Field(default_factory=list, description="Per member; staff, or once published")


class FollowUpIn(BaseModel):
    """An action a decision asks for; ``owner_user_id`` (a staff account) or ``owner_name`` owns it."""

    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=160)
    resolution_id: int | None = None
    owner_user_id: int | None = None
    owner_name: str = Field("", max_length=60)
    due_on: date


class ProgressIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    progress: int = Field(ge=0, le=100)
    note: str = Field("", max_length=500)
    done: bool = False


class FollowUpOut(BaseModel):
    id: int
    topic_id: int
    topic: str
    council_id: int
    resolution_id: int | None
    title: str
    owner_user_id: int | None
    owner: str
    due_on: date
    progress: int
    state: str
    note: str
    late: bool
    late_since: date | None
    done_at: datetime | None


FollowUpPage = Page[FollowUpOut]


class TopicDetail(TopicOut):
    orders: list[LinkedOrder]
    posts: list[PostOut]
    documents: list[DocumentOut]
    resolutions: list[ResolutionOut]
    follow_ups: list[FollowUpOut]
    signed: bool = Field(description="Whether the caller has co-signed")


class OrderGroup(BaseModel):
    """Recurring orders (same category, same building) that may become one topic."""

    category_id: int
    category: str
    building_id: int
    building: str
    orders: list[LinkedOrder]


class MeetingIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=120)
    starts_at: datetime
    place: str = Field("", max_length=100)
    topic_ids: list[int] = Field(default_factory=list, max_length=50)


class AttendanceIn(BaseModel):
    present: list[int] = Field(default_factory=list, max_length=500, description="Member ids present")


class MinutesIn(BaseModel):
    minutes: str = Field(max_length=20000)


class AgendaOut(BaseModel):
    topic_id: int
    title: str
    state: str


class MeetingOut(BaseModel):
    id: int
    council_id: int
    council: str
    title: str
    starts_at: datetime
    place: str
    state: str
    minutes: str
    members_count: int
    present_count: int
    quorate: bool
    agenda: list[AgendaOut]
    present: list[int] = Field(default_factory=list, description="Member ids present (staff)")
    resolutions: list[ResolutionOut] = Field(default_factory=list)
