"""Writing and verifying the audit trail."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from linli.accounts.permissions import Scope
from linli.audit.models import AuditEvent
from linli.db.base import utcnow


def digest(prev: str, event: AuditEvent) -> str:
    """Return the hash of ``event`` chained to ``prev``."""
    body = json.dumps(
        [
            prev,
            event.at.astimezone(UTC).isoformat(),
            event.user_id,
            event.username,
            event.client,
            event.action,
            event.entity,
            event.entity_id,
            event.area_id,
            event.changes,
        ],
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record_by(
    session: Session,
    scope: Scope,
    action: str,
    *,
    entity: str,
    entity_id: object,
    area_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event made by the holder of ``scope`` (their account, name and address), as ``record``."""
    return record(
        session,
        action,
        user_id=scope.user_id,
        username=scope.username,
        client=scope.client,
        entity=entity,
        entity_id=entity_id,
        area_id=area_id,
        changes=changes,
    )


def record(
    session: Session,
    action: str,
    *,
    user_id: int | None = None,
    username: str = "",
    client: str = "",
    entity: str = "",
    entity_id: object = "",
    area_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction, chained to the last one.

    ``user_id`` None (or 0, the system scope used by set-up jobs) records no account.
    On PostgreSQL a transaction-scoped advisory lock keeps concurrent writers in one chain; SQLite
    already lets one writer in at a time.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7331)"))
    prev = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or ""
    event = AuditEvent(
        at=utcnow().replace(microsecond=0),
        user_id=user_id or None,
        username=username,
        client=client[:60],
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        area_id=area_id,
        changes=changes or {},
        prev_hash=prev,
    )
    event.hash = digest(prev, event)
    session.add(event)
    session.flush()
    return event


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Return ``{field: [old, new]}`` for each field whose value changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def verify(events: Iterable[AuditEvent]) -> AuditEvent | None:
    """Return the first event whose hash or link does not hold, or None when the chain is whole."""
    prev = ""
    for event in events:
        if event.prev_hash != prev or event.hash != digest(prev, event):
            return event
        prev = event.hash
    return None
