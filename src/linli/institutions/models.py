"""Institutions and their inspections (托教机构检查): licences, templates as data, inspections, findings.

An institution is a resource of kind ``institution`` (one model of a resource: its name, area, address,
contact and capacity live there); ``Institution`` adds what oversight needs: its kind, licence and status.
Failed items of an inspection become findings with a rectification deadline; a follow-up inspection
closes them or keeps them open; the SLA tick marks the overdue ones.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linli.db.base import Base, Timestamped, UTCDateTime, utcnow

KINDS = ("tutoring", "childcare", "training", "elderly_care", "other")
STATUSES = ("operating", "suspended", "closed")
ITEM_TYPES = ("pass_fail", "score", "note")
OUTCOMES = ("pass", "fail", "na")
FINDING_STATES = ("open", "closed")


class Institution(Timestamped, Base):
    """The oversight record of an institution; ``resource_id`` is the institution as a resource."""

    __tablename__ = "institution"
    __table_args__ = (Index("ix_institution_licence_until", "licence_valid_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    licence_no: Mapped[str] = mapped_column(String(60), default="")
    licence_valid_until: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="operating")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class InspectionTemplate(Timestamped, Base):
    """A checklist as data. ``items``: [{"code", "text", "text_en", "type", "weight", "max_score"}]."""

    __tablename__ = "inspection_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(16), default="")  # the institution kind it is for; "" any
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Inspection(Base):
    """One inspection of an institution on a day, scored by its template's weights."""

    __tablename__ = "inspection"
    __table_args__ = (Index("ix_inspection_institution_on", "institution_id", "inspected_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    template_id: Mapped[int] = mapped_column(ForeignKey("inspection_template.id"))
    inspected_on: Mapped[date] = mapped_column(Date, index=True)
    # Weighted score of the scored and pass/fail items, out of 100.
    score: Mapped[float] = mapped_column(Float, default=0.0)
    follow_up_of_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))
    # The complaint (a work order) that started it, if any.
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_order.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class InspectionInspector(Base):
    """Who inspected: a staff account or a volunteer (one of the two)."""

    __tablename__ = "inspection_inspector"
    __table_args__ = (UniqueConstraint("inspection_id", "user_id", "volunteer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer.id"))


class InspectionResult(Base):
    """The result of one template item in one inspection."""

    __tablename__ = "inspection_result"

    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), primary_key=True)
    item_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(8), default="pass")
    score: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")


class InspectionPhoto(Base):
    """A photo taken at an inspection, stored under the upload folder by a name linli made."""

    __tablename__ = "inspection_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Finding(Base):
    """A failed item to put right by ``due_on``; closed by a follow-up inspection that finds it passed."""

    __tablename__ = "finding"
    __table_args__ = (
        Index("ix_finding_institution_status", "institution_id", "status"),
        Index("ix_finding_status_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"))
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"))
    item_code: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="open")
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class InstitutionComplaint(Base):
    """A work order (a parent's complaint) about an institution."""

    __tablename__ = "institution_complaint"

    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), primary_key=True, index=True)
