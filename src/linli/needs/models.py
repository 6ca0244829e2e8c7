"""Needs and work orders (需求/工单): the catalogue, the calendar, teams, orders, their timeline, notifications."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from linli.db.base import Base, Timestamped, UTCDateTime, encrypted, utcnow

SOURCES = ("visit", "resident", "staff", "hotline", "event")  # event: a grid event reported up (linli.events)
RATINGS = ("satisfied", "basic", "dissatisfied")
# The states in which the deadline clock runs: from dispatch until the handler reports back.
CLOCK_STATES = ("dispatched", "handling", "extended", "supervised", "rework", "returned")
# Escalation levels reached when an order slips: 0 the grid that owns it, then the community, the street;
# the district only by a late grid event escalated past the street (越级, ``linli.events.escalation``).
ESCALATION_LEVELS = ("grid", "community", "street", "district")


class ServiceCategory(Timestamped, Base):
    """A kind of help asked for (电脑教学, 维修服务 …). Staff add, rename and retire them; never deleted."""

    __tablename__ = "need_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(60), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort: Mapped[int] = mapped_column(Integer, default=0)


class UrgencyLevel(Timestamped, Base):
    """How soon an order is due once dispatched, and how long past due before it climbs a level.

    ``unit`` is ``hours`` (on the clock), ``working_hours``, ``working_days`` or ``days``.
    """

    __tablename__ = "need_urgency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(20))
    name_en: Mapped[str] = mapped_column(String(40), default="")
    amount: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(16))
    # Hours past the deadline before the community, then the street, is alerted.
    community_after_hours: Mapped[int] = mapped_column(Integer, default=24)
    street_after_hours: Mapped[int] = mapped_column(Integer, default=72)
    sort: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CalendarDay(Base):
    """A day that breaks the Monday–Friday rule: a public ``holiday`` or a swapped weekend ``workday`` (调休)."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(40), default="")


class Team(Timestamped, Base):
    """A service team (百事帮服务队, 天使服务队 …) an order can be assigned to.

    ``area_id`` is where the team belongs; ``TeamArea`` lists the further areas it covers (a team may
    serve several communities), ``TeamCategory`` the service categories it offers.
    """

    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class TeamMember(Base):
    __tablename__ = "team_member"

    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True, index=True)
    leader: Mapped[bool] = mapped_column(Boolean, default=False)


class TeamCategory(Base):
    """A service category a team offers."""

    __tablename__ = "team_category"

    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("need_category.id"), primary_key=True, index=True)


class TeamArea(Base):
    """An area a team covers besides its own (its area and everything below it)."""

    __tablename__ = "team_area"

    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), primary_key=True, index=True)


class WorkOrder(Timestamped, Base):
    """A need that someone owns, with a deadline, a state, and at the end the resident's rating.

    ``area_id`` is the grid (or the community, for a request not yet placed in a grid). ``version``
    refuses a change made on a stale read. ``grid_log_item_id`` points at the visit's open item it came
    from (no foreign key: that table belongs to another migration branch).
    """

    __tablename__ = "work_order"
    __table_args__ = (
        Index("ix_work_order_area_state_due", "area_id", "state", "due_at"),
        Index("ix_work_order_area_created", "area_id", "created_at"),
        Index("ix_work_order_assignee_state", "assignee_user_id", "state"),
        Index("ix_work_order_team_state", "assignee_team_id", "state"),
        Index("ix_work_order_household_category", "household_id", "category_id", "created_at"),
        # The tick reads only orders whose clock runs: a small part of the table, by deadline.
        Index(
            "ix_work_order_running_due",
            "due_at",
            postgresql_where=text(f"state IN {CLOCK_STATES!r}"),
            sqlite_where=text(f"state IN {CLOCK_STATES!r}"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("need_category.id"))
    urgency_id: Mapped[int] = mapped_column(ForeignKey("need_urgency.id"))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(12))
    hotline_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    grid_log_item_id: Mapped[int | None] = mapped_column(ForeignKey("grid_log_item.id"), unique=True)
    tracking_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    # When the help is wanted (a visit on Saturday morning): matching reads availability at this time.
    wanted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    requester_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    requester_name: Mapped[str] = mapped_column(String(60), default="")
    requester_phone_enc: Mapped[str | None] = mapped_column(String(120), info=encrypted("requester_phone_hash"))
    requester_phone_hash: Mapped[str | None] = mapped_column(String(32), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("work_order.id"))

    state: Mapped[str] = mapped_column(String(16), default="received")
    # The state a suspended order goes back to.
    resume_state: Mapped[str | None] = mapped_column(String(16))
    assignee_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    assignee_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    dispatched_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    supervised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    # A handler's pending request for more time, until a dispatcher approves or refuses it.
    extension_requested_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rework_count: Mapped[int] = mapped_column(Integer, default=0)

    rating: Mapped[str | None] = mapped_column(String(16))
    rating_comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class WorkOrderEvent(Base):
    """One line of an order's timeline: a transition, a progress note (with a photo), an escalation."""

    __tablename__ = "work_order_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor: Mapped[str] = mapped_column(String(60), default="")
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str] = mapped_column(String(16), default="")
    to_state: Mapped[str] = mapped_column(String(16), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    photo: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Notification(Base):
    """A message for one user (an overdue order, an escalation), read or not."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # What happened (``notify.MESSAGES``) and to which order, shown in the reader's language; ``text``
    # is the Chinese line, all that rows written before 0007 have.
    kind: Mapped[str] = mapped_column(String(24), default="", server_default="")
    subject: Mapped[str] = mapped_column(String(200), default="", server_default="")
    text: Mapped[str] = mapped_column(String(300))
    link: Mapped[str] = mapped_column(String(200), default="")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_order.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
