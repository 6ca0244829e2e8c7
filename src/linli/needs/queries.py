"""Reading orders: one, a filtered page, "my orders", a resident's own requests, and the tracking view."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from linli.accounts.models import User
from linli.accounts.permissions import NEEDS_READ, Scope, path_under
from linli.areas.models import Area
from linli.areas.services import area_labels
from linli.errors import NotFound
from linli.lib import phone
from linli.needs import lifecycle
from linli.needs.access import Actor, load
from linli.needs.models import ESCALATION_LEVELS, ServiceCategory, UrgencyLevel, WorkOrder
from linli.needs.schemas import NeedOut, NeedPage, TrackingOut
from linli.needs.timeline import events_of
from linli.runtime import cipher_of

# Before closing: the orders a community still has to finish.
OPEN_STATES = (
    "received",
    "registered",
    "dispatched",
    "handling",
    "extended",
    "supervised",
    "rework",
    "returned",
    "suspended",
    "reported",
    "checked",
)
# What an assignee still has to do, and (with ``done``) what they reported and wait to have checked.
MINE_STATES = ("dispatched", "handling", "extended", "supervised", "rework", "suspended")
MINE_DONE_STATES = ("reported", "checked", "closed", "rated")


@dataclass(frozen=True)
class NeedFilter:
    """What a list of orders is narrowed by; every part is optional. ``state`` ``open`` means not yet closed."""

    states: tuple[str, ...] = ()
    overdue: bool | None = None
    area_id: int | None = None
    category_id: int | None = None
    source: str | None = None
    assignee_user_id: int | None = None
    grid_log_item_id: int | None = None
    duplicates: bool | None = None
    sort: str = "new"


def _shown() -> Select[WorkOrder, str, str, str, str, str, str]:
    """Return the select of an order with what it is shown with: category, urgency, area, assignee."""
    assignee = aliased(User)
    return (
        select(
            WorkOrder,
            Area.path,
            Area.name,
            ServiceCategory.name,
            ServiceCategory.name_en,
            UrgencyLevel.code,
            assignee.display_name,
        )
        .join(Area, Area.id == WorkOrder.area_id)
        .join(ServiceCategory, ServiceCategory.id == WorkOrder.category_id)
        .join(UrgencyLevel, UrgencyLevel.id == WorkOrder.urgency_id)
        .outerjoin(assignee, assignee.id == WorkOrder.assignee_user_id)
    )


def present(session: Session, actor: Actor, rows: list[Any]) -> list[NeedOut]:
    """Return rows of ``_shown()`` as the actor sees them: the requester's phone masked, their next actions."""
    cipher = cipher_of(session)
    labels = area_labels(session, [row[0].area_id for row in rows])  # 第一网格 of which community
    out = []
    for order, path, area, category, category_en, urgency, assignee in rows:
        parts = actor.parts(order, path)
        out.append(
            NeedOut(
                id=order.id,
                title=order.title,
                description=order.description,
                address=order.address,
                category_id=order.category_id,
                category=category,
                category_en=category_en,
                urgency=urgency,
                source=order.source,
                hotline_number=order.hotline_number,
                grid_log_item_id=order.grid_log_item_id,
                area_id=order.area_id,
                area=labels.get(order.area_id, area),
                household_id=order.household_id,
                resident_id=order.resident_id,
                requester_name=order.requester_name,
                requester_phone=phone.mask(cipher.decrypt(order.requester_phone_enc))
                if order.requester_phone_enc
                else None,
                state=order.state,
                assignee_user_id=order.assignee_user_id,
                assignee=assignee or "",
                assignee_team_id=order.assignee_team_id,
                created_at=order.created_at,
                dispatched_at=order.dispatched_at,
                due_at=order.due_at,
                closed_at=order.closed_at,
                overdue=order.overdue,
                escalation=ESCALATION_LEVELS[order.escalation_level],
                extension_count=order.extension_count,
                extension_requested_until=order.extension_requested_until,
                rework_count=order.rework_count,
                rating=order.rating,
                rating_comment=order.rating_comment,
                duplicate_of_id=order.duplicate_of_id,
                version=order.version,
                allowed=lifecycle.allowed_actions(order.state, parts),
            )
        )
    return out


def get_need(session: Session, scope: Scope, need_id: int) -> NeedOut:
    """Return one order with its timeline, to anyone who plays a part in it."""
    actor = Actor.of(session, scope)
    load(session, actor, need_id)
    return one(session, actor, need_id)


def one(session: Session, actor: Actor, need_id: int) -> NeedOut:
    """Return one order with its timeline, with no access check (callers have made it)."""
    rows = session.execute(_shown().where(WorkOrder.id == need_id)).all()
    need = present(session, actor, list(rows))[0]
    need.events = events_of(session, need_id)
    return need


def list_needs(session: Session, scope: Scope, f: NeedFilter, page: int = 1, page_size: int = 20) -> NeedPage:
    """Return one page of the orders in the caller's areas matching ``f``: newest first, or by deadline.

    Two queries whatever the page size: the count and the page.
    """
    scope.require(NEEDS_READ)
    query = select(WorkOrder.id).where(scope.filter(NEEDS_READ, WorkOrder.area_id))
    if f.area_id is not None:
        path = session.scalar(select(Area.path).where(Area.id == f.area_id))
        # An area above the caller's is fine (the list stays within their reach); one beside it is not.
        if path is None or not any(p.startswith(path) or path.startswith(p) for p in scope.paths(NEEDS_READ)):
            raise NotFound("area")
        query = query.where(WorkOrder.area_id.in_(select(Area.id).where(path_under(Area.path, path))))
    query = _narrowed(query, f)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order_by = (
        (WorkOrder.due_at.is_(None), WorkOrder.due_at, WorkOrder.id) if f.sort == "due" else (WorkOrder.id.desc(),)
    )
    ids = query.order_by(*order_by).offset((page - 1) * page_size).limit(page_size)
    rows = session.execute(_shown().where(WorkOrder.id.in_(ids)).order_by(*order_by)).all()
    actor = Actor.of(session, scope)
    return NeedPage(items=present(session, actor, list(rows)), total=total, page=page, page_size=page_size)


def _narrowed(query: Select[Any], f: NeedFilter) -> Select[Any]:
    if f.states:
        states = set(f.states)
        if "open" in states:
            states = (states - {"open"}) | set(OPEN_STATES)
        query = query.where(WorkOrder.state.in_(sorted(states)))
    if f.overdue is not None:
        query = query.where(WorkOrder.overdue.is_(f.overdue))
    if f.category_id is not None:
        query = query.where(WorkOrder.category_id == f.category_id)
    if f.source:
        query = query.where(WorkOrder.source == f.source)
    if f.assignee_user_id is not None:
        query = query.where(WorkOrder.assignee_user_id == f.assignee_user_id)
    if f.grid_log_item_id is not None:
        query = query.where(WorkOrder.grid_log_item_id == f.grid_log_item_id)
    if f.duplicates is not None:
        query = query.where(
            WorkOrder.duplicate_of_id.isnot(None) if f.duplicates else WorkOrder.duplicate_of_id.is_(None)
        )
    return query


def my_orders(session: Session, scope: Scope, done: bool = False, limit: int = 50) -> list[NeedOut]:
    """Return the orders assigned to the caller or their teams: to do (by deadline), or done (newest first)."""
    actor = Actor.of(session, scope)
    mine = WorkOrder.assignee_user_id == scope.user_id
    if actor.teams:
        mine = or_(mine, WorkOrder.assignee_team_id.in_(sorted(actor.teams)))
    query = _shown().where(mine)
    if done:
        query = query.where(WorkOrder.state.in_(MINE_DONE_STATES)).order_by(WorkOrder.id.desc())
    else:
        query = query.where(WorkOrder.state.in_(MINE_STATES)).order_by(WorkOrder.due_at, WorkOrder.id)
    return present(session, actor, list(session.execute(query.limit(limit)).all()))


def my_requests(session: Session, scope: Scope, limit: int = 50) -> list[NeedOut]:
    """Return the requests the caller made as a resident, and those filed for their household, newest first."""
    actor = Actor.of(session, scope)
    theirs = WorkOrder.requester_user_id == scope.user_id
    if actor.resident_id is not None:
        theirs = or_(theirs, WorkOrder.resident_id == actor.resident_id)
    if actor.household_id is not None:
        theirs = or_(theirs, WorkOrder.household_id == actor.household_id)
    query = _shown().where(theirs).order_by(WorkOrder.id.desc()).limit(limit)
    return present(session, actor, list(session.execute(query).all()))


def by_log_item(session: Session, scope: Scope, item_id: int) -> NeedOut:
    """Return the order made from a visit's open item (the link back), or raise ``NotFound``."""
    need_id = session.scalar(select(WorkOrder.id).where(WorkOrder.grid_log_item_id == item_id))
    if need_id is None:
        raise NotFound("need")
    return get_need(session, scope, need_id)


def tracking(session: Session, code: str) -> TrackingOut:
    """Return what the holder of a tracking code may see of their request: its progress, no people."""
    row = session.execute(
        select(WorkOrder, ServiceCategory.name, ServiceCategory.name_en)
        .join(ServiceCategory, ServiceCategory.id == WorkOrder.category_id)
        .where(WorkOrder.tracking_code == code.strip().upper())
    ).first()
    if row is None:
        raise NotFound("need")
    order, category, category_en = row
    return TrackingOut(
        tracking_code=order.tracking_code or "",
        category=category,
        category_en=category_en,
        state=order.state,
        created_at=order.created_at,
        due_at=order.due_at,
        closed_at=order.closed_at,
        rating=order.rating,
        can_rate=order.state == "closed",
        events=events_of(session, order.id, with_people=False),
    )
