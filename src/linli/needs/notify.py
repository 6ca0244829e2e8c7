"""Notifications: a line of text and a link for one user, written in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from linli.accounts.permissions import Scope
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import NotFound
from linli.needs.models import Notification, WorkOrder
from linli.needs.schemas import NotificationOut


def link_of(order_id: int) -> str:
    """Return the page of an order."""
    return f"/needs/{order_id}"


def send(session: Session, user_ids: Iterable[int], text: str, order: WorkOrder, **fields: Any) -> None:
    """Add one notification about ``order`` for each distinct user; ``text`` is filled with ``fields``."""
    body = text.format(**fields)[:300]
    for user_id in sorted(set(user_ids)):
        session.add(Notification(user_id=user_id, text=body, link=link_of(order.id), order_id=order.id))


def list_notifications(session: Session, scope: Scope, unread: bool = False, limit: int = 50) -> list[NotificationOut]:
    """Return the caller's notifications, newest first."""
    query = select(Notification).where(Notification.user_id == scope.user_id)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    rows = session.scalars(query.order_by(Notification.id.desc()).limit(limit))
    return [NotificationOut.model_validate(n, from_attributes=True) for n in rows]


def unread_count(session: Session, scope: Scope) -> int:
    """Return how many of the caller's notifications are unread."""
    return (
        session.scalar(
            select(func.count()).where(Notification.user_id == scope.user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def mark_read(session: Session, scope: Scope, notification_ids: list[int] | None = None) -> int:
    """Mark the caller's notifications read (the given ones, or all); return how many changed.

    Naming one that is not the caller's, or not there, is not found.
    """
    with transaction(session):
        if notification_ids is not None:
            owners = set(session.scalars(select(Notification.user_id).where(Notification.id.in_(notification_ids))))
            if owners != {scope.user_id}:
                raise NotFound("notification")
        statement = update(Notification).where(Notification.user_id == scope.user_id, Notification.read_at.is_(None))
        if notification_ids is not None:
            statement = statement.where(Notification.id.in_(notification_ids))
        return session.execute(statement.values(read_at=utcnow())).rowcount  # type: ignore[attr-defined, no-any-return]
