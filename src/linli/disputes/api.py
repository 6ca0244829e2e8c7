"""The disputes through the API: the register, parties, mediators, sessions, outcome, follow-up, closing,
counts; and the grid's public notice with the fields it prints."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from linli.disputes import notice, services
from linli.disputes.schemas import (
    AreaNoticeIn,
    CloseIn,
    DisputeCounts,
    DisputeIn,
    DisputeOut,
    DisputePage,
    FollowUpIn,
    MediationIn,
    MediationOut,
    MediatorsIn,
    NoticeOut,
    OutcomeIn,
    PartyIn,
    PartyOut,
    WorkPhoneIn,
    WorkPhoneOut,
)
from linli.web.deps import Access, SessionDep, current_scope

router = APIRouter(prefix="/api/v1", tags=["disputes"], dependencies=[Depends(current_scope)])


@router.post("/disputes", response_model=DisputeOut, status_code=201)
def register_dispute(data: DisputeIn, scope: Access, session: SessionDep) -> DisputeOut:
    """Register a dispute found on a visit (``grid_log_id``) or reported, with its parties."""
    return services.register_dispute(session, scope, data)


@router.get("/disputes", response_model=DisputePage)
def disputes(
    scope: Access,
    session: SessionDep,
    state: Annotated[str | None, Query(pattern="^(open|registered|mediating|agreed|referred|closed)$")] = None,
    kind: Annotated[str | None, Query(pattern="^(neighbour|family|property|tenancy|labour|other)$")] = None,
    area_id: Annotated[int | None, Query(ge=1, le=2**62, description="That area and every area below it")] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> DisputePage:
    """List the register the caller sees, newest first, with counts by state; no row names a party."""
    f = services.DisputeFilter(state=state, kind=kind, area_id=area_id)
    return services.list_disputes(session, scope, f, page, page_size)


@router.get("/disputes/counts", response_model=DisputeCounts)
def dispute_counts(scope: Access, session: SessionDep, area_id: Annotated[int, Query(ge=1, le=2**62)]) -> DisputeCounts:
    """Count an area's disputes (registered, agreed, referred, open, closed); names never."""
    return services.count_disputes(session, scope, area_id)


@router.get("/disputes/{dispute_id}", response_model=DisputeOut)
def dispute(dispute_id: int, scope: Access, session: SessionDep) -> DisputeOut:
    """Return one dispute; its parties only for its mediators and the register's readers (audited)."""
    return services.get_dispute(session, scope, dispute_id)


@router.get("/disputes/{dispute_id}/parties", response_model=list[PartyOut])
def parties(dispute_id: int, scope: Access, session: SessionDep) -> list[PartyOut]:
    """Return the parties, phones masked; 403 for those who may only know the dispute exists."""
    return services.list_parties(session, scope, dispute_id)


@router.post("/disputes/{dispute_id}/parties", response_model=PartyOut, status_code=201)
def add_party(dispute_id: int, data: PartyIn, scope: Access, session: SessionDep) -> PartyOut:
    """Add a party: a resident of the registry or an outside person (name, phone)."""
    return services.add_party(session, scope, dispute_id, data)


@router.delete("/disputes/{dispute_id}/parties/{party_id}", status_code=204)
def remove_party(dispute_id: int, party_id: int, scope: Access, session: SessionDep) -> Response:
    """Remove a party entered by mistake."""
    services.remove_party(session, scope, dispute_id, party_id)
    return Response(status_code=204)


@router.put("/disputes/{dispute_id}/mediators", response_model=DisputeOut)
def set_mediators(dispute_id: int, data: MediatorsIn, scope: Access, session: SessionDep) -> DisputeOut:
    """Name the dispute's mediators (staff accounts of its community); those who keep the register."""
    return services.set_mediators(session, scope, dispute_id, data.user_ids)


@router.get("/disputes/{dispute_id}/mediations", response_model=list[MediationOut])
def mediations(dispute_id: int, scope: Access, session: SessionDep) -> list[MediationOut]:
    """Return the mediation sessions, oldest first."""
    return services.list_mediations(session, scope, dispute_id)


@router.post("/disputes/{dispute_id}/mediations", response_model=MediationOut, status_code=201)
def record_mediation(dispute_id: int, data: MediationIn, scope: Access, session: SessionDep) -> MediationOut:
    """Record a mediation session held; the first one moves the dispute to ``mediating``."""
    return services.record_mediation(session, scope, dispute_id, data)


@router.post("/disputes/{dispute_id}/outcome", response_model=DisputeOut)
def state_outcome(dispute_id: int, data: OutcomeIn, scope: Access, session: SessionDep) -> DisputeOut:
    """State the outcome: ``agreed`` (with the agreement's text) or ``referred`` (and where to)."""
    return services.state_outcome(session, scope, dispute_id, data)


@router.post("/disputes/{dispute_id}/follow-up", response_model=DisputeOut)
def follow_up(dispute_id: int, data: FollowUpIn, scope: Access, session: SessionDep) -> DisputeOut:
    """Record the follow-up visit after the outcome."""
    return services.record_follow_up(session, scope, dispute_id, data)


@router.post("/disputes/{dispute_id}/close", response_model=DisputeOut)
def close(dispute_id: int, scope: Access, session: SessionDep, data: CloseIn | None = None) -> DisputeOut:
    """Close the dispute: only with a stated outcome (stated before, or given here); 409 otherwise."""
    return services.close_dispute(session, scope, dispute_id, data or CloseIn())


# ---- the grid's public notice --------------------------------------------------------------------


@router.get("/grids/{grid_id}/notice", response_model=NoticeOut)
def grid_notice(grid_id: int, scope: Access, session: SessionDep) -> NoticeOut:
    """Return what a grid's public notice prints: name, boundary, workers' work phones, supervision phone."""
    return notice.grid_notice(session, scope, grid_id)


@router.patch("/areas/{area_id}/notice")
def set_area_notice(area_id: int, data: AreaNoticeIn, scope: Access, session: SessionDep) -> dict[str, Any]:
    """Change a grid's boundary text (staff) or a community's supervision phone (secretary)."""
    return notice.set_area_notice(session, scope, area_id, data)


@router.get("/users/{user_id}/work-phone", response_model=WorkPhoneOut)
def work_phone(user_id: int, scope: Access, session: SessionDep) -> WorkPhoneOut:
    """Return an account's work phone (its holder, or user managers where the holder works)."""
    return notice.get_work_phone(session, scope, user_id)


@router.put("/users/{user_id}/work-phone", response_model=WorkPhoneOut)
def set_work_phone(user_id: int, data: WorkPhoneIn, scope: Access, session: SessionDep) -> WorkPhoneOut:
    """Set an account's work phone, printed on the grid's notice (never the personal phone)."""
    return notice.set_work_phone(session, scope, user_id, data.work_phone)
