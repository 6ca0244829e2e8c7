"""Volunteers (志愿者档案): who offers what, when, where and how much; their tasks and hours served.

A volunteer is a resident of the registry who said yes (``consent_at``); an account is optional. The
counters on ``Volunteer`` (tasks invited, accepted, declined, missed, done; hours; ratings; the last
task) are kept by the services in the same transaction as the event they count, so matching reads one
row per volunteer at district scale instead of aggregating their history.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from linli.db.base import Base, Timestamped, UTCDateTime, utcnow

STATUSES = ("active", "paused", "left")
# A task offered to a volunteer: invited → accepted | declined; accepted → done | no_show; withdrawn
# when the order goes elsewhere before an answer.
TASK_STATES = ("invited", "accepted", "declined", "no_show", "done", "withdrawn")
OPEN_TASK_STATES = ("invited", "accepted")


class Volunteer(Timestamped, Base):
    """One resident's volunteer profile. ``area_id`` is their home grid; ``VolunteerArea`` what they serve."""

    __tablename__ = "volunteer"
    __table_args__ = (Index("ix_volunteer_area_status", "area_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), unique=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    profession: Mapped[str] = mapped_column(String(60), default="")
    # Canonical skill codes (linli.lib.skills), from the profession, the resident record, grid logs and staff.
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    skills_text: Mapped[str] = mapped_column(Text, default="")
    load_limit: Mapped[int] = mapped_column(Integer, default=2)
    status: Mapped[str] = mapped_column(String(8), default="active")
    # The resident's yes, and how it was given (签字的登记表, 本人在手机上确认 …); no profile without it.
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    consent_note: Mapped[str] = mapped_column(String(200), default="")
    consent_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    notes: Mapped[str] = mapped_column(Text, default="")

    invited: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    declined: Mapped[int] = mapped_column(Integer, default=0)
    no_shows: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    open_tasks: Mapped[int] = mapped_column(Integer, default=0)
    hours_served: Mapped[float] = mapped_column(Float, default=0.0)
    # Ratings of the orders they handled: satisfied 1, basic 0.5, dissatisfied 0.
    rating_count: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[float] = mapped_column(Float, default=0.0)
    last_task_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class VolunteerCategory(Base):
    """A service category a volunteer offers."""

    __tablename__ = "volunteer_category"

    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("need_category.id"), primary_key=True, index=True)


class VolunteerArea(Base):
    """An area a volunteer serves (that area and everything below it)."""

    __tablename__ = "volunteer_area"

    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), primary_key=True, index=True)


class Availability(Base):
    """A weekly time slot a volunteer is free: ``weekday`` 0 Monday … 6 Sunday, minutes after midnight."""

    __tablename__ = "volunteer_availability"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)


class Away(Base):
    """Dates a volunteer is away (both days included)."""

    __tablename__ = "volunteer_away"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")


class Qualification(Timestamped, Base):
    """A qualification that matters (执业医师证, 急救证): who confirmed it, and until when it counts."""

    __tablename__ = "volunteer_qualification"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    number: Mapped[str] = mapped_column(String(60), default="")
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_on: Mapped[date | None] = mapped_column(Date)


class VolunteerTask(Base):
    """A work order offered to a volunteer, and what became of it (one row per volunteer and order).

    ``starts_at``/``ends_at`` is the time it holds them (two tasks of one volunteer never overlap unless
    staff overrode it, audited).
    """

    __tablename__ = "volunteer_task"
    __table_args__ = (
        UniqueConstraint("volunteer_id", "order_id"),
        Index("ix_volunteer_task_volunteer_state", "volunteer_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), default="invited")
    reason: Mapped[str] = mapped_column(String(500), default="")
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overlap_override: Mapped[bool] = mapped_column(Boolean, default=False)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ServiceHours(Base):
    """Hours of service (志愿服务时长): as scheduled and as served; staff additions are marked."""

    __tablename__ = "volunteer_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_order.id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("standing_service.id"))
    day: Mapped[date] = mapped_column(Date)
    scheduled_hours: Mapped[float] = mapped_column(Float, default=0.0)
    served_hours: Mapped[float] = mapped_column(Float)
    by_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StandingService(Timestamped, Base):
    """A standing offer with a schedule (常态服务): the doctor's monthly 骨科义诊, the chef's birthday dinners.

    ``schedule`` is ``weekly:<weekday 0-6>`` or ``monthly:<day 1-28>``, with ``start_minute``/``end_minute``.
    """

    __tablename__ = "standing_service"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("need_category.id"))
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    schedule: Mapped[str] = mapped_column(String(20))
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer, default=10)
    place: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ServiceSignup(Base):
    """A household signed up for one session of a standing service."""

    __tablename__ = "standing_service_signup"
    __table_args__ = (UniqueConstraint("service_id", "household_id", "session_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("standing_service.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    session_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
