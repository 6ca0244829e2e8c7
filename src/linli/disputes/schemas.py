"""The disputes' shapes in and out of the API.

A dispute read by someone who may not see the parties' names (``names_shown`` false) carries its parties
as a count only (``parties`` empty, ``party_count`` set); the mediation sessions' attendees and notes, and
the agreement's text, name people too and are left out the same way.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Kind = Literal["neighbour", "family", "property", "tenancy", "labour", "other"]
State = Literal["registered", "mediating", "agreed", "referred", "closed"]
Outcome = Literal["agreed", "referred"]
Referral = Literal["mediation_committee", "police", "court"]


class PartyIn(BaseModel):
    """A party: a resident of the registry (``resident_id``), or an outside person (``name``, ``phone``)."""

    model_config = ConfigDict(extra="forbid")

    resident_id: int | None = Field(default=None, ge=1, le=2**62)
    name: str = Field(default="", max_length=60)
    phone: str | None = Field(default=None, max_length=30)
    role: str = Field(default="", max_length=60)

    @model_validator(mode="after")
    def someone(self) -> PartyIn:
        if self.resident_id is None and not self.name.strip():
            raise ValueError("a party is a resident (resident_id) or an outside person (name)")
        return self


class DisputeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    area_id: int = Field(ge=1, le=2**62, description="The grid (or community) the dispute belongs to")
    kind: Kind
    summary: str = Field(min_length=1, max_length=4000)
    grid_log_id: int | None = Field(default=None, ge=1, le=2**62, description="The visit it was found on")
    found_on: date | None = None
    parties: list[PartyIn] = Field(default_factory=list, max_length=20)
    mediator_ids: list[int] = Field(default_factory=list, max_length=10)


class MediatorsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_ids: list[int] = Field(max_length=10)


class MediationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    held_on: date
    place: str = Field(default="", max_length=100)
    attendees: str = Field(default="", max_length=2000)
    notes: str = Field(default="", max_length=8000)
    result: str = Field(default="", max_length=2000)


class OutcomeIn(BaseModel):
    """The outcome: ``agreed`` with the agreement's text, or ``referred`` with where to."""

    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    agreement: str = Field(default="", max_length=8000)
    referred_to: Referral | None = None
    note: str = Field(default="", max_length=2000)
    version: int | None = None


class CloseIn(BaseModel):
    """Closing: the outcome may be stated here when it was not before; without one, closing is refused."""

    model_config = ConfigDict(extra="forbid")

    outcome: OutcomeIn | None = None
    version: int | None = None


class FollowUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    visited_on: date
    note: str = Field(min_length=1, max_length=4000)


class PartyOut(BaseModel):
    id: int
    resident_id: int | None
    name: str
    phone: str | None  # masked
    role: str


class MediatorOut(BaseModel):
    user_id: int
    name: str


class MediationOut(BaseModel):
    id: int
    held_on: date
    place: str
    attendees: str
    notes: str
    result: str
    recorded_by: str | None


class DisputeOut(BaseModel):
    id: int
    area_id: int
    area: str
    kind: Kind
    summary: str
    source: str
    grid_log_id: int | None
    found_on: date
    state: State
    outcome: Outcome | None
    agreement: str
    referred_to: Referral | None
    outcome_note: str
    outcome_at: datetime | None
    follow_up_on: date | None
    follow_up_note: str
    closed_at: datetime | None
    registered_by: str | None
    created_at: datetime
    version: int
    names_shown: bool
    party_count: int
    parties: list[PartyOut]
    mediators: list[MediatorOut]
    mediations: list[MediationOut]
    mediation_count: int
    # What the reader may do with it.
    may_mediate: bool
    may_manage: bool


class DisputeRow(BaseModel):
    """A dispute in the register's list: never the parties' names, for anyone."""

    id: int
    area_id: int
    area: str
    kind: Kind
    summary: str
    state: State
    found_on: date
    party_count: int
    mediation_count: int
    mine: bool


class DisputePage(BaseModel):
    items: list[DisputeRow]
    total: int
    page: int
    page_size: int
    total_capped: bool = False
    counts: dict[str, int]


class DisputeCounts(BaseModel):
    """Counts only (supervisors, dashboards): registered in all, agreed, referred, open."""

    area_id: int
    registered: int
    agreed: int
    referred: int
    open: int
    closed: int


# ---- the grid's public notice (网格公示) -----------------------------------------------------------


class NoticeWorker(BaseModel):
    user_id: int
    name: str
    work_phone: str | None  # as printed: 13912345678, 0592-1234567


class NoticeOut(BaseModel):
    grid_id: int
    grid: str
    grid_code: str
    community_id: int
    community: str
    community_code: str
    boundary: str
    workers: list[NoticeWorker]
    supervision_phone: str | None
    ask_path: str  # the public request form, /ask?community=<code>


class AreaNoticeIn(BaseModel):
    """A grid's boundary text; a community's supervision phone (empty: none). A field left out keeps its value."""

    model_config = ConfigDict(extra="forbid")

    boundary: str | None = Field(default=None, max_length=1000)
    supervision_phone: str | None = Field(default=None, max_length=30)


class WorkPhoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    work_phone: str | None = Field(default=None, max_length=30, description="Empty or null removes it")


class WorkPhoneOut(BaseModel):
    user_id: int
    work_phone: str | None
