"""Disputes (矛盾纠纷排查化解): the register of disputes found on visits or reported, and their mediation.

A dispute belongs to an area (its grid, or the community), has a kind, a summary, parties (residents of
the registry, or outside persons with a name and an encrypted phone), mediators (staff accounts),
mediation sessions, and one stated outcome: an agreement reached (调解成功, with its text) or a referral
(to the people's mediation committee 人民调解委员会, the police station 派出所, the court 法院). A follow-up
visit checks the outcome holds. It closes only once an outcome is stated.

States: registered → mediating (a session held) → agreed | referred (the outcome) → closed.
The parties' names are sensitive: ``disputes.access`` decides who reads them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from linli.db.base import Base, Timestamped, UTCDateTime, encrypted, utcnow

KINDS = ("neighbour", "family", "property", "tenancy", "labour", "other")
STATES = ("registered", "mediating", "agreed", "referred", "closed")
OPEN_STATES = ("registered", "mediating")
OUTCOMES = ("agreed", "referred")
REFERRALS = ("mediation_committee", "police", "court")
SOURCES = ("visit", "report")


class Dispute(Timestamped, Base):
    """One dispute: what it is about, where, its state and its stated outcome."""

    __tablename__ = "dispute"
    __table_args__ = (
        Index("ix_dispute_area_state", "area_id", "state"),
        CheckConstraint(
            "state <> 'closed' OR outcome IS NOT NULL",
            name="closed_with_outcome",
        ),
        CheckConstraint("outcome <> 'referred' OR referred_to IS NOT NULL", name="referral_named"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    kind: Mapped[str] = mapped_column(String(12))
    summary: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(8), default="report")
    # The visit it was found on (网格日志), when it was.
    grid_log_id: Mapped[int | None] = mapped_column(ForeignKey("grid_log.id"), index=True)
    found_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(12), default="registered")
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    outcome: Mapped[str | None] = mapped_column(String(12))
    agreement: Mapped[str] = mapped_column(Text, default="")
    referred_to: Mapped[str | None] = mapped_column(String(24))
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    follow_up_note: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class DisputeParty(Base):
    """A party: a resident of the registry, or an outside person with a name and a phone (encrypted)."""

    __tablename__ = "dispute_party"
    __table_args__ = (CheckConstraint("resident_id IS NOT NULL OR name <> ''", name="party_is_someone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("dispute.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    # An outside person's name (empty for a resident: the registry's name is read).
    name: Mapped[str] = mapped_column(String(60), default="")
    phone_enc: Mapped[str | None] = mapped_column(String(120), info=encrypted("phone_hash"))
    phone_hash: Mapped[str | None] = mapped_column(String(32), index=True)
    phone_tail: Mapped[str | None] = mapped_column(String(4))
    # Who the party is in the matter: 楼上住户, 房东, 业主 …
    role: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DisputeMediator(Base):
    """A staff account mediating a dispute (once: the primary key)."""

    __tablename__ = "dispute_mediator"

    dispute_id: Mapped[int] = mapped_column(ForeignKey("dispute.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Mediation(Base):
    """One mediation session: when, where, who came, what was said, how it ended."""

    __tablename__ = "dispute_mediation"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("dispute.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(100), default="")
    attendees: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
