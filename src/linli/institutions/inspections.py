"""Inspections (检查): recorded against a checklist, scored, their failed items made findings, photos kept.

A failed item becomes a finding due ``rectify_days`` after the inspection (the item's own days when its
checklist gives them), unless that item already has an open finding: it stays open, not duplicated. A
follow-up inspection (``follow_up_of_id``) closes every open finding of the institution whose item passes now.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, case, func, literal, or_, select
from sqlalchemy.orm import Session

from linli.accounts.models import Assignment, User
from linli.accounts.permissions import CAPABILITIES, INSPECT, Scope, path_under
from linli.areas.models import Area
from linli.audit import services as audit
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import DomainError, Invalid, NotFound, ValidationErrors
from linli.institutions import access, findings, photos, scoring
from linli.institutions.models import (
    Finding,
    Inspection,
    InspectionInspector,
    InspectionPhoto,
    InspectionResult,
    InspectionTemplate,
    InstitutionComplaint,
)
from linli.institutions.schemas import MAX_ID, InspectionIn, InspectionOut, InspectionRow, InspectorOut, ResultOut
from linli.institutions.validation import check_results
from linli.lib import clock
from linli.registry.models import Resident
from linli.runtime import settings_of
from linli.volunteers.models import Volunteer
from linli.volunteers.services import user_names, volunteer_names

MAX_PHOTOS = 12
INSPECTOR_ROLES = tuple(role for role, caps in CAPABILITIES.items() if INSPECT in caps)


def _in_bounds(value: int | None) -> bool:
    return value is not None and 0 < value <= MAX_ID


def _inspectors(session: Session, path: str, user_ids: list[int], volunteer_ids: list[int]) -> list[DomainError]:
    """Return the problem of inspectors who are not of the institution's community (or inspect nowhere near it)."""
    if not user_ids and not volunteer_ids:
        return [Invalid("inspection.inspector_required", "Name at least one inspector.", "inspectors")]
    community = access.community_path(path)
    users = [i for i in user_ids if _in_bounds(i)]
    volunteers = [i for i in volunteer_ids if _in_bounds(i)]
    known_users = (
        set(
            session.scalars(
                select(Assignment.user_id)
                .join(User, User.id == Assignment.user_id)
                .join(Area, Area.id == Assignment.area_id)
                .where(
                    User.id.in_(users),
                    User.active.is_(True),
                    Assignment.role.in_(INSPECTOR_ROLES),
                    or_(literal(path).startswith(Area.path), path_under(Area.path, community)),
                )
            )
        )
        if users
        else set()
    )
    known_volunteers = (
        set(
            session.scalars(
                select(Volunteer.id)
                .join(Area, Area.id == Volunteer.area_id)
                .where(Volunteer.id.in_(volunteers), Volunteer.status == "active", path_under(Area.path, community))
            )
        )
        if volunteers
        else set()
    )
    unknown = [str(i) for i in user_ids if i not in known_users] + [
        f"v{i}" for i in volunteer_ids if i not in known_volunteers
    ]
    if unknown:
        return [
            Invalid(
                "inspection.unknown_inspector",
                "Unknown inspector, or not one of this community: {ids}.",
                "inspectors",
                ids=", ".join(unknown[:10]),
            )
        ]
    return []


def record_inspection(session: Session, scope: Scope, data: InspectionIn) -> InspectionOut:
    """Return the inspection recorded: scored, its failed items made findings, a follow-up's passes closing them.

    Refuses a retired checklist, a day to come, results that do not fit the checklist, inspectors from
    elsewhere, a follow-up of another institution's inspection and an order that is not a complaint about
    this institution, every reason at once.
    """
    with transaction(session):
        reached = access.load(session, scope, data.institution_id, INSPECT)
        institution = reached.institution
        template = session.get(InspectionTemplate, data.template_id) if _in_bounds(data.template_id) else None
        if template is None:
            raise NotFound("template")
        errors: list[DomainError] = []
        if not template.active:
            errors.append(Invalid("inspection.template_retired", "This checklist is retired.", "template_id"))
        if data.inspected_on > clock.today():
            errors.append(
                Invalid("inspection.future", "An inspection cannot be recorded for a day to come.", "inspected_on")
            )
        results, problems = check_results(template.items, [r.model_dump() for r in data.results])
        errors += problems
        users, volunteers = sorted(set(data.inspector_user_ids)), sorted(set(data.inspector_volunteer_ids))
        errors += _inspectors(session, reached.path, users, volunteers)
        if data.follow_up_of_id is not None and not (
            _in_bounds(data.follow_up_of_id)
            and session.scalar(select(Inspection.institution_id).where(Inspection.id == data.follow_up_of_id))
            == institution.id
        ):
            errors.append(
                Invalid(
                    "inspection.follow_up_other",
                    "A follow-up follows an earlier inspection of the same institution.",
                    "follow_up_of_id",
                )
            )
        if data.order_id is not None and not (
            _in_bounds(data.order_id) and session.get(InstitutionComplaint, (institution.id, data.order_id)) is not None
        ):
            errors.append(
                Invalid(
                    "inspection.not_a_complaint", "That order is not a complaint about this institution.", "order_id"
                )
            )
        if errors:
            raise ValidationErrors(errors)
        inspection = Inspection(
            institution_id=institution.id,
            template_id=template.id,
            inspected_on=data.inspected_on,
            score=scoring.score(template.items, {code: r for code, (r, _) in results.items()}),
            follow_up_of_id=data.follow_up_of_id,
            order_id=data.order_id,
            notes=data.notes,
            recorded_by_id=scope.user_id,
        )
        session.add(inspection)
        session.flush()
        session.add_all(InspectionInspector(inspection_id=inspection.id, user_id=u) for u in users)
        session.add_all(InspectionInspector(inspection_id=inspection.id, volunteer_id=v) for v in volunteers)
        session.add_all(
            InspectionResult(inspection_id=inspection.id, item_code=code, outcome=r.outcome, score=r.score, note=note)
            for code, (r, note) in results.items()
        )
        opened, closed = _findings(session, inspection, template.items, results, data.rectify_days)
        audit.record_by(
            session,
            scope,
            "inspection.record",
            entity="inspection",
            entity_id=inspection.id,
            area_id=reached.resource.area_id,
            changes={
                "institution_id": [None, institution.id],
                "template": [None, template.code],
                "inspected_on": [None, data.inspected_on.isoformat()],
                "score": [None, inspection.score],
                "inspectors": [None, {"users": users, "volunteers": volunteers}],
                "follow_up_of_id": [None, data.follow_up_of_id],
                "order_id": [None, data.order_id],
                "findings_opened": [None, opened],
                "findings_closed": [None, closed],
            },
        )
        return _present(session, inspection, reached.resource.name)


def _findings(
    session: Session,
    inspection: Inspection,
    items: list[dict[str, Any]],
    results: dict[str, tuple[scoring.Result, str]],
    rectify_days: int,
) -> tuple[list[int], list[int]]:
    """Open a finding for each newly failed item; on a follow-up close those whose item passes. Return both ids."""
    held: dict[str, list[Finding]] = {}
    for finding in session.scalars(
        select(Finding).where(Finding.institution_id == inspection.institution_id, Finding.status == "open")
    ):
        held.setdefault(finding.item_code, []).append(finding)
    made: list[Finding] = []
    closed: list[int] = []
    now = utcnow()
    for item in items:
        code = item["code"]
        if code not in results:
            continue
        result, note = results[code]
        if result.outcome == "fail" and code not in held:
            days = item.get("rectify_days") or rectify_days
            made.append(
                Finding(
                    institution_id=inspection.institution_id,
                    inspection_id=inspection.id,
                    item_code=code,
                    text=note,
                    due_on=inspection.inspected_on + timedelta(days=days),
                    status="open",
                    overdue=False,
                )
            )
        elif result.outcome == "pass" and inspection.follow_up_of_id is not None:
            for finding in held.get(code, []):
                finding.status, finding.closed_by_id, finding.closed_at = "closed", inspection.id, now
                closed.append(finding.id)
    session.add_all(made)
    session.flush()
    return [f.id for f in made], closed


# ---- reading --------------------------------------------------------------------------------


def _load(
    session: Session, scope: Scope, inspection_id: int, capability: str | None = None
) -> tuple[Inspection, access.Reached]:
    """Return an inspection of an institution the caller sees, or raise ``NotFound``."""
    inspection = session.get(Inspection, inspection_id) if _in_bounds(inspection_id) else None
    if inspection is None:
        raise NotFound("inspection")
    try:
        reached = access.load(session, scope, inspection.institution_id, capability)
    except NotFound:
        raise NotFound("inspection") from None
    return inspection, reached


def get_inspection(session: Session, scope: Scope, inspection_id: int) -> InspectionOut:
    """Return one inspection with its results, inspectors, photos and findings, or raise ``NotFound``."""
    inspection, reached = _load(session, scope, inspection_id)
    return _present(session, inspection, reached.resource.name)


def _present(session: Session, inspection: Inspection, institution_name: str) -> InspectionOut:
    """Return an inspection as shown (eight queries)."""
    template = session.get(InspectionTemplate, inspection.template_id)
    assert template is not None  # a foreign key
    inspectors = session.execute(
        select(InspectionInspector.user_id, InspectionInspector.volunteer_id)
        .where(InspectionInspector.inspection_id == inspection.id)
        .order_by(InspectionInspector.id)
    ).all()
    users = user_names(session, [u for u, _ in inspectors] + [inspection.recorded_by_id])
    volunteers = volunteer_names(session, [v for _, v in inspectors])
    results = {
        r.item_code: r
        for r in session.scalars(select(InspectionResult).where(InspectionResult.inspection_id == inspection.id))
    }
    shown = []
    for item in template.items:
        r = results.pop(item["code"], None)
        if r is not None:
            shown.append(_result(item, r))
    # Results of items the checklist no longer has (renamed codes) are still shown, by their code.
    shown += [_result({"code": code, "text": code, "type": ""}, r) for code, r in sorted(results.items())]
    names = list(
        session.scalars(
            select(InspectionPhoto.name)
            .where(InspectionPhoto.inspection_id == inspection.id)
            .order_by(InspectionPhoto.id)
        )
    )
    return InspectionOut(
        id=inspection.id,
        institution_id=inspection.institution_id,
        institution=institution_name,
        template_id=template.id,
        template=template.name,
        template_en=template.name_en,
        inspected_on=inspection.inspected_on,
        score=inspection.score,
        follow_up_of_id=inspection.follow_up_of_id,
        order_id=inspection.order_id,
        notes=inspection.notes,
        recorded_by=users.get(inspection.recorded_by_id or 0, ""),
        inspectors=[
            InspectorOut(user_id=u, volunteer_id=v, name=users.get(u, "") if u else volunteers.get(v or 0, ""))
            for u, v in inspectors
        ],
        results=shown,
        photos=names,
        findings=findings.of_inspection(session, inspection.id),
    )


def _result(item: dict[str, Any], r: InspectionResult) -> ResultOut:
    return ResultOut(
        item_code=r.item_code,
        text=item.get("text", r.item_code),
        text_en=item.get("text_en", ""),
        type=item.get("type", ""),
        outcome=r.outcome,
        score=r.score,
        max_score=item.get("max_score"),
        note=r.note,
    )


def inspection_rows(session: Session, institution_id: int, limit: int = 50) -> list[InspectionRow]:
    """Return an institution's inspections, newest first, with their failed items counted (one query).

    The caller has checked the institution is in reach.
    """
    failed = (
        select(InspectionResult.inspection_id, func.count().label("n"))
        .where(InspectionResult.outcome == "fail")
        .group_by(InspectionResult.inspection_id)
        .subquery()
    )
    rows = session.execute(
        select(Inspection, InspectionTemplate.name, InspectionTemplate.name_en, func.coalesce(failed.c.n, 0))
        .join(InspectionTemplate, InspectionTemplate.id == Inspection.template_id)
        .outerjoin(failed, failed.c.inspection_id == Inspection.id)
        .where(Inspection.institution_id == institution_id)
        .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
        .limit(limit)
    )
    return [
        InspectionRow(
            id=i.id,
            institution_id=i.institution_id,
            inspected_on=i.inspected_on,
            score=i.score,
            template=name,
            template_en=name_en,
            follow_up_of_id=i.follow_up_of_id,
            order_id=i.order_id,
            failed=int(n),
        )
        for i, name, name_en, n in rows
    ]


def inspector_choices(
    session: Session, scope: Scope, institution_id: int
) -> tuple[list[tuple[int, str, str]], list[tuple[int, str, str]]]:
    """Return who may inspect an institution: ``(user id, name, role)`` of the staff accounts and grid workers
    at or above it or in its community, and ``(volunteer id, name, grid)`` of its community's active volunteers,
    those of its grid first (at most 300). Two queries.
    """
    reached = access.load(session, scope, institution_id)
    community = access.community_path(reached.path)
    users: dict[int, tuple[int, str, str]] = {}
    for user_id, name, role in session.execute(
        select(User.id, User.display_name, Assignment.role)
        .join(Assignment, Assignment.user_id == User.id)
        .join(Area, Area.id == Assignment.area_id)
        .where(
            User.active.is_(True),
            Assignment.role.in_(INSPECTOR_ROLES),
            or_(literal(reached.path).startswith(Area.path), path_under(Area.path, community)),
        )
        .order_by(Assignment.role, User.display_name)
    ):
        users.setdefault(user_id, (user_id, name, role))
    same_grid = case((Volunteer.area_id == reached.resource.area_id, 0), else_=1).cast(Integer)
    volunteers = session.execute(
        select(Volunteer.id, Resident.name, Area.name)
        .join(Resident, Resident.id == Volunteer.resident_id)
        .join(Area, Area.id == Volunteer.area_id)
        .where(Volunteer.status == "active", path_under(Area.path, community))
        .order_by(same_grid, Volunteer.id)
        .limit(300)
    ).all()
    return list(users.values()), [(i, name, grid) for i, name, grid in volunteers]


# ---- photos ---------------------------------------------------------------------------------


def add_photo(session: Session, scope: Scope, inspection_id: int, content: bytes) -> InspectionOut:
    """Return the inspection with a photo added; checked before the file is written, removed if the record fails."""
    inspection, reached = _load(session, scope, inspection_id, INSPECT)
    settings = settings_of(session)
    name = photos.save(settings, inspection.id, content)
    try:
        with transaction(session):
            inspection, reached = _load(session, scope, inspection_id, INSPECT)
            held = session.scalar(
                select(func.count()).select_from(InspectionPhoto).where(InspectionPhoto.inspection_id == inspection.id)
            )
            if (held or 0) >= MAX_PHOTOS:
                raise Invalid(
                    "inspection.too_many_photos", "An inspection keeps at most {most} photos.", "photo", most=MAX_PHOTOS
                )
            session.add(InspectionPhoto(inspection_id=inspection.id, name=name))
            audit.record_by(
                session,
                scope,
                "inspection.photo",
                entity="inspection",
                entity_id=inspection.id,
                area_id=reached.resource.area_id,
                changes={"photo": [None, name]},
            )
            session.flush()
            return _present(session, inspection, reached.resource.name)
    except BaseException:
        photos.remove(settings, inspection_id, name)
        raise


def photo_of(session: Session, scope: Scope, inspection_id: int, name: str) -> tuple[Path, str]:
    """Return the file and media type of a photo of an inspection the caller sees, or raise ``NotFound``."""
    inspection, _ = _load(session, scope, inspection_id)
    if (
        session.scalar(
            select(InspectionPhoto.id).where(
                InspectionPhoto.inspection_id == inspection.id, InspectionPhoto.name == name
            )
        )
        is None
    ):
        raise NotFound("photo")
    return photos.file_of(settings_of(session), inspection.id, name)
