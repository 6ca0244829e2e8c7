"""Matching in and out: candidates with reasons, proposals with assignments and the needs left unmatched."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Kind = Literal["volunteer", "team", "resource"]


class CandidateOut(BaseModel):
    kind: Kind
    id: int
    name: str
    score: float
    reasons: list[str]


class DispatchToIn(BaseModel):
    kind: Kind
    id: int
    override: bool = False


class ProposalIn(BaseModel):
    area_id: int


class AcceptIn(BaseModel):
    need_ids: list[int] = Field(min_length=1, max_length=10_000)


class AssignmentOut(BaseModel):
    need_id: int
    kind: str
    id: int
    score: float
    reasons: list[str]
    state: str
    note: str


class ProposalOut(BaseModel):
    id: int
    area_id: int
    created_at: datetime
    method: str
    objective: float
    greedy_objective: float
    assignments: list[AssignmentOut]
    unmatched: list[int]
    unmatched_reasons: dict[int, str]


class WhyNotOut(BaseModel):
    need_id: int
    kind: str
    id: int
    score: float | None
    code: Literal["not_candidate", "chosen", "unmatched", "outscored"]
    answer: str
