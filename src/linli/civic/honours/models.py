"""Honours (评选): a selection such as 五好先锋 — categories, nominations, votes, results.

A selection runs through its windows: nominating (residents nominate a neighbour with a reason; staff
check eligibility), voting, counting (the recount window, in which staff may correct a paper count) and
published (results, and separately the statistics, switched on by staff). Its state is read off the
dates and the switches, never stored.

One vote per voter per category: the voter is a household or a resident, as the selection's rule says,
written as ``voter_key`` (``h<household id>`` or ``r<resident id>``); a unique constraint on
(selection, category, voter_key) is the final guard against a second vote, also when two arrive at the
same moment. A paper vote taken by staff on a household's behalf uses the same key, so a household that
voted on paper cannot vote online.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linli.db.base import Base, Timestamped, UTCDateTime, utcnow

RULES = ("household", "resident")
STATES = ("upcoming", "nominating", "voting", "counting", "published")
# Who a category honours: a resident (好党员, 好邻居, 好志愿者), a household (好家庭) or a staff account (好网格员).
NOMINEE_KINDS = ("resident", "household", "user")
NOMINATION_STATES = ("pending", "eligible", "ineligible", "withdrawn")
CHANNELS = ("online", "paper")


class Selection(Timestamped, Base):
    """One selection of an area, its windows, its voting rule and its publication switches."""

    __tablename__ = "selection"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    rule: Mapped[str] = mapped_column(String(12), default="household")
    nominate_from: Mapped[date] = mapped_column(Date)
    nominate_until: Mapped[date] = mapped_column(Date)
    vote_from: Mapped[date] = mapped_column(Date)
    vote_until: Mapped[date] = mapped_column(Date)
    # Staff may correct paper counts until this day; results can be published only after it.
    recount_until: Mapped[date] = mapped_column(Date)
    results_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stats_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class SelectionCategory(Base):
    """A category of a selection (好邻居 …): who it honours and how many are chosen."""

    __tablename__ = "selection_category"
    __table_args__ = (UniqueConstraint("selection_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("selection.id"), index=True)
    code: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(40))
    nominee_kind: Mapped[str] = mapped_column(String(12), default="resident")
    winners: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Nomination(Base):
    """A nominee of a category, with who nominated them and why; checked for eligibility by staff.

    ``votes``, ``rank`` and ``winner`` are written when the results are published; while voting is open
    the counts are not kept anywhere a reader could see them.
    """

    __tablename__ = "nomination"
    __table_args__ = (
        UniqueConstraint("category_id", "resident_id"),
        UniqueConstraint("category_id", "household_id"),
        UniqueConstraint("category_id", "user_id"),
        Index("ix_nomination_selection_state", "selection_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("selection.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("selection_category.id"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The name shown on the ballot (a household as 张家, a person by name), written at nomination.
    display_name: Mapped[str] = mapped_column(String(60))
    # Where the nominee lives, in the nominator's words (residents cannot browse the registry), or the
    # linked household's address once staff link the nominee to a registry record.
    place: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(Text)
    nominated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    state: Mapped[str] = mapped_column(String(12), default="pending")
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    check_note: Mapped[str] = mapped_column(String(200), default="")
    votes: Mapped[int | None] = mapped_column(Integer)
    rank: Mapped[int | None] = mapped_column(Integer)
    winner: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SelectionVote(Base):
    """One vote in a category: online by a resident account, or on paper entered by staff (audited)."""

    __tablename__ = "selection_vote"
    __table_args__ = (
        UniqueConstraint("selection_id", "category_id", "voter_key", name="uq_selection_vote_one_per_voter"),
        Index("ix_selection_vote_nomination", "nomination_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(ForeignKey("selection.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("selection_category.id"))
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"))
    voter_key: Mapped[str] = mapped_column(String(24))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    channel: Mapped[str] = mapped_column(String(8), default="online")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
