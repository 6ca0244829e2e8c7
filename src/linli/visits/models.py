"""千户访: the visit policy, each household's rhythm, grid logs, their open items, and alerts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from linli.db.base import Base, Timestamped, UTCDateTime, utcnow

CHANNELS = ("phone", "message", "door")
# 急 / 难 / 烦: anything urgent, hard or troublesome raises an alert for the community at once.
URGENCIES = ("urgent", "hard", "troublesome")
CONDITIONS = ("tag", "close_care", "tagged", "min_age", "kind", "house_status", "care_grade", "everyone")
ALERT_KINDS = ("overdue_close_care", "urgent_log")


class VisitRule(Timestamped, Base):
    """One rule of a community's visit policy: households matching ``condition`` get a rhythm.

    ``condition`` is ``tag`` (a member carries the tag ``value``), ``close_care`` (a member carries a
    close-care tag), ``tagged`` (a member carries any tag), ``min_age`` (a member is ``value`` or
    older), ``kind`` (a member's registration kind is ``value``), ``house_status`` (the household's
    house has the status ``value``: a vacant house's check), ``care_grade`` (the household's 三色 grade
    is ``value``) or ``everyone``. Of every matching rule the smallest intervals win.
    """

    __tablename__ = "visit_rule"
    __table_args__ = (Index("ix_visit_rule_community_position", "community_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(60))
    condition: Mapped[str] = mapped_column(String(12))
    value: Mapped[str] = mapped_column(String(40), default="")
    contact_every_days: Mapped[int | None] = mapped_column(Integer)
    visit_every_days: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class HouseholdCadence(Timestamped, Base):
    """A household's own rhythm, set by staff with a reason; it wins over every rule."""

    __tablename__ = "household_cadence"

    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), primary_key=True)
    contact_every_days: Mapped[int | None] = mapped_column(Integer)
    visit_every_days: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class HouseholdRhythm(Base):
    """The projection the worklist reads: each household's intervals, last contact and visit, due dates.

    Written in the same transaction as every grid log, and recomputed when rules, tags, overrides or
    members change, so a worklist is one index range on ``(area_id, next_due_on)``. ``next_due_on`` is
    None while the household has no active members (moved out) or no rhythm.
    """

    __tablename__ = "household_rhythm"
    __table_args__ = (Index("ix_household_rhythm_area_due", "area_id", "next_due_on"),)

    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"))
    # The day the rhythm started: the household's registration, or the day it came back after a move-out.
    registered_on: Mapped[date] = mapped_column(Date)
    restarted_on: Mapped[date | None] = mapped_column(Date)
    stopped_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    contact_every: Mapped[int | None] = mapped_column(Integer)
    visit_every: Mapped[int | None] = mapped_column(Integer)
    care_weight: Mapped[int] = mapped_column(Integer, default=0)
    close_care: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why this rhythm, as data: ``tags:living_alone,very_old``, ``rule:<name>`` or ``override:<reason>``.
    basis: Mapped[str] = mapped_column(String(240), default="")
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("visit_rule.id"))
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_visit_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    contact_due_on: Mapped[date | None] = mapped_column(Date)
    visit_due_on: Mapped[date | None] = mapped_column(Date)
    next_due_on: Mapped[date | None] = mapped_column(Date)
    # When a member comes of an age a rule names, the rhythm is computed again.
    recheck_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class GridLog(Base):
    """A grid log 网格日志: one contact or visit, told as problem → action → result."""

    __tablename__ = "grid_log"
    __table_args__ = (
        Index("ix_grid_log_household_started", "household_id", "started_at", "channel"),
        # Covers the coverage figures: logs and minutes per grid and per author over a period.
        Index("ix_grid_log_area_started", "area_id", "started_at", "user_id", "duration_minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    channel: Mapped[str] = mapped_column(String(8))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(Integer, default=30)
    narrative: Mapped[str] = mapped_column(Text, default="")
    problem: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    urgency: Mapped[str] = mapped_column(String(12), default="")
    story: Mapped[str] = mapped_column(Text, default="")
    # Skills and willingness found, as they were written: [{"resident_id", "skills", "willing_to_help"}].
    skills_found: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)


class GridLogItem(Base):
    """A difficulty or need raised in a log: open on the household until a later log closes it.

    Shaped to become a need / work order (category, description, who) when the needs module lands.
    """

    __tablename__ = "grid_log_item"
    __table_args__ = (Index("ix_grid_log_item_household_status", "household_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"))
    category: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default="open")
    opened_by_log_id: Mapped[int] = mapped_column(ForeignKey("grid_log.id"), index=True)
    closed_by_log_id: Mapped[int | None] = mapped_column(ForeignKey("grid_log.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class GridLogNote(Base):
    """A note appended to a log once its 24-hour correction window has passed."""

    __tablename__ = "grid_log_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("grid_log.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class VisitAlert(Base):
    """An alert on the community's list: close care overdue past the grace, or an urgent log."""

    __tablename__ = "visit_alert"
    __table_args__ = (Index("ix_visit_alert_community_open", "community_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    log_id: Mapped[int | None] = mapped_column(ForeignKey("grid_log.id"))
    detail: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    resolution: Mapped[str] = mapped_column(Text, default="")
