"""Complaints about an institution (投诉): work orders linked to it, from which an inspection may start.

The order stays in the needs module (its lifecycle, deadline and rating); the link only says which
institution it is about. An inspection started from a complaint carries its ``order_id``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.permissions import INSPECT, Scope
from linli.audit import services as audit
from linli.db.engine import transaction
from linli.errors import Conflict, NotFound
from linli.institutions import access
from linli.institutions.models import Inspection, InstitutionComplaint
from linli.institutions.schemas import MAX_ID, ComplaintOut
from linli.needs import access as needs_access
from linli.needs.models import WorkOrder


def link_complaint(session: Session, scope: Scope, institution_id: int, order_id: int) -> ComplaintOut:
    """Return the complaint made of a work order the caller sees, about an institution they inspect.

    An order they cannot see is ``NotFound``; one already linked to this institution is a conflict.
    """
    with transaction(session):
        reached = access.load(session, scope, institution_id, INSPECT)
        if not 0 < order_id <= MAX_ID:
            raise NotFound("need")
        order, _, _ = needs_access.load(session, needs_access.Actor.of(session, scope), order_id)
        if session.get(InstitutionComplaint, (reached.institution.id, order.id)) is not None:
            raise Conflict(
                "institution.complaint_linked", "This order is already a complaint about this institution.", "order_id"
            )
        session.add(InstitutionComplaint(institution_id=reached.institution.id, order_id=order.id))
        audit.record_by(
            session,
            scope,
            "institution.complaint",
            entity="institution",
            entity_id=reached.institution.id,
            area_id=reached.resource.area_id,
            changes={"order_id": [None, order.id]},
        )
        session.flush()
        return ComplaintOut(
            order_id=order.id, title=order.title, state=order.state, created_at=order.created_at, inspection_ids=[]
        )


def complaints_of(session: Session, scope: Scope, institution_id: int) -> list[ComplaintOut]:
    """Return the complaints about an institution the caller sees, newest first."""
    access.load(session, scope, institution_id)
    return complaints(session, institution_id)


def complaints(session: Session, institution_id: int) -> list[ComplaintOut]:
    """Return the complaints about an institution already reached, with the inspections they started (two queries)."""
    orders = session.execute(
        select(WorkOrder.id, WorkOrder.title, WorkOrder.state, WorkOrder.created_at)
        .join(InstitutionComplaint, InstitutionComplaint.order_id == WorkOrder.id)
        .where(InstitutionComplaint.institution_id == institution_id)
        .order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc())
    ).all()
    started: dict[int, list[int]] = {}
    if orders:
        for inspection_id, order_id in session.execute(
            select(Inspection.id, Inspection.order_id)
            .where(Inspection.institution_id == institution_id, Inspection.order_id.in_([o[0] for o in orders]))
            .order_by(Inspection.id)
        ):
            started.setdefault(order_id or 0, []).append(inspection_id)
    return [
        ComplaintOut(order_id=i, title=title, state=state, created_at=at, inspection_ids=started.get(i, []))
        for i, title, state, at in orders
    ]
