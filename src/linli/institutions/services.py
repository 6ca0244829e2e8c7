"""Institution use cases (托教机构): kept, found, changed, warned of their licences, shown on one card.

An institution is a resource of kind ``institution``: its name, area, address, contact (encrypted) and
capacity live on the ``Resource``; ``Institution`` adds the oversight (kind, licence, status). Creating one
makes both in one transaction. Every function takes the caller's ``Scope``: what lies outside the area of
the resource is not found. Writes are one transaction each and audited, the contact phone masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from linli.accounts.models import User
from linli.accounts.permissions import INSTITUTION_MANAGE, INSTITUTION_READ, Scope, path_under
from linli.areas.models import Area
from linli.areas.services import area_labels
from linli.audit import services as audit
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.db.paging import capped_count
from linli.errors import Conflict, DomainError, Invalid, NotFound, ValidationErrors
from linli.institutions import access
from linli.institutions.models import Finding, Inspection, Institution
from linli.institutions.schemas import MAX_ID, InstitutionIn, InstitutionOut, InstitutionPage, InstitutionUpdate
from linli.institutions.validation import OWN_FIELDS, RESOURCE_FIELDS, check_institution, licence_problem
from linli.lib import clock, phone
from linli.lib.crypto import FieldCipher
from linli.resources.models import Resource
from linli.runtime import cipher_of

# A licence is warned of this many days before it runs out (and every day after).
WARN_DAYS = 30


@dataclass(frozen=True)
class InstitutionFilter:
    """What an institution list is narrowed by; every part is optional.

    ``expiring`` keeps the licences expired or running out within ``WARN_DAYS`` of institutions not closed,
    ordered by that date; ``open_findings`` those with a finding still to put right.
    """

    q: str = ""
    area_id: int | None = None
    kind: str | None = None
    status: str | None = None
    expiring: bool = False
    open_findings: bool = False


def licence_state(valid_until: date | None, today: date) -> str:
    """Return ``none``, ``expired``, ``expiring`` (within ``WARN_DAYS``, today included) or ``valid``."""
    if valid_until is None:
        return "none"
    if valid_until < today:
        return "expired"
    return "expiring" if valid_until <= today + timedelta(days=WARN_DAYS) else "valid"


# ---- reading --------------------------------------------------------------------------------


def area_path(session: Session, scope: Scope, area_id: int, capability: str = INSTITUTION_READ) -> str:
    """Return the path of an area at, above or below the caller's reach, or raise ``NotFound`` for one beside it."""
    path = session.scalar(select(Area.path).where(Area.id == area_id)) if 0 < area_id <= MAX_ID else None
    if path is None or not any(p.startswith(path) or path.startswith(p) for p in scope.paths(capability)):
        raise NotFound("area")
    return path


def _expiring(today: date) -> ColumnElement[bool]:
    return and_(
        Institution.status != "closed",
        Institution.licence_valid_until.is_not(None),
        Institution.licence_valid_until <= today + timedelta(days=WARN_DAYS),
    )


def _filtered(session: Session, scope: Scope, f: InstitutionFilter) -> Select[Institution, Resource]:
    query = (
        select(Institution, Resource)
        .join(Resource, Resource.id == Institution.resource_id)
        .where(scope.filter(INSTITUTION_READ, Resource.area_id))
    )
    if f.area_id is not None:
        path = area_path(session, scope, f.area_id)
        query = query.where(Resource.area_id.in_(select(Area.id).where(path_under(Area.path, path))))
    if f.kind:
        query = query.where(Institution.kind == f.kind)
    if f.status:
        query = query.where(Institution.status == f.status)
    if f.expiring:
        query = query.where(_expiring(clock.today()))
    if f.open_findings:
        query = query.where(Institution.id.in_(select(Finding.institution_id).where(Finding.status == "open")))
    text = f.q.strip()
    if text:
        query = query.where(
            or_(
                Resource.name.icontains(text, autoescape=True),
                Resource.owner.icontains(text, autoescape=True),
                Institution.licence_no.icontains(text, autoescape=True),
            )
        )
    return query


def list_institutions(
    session: Session, scope: Scope, f: InstitutionFilter, page: int = 1, page_size: int = 20
) -> InstitutionPage:
    """Return one page of the institutions in the caller's reach matching ``f``: oldest first, or by licence date.

    The same six queries whatever the page size: count, page, area names, handlers, findings, last inspections.
    An ``area_id`` beside the caller's reach is ``NotFound``; one above it lists what lies within it.
    """
    scope.require(INSTITUTION_READ)
    query = _filtered(session, scope, f)
    total, capped = capped_count(session, query.with_only_columns(Institution.id))
    order = (Institution.licence_valid_until, Institution.id) if f.expiring else (Institution.id,)
    rows = session.execute(query.order_by(*order).offset((page - 1) * page_size).limit(page_size)).all()
    return InstitutionPage(
        items=present(session, list(rows)), total=total, page=page, page_size=page_size, total_capped=capped
    )


def licence_warnings(session: Session, scope: Scope, area_id: int | None = None, page: int = 1) -> InstitutionPage:
    """Return the institutions whose licence expired or runs out within 30 days, soonest first (not closed ones)."""
    return list_institutions(session, scope, InstitutionFilter(area_id=area_id, expiring=True), page, 100)


def present(session: Session, rows: list[tuple[Institution, Resource]]) -> list[InstitutionOut]:
    """Return institutions as shown: the phone masked, with area and handler names, findings and last inspection.

    Four queries for any number of institutions.
    """
    if not rows:
        return []
    ids = [i.id for i, _ in rows]
    today = clock.today()
    findings: dict[int, tuple[int, int]] = {
        i: (int(n or 0), int(late or 0))
        for i, n, late in session.execute(
            select(Finding.institution_id, func.count(), func.sum(case((Finding.due_on < today, 1), else_=0)))
            .where(Finding.institution_id.in_(ids), Finding.status == "open")
            .group_by(Finding.institution_id)
        )
    }
    ranked = (
        select(
            Inspection.institution_id,
            Inspection.inspected_on,
            Inspection.score,
            func.row_number()
            .over(
                partition_by=Inspection.institution_id, order_by=(Inspection.inspected_on.desc(), Inspection.id.desc())
            )
            .label("n"),
        )
        .where(Inspection.institution_id.in_(ids))
        .subquery()
    )
    last = {
        i: (on, score)
        for i, on, score in session.execute(
            select(ranked.c.institution_id, ranked.c.inspected_on, ranked.c.score).where(ranked.c.n == 1)
        )
    }
    areas = area_labels(session, [r.area_id for _, r in rows])
    handler_ids = sorted({r.handler_user_id for _, r in rows if r.handler_user_id is not None})
    handlers: dict[int, str] = (
        dict(session.execute(select(User.id, User.display_name).where(User.id.in_(handler_ids))).all())
        if handler_ids
        else {}
    )
    cipher = cipher_of(session)
    return [
        InstitutionOut(
            id=i.id,
            resource_id=r.id,
            area_id=r.area_id,
            area=areas.get(r.area_id, ""),
            name=r.name,
            owner=r.owner,
            description=r.description,
            address=r.address,
            contact_name=r.contact_name,
            contact_phone=phone.mask(cipher.decrypt(r.contact_phone_enc)) if r.contact_phone_enc else None,
            handler_user_id=r.handler_user_id,
            handler=handlers.get(r.handler_user_id, "") if r.handler_user_id is not None else "",
            capacity=r.capacity,
            kind=i.kind,
            licence_no=i.licence_no,
            licence_valid_until=i.licence_valid_until,
            licence=licence_state(i.licence_valid_until, today),
            status=i.status,
            open_findings=findings.get(i.id, (0, 0))[0],
            overdue_findings=findings.get(i.id, (0, 0))[1],
            last_inspected_on=last[i.id][0] if i.id in last else None,
            last_score=last[i.id][1] if i.id in last else None,
            version=i.version,
        )
        for i, r in rows
    ]


def get_institution(session: Session, scope: Scope, institution_id: int) -> InstitutionOut:
    """Return one institution in the caller's reach (phone masked), or raise ``NotFound``."""
    reached = access.load(session, scope, institution_id)
    return present(session, [(reached.institution, reached.resource)])[0]


def area_choices(session: Session, scope: Scope, capability: str = INSTITUTION_READ) -> list[tuple[int, str]]:
    """Return ``(id, name)`` of the areas where the caller holds ``capability``, in tree order (one query)."""
    condition = scope.area_ids(capability)
    if condition is None:
        return []
    rows = session.execute(select(Area.id, Area.name, Area.path).where(condition).order_by(Area.path)).all()
    top = min((p.count("/") for _, _, p in rows), default=0)
    return [(i, "\u3000" * (path.count("/") - top) + name) for i, name, path in rows]


# ---- writing --------------------------------------------------------------------------------


def _area_to_keep(session: Session, scope: Scope, area_id: int) -> Area:
    area = session.get(Area, area_id) if 0 < area_id <= MAX_ID else None
    if area is None or not scope.reaches(INSTITUTION_MANAGE, area.path):
        raise NotFound("area")
    return area


def _handler_problem(session: Session, handler_id: int | None) -> DomainError | None:
    if handler_id is None:
        return None
    if 0 < handler_id <= MAX_ID and session.scalar(select(User.id).where(User.id == handler_id, User.active.is_(True))):
        return None
    return Invalid("resource.unknown_handler", "Unknown or inactive user as handler.", "handler_user_id")


def _set_phone(resource: Resource, value: str | None, cipher: FieldCipher) -> None:
    resource.contact_phone_enc = cipher.encrypt(value) if value else None
    resource.contact_phone_hash = cipher.blind_index(value) if value else None
    resource.contact_phone_tail = phone.tail(value) if value else None


def _snapshot(institution: Institution, resource: Resource) -> dict[str, Any]:
    """Return what the audit trail keeps of an institution: the phone only as its masked tail."""
    data: dict[str, Any] = {f: getattr(resource, f) for f in RESOURCE_FIELDS}
    data |= {f: getattr(institution, f) for f in OWN_FIELDS}
    data["area_id"], data["handler_user_id"] = resource.area_id, resource.handler_user_id
    data["resource_id"] = resource.id
    until = institution.licence_valid_until
    data["licence_valid_until"] = until.isoformat() if until else None
    data["contact_phone"] = f"****{resource.contact_phone_tail}" if resource.contact_phone_tail else None
    return data


def _audit(session: Session, scope: Scope, action: str, institution: Institution, area_id: int, changes: Any) -> None:
    audit.record_by(
        session, scope, action, entity="institution", entity_id=institution.id, area_id=area_id, changes=changes
    )


def _oversee(session: Session, scope: Scope, resource_id: int) -> Resource:
    """Return an existing resource to make an institution of: of kind institution, not yet overseen."""
    row = (
        session.execute(
            select(Resource, Area.path).join(Area, Area.id == Resource.area_id).where(Resource.id == resource_id)
        ).first()
        if 0 < resource_id <= MAX_ID
        else None
    )
    if row is None or not scope.reaches(INSTITUTION_MANAGE, row[1]):
        raise NotFound("resource")
    resource: Resource = row[0]
    if resource.kind != "institution":
        raise Invalid(
            "institution.not_an_institution", "Only a resource of kind institution can be overseen.", "resource_id"
        )
    if session.scalar(select(Institution.id).where(Institution.resource_id == resource.id)):
        raise Conflict("institution.exists", "This resource is already overseen as an institution.", "resource_id")
    return resource


def create_institution(session: Session, scope: Scope, data: InstitutionIn) -> InstitutionOut:
    """Return a new institution, made with its resource (or over ``resource_id``) in one transaction.

    Refuses an unknown kind or status, a licence date without its number, a bad phone or capacity and an
    unknown handler, every reason at once. A suspended or closed institution's resource is not on hand.
    """
    scope.require(INSTITUTION_MANAGE)
    with transaction(session):
        given = data.model_dump()
        errors: list[DomainError] = []
        if data.resource_id is not None:
            resource = _oversee(session, scope, data.resource_id)
            fields, errors = check_institution({k: given[k] for k in OWN_FIELDS})
        else:
            if data.area_id is None:
                raise Invalid("institution.area_required", "Choose the institution's area.", "area_id")
            _area_to_keep(session, scope, data.area_id)
            fields, errors = check_institution(given)
            if problem := _handler_problem(session, data.handler_user_id):
                errors.append(problem)
        if problem := licence_problem(fields.get("licence_no") or "", data.licence_valid_until):
            errors.append(problem)
        if errors:
            raise ValidationErrors(errors)
        if data.resource_id is None:
            resource = Resource(
                area_id=data.area_id,
                kind="institution",
                capacity_unit="once",  # pupils looked after at the same time
                handler_user_id=data.handler_user_id,
                opening_hours=[],
                active=True,
                **{f: fields[f] for f in RESOURCE_FIELDS},
            )
            _set_phone(resource, fields.get("contact_phone"), cipher_of(session))
            session.add(resource)
            session.flush()
        if fields["status"] != "operating":
            resource.active = False
        institution = Institution(
            resource_id=resource.id,
            kind=fields["kind"],
            licence_no=fields["licence_no"],
            licence_valid_until=data.licence_valid_until,
            status=fields["status"],
        )
        session.add(institution)
        session.flush()
        _audit(
            session,
            scope,
            "institution.create",
            institution,
            resource.area_id,
            audit.diff({}, _snapshot(institution, resource)),
        )
        return present(session, [(institution, resource)])[0]


# Fields an update given as null clears; the others keep their value.
CLEARED = ("contact_phone", "handler_user_id", "licence_valid_until")


def update_institution(session: Session, scope: Scope, institution_id: int, data: InstitutionUpdate) -> InstitutionOut:
    """Return the institution with the given fields changed; a stale ``version`` is refused as a conflict.

    Its resource changes with it (one model of a resource): suspending or closing an institution takes its
    resource off hand, reopening it puts it back.
    """
    given = {
        k: v
        for k, v in data.model_dump(exclude_unset=True, exclude={"version"}).items()
        if v is not None or k in CLEARED
    }
    try:
        with transaction(session):
            reached = access.load(session, scope, institution_id, INSTITUTION_MANAGE)
            institution, resource = reached.institution, reached.resource
            if institution.version != data.version:
                raise _stale()
            if given.get("area_id") is not None and given["area_id"] != resource.area_id:
                _area_to_keep(session, scope, given["area_id"])
            fields, errors = check_institution(given)
            if problem := _handler_problem(session, given.get("handler_user_id")):
                errors.append(problem)
            licence_no = fields.get("licence_no", institution.licence_no)
            until = given.get("licence_valid_until", institution.licence_valid_until)
            if problem := licence_problem(licence_no, until):
                errors.append(problem)
            if errors:
                raise ValidationErrors(errors)
            before = _snapshot(institution, resource)
            for name in (*RESOURCE_FIELDS, "area_id"):
                if fields.get(name) is not None:
                    setattr(resource, name, fields[name])
            if "handler_user_id" in given:
                resource.handler_user_id = given["handler_user_id"]
            cipher = cipher_of(session)
            if "contact_phone" in fields:
                value = fields["contact_phone"]
                if (cipher.blind_index(value) if value else None) != resource.contact_phone_hash:
                    _set_phone(resource, value, cipher)
            for name in OWN_FIELDS:
                if fields.get(name) is not None:
                    setattr(institution, name, fields[name])
            institution.licence_valid_until = until
            if before["status"] != institution.status:
                resource.active = institution.status == "operating"
            changes = audit.diff(before, _snapshot(institution, resource))
            if changes:
                # A change of the resource alone touches no column here: the version must move all the same.
                institution.updated_at = utcnow()
                session.flush()
                _audit(session, scope, "institution.update", institution, resource.area_id, changes)
            return present(session, [(institution, resource)])[0]
    except StaleDataError:
        raise _stale() from None


def _stale() -> Conflict:
    return Conflict(
        "institution.stale", "Someone else changed this institution meanwhile; reload it and try again.", "version"
    )
