"""Grid events (网格事件): the two-level category dictionary with its stage limits, the events, their photos.

An event handled on the spot (自行处置) is closed when reported and has no work order. An event reported up
has one work order (``order_id``), and the order is the case: its state machine, its timeline and its SLA
clock are the work-order engine's (``linli.needs``). The event keeps only the stage it is in and the stage's
clock (``stage_started_at``, ``stage_yellow_at``, ``stage_due_at``), moved by a hook on every move of its
order, so lists filter by stage and colour in SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linli.db.base import Base, Timestamped, UTCDateTime

HANDLINGS = ("on_spot", "reported")
# The stages of a reported event (立案 派遣 处置 核查 结案), then where a case ends.
STAGES = ("register", "dispatch", "handle", "verify", "close")
STATES = (*STAGES, "closed", "dismissed", "suspended")
COLOURS = ("green", "yellow", "red")


class EventCategory(Timestamped, Base):
    """A category of event: a 大类 (``parent_id`` None) or a 小类 under one, with each stage's time limit.

    Limits are in working hours on the working-day calendar (a working day is 24 of them); a 小类's
    limits are its own (the shipped data fills them from its 大类 where it gives none). ``gbt_code`` is
    the GB/T 39666 code where one fits, else empty. Seeded from ``events/data/categories.json``; staff may
    change limits later, and codes are never deleted.
    """

    __tablename__ = "event_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("event_category.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(80), default="")
    gbt_code: Mapped[str] = mapped_column(String(20), default="")
    register_hours: Mapped[int] = mapped_column(Integer, default=24)
    dispatch_hours: Mapped[int] = mapped_column(Integer, default=24)
    handle_hours: Mapped[int] = mapped_column(Integer, default=120)
    verify_hours: Mapped[int] = mapped_column(Integer, default=48)
    close_hours: Mapped[int] = mapped_column(Integer, default=24)
    # A stage turns yellow once this share of its time is used (red at its deadline).
    yellow_percent: Mapped[int] = mapped_column(Integer, default=80)
    sort: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)


class GridEvent(Timestamped, Base):
    """One event a grid worker (or staff) saw and reported, where it was, and how it is being dealt with.

    The place is a building of the grid, or a point on the grid's sketch (``sketch_x``/``sketch_y``,
    fractions of its width and height), or neither; ``latitude``/``longitude`` are the reporter's
    location taken once, at the moment of the report, when they allowed it (never tracked).
    """

    __tablename__ = "grid_event"
    __table_args__ = (
        Index("ix_grid_event_area_state", "area_id", "state"),
        Index("ix_grid_event_category_created", "category_id", "created_at"),
        Index("ix_grid_event_reporter", "reported_by_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("event_category.id"))
    description: Mapped[str] = mapped_column(Text)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"), index=True)
    sketch_x: Mapped[float | None] = mapped_column(Float)
    sketch_y: Mapped[float | None] = mapped_column(Float)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(200), default="")
    handling: Mapped[str] = mapped_column(String(12))
    action_taken: Mapped[str] = mapped_column(Text, default="")
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reporter_name: Mapped[str] = mapped_column(String(60), default="")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_order.id"), unique=True)
    state: Mapped[str] = mapped_column(String(12))
    stage_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stage_yellow_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stage_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set once the case is closed: whether every stage kept its limit.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    late: Mapped[bool] = mapped_column(default=False)
    # Escalated past a level (越级): the level reached and the one skipped (copied, 抄送).
    skipped_level: Mapped[str] = mapped_column(String(12), default="")
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Others who saw the same thing and linked to this event instead of filing it again.
    seen_again: Mapped[int] = mapped_column(Integer, default=0)


class EventPhoto(Base):
    """A photo taken with the report, stored under ``upload_dir/events/<event id>/<name>``."""

    __tablename__ = "event_photo"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("grid_event.id"), index=True)
    name: Mapped[str] = mapped_column(String(48))
