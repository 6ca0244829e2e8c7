"""Matching through the API: a need's candidates, proposals, accepting them, and "why not this one"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from linli.matching import services
from linli.matching.schemas import AcceptIn, CandidateOut, DispatchToIn, Kind, ProposalIn, ProposalOut, WhyNotOut
from linli.web.deps import Access, Locale, SessionDep, current_scope

router = APIRouter(prefix="/api/v1", tags=["matching"], dependencies=[Depends(current_scope)])


@router.get("/needs/{need_id}/candidates", response_model=list[CandidateOut])
def candidates(
    need_id: int,
    scope: Access,
    session: SessionDep,
    locale: Locale,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[CandidateOut]:
    """Return the best volunteers, teams and resources for one need, best first, with their reasons."""
    return services.candidates(session, scope, need_id, locale, limit)


@router.post("/needs/{need_id}/dispatch-to", status_code=204)
def dispatch_to(need_id: int, data: DispatchToIn, scope: Access, session: SessionDep) -> None:
    """Dispatch one order to a candidate: a volunteer, a team or a resource."""
    services.dispatch_to(session, scope, need_id, data.kind, data.id, data.override)


@router.post("/matching/proposals", response_model=ProposalOut, status_code=201)
def propose(data: ProposalIn, scope: Access, session: SessionDep, locale: Locale) -> ProposalOut:
    """Solve the area's waiting orders at once: the assignment with the highest total score."""
    return services.propose(session, scope, data.area_id, locale)


@router.get("/matching/proposals/{proposal_id}", response_model=ProposalOut)
def proposal(proposal_id: int, scope: Access, session: SessionDep, locale: Locale) -> ProposalOut:
    """Return a proposal with its assignments and what it left unmatched."""
    return services.get_proposal(session, scope, proposal_id, locale)


@router.post("/matching/proposals/{proposal_id}/accept", response_model=ProposalOut)
def accept(proposal_id: int, data: AcceptIn, scope: Access, session: SessionDep, locale: Locale) -> ProposalOut:
    """Dispatch the chosen needs as proposed (skipping any dispatched meanwhile)."""
    return services.accept(session, scope, proposal_id, data.need_ids, locale)


@router.get("/matching/proposals/{proposal_id}/why-not", response_model=WhyNotOut)
def why_not(
    proposal_id: int,
    need_id: int,
    kind: Kind,
    supplier_id: int,
    scope: Access,
    session: SessionDep,
    locale: Locale,
) -> WhyNotOut:
    """Return why a candidate did not get a need in this proposal."""
    return services.why_not(session, scope, proposal_id, need_id, kind, supplier_id, locale)
