"""Institutions (托教机构) through the API: institutions, checklists, inspections with photos, findings, figures."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import FileResponse

from linli.institutions import card, checklists, complaints, figures, findings, inspections, services
from linli.institutions.schemas import (
    MAX_ID,
    ComplaintIn,
    ComplaintOut,
    DefaultsOut,
    FiguresOut,
    FindingOut,
    FindingPage,
    InspectionIn,
    InspectionOut,
    InstitutionDetail,
    InstitutionIn,
    InstitutionOut,
    InstitutionPage,
    InstitutionUpdate,
    TemplateIn,
    TemplateOut,
    TemplateUpdate,
)
from linli.lib import clock
from linli.needs import uploads
from linli.web.deps import Access, SessionDep, current_scope

router = APIRouter(prefix="/api/v1/institutions", tags=["institutions"], dependencies=[Depends(current_scope)])
inspections_router = APIRouter(
    prefix="/api/v1/inspections", tags=["institutions"], dependencies=[Depends(current_scope)]
)
templates_router = APIRouter(
    prefix="/api/v1/inspection-templates", tags=["institutions"], dependencies=[Depends(current_scope)]
)
findings_router = APIRouter(prefix="/api/v1/findings", tags=["institutions"], dependencies=[Depends(current_scope)])

KIND = "^(tutoring|childcare|training|elderly_care|other)$"
Id = Annotated[int, Query(ge=1, le=MAX_ID)]
Page = Annotated[int, Query(ge=1, le=100000)]
PageSize = Annotated[int, Query(ge=1, le=200)]


# ---- institutions ---------------------------------------------------------------------------


@router.get("", response_model=InstitutionPage)
def institutions(
    scope: Access,
    session: SessionDep,
    q: Annotated[str, Query(max_length=40, description="Part of the name, operator or licence number")] = "",
    area_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="That area and every area below it")] = None,
    kind: Annotated[str | None, Query(pattern=KIND)] = None,
    status: Annotated[str | None, Query(pattern="^(operating|suspended|closed)$")] = None,
    expiring: Annotated[bool, Query(description="Licence expired or running out within 30 days")] = False,
    open_findings: Annotated[bool, Query(description="With a finding still to put right")] = False,
    page: Page = 1,
    page_size: PageSize = 20,
) -> InstitutionPage:
    """Search and list the institutions of the caller's areas, paged."""
    f = services.InstitutionFilter(
        q=q, area_id=area_id, kind=kind, status=status, expiring=expiring, open_findings=open_findings
    )
    return services.list_institutions(session, scope, f, page, page_size)


@router.post("", response_model=InstitutionOut, status_code=201)
def create_institution(data: InstitutionIn, scope: Access, session: SessionDep) -> InstitutionOut:
    """Add an institution with its resource (or over an existing resource of kind institution)."""
    return services.create_institution(session, scope, data)


@router.get("/licence-warnings", response_model=InstitutionPage)
def licence_warnings(
    scope: Access,
    session: SessionDep,
    area_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    page: Page = 1,
) -> InstitutionPage:
    """Return the licences expired or running out within 30 days, soonest first."""
    return services.licence_warnings(session, scope, area_id, page)


@router.get("/figures", response_model=FiguresOut)
def institution_figures(
    scope: Access,
    session: SessionDep,
    area_id: Id,
    date_from: date | None = None,
    date_to: date | None = None,
) -> FiguresOut:
    """Return an area's institutions inspected in a period (this year by default), findings open and late, by grid."""
    today = clock.today()
    return figures.figures(session, scope, area_id, date_from or today.replace(month=1, day=1), date_to or today)


@router.get("/{institution_id}", response_model=InstitutionOut)
def institution(institution_id: int, scope: Access, session: SessionDep) -> InstitutionOut:
    """Return one institution, its contact phone masked."""
    return services.get_institution(session, scope, institution_id)


@router.get("/{institution_id}/card", response_model=InstitutionDetail)
def institution_card(institution_id: int, scope: Access, session: SessionDep) -> InstitutionDetail:
    """Return an institution with its inspections, open findings and complaints."""
    return card.institution_detail(session, scope, institution_id)


@router.patch("/{institution_id}", response_model=InstitutionOut)
def update_institution(
    institution_id: int, data: InstitutionUpdate, scope: Access, session: SessionDep
) -> InstitutionOut:
    """Change an institution (and its resource); send the ``version`` you read."""
    return services.update_institution(session, scope, institution_id, data)


@router.get("/{institution_id}/complaints", response_model=list[ComplaintOut])
def institution_complaints(institution_id: int, scope: Access, session: SessionDep) -> list[ComplaintOut]:
    """Return the work orders linked to the institution as complaints, newest first."""
    return complaints.complaints_of(session, scope, institution_id)


@router.post("/{institution_id}/complaints", response_model=ComplaintOut, status_code=201)
def link_complaint(institution_id: int, data: ComplaintIn, scope: Access, session: SessionDep) -> ComplaintOut:
    """Link a work order to the institution as a complaint about it."""
    return complaints.link_complaint(session, scope, institution_id, data.order_id)


# ---- inspections ----------------------------------------------------------------------------


@inspections_router.post("", response_model=InspectionOut, status_code=201)
def record_inspection(data: InspectionIn, scope: Access, session: SessionDep) -> InspectionOut:
    """Record an inspection: scored, its failed items made findings, a follow-up's passes closing them."""
    return inspections.record_inspection(session, scope, data)


@inspections_router.get("/{inspection_id}", response_model=InspectionOut)
def inspection(inspection_id: int, scope: Access, session: SessionDep) -> InspectionOut:
    """Return one inspection with its results, inspectors, photos and findings."""
    return inspections.get_inspection(session, scope, inspection_id)


@inspections_router.post("/{inspection_id}/photos", response_model=InspectionOut, status_code=201)
async def add_photo(
    inspection_id: int,
    scope: Access,
    session: SessionDep,
    photo: Annotated[UploadFile, File(description="JPEG, PNG or WebP, up to 5 MB")],
) -> InspectionOut:
    """Add a photo taken at the inspection."""
    content = await photo.read(uploads.MAX_BYTES + 1)
    return inspections.add_photo(session, scope, inspection_id, content)


@inspections_router.get("/{inspection_id}/photos/{photo_name}", response_class=FileResponse)
def photo(inspection_id: int, photo_name: str, scope: Access, session: SessionDep) -> FileResponse:
    """Return a photo taken at an inspection."""
    path, media_type = inspections.photo_of(session, scope, inspection_id, photo_name)
    return FileResponse(path, media_type=media_type, headers={"cache-control": "private, no-store"})


# ---- findings -------------------------------------------------------------------------------


@findings_router.get("", response_model=FindingPage)
def finding_list(
    scope: Access,
    session: SessionDep,
    state: Annotated[str, Query(pattern="^(open|closed|overdue|all)$")] = "open",
    area_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    institution_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    page: Page = 1,
    page_size: PageSize = 20,
) -> FindingPage:
    """Return the findings of the caller's areas, soonest due first: open, closed, overdue or all."""
    f = findings.FindingFilter(state=None if state == "all" else state, area_id=area_id, institution_id=institution_id)
    return findings.list_findings(session, scope, f, page, page_size)


@findings_router.get("/{finding_id}", response_model=FindingOut)
def finding(finding_id: int, scope: Access, session: SessionDep) -> FindingOut:
    """Return one finding."""
    return findings.get_finding(session, scope, finding_id)


# ---- checklists -----------------------------------------------------------------------------


@templates_router.get("", response_model=list[TemplateOut])
def templates(scope: Access, session: SessionDep, include_retired: bool = False) -> list[TemplateOut]:
    """Return the inspection checklists."""
    return checklists.list_templates(session, scope, include_retired)


@templates_router.post("", response_model=TemplateOut, status_code=201)
def create_template(data: TemplateIn, scope: Access, session: SessionDep) -> TemplateOut:
    """Add a checklist: items with unique codes, a type, a weight and (score items) a top score."""
    return checklists.create_template(session, scope, data)


@templates_router.post("/defaults", response_model=DefaultsOut)
def install_defaults(scope: Access, session: SessionDep) -> DefaultsOut:
    """Add what is missing of the defaults: the tutoring safety checklist and the complaint category."""
    return checklists.install_defaults(session, scope)


@templates_router.patch("/{template_id}", response_model=TemplateOut)
def update_template(template_id: int, data: TemplateUpdate, scope: Access, session: SessionDep) -> TemplateOut:
    """Change a checklist; send the ``version`` you read. Items used by inspections stay."""
    return checklists.update_template(session, scope, template_id, data)
