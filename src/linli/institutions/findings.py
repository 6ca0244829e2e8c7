"""Findings (整改事项): failed items to put right by a day; listed, and marked overdue by the SLA tick.

``mark_overdue`` joins ``needs.escalation.ALSO`` when the package is imported: in the tick's transaction
it marks the open findings past their day (Asia/Shanghai), tells the institution's handler (or else the
community's secretaries), and counts them. Guarded by ``overdue`` false → true, so a second tick changes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, insert, or_, select, update
from sqlalchemy.orm import Session

from linli.accounts.models import Assignment
from linli.accounts.permissions import INSTITUTION_READ, Scope, path_under
from linli.areas.models import Area
from linli.areas.services import area_labels
from linli.audit import services as audit
from linli.db.paging import capped_count
from linli.errors import NotFound
from linli.i18n import translate
from linli.institutions import access
from linli.institutions.models import Finding, Inspection, InspectionTemplate, Institution
from linli.institutions.schemas import MAX_ID, FindingOut, FindingPage
from linli.institutions.services import area_path
from linli.lib import clock
from linli.needs.models import Notification
from linli.resources.models import Resource

FINDING_STATES = ("open", "closed", "overdue")
NOTIFY_KIND = "finding_overdue"
NOTIFY_MESSAGES = {NOTIFY_KIND: "Rectification overdue at {institution}: {item}"}
AUDIT_IDS = 1000


@dataclass(frozen=True)
class FindingFilter:
    """``state`` open, closed or overdue (open past its day); None for all."""

    state: str | None = "open"
    area_id: int | None = None
    institution_id: int | None = None


def _late(today: Any) -> ColumnElement[bool]:
    return and_(Finding.status == "open", or_(Finding.overdue.is_(True), Finding.due_on < today))


def _filtered(session: Session, scope: Scope, f: FindingFilter) -> Select[Any]:
    query = _rows().where(scope.filter(INSTITUTION_READ, Resource.area_id))
    if f.area_id is not None:
        path = area_path(session, scope, f.area_id)
        query = query.where(Resource.area_id.in_(select(Area.id).where(path_under(Area.path, path))))
    if f.institution_id is not None:
        query = query.where(Finding.institution_id == f.institution_id)
    if f.state == "open":
        query = query.where(Finding.status == "open")
    elif f.state == "closed":
        query = query.where(Finding.status == "closed")
    elif f.state == "overdue":
        query = query.where(_late(clock.today()))
    return query


def list_findings(session: Session, scope: Scope, f: FindingFilter, page: int = 1, page_size: int = 20) -> FindingPage:
    """Return one page of the findings in the caller's reach, soonest due first (three queries)."""
    scope.require(INSTITUTION_READ)
    query = _filtered(session, scope, f)
    total, capped = capped_count(session, query.with_only_columns(Finding.id))
    rows = session.execute(
        query.order_by(Finding.due_on, Finding.id).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return FindingPage(items=present(session, rows), total=total, page=page, page_size=page_size, total_capped=capped)


def present(session: Session, rows: Any) -> list[FindingOut]:
    """Return findings as shown, from rows of (finding, institution name, area, inspected on, checklist items)."""
    rows = list(rows)
    areas = area_labels(session, [r[2] for r in rows])
    today = clock.today()
    shown = []
    for finding, name, area_id, inspected_on, items in rows:
        item: dict[str, Any] = next((i for i in items or [] if i.get("code") == finding.item_code), {})
        shown.append(
            FindingOut(
                id=finding.id,
                institution_id=finding.institution_id,
                institution=name,
                area_id=area_id,
                area=areas.get(area_id, ""),
                inspection_id=finding.inspection_id,
                inspected_on=inspected_on,
                item_code=finding.item_code,
                item_text=item.get("text", finding.item_code),
                item_text_en=item.get("text_en", ""),
                text=finding.text,
                due_on=finding.due_on,
                status=finding.status,
                overdue=finding.status == "open" and (finding.overdue or finding.due_on < today),
                closed_by_id=finding.closed_by_id,
                closed_at=finding.closed_at,
            )
        )
    return shown


def _rows() -> Select[Any]:
    return (
        select(Finding, Resource.name, Resource.area_id, Inspection.inspected_on, InspectionTemplate.items)
        .join(Institution, Institution.id == Finding.institution_id)
        .join(Resource, Resource.id == Institution.resource_id)
        .join(Inspection, Inspection.id == Finding.inspection_id)
        .join(InspectionTemplate, InspectionTemplate.id == Inspection.template_id)
    )


def open_findings(session: Session, institution_id: int) -> list[FindingOut]:
    """Return the open findings of an institution the caller has reached, soonest due first (two queries)."""
    query = _rows().where(Finding.institution_id == institution_id, Finding.status == "open")
    return present(session, session.execute(query.order_by(Finding.due_on, Finding.id)).all())


def of_inspection(session: Session, inspection_id: int) -> list[FindingOut]:
    """Return the findings an inspection the caller has reached opened or closed (two queries)."""
    query = _rows().where(or_(Finding.inspection_id == inspection_id, Finding.closed_by_id == inspection_id))
    return present(session, session.execute(query.order_by(Finding.id)).all())


def get_finding(session: Session, scope: Scope, finding_id: int) -> FindingOut:
    """Return one finding of an institution the caller sees, or raise ``NotFound``."""
    finding = session.get(Finding, finding_id) if 0 < finding_id <= MAX_ID else None
    if finding is None:
        raise NotFound("finding")
    try:
        access.load(session, scope, finding.institution_id)
    except NotFound:
        raise NotFound("finding") from None
    page = _filtered(session, scope, FindingFilter(state=None)).where(Finding.id == finding_id)
    return present(session, session.execute(page).all())[0]


# ---- the tick -------------------------------------------------------------------------------


def mark_overdue(session: Session, now: datetime) -> dict[str, int]:
    """Return ``{"institution.findings_overdue": n}``: the open findings newly past their day, now marked.

    Runs in the SLA tick's transaction (``needs.escalation.ALSO``). Each is told to the institution's
    handler, or when it has none to the secretaries of its community; a second run finds nothing to do.
    """
    today = clock.local_date(now)
    marked = session.execute(
        update(Finding)
        .where(Finding.status == "open", Finding.overdue.is_(False), Finding.due_on < today)
        .values(overdue=True)
        .returning(Finding.id, Finding.institution_id, Finding.item_code, Finding.inspection_id)
        .execution_options(synchronize_session=False)
    ).all()
    if marked:
        _tell(session, marked, now)
        audit.record(
            session,
            "institution.findings_overdue",
            username="system",
            entity="finding",
            changes={"overdue": [None, sorted(i for i, _, _, _ in marked)[:AUDIT_IDS]]},
        )
    return {"institution.findings_overdue": len(marked)}


def _tell(session: Session, marked: Any, now: datetime) -> None:
    """Write one notification per finding and person told, in bulk (three queries and an insert)."""
    ids = sorted({institution for _, institution, _, _ in marked})
    checklists: dict[int, list[dict[str, Any]]] = dict(
        session.execute(
            select(Inspection.id, InspectionTemplate.items)
            .join(InspectionTemplate, InspectionTemplate.id == Inspection.template_id)
            .where(Inspection.id.in_({inspection for _, _, _, inspection in marked}))
        ).all()
    )
    places = {
        i: (name, handler, path)
        for i, name, handler, path in session.execute(
            select(Institution.id, Resource.name, Resource.handler_user_id, Area.path)
            .join(Resource, Resource.id == Institution.resource_id)
            .join(Area, Area.id == Resource.area_id)
            .where(Institution.id.in_(ids))
        )
    }
    communities = sorted({access.community_path(path) for _, _, path in places.values()})
    secretaries: dict[str, set[int]] = {}
    for path, user_id in session.execute(
        select(Area.path, Assignment.user_id)
        .join(Assignment, Assignment.area_id == Area.id)
        .where(Area.path.in_(communities), Assignment.role == "secretary")
    ):
        secretaries.setdefault(path, set()).add(user_id)
    rows: list[dict[str, Any]] = []
    for _, institution_id, item_code, inspection_id in marked:
        name, handler, path = places[institution_id]
        people = {handler} if handler else secretaries.get(access.community_path(path), set())
        items = checklists.get(inspection_id) or []
        item = next((i.get("text", item_code) for i in items if i.get("code") == item_code), item_code)
        text = translate(NOTIFY_MESSAGES[NOTIFY_KIND], "zh").format(institution=name, item=item)
        rows += [
            {
                "user_id": user,
                "kind": NOTIFY_KIND,
                "subject": name[:200],
                "text": text[:300],
                "link": f"/institutions/{institution_id}",
                "order_id": None,
                "created_at": now,
            }
            for user in sorted(people)
        ]
    if rows:
        session.execute(insert(Notification), rows)
