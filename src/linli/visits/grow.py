"""Growing a year of grid logs over the demo's households, in bulk, as the rhythm would have made them.

For each running household the logs follow its rhythm with a little slack: a door visit about every
``visit_every`` days, a call about every ``contact_every`` days in between (ordinary households get a
monthly call too), at working hours, by the grid's worker. About one household in twelve is let
slip at the end, so today's worklists have something overdue. Rows go in with plain ``executemany``
(SQLite) or ``COPY`` (PostgreSQL); into an empty log table the indexes are built after the load,
which is several times faster. The rhythm projection is then set from what was written, in one pass.
Deterministic: the same seed and day give the same logs.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Index, Table, bindparam, func, select, text, update
from sqlalchemy.orm import Session

from linli.accounts.models import Assignment
from linli.audit import services as audit
from linli.db.engine import transaction
from linli.lib import clock
from linli.visits.cadence import due_dates
from linli.visits.hooks import DEFER
from linli.visits.models import GridLog, HouseholdRhythm

T: Table = HouseholdRhythm.__table__  # type: ignore[assignment]
LOG: Table = GridLog.__table__  # type: ignore[assignment]
COLUMNS = (
    "household_id", "area_id", "user_id", "channel", "started_at", "duration_minutes", "narrative", "problem",
    "action", "result", "urgency", "story", "skills_found", "created_at", "version",
)  # fmt: skip
PHONE_TALK = (
    "电话问候，身体状况良好。",
    "电话联系，老人说最近睡眠不太好，已提醒按时服药。",
    "微信询问近况，一切正常。",
)
DOOR_TALK = (
    "上门走访，聊了家常，屋内整洁，用电用气安全。",
    "入户走访，了解到子女不在身边，已登记需求。",
    "上门看望，协助整理药品并讲解防诈骗知识。",
    "走访时发现楼道灯坏了，已报物业维修。",
)
CHUNK = 4000
FEW = 1000  # fewer logs than this: the load drops the indexes and builds them afterwards
# problem, action, result, urgency, story, skills_found
BLANK = ("", "", "", "", "", "")
# Ordinary households are also called about monthly between their quarterly visits.
ORDINARY_CALL_DAYS = 30


@dataclass
class Grown:
    households: int = 0
    logs: int = 0
    seconds: float = 0.0


def _at(rng: random.Random, day: date) -> datetime:
    minutes = rng.randrange(8 * 60 + 30, 18 * 60)
    local = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=clock.LOCAL)
    return local.astimezone(UTC)


def _series(rng: random.Random, first: date, last: date, every: int) -> Iterator[date]:
    """Yield days from about ``first`` to ``last`` roughly ``every`` days apart, never later than the rule."""
    day = first + timedelta(days=rng.randrange(0, max(1, every)))
    while day <= last:
        yield day
        day += timedelta(days=max(1, every - rng.choice((0, 0, 0, 1))))


def household_logs(rng: random.Random, row: Any, start: date, end: date) -> list[tuple[str, datetime, int]]:
    """Return ``(channel, started_at, minutes)`` of one household's logs between ``start`` and ``end``."""
    first = max(start, row.registered_on)
    if rng.random() < 1 / 12:
        end = end - timedelta(days=rng.randrange(1, 20))
    visit_every = row.visit_every or 90
    call_every = row.contact_every or (ORDINARY_CALL_DAYS if visit_every > ORDINARY_CALL_DAYS else None)
    doors = set(_series(rng, first, end, visit_every))
    calls = set(_series(rng, first, end, call_every)) - doors if call_every else set()
    out = [("door", _at(rng, d), max(5, int(rng.gauss(30, 8)))) for d in doors]
    out += [("phone" if rng.random() < 0.7 else "message", _at(rng, d), max(2, int(rng.gauss(8, 3)))) for d in calls]
    return sorted(out, key=lambda item: item[1])


def _workers(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(Assignment.area_id, func.min(Assignment.user_id))
        .where(Assignment.role == "grid_worker")
        .group_by(Assignment.area_id)
    )
    return {area: user for area, user in rows}


def _indexes() -> list[Index]:
    return [i for i in LOG.indexes if isinstance(i, Index)]


def grow_logs(
    session: Session,
    days: int = 365,
    seed: int = 2019,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Grown:
    """Write ``days`` days of grid logs (up to yesterday) for every running household; return how many.

    Days already logged are left alone: when logs exist, only the days before the earliest one are
    grown. No household gets logs from before linli took it on (its ``registered_on``).
    """
    started = time.perf_counter()
    end = (today or clock.today()) - timedelta(days=1)
    start = end - timedelta(days=days - 1)
    first = session.scalar(select(func.min(GridLog.started_at)))
    if first is not None:
        end = min(end, first.astimezone(clock.LOCAL).date() - timedelta(days=1))
    if end < start:
        return Grown(seconds=round(time.perf_counter() - started, 1))
    rows = list(
        session.execute(
            select(
                T.c.household_id,
                T.c.area_id,
                T.c.registered_on,
                T.c.contact_every,
                T.c.visit_every,
                T.c.restarted_on,
                T.c.last_contact_at,
                T.c.last_visit_at,
            )
            .where(T.c.active.is_(True))
            .order_by(T.c.household_id)
        ).all()
    )
    workers = _workers(session)
    postgres = session.get_bind().dialect.name == "postgresql"
    # Loading into a table of a few rows (the demo's own, a story's log) goes faster without its indexes too.
    few = select(GridLog.id).limit(FEW).subquery()
    empty = (session.scalar(select(func.count()).select_from(few)) or 0) < FEW
    grown = Grown(households=len(rows))
    session.info[DEFER] = True
    try:
        if empty:
            with transaction(session):
                for index in _indexes():
                    session.execute(text(f'DROP INDEX IF EXISTS "{index.name}"'))
        lasts: dict[int, tuple[datetime | None, datetime | None]] = {}
        try:
            _load(session, rows, workers, start, end, seed, postgres, grown, lasts, progress)
        except BaseException:
            if empty:  # the table must not be left without its indexes
                with transaction(session):
                    for index in _indexes():
                        index.create(session.connection(), checkfirst=True)
            raise
        with transaction(session):
            if empty:
                for index in _indexes():
                    index.create(session.connection())
            _set_rhythms(session, rows, lasts)
            audit.record(
                session,
                "visits.demo_logs",
                username="demo",
                entity="grid_log",
                changes={"days": [None, days], "seed": [None, seed], "logs": [None, grown.logs]},
            )
        session.commit()
        _tidy(session, postgres)
    finally:
        session.info.pop(DEFER, None)
    grown.seconds = round(time.perf_counter() - started, 1)
    return grown


def _tidy(session: Session, postgres: bool) -> None:
    """Refresh the planner's statistics; on PostgreSQL also vacuum the rhythm just rewritten row by row."""
    if not postgres:
        session.execute(text("ANALYZE"))
        session.commit()
        return
    # VACUUM cannot run inside a transaction: it gets a connection of its own in autocommit mode.
    engine = session.get_bind().engine
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text("VACUUM ANALYZE household_rhythm"))
        conn.execute(text("VACUUM ANALYZE grid_log"))


def _load(
    session: Session,
    rows: list[Any],
    workers: dict[int, int],
    start: date,
    end: date,
    seed: int,
    postgres: bool,
    grown: Grown,
    lasts: dict[int, tuple[datetime | None, datetime | None]],
    progress: Callable[[int, int], None] | None,
) -> None:
    """Write the logs of ``rows`` chunk by chunk, one transaction each, noting each household's last ones."""
    for at in range(0, len(rows), CHUNK):
        batch: list[tuple[Any, ...]] = []
        for row in rows[at : at + CHUNK]:
            rng = random.Random(f"{seed}/{row.household_id}")
            written = household_logs(rng, row, start, end)
            user = workers.get(row.area_id)
            for channel, moment, minutes in written:
                talk = DOOR_TALK if channel == "door" else PHONE_TALK
                text_ = rng.choice(talk)
                done = moment + timedelta(minutes=minutes + 5)
                batch.append((row.household_id, row.area_id, user, channel, moment, minutes, text_, *BLANK, done, 1))
            door = [m for c, m, _ in written if c == "door"]
            lasts[row.household_id] = (written[-1][1] if written else None, door[-1] if door else None)
        with transaction(session):
            _write(session, batch, postgres)
        grown.logs += len(batch)
        if progress:
            progress(min(at + CHUNK, len(rows)), len(rows))


def _write(session: Session, batch: list[tuple[Any, ...]], postgres: bool) -> None:
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    names = ", ".join(COLUMNS)
    if postgres:
        with raw.cursor() as cursor, cursor.copy(f"COPY grid_log ({names}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in batch:
                copy.write_row(row)
        return
    # SQLite keeps UTC times as naive text, the way SQLAlchemy writes them.
    stored = [
        (*r[:4], _text(r[4]), *r[5:13], _text(r[13]), *r[14:])
        for r in batch
    ]  # fmt: skip
    cursor = raw.cursor()
    cursor.executemany(f"INSERT INTO grid_log ({names}) VALUES ({', '.join('?' * len(COLUMNS))})", stored)
    cursor.close()


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _later(one: datetime | None, other: datetime | None) -> datetime | None:
    """Return the later of two moments, either of which may be missing."""
    return max((m for m in (one, other) if m is not None), default=None)


def _set_rhythms(session: Session, rows: list[Any], lasts: dict[int, tuple[datetime | None, datetime | None]]) -> None:
    """Set every household's last contact and visit, and so its due dates.

    Each is the later of what the household had and what the logs just written say.
    """
    values = []
    for row in rows:
        grown_contact, grown_visit = lasts.get(row.household_id, (None, None))
        contact, visit = _later(row.last_contact_at, grown_contact), _later(row.last_visit_at, grown_visit)
        start = max(row.registered_on, row.restarted_on) if row.restarted_on else row.registered_on
        due_contact, due_visit, due = due_dates(row.contact_every, row.visit_every, contact, visit, start)
        values.append(
            {
                "b_id": row.household_id,
                "b_contact": contact,
                "b_visit": visit,
                "b_cdue": due_contact,
                "b_vdue": due_visit,
                "b_due": due,
            }
        )
    statement = (
        update(T)
        .where(T.c.household_id == bindparam("b_id"))
        .values(
            last_contact_at=bindparam("b_contact"),
            last_visit_at=bindparam("b_visit"),
            contact_due_on=bindparam("b_cdue"),
            visit_due_on=bindparam("b_vdue"),
            next_due_on=bindparam("b_due"),
        )
    )
    for at in range(0, len(values), 20000):
        session.execute(statement, values[at : at + 20000])
