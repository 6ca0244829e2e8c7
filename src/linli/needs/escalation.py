"""The SLA tick: mark orders overdue, tell their owners' supervisors, and climb grid → community → street.

Each step is one set-based UPDATE guarded by the state it changes (``overdue`` false → true, a level
below the one reached), so running the tick again changes nothing, and two ticks at once are serialised
(a PostgreSQL advisory lock; SQLite's ``BEGIN IMMEDIATE``): the second finds nothing left to do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from linli.accounts.models import Assignment
from linli.areas.models import Area
from linli.audit import services as audit
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.needs import notify
from linli.needs.models import CLOCK_STATES, Notification, UrgencyLevel, WorkOrder, WorkOrderEvent
from linli.needs.schemas import TickOut

TICK_LOCK = 7332  # one tick at a time (7331 is the audit chain's)
WORKER_LOCK = 7333  # one ``linli worker`` per database
# Who is told when an order climbs to a level: the role held at the area of that level above the order.
LEVELS = {1: ("community", "secretary"), 2: ("street", "supervisor")}
LEVEL_KIND = {0: "overdue", 1: "to_community", 2: "to_street"}
# Written out as in the partial index ``ix_work_order_running_due``: with bound parameters instead,
# SQLite cannot tell the query stays inside the index and scans the whole table.
RUNNING = text(f"state IN {CLOCK_STATES!r}")
AUDIT_IDS = 1000  # the trail keeps this many order ids per step; the timelines keep them all
# Other modules' deadlines kept by the same tick (a course seat's hold lapsing, an institution's finding
# overdue): each is called in the tick's transaction with the time and returns {what: how many changed}.
ALSO: list[Callable[[Session, datetime], dict[str, int]]] = []


def tick(session: Session, now: datetime | None = None) -> TickOut:
    """Return what one run of the escalation changed: orders newly overdue, raised to community, to street."""
    now = now or utcnow()
    with transaction(session):
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": TICK_LOCK})
        running = (RUNNING, WorkOrder.due_at < now)
        newly = _mark(
            session,
            update(WorkOrder).where(*running, WorkOrder.overdue.is_(False)),
            {"overdue": True, "overdue_at": now},
        )
        raised: dict[int, list[Any]] = {1: [], 2: []}
        for urgency in session.scalars(select(UrgencyLevel)):
            for level, hours in ((1, urgency.community_after_hours), (2, urgency.street_after_hours)):
                statement = update(WorkOrder).where(
                    RUNNING,
                    WorkOrder.urgency_id == urgency.id,
                    WorkOrder.escalation_level < level,
                    WorkOrder.due_at < now - timedelta(hours=hours),
                )
                raised[level] += _mark(session, statement, {"escalation_level": level, "overdue": True})
        notified = _tell(session, newly, raised, now)
        others: dict[str, int] = {}
        for also in ALSO:
            others.update(also(session, now))
        result = TickOut(
            overdue=len(newly), community=len(raised[1]), street=len(raised[2]), notified=notified, others=others
        )
        if newly or raised[1] or raised[2]:
            audit.record(
                session,
                "need.sla_tick",
                username="system",
                entity="need",
                changes={
                    "overdue": [None, [r.id for r in newly[:AUDIT_IDS]]],
                    "community": [None, [r.id for r in raised[1][:AUDIT_IDS]]],
                    "street": [None, [r.id for r in raised[2][:AUDIT_IDS]]],
                    "counts": [None, result.model_dump()],
                },
            )
    return result


def _mark(session: Session, statement: Any, values: dict[str, Any]) -> list[Any]:
    """Run a guarded UPDATE and return the rows it changed (id, area path, title, owner, dispatcher)."""
    if "overdue_at" in values:
        values = {**values, "overdue_at": func.coalesce(WorkOrder.overdue_at, values["overdue_at"])}
    rows = session.execute(
        statement.values(**values)
        .returning(
            WorkOrder.id, WorkOrder.area_id, WorkOrder.title, WorkOrder.assignee_user_id, WorkOrder.dispatched_by_id
        )
        .execution_options(synchronize_session=False)
    ).all()
    return list(rows)


def _tell(session: Session, newly: Sequence[Any], raised: dict[int, list[Any]], now: datetime) -> int:
    """Write the timeline lines and notifications of one tick in bulk; return how many notifications."""
    changed = [*newly, *raised[1], *raised[2]]
    if not changed:
        return 0
    paths = dict(session.execute(select(Area.id, Area.path).where(Area.id.in_({r.area_id for r in changed}))).all())
    holders = _holders(session)
    events: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []

    def add(row: Any, level: int, people: set[int]) -> None:
        action = "overdue" if level == 0 else "escalate"
        events.append(
            {
                "order_id": row.id,
                "at": now,
                "actor": "system",
                "action": action,
                "from_state": "",
                "to_state": "",
                "note": "",
                "data": {"level": level},
            }
        )
        notes.extend(notify.row_of(u, LEVEL_KIND[level], row.id, row.title, now) for u in sorted(people))

    for row in newly:
        people = {u for u in (row.assignee_user_id, row.dispatched_by_id) if u}
        add(row, 0, people or _above(holders, 1, paths[row.area_id]))
    for level in (1, 2):
        for row in raised[level]:
            add(row, level, _above(holders, level, paths[row.area_id]))
    session.execute(insert(WorkOrderEvent), events)
    if notes:
        session.execute(insert(Notification), notes)
    return len(notes)


def _holders(session: Session) -> dict[int, dict[str, set[int]]]:
    """Return, for each escalation level, the users to tell by the path of the area they hold the role at."""
    out: dict[int, dict[str, set[int]]] = {}
    for level, (area_level, role) in LEVELS.items():
        found: dict[str, set[int]] = defaultdict(set)
        rows = session.execute(
            select(Area.path, Assignment.user_id)
            .join(Assignment, Assignment.area_id == Area.id)
            .where(Area.level == area_level, Assignment.role == role)
        )
        for path, user_id in rows:
            found[path].add(user_id)
        out[level] = found
    return out


def _above(holders: dict[int, dict[str, set[int]]], level: int, path: str) -> set[int]:
    """Return the users told at ``level`` about an order at ``path``: those holding an area that contains it."""
    people: set[int] = set()
    cut = 0
    while (cut := path.find("/", cut + 1)) != -1:
        people |= holders[level].get(path[: cut + 1], set())
    return people
