"""Checklists (检查模板): templates as data, listed, kept, and the default tutoring safety check seeded.

Items are ``{"code", "text", "text_en", "type", "weight", "max_score"}``. Checklists serve every area, so
reading one needs the right to see institutions anywhere and keeping one the right to keep them. An item
used by a recorded inspection stays: it may be reworded, not removed or given another type.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from linli.accounts.permissions import INSTITUTION_MANAGE, INSTITUTION_READ, Scope
from linli.audit import services as audit
from linli.db.engine import transaction
from linli.errors import Conflict, NotFound, ValidationErrors
from linli.institutions.models import Inspection, InspectionResult, InspectionTemplate
from linli.institutions.schemas import MAX_ID, DefaultsOut, TemplateIn, TemplateItem, TemplateOut, TemplateUpdate
from linli.institutions.validation import check_template, clean_items
from linli.needs.models import ServiceCategory

# The service category of a parent's complaint about an institution: none of the 12 of the catalogue fits.
COMPLAINT_CATEGORY = ("institution_complaint", "托教机构投诉", "Complaint about a tutoring institution")

TUTORING_SAFETY: dict[str, Any] = {
    "code": "tutoring_safety",
    "name": "托教机构安全检查",
    "name_en": "Tutoring institution safety check",
    "kind": "tutoring",
    "items": [
        {
            "code": "fire_exits",
            "text": "消防通道畅通，灭火器在有效期内",
            "text_en": "Fire exits clear, extinguishers in date",
            "type": "pass_fail",
            "weight": 3,
        },
        {
            "code": "food_hygiene",
            "text": "食品卫生（供餐的查看食品经营许可和留样）",
            "text_en": "Food hygiene (where meals are served: food licence and kept samples)",
            "type": "pass_fail",
            "weight": 2,
        },
        {
            "code": "staff_qualifications",
            "text": "教师资质（教师资格证、健康证、无犯罪记录证明）",
            "text_en": "Staff qualifications (teaching certificate, health certificate, clean record)",
            "type": "pass_fail",
            "weight": 2,
        },
        {
            "code": "pupil_teacher_ratio",
            "text": "师生比（每名教师看护不超过 15 名学生为满分）",
            "text_en": "Pupil-to-teacher ratio (full marks at 15 pupils or fewer a teacher)",
            "type": "score",
            "weight": 2,
            "max_score": 10,
        },
        {
            "code": "licence_displayed",
            "text": "证照公示（营业执照、办学许可在显著位置公示）",
            "text_en": "Licences displayed where parents can see them",
            "type": "pass_fail",
            "weight": 1,
        },
        {
            "code": "insurance",
            "text": "保险（学生意外伤害险、场所责任险在保期内）",
            "text_en": "Insurance (pupils' accident cover, public liability) in force",
            "type": "pass_fail",
            "weight": 1,
        },
        {
            "code": "remarks",
            "text": "其他情况说明",
            "text_en": "Other remarks",
            "type": "note",
            "weight": 0,
        },
    ],
}

DEFAULT_TEMPLATES = (TUTORING_SAFETY,)


# ---- reading --------------------------------------------------------------------------------


def out(template: InspectionTemplate) -> TemplateOut:
    return TemplateOut(
        id=template.id,
        code=template.code,
        name=template.name,
        name_en=template.name_en,
        kind=template.kind,
        items=[TemplateItem(**item) for item in template.items],
        active=template.active,
        version=template.version,
    )


def list_templates(session: Session, scope: Scope, include_retired: bool = False) -> list[TemplateOut]:
    """Return the checklists, active ones first, by name."""
    scope.require(INSTITUTION_READ)
    query = select(InspectionTemplate)
    if not include_retired:
        query = query.where(InspectionTemplate.active.is_(True))
    rows = session.scalars(
        query.order_by(InspectionTemplate.active.desc(), InspectionTemplate.name, InspectionTemplate.id)
    )
    return [out(t) for t in rows]


def get_template(session: Session, scope: Scope, template_id: int) -> TemplateOut:
    """Return one checklist, or raise ``NotFound``."""
    scope.require(INSTITUTION_READ)
    template = session.get(InspectionTemplate, template_id) if 0 < template_id <= MAX_ID else None
    if template is None:
        raise NotFound("template")
    return out(template)


# ---- writing --------------------------------------------------------------------------------


def _audit(session: Session, scope: Scope, action: str, template: InspectionTemplate, changes: Any) -> None:
    audit.record_by(session, scope, action, entity="inspection_template", entity_id=template.id, changes=changes)


def _snapshot(template: InspectionTemplate) -> dict[str, Any]:
    return {
        "code": template.code,
        "name": template.name,
        "name_en": template.name_en,
        "kind": template.kind,
        "items": template.items,
        "active": template.active,
    }


def create_template(session: Session, scope: Scope, data: TemplateIn) -> TemplateOut:
    """Return a new checklist; refuses a taken code and bad items (codes, types, weights), every reason at once."""
    scope.require(INSTITUTION_MANAGE)
    given = data.model_dump()
    with transaction(session):
        errors = check_template(given)
        if errors:
            raise ValidationErrors(errors)
        if session.scalar(select(InspectionTemplate.id).where(InspectionTemplate.code == data.code)):
            raise Conflict("template.code_taken", "A checklist with code {code} exists.", "code", code=data.code)
        template = InspectionTemplate(
            code=data.code,
            name=data.name,
            name_en=data.name_en,
            kind=data.kind,
            items=clean_items(given["items"]),
            active=data.active,
        )
        session.add(template)
        session.flush()
        _audit(session, scope, "inspection_template.create", template, audit.diff({}, _snapshot(template)))
        return out(template)


def _used_items(session: Session, template_id: int) -> set[str]:
    """Return the codes of the items a recorded inspection of this checklist has a result for."""
    return set(
        session.scalars(
            select(InspectionResult.item_code)
            .join(Inspection, Inspection.id == InspectionResult.inspection_id)
            .where(Inspection.template_id == template_id)
            .distinct()
        )
    )


def update_template(session: Session, scope: Scope, template_id: int, data: TemplateUpdate) -> TemplateOut:
    """Return the checklist changed; a stale ``version`` is a conflict, and so is removing an item in use."""
    scope.require(INSTITUTION_MANAGE)
    given = {k: v for k, v in data.model_dump(exclude_unset=True, exclude={"version"}).items() if v is not None}
    try:
        with transaction(session):
            template = session.get(InspectionTemplate, template_id) if 0 < template_id <= MAX_ID else None
            if template is None:
                raise NotFound("template")
            if template.version != data.version:
                raise _stale()
            errors = check_template(given)
            if errors:
                raise ValidationErrors(errors)
            before = _snapshot(template)
            if "items" in given:
                items = clean_items(given["items"])
                kinds = {i["code"]: i["type"] for i in items}
                was = {i["code"]: i["type"] for i in template.items}
                lost = sorted(c for c in _used_items(session, template.id) if kinds.get(c) != was.get(c))
                if lost:
                    raise Conflict(
                        "template.item_in_use",
                        "Items used by recorded inspections cannot be removed or change type: {items}.",
                        "items",
                        items=", ".join(lost),
                    )
                template.items = items
            for name in ("name", "name_en", "kind", "active"):
                if name in given:
                    setattr(template, name, given[name])
            changes = audit.diff(before, _snapshot(template))
            if changes:
                session.flush()
                _audit(session, scope, "inspection_template.update", template, changes)
            return out(template)
    except StaleDataError:
        raise _stale() from None


def _stale() -> Conflict:
    return Conflict(
        "template.stale", "Someone else changed this checklist meanwhile; reload it and try again.", "version"
    )


def _add_templates(session: Session) -> list[str]:
    """Add the default checklists whose code is missing, in the caller's transaction; return their codes."""
    have = set(session.scalars(select(InspectionTemplate.code)))
    added = []
    for spec in DEFAULT_TEMPLATES:
        if spec["code"] not in have:
            session.add(InspectionTemplate(**{**spec, "items": clean_items(spec["items"])}))
            added.append(spec["code"])
    return added


def seed_templates(session: Session) -> list[str]:
    """Return the codes of the default checklists added; idempotent (a checklist staff changed stays as it is)."""
    with transaction(session):
        added = _add_templates(session)
        if added:
            audit.record(session, "inspection_template.seed", username="system", changes={"templates": [None, added]})
    return added


def install_defaults(session: Session, scope: Scope) -> DefaultsOut:
    """Return what was added of the defaults: the tutoring safety checklist and the complaint category.

    Idempotent. The category lets a parent's complaint about an institution be filed as a work order of
    its own kind (the catalogue's 12 categories are the help neighbours give one another).
    """
    scope.require(INSTITUTION_MANAGE)
    with transaction(session):
        added = _add_templates(session)
        code, name, name_en = COMPLAINT_CATEGORY
        category = None
        if session.scalar(select(ServiceCategory.id).where(ServiceCategory.code == code)) is None:
            last = session.scalar(select(ServiceCategory.sort).order_by(ServiceCategory.sort.desc()).limit(1))
            session.add(ServiceCategory(code=code, name=name, name_en=name_en, sort=(last or 0) + 1))
            category = code
        if added or category:
            audit.record_by(
                session,
                scope,
                "institution.defaults",
                entity="inspection_template",
                entity_id="",
                changes={"templates": [None, added], "category": [None, category]},
            )
    return DefaultsOut(templates=added, category=category)
