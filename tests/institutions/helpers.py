"""Institutions, checklists and inspections built by the real services, as plain functions with overrides."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.institutions import checklists, inspections, services
from linli.institutions.models import Finding, Inspection, InspectionTemplate, Institution
from linli.institutions.schemas import InspectionIn, InspectionOut, InstitutionIn, InstitutionOut
from linli.lib import clock
from linli.resources.models import Resource
from tests.factories import World, scope_of

# The default checklist's scored items: weights 3, 2, 2, 2 (score, top 10), 1, 1.
PASSING = {
    "fire_exits": "pass",
    "food_hygiene": "pass",
    "staff_qualifications": "pass",
    "pupil_teacher_ratio": 10.0,
    "licence_displayed": "pass",
    "insurance": "pass",
}


def make_institution(session: Session, area_id: int, username: str = "secretary", **overrides: Any) -> InstitutionOut:
    """Return a new tutoring institution of ``area_id`` kept by ``username`` (the community's secretary by default)."""
    data: dict[str, Any] = {
        "area_id": area_id,
        "name": "阳光托管中心",
        "owner": "厦门阳光教育咨询有限公司",
        "address": "图强路 12 号二楼",
        "contact_name": "林老师",
        "contact_phone": "13912345678",
        "capacity": 40,
        "kind": "tutoring",
        "licence_no": "思教民 350203001",
        "licence_valid_until": date(clock.today().year + 2, 6, 30),
    }
    data.update(overrides)
    return services.create_institution(session, scope_of(session, username), InstitutionIn(**data))


def template_id(session: Session) -> int:
    """Return the id of the default tutoring safety checklist (seeded when missing)."""
    checklists.seed_templates(session)
    found = session.scalar(select(InspectionTemplate.id).where(InspectionTemplate.code == "tutoring_safety"))
    assert found is not None
    return found


def results(**changes: Any) -> list[dict[str, Any]]:
    """Return the default checklist's results: all passed, but for ``changes`` (an outcome, or a score)."""
    out = []
    for code, value in {**PASSING, **changes}.items():
        if isinstance(value, float | int) and not isinstance(value, bool):
            out.append({"item_code": code, "score": float(value)})
        elif isinstance(value, tuple):
            out.append({"item_code": code, "outcome": value[0], "note": value[1]})
        else:
            out.append({"item_code": code, "outcome": value})
    return out


def inspect(
    session: Session,
    institution_id: int,
    username: str = "grid1",
    on: date | None = None,
    **fields: Any,
) -> InspectionOut:
    """Return an inspection of the institution recorded by ``username`` (also its inspector) with ``results``."""
    scope = scope_of(session, username)
    data: dict[str, Any] = {
        "institution_id": institution_id,
        "template_id": template_id(session),
        "inspected_on": on or clock.today(),
        "inspector_user_ids": [scope.user_id],
        "results": results(),
    }
    data.update(fields)
    return inspections.record_inspection(session, scope, InspectionIn(**data))


def grid1_institution(db: Session, world: World) -> int:
    """Return an institution of grid 1 (its contact phone ends in 5678, a secret of grid 1 on the route walk)."""
    existing = db.scalar(
        select(Institution.id)
        .join(Resource, Resource.id == Institution.resource_id)
        .where(Resource.area_id == world.grid1.id)
    )
    return existing or make_institution(db, world.grid1.id).id


def grid1_inspection(db: Session, world: World) -> int:
    """Return an inspection of grid 1's institution that failed its fire exits (so it opened a finding)."""
    institution = grid1_institution(db, world)
    existing = db.scalar(select(Inspection.id).where(Inspection.institution_id == institution).limit(1))
    return existing or inspect(db, institution, results=results(fire_exits=("fail", "3号楼 301 堆放杂物"))).id


def grid1_finding(db: Session, world: World) -> int:
    inspection = grid1_inspection(db, world)
    found = db.scalar(select(Finding.id).where(Finding.inspection_id == inspection))
    assert found is not None
    return found


def grid1_template(db: Session, world: World) -> int:
    return template_id(db)
