"""Reading the audit trail: browsing with filters, exporting, verifying the chain, pruning old events."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Select, delete, func, or_, select
from sqlalchemy.orm import Session

from linli.accounts.permissions import AUDIT_READ, Scope
from linli.audit import services as audit
from linli.audit.models import AuditEvent
from linli.audit.schemas import AuditEventOut, AuditPage
from linli.db.engine import transaction
from linli.errors import Invalid
from linli.lib.clock import LOCAL

MIN_RETENTION_DAYS = 180  # Cybersecurity Law: logs kept at least six months


@dataclass(frozen=True)
class AuditFilter:
    username: str = ""
    action: str = ""
    entity: str = ""
    entity_id: str = ""
    since: date | None = None
    until: date | None = None


def _visible(scope: Scope) -> Select[AuditEvent]:
    """Return events the caller may read: those of areas in reach, and area-less ones (logins) for district holders."""
    scope.require(AUDIT_READ)
    condition = scope.filter(AUDIT_READ, AuditEvent.area_id)
    if any(path.count("/") == 2 for path in scope.paths(AUDIT_READ)):
        condition = or_(condition, AuditEvent.area_id.is_(None))
    return select(AuditEvent).where(condition)


def _filtered(scope: Scope, f: AuditFilter) -> Select[AuditEvent]:
    query = _visible(scope)
    if f.username:
        query = query.where(AuditEvent.username == f.username)
    if f.action:
        query = query.where(AuditEvent.action.startswith(f.action))
    if f.entity:
        query = query.where(AuditEvent.entity == f.entity)
    if f.entity_id:
        query = query.where(AuditEvent.entity_id == f.entity_id)
    if f.since:
        query = query.where(AuditEvent.at >= datetime.combine(f.since, time(), LOCAL))
    if f.until:
        query = query.where(AuditEvent.at < datetime.combine(f.until + timedelta(days=1), time(), LOCAL))
    return query


def list_events(session: Session, scope: Scope, f: AuditFilter, page: int = 1, page_size: int = 50) -> AuditPage:
    """Return one page of the events in reach matching ``f``, newest first."""
    query = _filtered(scope, f)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.scalars(query.order_by(AuditEvent.id.desc()).offset((page - 1) * page_size).limit(page_size))
    items = [AuditEventOut.model_validate(e, from_attributes=True) for e in rows]
    return AuditPage(items=items, total=total, page=page, page_size=page_size)


def export_csv(session: Session, scope: Scope, f: AuditFilter) -> Iterator[str]:
    """Yield the events in reach matching ``f`` as CSV text, oldest first; the export itself is audited."""
    query = _filtered(scope, f)
    count = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    with transaction(session):
        audit.record(
            session,
            "audit.export",
            user_id=scope.user_id,
            username=scope.username,
            client=scope.client,
            entity="audit_event",
            changes={"rows": [None, count]},
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "at", "username", "client", "action", "entity", "entity_id", "area_id", "changes"])
    for event in session.scalars(query.order_by(AuditEvent.id).execution_options(yield_per=1000)):
        writer.writerow(
            [
                event.id,
                event.at.astimezone(LOCAL).isoformat(),
                event.username,
                event.client,
                event.action,
                event.entity,
                event.entity_id,
                event.area_id or "",
                escape_formula(str(event.changes)),
            ]
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def escape_formula(value: str) -> str:
    """Return ``value`` so a spreadsheet shows it as text: a leading = + - @ is prefixed with '."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@dataclass(frozen=True)
class Verdict:
    checked: int
    first_bad_id: int | None


def verify_chain(session: Session) -> Verdict:
    """Return how many events were checked and the id of the first whose hash or link does not hold.

    After a prune, the first remaining event links to the hash the prune recorded; any other first
    link is a deleted event.
    """
    anchors = {
        str(e.changes.get("through_hash", [None, None])[1])
        for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.prune"))
    }
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=2000))
    prev: str | None = None
    checked = 0
    for event in events:
        expected = prev if prev is not None else (event.prev_hash if event.prev_hash in anchors else "")
        if event.prev_hash != expected or event.hash != audit.digest(expected, event):
            return Verdict(checked, event.id)
        prev = event.hash
        checked += 1
    return Verdict(checked, None)


def prune(session: Session, before: date, today: date) -> int:
    """Delete events older than ``before`` and record the prune; refuse to cut into the last 180 days."""
    if (today - before).days < MIN_RETENTION_DAYS:
        raise Invalid(
            "audit.retention", "Audit events must be kept for at least {days} days.", "before", days=MIN_RETENTION_DAYS
        )
    cutoff = datetime.combine(before, time(), LOCAL)
    with transaction(session):
        last = session.execute(
            select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.at < cutoff).order_by(AuditEvent.id.desc()).limit(1)
        ).first()
        if last is None:
            return 0
        removed = (
            cast(CursorResult[Any], session.execute(delete(AuditEvent).where(AuditEvent.id <= last.id))).rowcount or 0
        )
        audit.record(
            session,
            "audit.prune",
            username="cli",
            entity="audit_event",
            changes={
                "through_id": [None, last.id],
                "through_hash": [None, last.hash],
                "removed": [None, removed],
                "before": [None, before.isoformat()],
            },
        )
        return removed
