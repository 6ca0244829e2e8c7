"""Resources (资源): a skill, a venue, an institution, equipment, a business, a member unit's offer.

The source counts "56 resources on hand" for one community; a resource answers needs of the
categories it serves, within its capacity (per week, or at once), while it is valid.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linli.db.base import Base, Timestamped, UTCDateTime, encrypted, utcnow

KINDS = ("skill", "venue", "institution", "equipment", "business", "member_unit")
CAPACITY_UNITS = ("week", "once")


class Resource(Timestamped, Base):
    """One resource of an area. ``handler_user_id`` takes the orders it meets (the unit's liaison, staff)."""

    __tablename__ = "resource"
    __table_args__ = (Index("ix_resource_area_active", "area_id", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    owner: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    contact_name: Mapped[str] = mapped_column(String(60), default="")
    contact_phone_enc: Mapped[str | None] = mapped_column(String(120), info=encrypted("contact_phone_hash"))
    contact_phone_hash: Mapped[str | None] = mapped_column(String(32), index=True)
    contact_phone_tail: Mapped[str | None] = mapped_column(String(4))
    handler_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    capacity_unit: Mapped[str] = mapped_column(String(8), default="week")
    # Weekly opening hours: [{"weekday": 0-6, "start": minutes, "end": minutes}]; empty means any time.
    opening_hours: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    valid_until: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ResourceCategory(Base):
    """A service category a resource serves."""

    __tablename__ = "resource_category"

    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id"), primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("need_category.id"), primary_key=True, index=True)


class ResourceUse(Base):
    """A work order met by a resource; open uses count against its capacity."""

    __tablename__ = "resource_use"
    __table_args__ = (
        UniqueConstraint("order_id"),
        Index("ix_resource_use_resource_at", "resource_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
