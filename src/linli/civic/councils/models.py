"""Deliberation (协商议事): councils and self-governance groups, their topics, meetings, votes and follow-ups.

A council (社区事务协商议事会) or a compound's self-governance group (小区自治共管小组) speaks for an area
and has members (residents of the registry, or staff accounts). A topic is raised by a member, by staff,
by residents once enough co-signers join, or promoted from recurring work orders (``TopicOrder`` keeps
the link). A meeting takes topics onto its agenda, records who came (the quorum is a share of the
members on the day), and puts resolutions to a vote recorded per member present (``Ballot``: for,
against, abstain; one per member, a unique constraint). Follow-up actions have an owner and a deadline,
stay on the topic until done, and their progress rolls up to the topic.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from linli.db.base import Base, Timestamped, UTCDateTime, utcnow

KINDS = ("council", "group")
# How a resolution passes: more votes for than half of the members present; more for than against
# among those who voted; at least two thirds of the members present for.
PASS_RULES = ("majority_present", "majority_cast", "two_thirds_present")
MEMBER_ROLES = ("chair", "member")
TOPIC_SOURCES = ("member", "staff", "residents", "needs")
# proposed: residents collecting co-signers; open: on the council's list; scheduled: on a meeting's
# agenda; decided: a resolution passed or failed, follow-ups may run; closed: every follow-up done (or
# nothing to follow); rejected: the council declined to take it up.
TOPIC_STATES = ("proposed", "open", "scheduled", "decided", "closed", "rejected")
MEETING_STATES = ("planned", "held", "cancelled")
CHOICES = ("for", "against", "abstain")
OUTCOMES = ("pending", "passed", "failed")
ACTION_STATES = ("open", "done")


class Council(Timestamped, Base):
    """A deliberation council or a self-governance group, and the area it speaks for."""

    __tablename__ = "council"
    __table_args__ = (CheckConstraint("quorum_percent BETWEEN 1 AND 100", name="quorum_percent_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(12), default="council")
    description: Mapped[str] = mapped_column(Text, default="")
    # A meeting is quorate when the members present reach this share of the members on the day.
    quorum_percent: Mapped[int] = mapped_column(Integer, default=50)
    pass_rule: Mapped[str] = mapped_column(String(24), default="majority_present")
    # Residents' topics go onto the list once this many residents have co-signed (the raiser included).
    cosigners_needed: Mapped[int] = mapped_column(Integer, default=10)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class CouncilMember(Base):
    """A member: a resident of the registry or a staff account; ``left_on`` ends the membership."""

    __tablename__ = "council_member"
    __table_args__ = (
        UniqueConstraint("council_id", "resident_id"),
        UniqueConstraint("council_id", "user_id"),
        CheckConstraint("resident_id IS NOT NULL OR user_id IS NOT NULL", name="member_is_someone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[str] = mapped_column(String(12), default="member")
    # What the member stands for on the council (楼栋长, 业委会, 物业, 居民代表 …).
    represents: Mapped[str] = mapped_column(String(60), default="")
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)


class Topic(Timestamped, Base):
    """A matter for the council; ``progress`` is the rolled-up share of its follow-ups done (0–100)."""

    __tablename__ = "topic"
    __table_args__ = (Index("ix_topic_council_state", "council_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(12))
    state: Mapped[str] = mapped_column(String(12), default="open")
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    cosigners: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class TopicSigner(Base):
    """A resident account co-signing a residents' topic (once: the primary key)."""

    __tablename__ = "topic_signer"

    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True, index=True)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TopicOrder(Base):
    """A work order a topic came from (five orders about the same lift make one topic)."""

    __tablename__ = "topic_order"

    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id"), primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), primary_key=True, index=True)


class TopicPost(Base):
    """One message of a topic's discussion thread."""

    __tablename__ = "topic_post"
    __table_args__ = (Index("ix_topic_post_topic_created", "topic_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TopicDocument(Base):
    """A document attached to a topic (a quote, a plan, a photo), stored by ``needs.uploads``."""

    __tablename__ = "topic_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(100))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Meeting(Timestamped, Base):
    """A meeting of a council: its agenda, who came, the minutes; quorum read on the day it is held."""

    __tablename__ = "council_meeting"
    __table_args__ = (Index("ix_council_meeting_council_starts", "council_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id"))
    title: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(12), default="planned")
    minutes: Mapped[str] = mapped_column(Text, default="")
    # The members on the day and those present, fixed when attendance is recorded.
    members_count: Mapped[int] = mapped_column(Integer, default=0)
    present_count: Mapped[int] = mapped_column(Integer, default=0)
    quorate: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class AgendaItem(Base):
    """A topic on a meeting's agenda, in order."""

    __tablename__ = "agenda_item"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("council_meeting.id"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class MeetingAttendance(Base):
    """A member present at a meeting."""

    __tablename__ = "meeting_attendance"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("council_meeting.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("council_member.id"), primary_key=True, index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Resolution(Timestamped, Base):
    """A motion on a topic put to the vote at a meeting, counted under the council's rule of the day."""

    __tablename__ = "resolution"
    __table_args__ = (Index("ix_resolution_topic", "topic_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("council_meeting.id"), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id"))
    text: Mapped[str] = mapped_column(Text)
    pass_rule: Mapped[str] = mapped_column(String(24))
    votes_for: Mapped[int] = mapped_column(Integer, default=0)
    votes_against: Mapped[int] = mapped_column(Integer, default=0)
    votes_abstain: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(12), default="pending")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Ballot(Base):
    """One present member's vote on a resolution (once: the primary key)."""

    __tablename__ = "ballot"
    __table_args__ = (CheckConstraint("choice IN ('for', 'against', 'abstain')", name="choice_known"),)

    resolution_id: Mapped[int] = mapped_column(ForeignKey("resolution.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("council_member.id"), primary_key=True, index=True)
    choice: Mapped[str] = mapped_column(String(8))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FollowUp(Timestamped, Base):
    """An action a decision asks for: an owner, a deadline, progress; it stays on the topic until done."""

    __tablename__ = "follow_up"
    __table_args__ = (
        Index("ix_follow_up_state_due", "state", "due_on"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id"), index=True)
    resolution_id: Mapped[int | None] = mapped_column(ForeignKey("resolution.id"))
    title: Mapped[str] = mapped_column(String(160))
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    owner_name: Mapped[str] = mapped_column(String(60), default="")
    due_on: Mapped[date] = mapped_column(Date)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(8), default="open")
    note: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set by the SLA tick the first time it finds the action late, so the owner is told once.
    late_since: Mapped[date | None] = mapped_column(Date)
