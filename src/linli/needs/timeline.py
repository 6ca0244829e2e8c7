"""An order's timeline and audit trail, written together: every move is both."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.audit import services as audit
from linli.db.base import utcnow
from linli.needs.access import Actor
from linli.needs.models import WorkOrder, WorkOrderEvent
from linli.needs.schemas import EventOut


def record(
    session: Session,
    order: WorkOrder,
    actor: Actor,
    action: str,
    from_state: str,
    *,
    note: str = "",
    photo: str | None = None,
    changes: dict[str, list[Any]] | None = None,
) -> WorkOrderEvent:
    """Append one line to the order's timeline and one event to the audit trail, in the caller's transaction."""
    changes = {k: [_plain(v) for v in pair] for k, pair in (changes or {}).items()}
    if from_state != order.state:
        changes["state"] = [from_state, order.state]
    event = WorkOrderEvent(
        order_id=order.id,
        at=utcnow(),
        user_id=actor.user_id,
        actor=actor.name,
        action=action,
        from_state=from_state,
        to_state=order.state,
        note=note,
        photo=photo,
        data={k: v for k, v in changes.items() if k != "state"},
    )
    session.add(event)
    audit.record(
        session,
        f"need.{action}",
        user_id=actor.user_id,
        username=actor.scope.username if actor.scope else actor.name,
        client=actor.client,
        entity="need",
        entity_id=order.id,
        area_id=order.area_id,
        changes=changes,
    )
    return event


def _plain(value: Any) -> Any:
    # The trail is JSON: times are kept as ISO text.
    return value.isoformat() if isinstance(value, datetime) else value


def events_of(session: Session, order_id: int, with_people: bool = True) -> list[EventOut]:
    """Return the order's timeline, oldest first; without people's names and notes for a tracking page."""
    rows = session.scalars(
        select(WorkOrderEvent).where(WorkOrderEvent.order_id == order_id).order_by(WorkOrderEvent.id)
    ).all()
    return [
        EventOut(
            at=e.at,
            actor=e.actor if with_people else "",
            action=e.action,
            from_state=e.from_state,
            to_state=e.to_state,
            note=e.note if with_people else "",
            photo=e.photo if with_people else None,
        )
        for e in rows
    ]
