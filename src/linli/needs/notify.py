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
from linli.i18n import translate
from linli.needs.models import Notification, WorkOrder
from linli.needs.schemas import NotificationOut


def link_of(order_id: int) -> str:
    """Return the page of an order."""
    return f"/needs/{order_id}"


# What a notification says, by kind (English msgids; the Chinese is in the catalog).
MESSAGES = {
    "assigned": "New order for you: {title}",
    "returned": "Order returned: {title}",
    "extension": "Extension requested: {title}",
    "supervised": "Order under supervision: {title}",
    "rework": "Order sent back for rework: {title}",
    "reopened": "Resident not satisfied, order reopened: {title}",
    "overdue": "Order overdue: {title}",
    "to_community": "Overdue order escalated to the community: {title}",
    "to_street": "Overdue order escalated to the street: {title}",
}


def row_of(user_id: int, kind: str, order_id: int, title: str, at: Any = None) -> dict[str, Any]:
    """Return the values of one notification of ``kind`` about an order, for a bulk insert."""
    subject = title[:200]
    row = {
        "user_id": user_id,
        "kind": kind,
        "subject": subject,
        "text": translate(MESSAGES[kind], "zh").format(title=subject)[:300],
        "link": link_of(order_id),
        "order_id": order_id,
    }
    if at is not None:
        row["created_at"] = at
    return row


def send(session: Session, user_ids: Iterable[int], kind: str, order: WorkOrder) -> None:
    """Add one notification of ``kind`` about ``order`` for each distinct user."""
    for user_id in sorted(set(user_ids)):
        session.add(Notification(**row_of(user_id, kind, order.id, order.title)))


def shown(notification: Notification, locale: str) -> NotificationOut:
    """Return a notification as its reader sees it, in ``locale``."""
    out = NotificationOut.model_validate(notification, from_attributes=True)
    if notification.kind in MESSAGES:
        out.text = translate(MESSAGES[notification.kind], locale).format(title=notification.subject)
    return out


def list_notifications(
    session: Session, scope: Scope, locale: str = "zh", unread: bool = False, page: int = 1, page_size: int = 50
) -> list[NotificationOut]:
    """Return a page of the caller's notifications, newest first, in ``locale``."""
    query = select(Notification).where(Notification.user_id == scope.user_id)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    rows = session.scalars(query.order_by(Notification.id.desc()).offset((page - 1) * page_size).limit(page_size))
    return [shown(n, locale) for n in rows]


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
        return session.execute(statement.values(read_at=utcnow())).rowcount  # type: ignore[attr-defined]
