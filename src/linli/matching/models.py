"""Match proposals: the best assignment of an area's open needs to volunteers, teams and resources.

A proposal keeps what it was solved from (``inputs``: every admissible pair's score, every supplier's
capacity, the weights and the minimum), so the same answer can be reproduced later and a "why not"
question answered from it; each assignment keeps its score's reasons in words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from linli.db.base import Base, UTCDateTime, utcnow

SUPPLIER_KINDS = ("volunteer", "team", "resource")
ITEM_STATES = ("proposed", "accepted", "skipped")


class Proposal(Base):
    __tablename__ = "match_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    method: Mapped[str] = mapped_column(String(40))
    objective: Mapped[float] = mapped_column(Float)
    greedy_objective: Mapped[float] = mapped_column(Float)
    needs_count: Mapped[int] = mapped_column(Integer)
    # {"weights": …, "minimum": …, "needs": [order ids], "suppliers": [[kind, id, capacity]]}; read only to
    # reproduce the proposal or answer "why not", so not loaded with it.
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    # Every admissible pair (need index, supplier index, score) as a compressed numpy archive
    # (``matching.inputs``): a street's batch has a million pairs, 12 MB of JSON but ~4 MB this way.
    pairs: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    # {need id: reason code} for every need left unmatched.
    unmatched: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class ProposalItem(Base):
    """One proposed pairing; ``state`` says whether staff accepted it or it was skipped (and why)."""

    __tablename__ = "match_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("match_proposal.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"))
    kind: Mapped[str] = mapped_column(String(12))
    supplier_id: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(10), default="proposed")
    note: Mapped[str] = mapped_column(String(200), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
