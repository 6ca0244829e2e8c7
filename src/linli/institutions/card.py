"""An institution's card (机构档案): itself, inspections, open findings, complaints; the inspection form's choices."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from linli.accounts.permissions import INSPECT, Scope
from linli.institutions import access, checklists, complaints, findings, inspections, services
from linli.institutions.schemas import (
    ComplaintOut,
    FindingOut,
    InspectionRow,
    InstitutionDetail,
    InstitutionOut,
    TemplateOut,
)


def institution_detail(session: Session, scope: Scope, institution_id: int) -> InstitutionDetail:
    """Return the card of an institution in the caller's reach, or raise ``NotFound``.

    Inspections newest first (the last 50); open findings soonest due first. A fixed number of queries.
    """
    reached = access.load(session, scope, institution_id)
    return InstitutionDetail(
        institution=services.present(session, [(reached.institution, reached.resource)])[0],
        inspections=inspections.inspection_rows(session, reached.institution.id),
        findings=findings.open_findings(session, reached.institution.id),
        complaints=complaints.complaints(session, reached.institution.id),
    )


@dataclass(frozen=True)
class InspectionForm:
    """What the inspection form offers for one institution: checklists, inspectors, earlier inspections, complaints."""

    institution: InstitutionOut
    templates: list[TemplateOut]
    users: list[tuple[int, str, str]]
    volunteers: list[tuple[int, str, str]]
    inspections: list[InspectionRow]
    findings: list[FindingOut]
    complaints: list[ComplaintOut]


def inspection_form(session: Session, scope: Scope, institution_id: int) -> InspectionForm:
    """Return the choices of the inspection form for an institution the caller inspects, or raise.

    Outside their area it is ``NotFound``; where they only read (a supervisor) it is ``Forbidden``.
    """
    reached = access.load(session, scope, institution_id, INSPECT)
    users, volunteers = inspections.inspector_choices(session, scope, institution_id)
    return InspectionForm(
        institution=services.present(session, [(reached.institution, reached.resource)])[0],
        templates=checklists.list_templates(session, scope),
        users=users,
        volunteers=volunteers,
        inspections=inspections.inspection_rows(session, reached.institution.id),
        findings=findings.open_findings(session, reached.institution.id),
        complaints=complaints.complaints(session, reached.institution.id),
    )
