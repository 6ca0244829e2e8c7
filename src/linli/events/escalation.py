"""Escalating a late grid event, past a level when need be (越级), with the levels passed over copied (抄送).

A reported event sits with its community (level 1 of the engine's ``ESCALATION_LEVELS``) unless the SLA
tick has raised its order further. Once its stage is red, a manager of the area or a supervisor may raise
it to the street or straight to the district: the level reached is told (``event_escalated``), every level
jumped over gets a copy (``event_copied``), and the order's timeline says so (``escalate``, with the
levels in its data). The order's ``escalation_level`` is the one the engine keeps; the tick never lowers it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import Assignment
from linli.accounts.permissions import EVENTS_MANAGE, EVENTS_READ, NEEDS_SUPERVISE, Scope
from linli.areas.models import Area
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import Conflict, Forbidden
from linli.events import stages
from linli.events.schemas import EscalateIn, GridEventOut
from linli.events.services import one, reached
from linli.needs import notify, timeline
from linli.needs.access import Actor
from linli.needs.models import ESCALATION_LEVELS, WorkOrder

# Who is told at each level: the roles held at the area of that level above the event.
ROLES = {
    "community": ("secretary",),
    "street": ("supervisor",),
    "district": ("admin", "supervisor"),
}
MESSAGES = {
    "event_escalated": "Late grid event escalated to you: {title}",
    "event_copied": "Copy: a late grid event was escalated past your level: {title}",
}


def escalate(session: Session, scope: Scope, event_id: int, data: EscalateIn) -> GridEventOut:
    """Return the event after raising its late case to ``data.to``, copying the levels passed over.

    404 outside reach; 403 without the right to manage events or supervise orders there; 409 when the
    case is not late (its stage is not red) or already at that level or above.
    """
    with transaction(session):
        event = reached(session, scope, event_id, EVENTS_READ)
        path = session.scalar(select(Area.path).where(Area.id == event.area_id)) or ""
        if not (scope.reaches(EVENTS_MANAGE, path) or scope.reaches(NEEDS_SUPERVISE, path)):
            raise Forbidden()
        now = utcnow()
        if event.order_id is None or stages.colour(event, now) != "red":
            raise Conflict("event.not_late", "Only a late case (red) can be escalated.", "to")
        order = session.scalar(
            select(WorkOrder)
            .where(WorkOrder.id == event.order_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        assert order is not None
        level = max(order.escalation_level, 1)
        target = ESCALATION_LEVELS.index(data.to)
        if target <= level:
            raise Conflict("event.already_escalated", "The case is already at {level} or above.", "to", level=data.to)
        skipped = list(ESCALATION_LEVELS[level + 1 : target])
        told = _people(session, path, data.to)
        copied = sorted({u for name in skipped for u in _people(session, path, name)} - told)
        notify.send(session, told, "event_escalated", order)
        notify.send(session, copied, "event_copied", order)
        before = order.escalation_level
        # The order's own overdue mark stays the SLA tick's: it sets it when the deadline passes and tells the
        # handler; setting it here would keep the tick from ever telling them.
        order.escalation_level = target
        event.skipped_level = ",".join(skipped)
        event.escalated_at = now
        timeline.record(
            session,
            order,
            Actor.of(session, scope),
            "escalate",
            order.state,
            note=data.reason,
            changes={
                "escalation_level": [before, target],
                "to": [None, data.to],
                "skipped": [None, skipped],
                "copied": [None, copied],
            },
        )
        session.flush()
        return one(session, event.id, now)


def _people(session: Session, path: str, level: str) -> set[int]:
    """Return the users holding the level's roles at the area of ``level`` that contains ``path``."""
    prefixes = [path[: i + 1] for i, ch in enumerate(path) if ch == "/" and i > 0]
    rows = session.scalars(
        select(Assignment.user_id)
        .join(Area, Area.id == Assignment.area_id)
        .where(Area.level == level, Area.path.in_(prefixes), Assignment.role.in_(ROLES[level]))
    )
    return set(rows)
