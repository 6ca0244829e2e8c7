"""Taking needs in: staff and hotline entry, a resident's own request (signed in or not), a visit's open item.

Every new order starts ``received``, is placed in an area, and is flagged when the same household (or
the same phone) asked for the same kind of help within a week.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from linli.accounts.models import User
from linli.accounts.permissions import NEEDS_REQUEST, NEEDS_WRITE, Scope
from linli.areas.models import Area
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import Conflict, Forbidden, Invalid, NotFound
from linli.lib import phone
from linli.needs import catalogue, timeline
from linli.needs.access import Actor
from linli.needs.models import ServiceCategory, WorkOrder
from linli.needs.schemas import NeedIn, PublicNeedIn, SubmittedOut
from linli.registry.models import Household, Resident
from linli.registry.places import household_address
from linli.runtime import cipher_of

DUPLICATE_WINDOW = timedelta(days=7)
# Tracking codes are read over the phone: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def create_order(session: Session, scope: Scope, data: NeedIn) -> WorkOrder:
    """Return a new order: staff entry (any source, in an area they take needs in) or a resident's own request.

    A resident (no intake rights) always files for their own household; staff name a household, a
    resident, or an area. A hotline order needs the hotline's number, which may be used once.
    """
    with transaction(session):
        catalogue.ensure_defaults(session)
        actor = Actor.of(session, scope)
        if scope.can(NEEDS_WRITE):
            order = _staff_order(session, scope, data)
        elif scope.can(NEEDS_REQUEST):
            order = _resident_order(session, scope, data)
        else:
            raise Forbidden()
        _file(session, actor, order, data.requester_phone)
    return order


def _staff_order(session: Session, scope: Scope, data: NeedIn) -> WorkOrder:
    area_id, household_id, resident_id = _place(session, data)
    path = session.scalar(select(Area.path).where(Area.id == area_id))
    if path is None:
        raise NotFound("area")
    scope.check(NEEDS_WRITE, path, "area")
    if data.source == "hotline":
        if not data.hotline_number:
            raise Invalid(
                "need.hotline_number_required", "A hotline order needs the hotline's number.", "hotline_number"
            )
        existing = session.scalar(select(WorkOrder.id).where(WorkOrder.hotline_number == data.hotline_number))
        if existing:
            raise Conflict(
                "need.hotline_exists",
                "Hotline order {number} is already filed as order {id}.",
                "hotline_number",
                number=data.hotline_number,
                id=existing,
            )
    category = catalogue.category_by(session, data.category_id, data.category)
    return WorkOrder(
        area_id=area_id,
        household_id=household_id,
        resident_id=resident_id,
        category_id=category.id,
        urgency_id=catalogue.urgency_by(session, data.urgency).id,
        title=data.title or _title(category, data.description),
        description=data.description,
        address=data.address,
        source=data.source,
        hotline_number=data.hotline_number if data.source == "hotline" else None,
        requester_name=data.requester_name,
        created_by_id=scope.user_id,
        wanted_at=data.wanted_at,
    )


def _resident_order(session: Session, scope: Scope, data: NeedIn) -> WorkOrder:
    resident_id = session.scalar(select(User.resident_id).where(User.id == scope.user_id))
    resident = session.get(Resident, resident_id) if resident_id else None
    if resident is None:
        raise Invalid(
            "need.no_resident",
            "Your account is not linked to a resident record; please ask your community office.",
            "resident_id",
        )
    category = catalogue.category_by(session, data.category_id, data.category)
    return WorkOrder(
        area_id=resident.area_id,
        household_id=resident.household_id,
        resident_id=resident.id,
        category_id=category.id,
        urgency_id=catalogue.urgency_by(session, "ordinary").id,
        title=data.title or _title(category, data.description),
        description=data.description,
        address=data.address,
        source="resident",
        requester_user_id=scope.user_id,
        requester_name=resident.name,
        created_by_id=scope.user_id,
    )


def _place(session: Session, data: NeedIn) -> tuple[int, int | None, int | None]:
    """Return (area, household, resident) of a staff order: from the resident, the household, or the area."""
    if data.resident_id is not None:
        resident = session.get(Resident, data.resident_id)
        if resident is None:
            raise NotFound("resident")
        return resident.area_id, resident.household_id, resident.id
    if data.household_id is not None:
        area_id = session.scalar(select(Household.area_id).where(Household.id == data.household_id))
        if area_id is None:
            raise NotFound("household")
        return area_id, data.household_id, None
    if data.area_id is None:
        raise Invalid("need.place_required", "Say where the need is: a household, a resident or an area.", "area_id")
    return data.area_id, None, None


def submit_public(session: Session, data: PublicNeedIn, client: str = "") -> SubmittedOut:
    """Return the id and tracking code of a request sent without an account, to a community's office.

    The phone number is kept encrypted; when it is a registered resident's, the order is placed at
    their home.
    """
    cipher = cipher_of(session)
    try:
        number = phone.validate(data.phone)
    except phone.PhoneProblem:
        raise Invalid("need.phone", "Please give a phone number we can call back.", "phone") from None
    with transaction(session):
        catalogue.ensure_defaults(session)
        community = session.scalar(select(Area).where(Area.id == data.community_id, Area.level == "community"))
        if community is None:
            raise Invalid("need.community", "Choose your community.", "community_id")
        category = catalogue.category_by(session, data.category_id, None)
        home = session.execute(
            select(Resident.id, Resident.household_id, Resident.area_id)
            .join(Area, Area.id == Resident.area_id)
            .where(
                Resident.phone_hash.in_(cipher.blind_indexes(number)),
                Resident.status == "active",
                Area.path.startswith(community.path),
            )
        ).all()
        resident_id, household_id, area_id = home[0] if len(home) == 1 else (None, None, community.id)
        order = WorkOrder(
            area_id=area_id,
            household_id=household_id,
            resident_id=resident_id,
            category_id=category.id,
            urgency_id=catalogue.urgency_by(session, "ordinary").id,
            title=_title(category, data.description),
            description=data.description,
            address=data.address,
            source="resident",
            requester_name=data.name,
            tracking_code=_tracking_code(session),
        )
        _file(session, Actor(None, data.name or "居民", client), order, data.phone)
    return SubmittedOut(id=order.id, tracking_code=order.tracking_code or "")


def order_from_log_item(session: Session, scope: Scope, item_id: int, category_id: int | None = None) -> WorkOrder:
    """Return a new order made from a visit's open item (网格日志), linked to it; refused when one exists.

    The item's category text is matched to a service category by name or code unless ``category_id``
    is given; an urgent log makes an urgent order.
    """
    from linli.visits.models import GridLog, GridLogItem

    with transaction(session):
        catalogue.ensure_defaults(session)
        row = session.execute(
            select(GridLogItem, Area.path, GridLog.urgency)
            .join(Area, Area.id == GridLogItem.area_id)
            .join(GridLog, GridLog.id == GridLogItem.opened_by_log_id)
            .where(GridLogItem.id == item_id)
        ).first()
        if row is None:
            raise NotFound("grid_log_item")
        item, path, log_urgency = row
        scope.check(NEEDS_WRITE, path, "grid_log_item")
        existing = session.scalar(select(WorkOrder.id).where(WorkOrder.grid_log_item_id == item_id))
        if existing:
            raise Conflict("need.item_has_order", "This item is already order {id}.", "grid_log_item_id", id=existing)
        if category_id is None and not _category_named(session, item.category):
            raise Invalid("need.category_required", "Choose a service category.", "category_id")
        category = catalogue.category_by(session, category_id, None if category_id else item.category)
        order = WorkOrder(
            area_id=item.area_id,
            household_id=item.household_id,
            resident_id=item.resident_id,
            category_id=category.id,
            urgency_id=catalogue.urgency_by(session, "urgent" if log_urgency == "urgent" else "ordinary").id,
            title=_title(category, item.description),
            description=item.description,
            source="visit",
            grid_log_item_id=item.id,
            created_by_id=scope.user_id,
        )
        _file(session, Actor.of(session, scope), order, None)
    return order


def file_order(session: Session, scope: Scope, order: WorkOrder) -> WorkOrder:
    """Return ``order`` filed in the caller's transaction: received, flagged if a duplicate, first timeline line.

    For modules above needs that build an order of their own (a grid event reported up, ``source``
    ``event``); they have checked the caller's reach themselves.
    """
    _file(session, Actor.of(session, scope), order, None)
    return order


def _category_named(session: Session, text: str) -> bool:
    return bool(
        session.scalar(
            select(ServiceCategory.id).where(
                ServiceCategory.active.is_(True), (ServiceCategory.name == text) | (ServiceCategory.code == text)
            )
        )
    )


def _file(session: Session, actor: Actor, order: WorkOrder, requester_phone: str | None) -> None:
    """Add the order with its requester's phone, its duplicate flag, and the first line of its timeline.

    An order at a household without an address gets the household's: whoever takes it (a volunteer
    holds no registry) needs to know where to go.
    """
    if not order.address and order.household_id is not None:
        order.address = household_address(session, order.household_id)
    if requester_phone:
        try:
            number = phone.validate(requester_phone)
        except phone.PhoneProblem:
            raise Invalid("need.phone", "Please give a phone number we can call back.", "requester_phone") from None
        cipher = cipher_of(session)
        order.requester_phone_enc = cipher.encrypt(number)
        order.requester_phone_hash = cipher.blind_index(number)
    order.state = "received"
    order.duplicate_of_id = _duplicate_of(session, order)
    session.add(order)
    session.flush()
    changes: dict[str, list[Any]] = {"source": [None, order.source], "category_id": [None, order.category_id]}
    if order.duplicate_of_id:
        changes["duplicate_of_id"] = [None, order.duplicate_of_id]
    timeline.record(session, order, actor, "receive", "", note=order.description[:200], changes=changes)


def _duplicate_of(session: Session, order: WorkOrder) -> int | None:
    """Return the latest order of the same household (else the same phone) and category within a week."""
    if order.household_id is not None:
        same = WorkOrder.household_id == order.household_id
    elif order.requester_phone_hash is not None:
        same = WorkOrder.requester_phone_hash == order.requester_phone_hash
    else:
        return None
    return session.scalar(
        select(WorkOrder.id)
        .where(same, WorkOrder.category_id == order.category_id, WorkOrder.created_at >= utcnow() - DUPLICATE_WINDOW)
        .order_by(WorkOrder.id.desc())
        .limit(1)
    )


def _title(category: ServiceCategory, description: str) -> str:
    first = description.strip().splitlines()[0] if description.strip() else ""
    return f"{category.name}：{first}"[:120]


def _tracking_code(session: Session) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not session.scalar(select(WorkOrder.id).where(WorkOrder.tracking_code == code)):
            return code


def communities(session: Session) -> list[dict[str, object]]:
    """Return every community a request without an account can be sent to, with its code and street, by name."""
    street = aliased(Area)
    rows = session.execute(
        select(Area.id, Area.code, Area.name, street.name)
        .join(street, street.id == Area.parent_id)
        .where(Area.level == "community")
        .order_by(street.name, Area.name)
    ).all()
    return [{"id": i, "code": code, "name": name, "street": street_name} for i, code, name, street_name in rows]
