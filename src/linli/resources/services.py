"""Resource use cases (资源): resources kept, found, changed, retired, their contact unmasked, and counted.

Every function takes the caller's ``Scope``: what lies outside it is not found. Writes are one
transaction each and audited, the contact phone masked in the trail.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, false, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from linli.accounts.models import User
from linli.accounts.permissions import SUPPLY_MANAGE, SUPPLY_READ, UNMASK, Scope, path_under
from linli.areas.models import Area
from linli.areas.services import area_labels
from linli.audit import services as audit
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.db.paging import capped_count
from linli.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from linli.lib import clock, phone
from linli.lib.crypto import FieldCipher
from linli.needs.models import ServiceCategory
from linli.needs.teams import assignable
from linli.resources.models import Resource, ResourceCategory, ResourceUse
from linli.resources.schemas import (
    OpeningHours,
    ResourceCategoryOut,
    ResourceIn,
    ResourceOut,
    ResourcePage,
    ResourceUpdate,
    UnmaskedOut,
)
from linli.resources.validation import MAX_ID, NULLABLE_FIELDS, PLAIN_FIELDS, checked
from linli.runtime import cipher_of


@dataclass(frozen=True)
class ResourceFilter:
    """What a resource list is narrowed by; every part is optional.

    ``status`` is ``active`` (the default), ``retired`` or None for both; ``valid_only`` keeps the active
    resources not past their ``valid_until``. ``category`` is a category's id, code or name.
    """

    q: str = ""
    area_id: int | None = None
    kind: str | None = None
    category: int | str | None = None
    valid_only: bool = False
    status: str | None = "active"


# ---- checking -------------------------------------------------------------------------------


def valid_on(day: date) -> ColumnElement[bool]:
    """Return the condition of a resource on hand on ``day``: active, and not past its ``valid_until``."""
    return and_(Resource.active.is_(True), or_(Resource.valid_until.is_(None), Resource.valid_until >= day))


def is_valid(resource: Resource, day: date) -> bool:
    """Return whether ``resource`` is on hand on ``day`` (``valid_on`` for one loaded row)."""
    return resource.active and (resource.valid_until is None or resource.valid_until >= day)


def _area_path(session: Session, scope: Scope, area_id: int) -> str:
    """Return the path of an area at, above or below the caller's reach, or raise ``NotFound`` for one beside it.

    An area above the caller's is fine: the scope filter keeps the rows within their reach.
    """
    path = session.scalar(select(Area.path).where(Area.id == area_id))
    if path is None or not any(p.startswith(path) or path.startswith(p) for p in scope.paths(SUPPLY_READ)):
        raise NotFound("area")
    return path


def _search(q: str, cipher: FieldCipher) -> ColumnElement[bool] | None:
    """Return the condition a search text means: a substring of the name, owner or description, or a whole phone."""
    text = q.strip()
    if not text:
        return None
    conditions = [Resource.name.icontains(text, autoescape=True)]
    conditions += [Resource.owner.icontains(text, autoescape=True)]
    conditions += [Resource.description.icontains(text, autoescape=True)]
    dialled = text.removeprefix("+").replace("-", "").replace(" ", "")
    if dialled.isdigit() and len(dialled) >= 7:
        with contextlib.suppress(phone.PhoneProblem):  # not a phone after all: the substrings still search
            conditions.append(Resource.contact_phone_hash.in_(cipher.blind_indexes(phone.validate(text))))
    return or_(*conditions)


def _filtered(session: Session, scope: Scope, f: ResourceFilter) -> Select[Any]:
    query = select(Resource).where(scope.filter(SUPPLY_READ, Resource.area_id))
    if f.area_id is not None:
        path = _area_path(session, scope, f.area_id)
        query = query.where(Resource.area_id.in_(select(Area.id).where(path_under(Area.path, path))))
    if f.status == "active":
        query = query.where(Resource.active.is_(True))
    elif f.status == "retired":
        query = query.where(Resource.active.is_(False))
    if f.valid_only:
        query = query.where(valid_on(clock.today()))
    if f.kind:
        query = query.where(Resource.kind == f.kind)
    if f.category is not None and f.category != "":
        named = (
            (ServiceCategory.id == f.category if 0 < f.category < MAX_ID else false())
            if isinstance(f.category, int)
            else (ServiceCategory.code == f.category) | (ServiceCategory.name == f.category)
        )
        query = query.where(Resource.id.in_(select(ResourceCategory.resource_id).join(ServiceCategory).where(named)))
    condition = _search(f.q, cipher_of(session))
    if condition is not None:
        query = query.where(condition)
    return query


def list_resources(
    session: Session, scope: Scope, f: ResourceFilter, page: int = 1, page_size: int = 20
) -> ResourcePage:
    """Return one page of the resources in the caller's reach matching ``f``, oldest first.

    The same six queries whatever the page size: count, page, categories, open uses, area names, handlers.
    An ``area_id`` beside the caller's reach is ``NotFound``; one above it lists what lies within it.
    """
    scope.require(SUPPLY_READ)
    query = _filtered(session, scope, f)
    total, capped = capped_count(session, query.with_only_columns(Resource.id))
    rows = session.scalars(query.order_by(Resource.id).offset((page - 1) * page_size).limit(page_size)).all()
    return ResourcePage(
        items=present(session, list(rows)), total=total, page=page, page_size=page_size, total_capped=capped
    )


def present(session: Session, resources: list[Resource]) -> list[ResourceOut]:
    """Return resources as shown: the phone masked, with categories, open uses, area and handler names.

    Four queries for any number of resources.
    """
    if not resources:
        return []
    ids = [r.id for r in resources]
    categories: dict[int, list[ResourceCategoryOut]] = {}
    for resource_id, c in session.execute(
        select(ResourceCategory.resource_id, ServiceCategory)
        .join(ServiceCategory, ServiceCategory.id == ResourceCategory.category_id)
        .where(ResourceCategory.resource_id.in_(ids))
        .order_by(ServiceCategory.sort, ServiceCategory.id)
    ).all():
        categories.setdefault(resource_id, []).append(
            ResourceCategoryOut(id=c.id, code=c.code, name=c.name, name_en=c.name_en)
        )
    in_use: dict[int, int] = dict(
        session.execute(
            select(ResourceUse.resource_id, func.count())
            .where(ResourceUse.resource_id.in_(ids), ResourceUse.ended_at.is_(None))
            .group_by(ResourceUse.resource_id)
        ).all()
    )
    areas = area_labels(session, [r.area_id for r in resources])
    handler_ids = sorted({r.handler_user_id for r in resources if r.handler_user_id is not None})
    handlers: dict[int, str] = (
        dict(session.execute(select(User.id, User.display_name).where(User.id.in_(handler_ids))).all())
        if handler_ids
        else {}
    )
    cipher, today = cipher_of(session), clock.today()
    return [
        ResourceOut(
            id=r.id,
            area_id=r.area_id,
            area=areas.get(r.area_id, ""),
            kind=r.kind,
            name=r.name,
            owner=r.owner,
            description=r.description,
            address=r.address,
            contact_name=r.contact_name,
            contact_phone=phone.mask(cipher.decrypt(r.contact_phone_enc)) if r.contact_phone_enc else None,
            handler_user_id=r.handler_user_id,
            handler=handlers.get(r.handler_user_id, "") if r.handler_user_id is not None else "",
            capacity=r.capacity,
            capacity_unit=r.capacity_unit,
            opening_hours=[OpeningHours(**h) for h in r.opening_hours or []],
            valid_until=r.valid_until,
            active=r.active,
            valid=is_valid(r, today),
            in_use=in_use.get(r.id, 0),
            categories=categories.get(r.id, []),
            version=r.version,
        )
        for r in resources
    ]


def _load(session: Session, scope: Scope, resource_id: int, manage: bool = False) -> Resource:
    """Return a resource the caller may see, or raise ``NotFound``; ``manage`` also needs the right to keep it."""
    row = session.execute(
        select(Resource, Area.path).join(Area, Area.id == Resource.area_id).where(Resource.id == resource_id)
    ).first()
    if row is None:
        raise NotFound("resource")
    scope.check(SUPPLY_READ, row[1], "resource")
    if manage and not scope.reaches(SUPPLY_MANAGE, row[1]):
        raise Forbidden()
    return row[0]


def get_resource(session: Session, scope: Scope, resource_id: int) -> ResourceOut:
    """Return one resource in the caller's reach (phone masked), or raise ``NotFound``."""
    return present(session, [_load(session, scope, resource_id)])[0]


def resources_on_hand(session: Session, scope: Scope, area_id: int) -> int:
    """Return how many resources an area has on hand (the source's "56 resources on hand").

    Counted: active resources not past their ``valid_until`` (today in Asia/Shanghai), in the area and
    every area below it. An area outside the caller's reach is ``NotFound``.
    """
    path = session.scalar(select(Area.path).where(Area.id == area_id))
    if path is None:
        raise NotFound("area")
    scope.check(SUPPLY_READ, path, "area")
    query = select(func.count(Resource.id)).where(
        Resource.area_id.in_(select(Area.id).where(path_under(Area.path, path))), valid_on(clock.today())
    )
    return session.scalar(query) or 0


def area_choices(session: Session, scope: Scope, capability: str = SUPPLY_READ) -> list[tuple[int, str]]:
    """Return ``(id, name)`` of the areas where the caller holds ``capability``, in tree order (one query)."""
    condition = scope.area_ids(capability)
    if condition is None:
        return []
    rows = session.execute(select(Area.id, Area.name, Area.path).where(condition).order_by(Area.path)).all()
    top = min((p.count("/") for _, _, p in rows), default=0)
    return [(i, "\u3000" * (path.count("/") - top) + name) for i, name, path in rows]


def handler_choices(session: Session, scope: Scope, area_id: int | None = None) -> list[tuple[int, str, str]]:
    """Return ``(user id, name, role)`` of the people who may take a resource's orders in the caller's areas.

    Those who handle orders at ``area_id`` (or at the caller's own areas when None), as dispatch offers them.
    """
    paths = [_area_path(session, scope, area_id)] if area_id is not None else list(scope.paths(SUPPLY_MANAGE) or [])
    seen: dict[int, tuple[int, str, str]] = {}
    for path in paths:
        for person in assignable(session, path):
            seen.setdefault(person[0], person)
    return list(seen.values())


# ---- writing --------------------------------------------------------------------------------


def _area_to_keep(session: Session, scope: Scope, area_id: int) -> Area:
    area = session.get(Area, area_id)
    if area is None or not scope.reaches(SUPPLY_MANAGE, area.path):
        raise NotFound("area")
    return area


def _set_phone(resource: Resource, value: str | None, cipher: FieldCipher) -> None:
    resource.contact_phone_enc = cipher.encrypt(value) if value else None
    resource.contact_phone_hash = cipher.blind_index(value) if value else None
    resource.contact_phone_tail = phone.tail(value) if value else None


def _hash(cipher: FieldCipher, value: str | None) -> str | None:
    return cipher.blind_index(value) if value else None


def _snapshot(resource: Resource, category_codes: list[str]) -> dict[str, Any]:
    """Return what the audit trail keeps of a resource: the phone only as its masked tail."""
    data: dict[str, Any] = {f: getattr(resource, f) for f in PLAIN_FIELDS}
    data["area_id"], data["handler_user_id"], data["active"] = (
        resource.area_id,
        resource.handler_user_id,
        resource.active,
    )
    data["valid_until"] = resource.valid_until.isoformat() if resource.valid_until else None
    data["contact_phone"] = f"****{resource.contact_phone_tail}" if resource.contact_phone_tail else None
    data["categories"] = sorted(category_codes)
    return data


def _category_codes(session: Session, resource_id: int) -> list[str]:
    return list(
        session.scalars(
            select(ServiceCategory.code).join(ResourceCategory).where(ResourceCategory.resource_id == resource_id)
        )
    )


def _audit(session: Session, scope: Scope, action: str, resource: Resource, changes: dict[str, Any]) -> None:
    audit.record_by(
        session,
        scope,
        action,
        entity="resource",
        entity_id=resource.id,
        area_id=resource.area_id,
        changes=changes,
    )


def create_resource(session: Session, scope: Scope, data: ResourceIn) -> ResourceOut:
    """Return a new resource of an area where the caller keeps resources.

    Refuses an unknown kind, category or handler, a capacity below 1, bad opening hours and a bad phone,
    every reason at once.
    """
    scope.require(SUPPLY_MANAGE)
    with transaction(session):
        _area_to_keep(session, scope, data.area_id)
        fields, categories = checked(session, data.model_dump())
        resource = Resource(
            area_id=data.area_id,
            handler_user_id=data.handler_user_id,
            valid_until=data.valid_until,
            active=True,
            **{f: fields[f] for f in PLAIN_FIELDS},
        )
        _set_phone(resource, fields.get("contact_phone"), cipher_of(session))
        session.add(resource)
        session.flush()
        session.add_all(ResourceCategory(resource_id=resource.id, category_id=c.id) for c in categories or [])
        _audit(
            session,
            scope,
            "resource.create",
            resource,
            audit.diff({}, _snapshot(resource, [c.code for c in categories or []])),
        )
        return present(session, [resource])[0]


def update_resource(session: Session, scope: Scope, resource_id: int, data: ResourceUpdate) -> ResourceOut:
    """Return the resource with the given fields changed; a stale ``version`` is refused as a conflict.

    A field given as null keeps its value, except the phone, the handler and ``valid_until``, which it clears.
    """
    given = data.model_dump(exclude_unset=True, exclude={"version"})
    try:
        with transaction(session):
            resource = _load(session, scope, resource_id, manage=True)
            if resource.version != data.version:
                raise _stale()
            if given.get("area_id") is not None and given["area_id"] != resource.area_id:
                _area_to_keep(session, scope, given["area_id"])
            fields, categories = checked(session, given)
            before = _snapshot(resource, _category_codes(session, resource.id))
            codes = before["categories"]
            if categories is not None:  # before any field changes, so the delete's autoflush writes nothing
                session.execute(delete(ResourceCategory).where(ResourceCategory.resource_id == resource.id))
                session.add_all(ResourceCategory(resource_id=resource.id, category_id=c.id) for c in categories)
                codes = [c.code for c in categories]
            for name in (*PLAIN_FIELDS, "area_id"):
                if fields.get(name) is not None:
                    setattr(resource, name, fields[name])
            for name in NULLABLE_FIELDS:
                if name in fields:
                    setattr(resource, name, fields[name])
            cipher = cipher_of(session)
            if "contact_phone" in fields and _hash(cipher, fields["contact_phone"]) != resource.contact_phone_hash:
                _set_phone(resource, fields["contact_phone"], cipher)
            changes = audit.diff(before, _snapshot(resource, codes))
            if changes:
                # A change of categories alone touches no column: the version must move on all the same.
                resource.updated_at = utcnow()
                session.flush()
                _audit(session, scope, "resource.update", resource, changes)
            return present(session, [resource])[0]
    except StaleDataError:
        raise _stale() from None


def _stale() -> Conflict:
    return Conflict(
        "resource.stale", "Someone else changed this resource meanwhile; reload it and try again.", "version"
    )


def retire_resource(session: Session, scope: Scope, resource_id: int, version: int | None = None) -> ResourceOut:
    """Return the resource retired: no longer on hand or offered; its record and past uses stay.

    Retiring a retired resource changes nothing. A stale ``version`` (when given) is refused as a conflict.
    """
    try:
        with transaction(session):
            resource = _load(session, scope, resource_id, manage=True)
            if version is not None and resource.version != version:
                raise _stale()
            if resource.active:
                resource.active = False
                session.flush()
                _audit(session, scope, "resource.retire", resource, {"active": [True, False]})
            return present(session, [resource])[0]
    except StaleDataError:
        raise _stale() from None


def unmask_contact(session: Session, scope: Scope, resource_id: int, reason: str) -> UnmaskedOut:
    """Return the resource's contact phone in full, and record who saw it and why.

    A caller without the unmask permission where the resource lies gets ``NotFound`` (as for a resident),
    and the attempt is recorded all the same.
    """
    reason = reason.strip()
    refusal: DomainError | None = None
    with transaction(session):
        row = session.execute(
            select(Resource, Area.path).join(Area, Area.id == Resource.area_id).where(Resource.id == resource_id)
        ).first()
        if row is None or not (scope.reaches(UNMASK, row[1]) and scope.reaches(SUPPLY_READ, row[1])):
            audit.record_by(
                session,
                scope,
                "resource.unmask_refused",
                entity="resource",
                entity_id=resource_id,
                changes={"reason": [None, reason]},
            )
            refusal = NotFound("resource")
        elif not reason:
            refusal = Invalid("resource.unmask_reason", "A reason is required to see personal data in full.", "reason")
        else:
            resource = row[0]
            _audit(session, scope, "resource.unmask", resource, {"reason": [None, reason]})
            stored = resource.contact_phone_enc
            return UnmaskedOut(contact_phone=phone.national(cipher_of(session).decrypt(stored)) if stored else None)
    raise refusal
