"""Writing many rows at once: ids allotted here, rows sent in batches (SQLite) or by COPY (PostgreSQL).

A million residents cannot go through ORM objects and services one by one in the time the demo
has; the rows written here carry the same derived columns the registry services write (see
``synth.rows``), only many at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, Table, event, func, insert, select, text, update
from sqlalchemy.orm import Session

from linli.areas.models import Area
from linli.registry.models import (
    Building,
    CareGradeChange,
    House,
    Household,
    Resident,
    ResidentEvent,
    ResidentKey,
    ResidentTag,
    Tenancy,
    Unit,
)

AREA: Table = Area.__table__  # type: ignore[assignment]
BUILDING: Table = Building.__table__  # type: ignore[assignment]
HOUSEHOLD: Table = Household.__table__  # type: ignore[assignment]
RESIDENT: Table = Resident.__table__  # type: ignore[assignment]
EVENT: Table = ResidentEvent.__table__  # type: ignore[assignment]
KEY: Table = ResidentKey.__table__  # type: ignore[assignment]
TAG: Table = ResidentTag.__table__  # type: ignore[assignment]
UNIT: Table = Unit.__table__  # type: ignore[assignment]
HOUSE: Table = House.__table__  # type: ignore[assignment]
TENANCY: Table = Tenancy.__table__  # type: ignore[assignment]
GRADE: Table = CareGradeChange.__table__  # type: ignore[assignment]
# Parents before children, so every foreign key finds its row.
ORDER = (AREA, BUILDING, UNIT, HOUSE, HOUSEHOLD, RESIDENT, EVENT, KEY, TAG, TENANCY, GRADE)
TABLES = {t.name: t for t in ORDER}
WITH_IDS = (AREA, BUILDING, UNIT, HOUSE, HOUSEHOLD, RESIDENT, EVENT, TENANCY, GRADE)
SQLITE_BATCH = 20_000
# Loads above this many residents are worth SQLite's bulk settings (``quick_sqlite``).
QUICK_FROM = 100_000

Rows = dict[str, list[dict[str, Any]]]


def first_ids(session: Session) -> dict[str, int]:
    """Return the first free id of each table whose ids the loader allots."""
    return {t.name: (session.scalar(select(func.max(t.c.id))) or 0) + 1 for t in WITH_IDS}


class RowBuffer:
    """Rows waiting to be written, per table name, with ids counted on from ``first_ids``.

    Holds no database connection, so it can fill up in another process.
    """

    def __init__(self, starts: dict[str, int]) -> None:
        self._next = dict(starts)
        self.rows: Rows = {name: [] for name in TABLES}

    def next_id(self, table: Table) -> int:
        value = self._next[table.name]
        self._next[table.name] = value + 1
        return value

    def peek(self, table: Table) -> int:
        """Return the id ``next_id`` would give, without taking it."""
        return self._next[table.name]

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.rows[table.name].append(row)

    def take(self) -> Rows:
        """Return the rows collected so far and start again empty."""
        rows, self.rows = self.rows, {name: [] for name in TABLES}
        return rows


class BulkWriter:
    """Write collected rows in foreign-key order inside the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.postgres = session.get_bind().dialect.name == "postgresql"

    def write(self, rows: Rows, order: tuple[Table, ...] = ORDER) -> None:
        """Send ``rows``, table by table in ``order`` (parents first): COPY on PostgreSQL, batched
        executemany on SQLite."""
        for table in order:
            batch = rows.get(table.name)
            if not batch:
                continue
            if self.postgres:
                self._copy(table, batch)
            else:
                for start in range(0, len(batch), SQLITE_BATCH):
                    self.session.execute(insert(table), batch[start : start + SQLITE_BATCH])

    def _copy(self, table: Table, rows: list[dict[str, Any]]) -> None:
        columns = list(rows[0])
        # The same bind processing SQLAlchemy would apply (e.g. UTC-aware timestamps).
        dialect = self.session.get_bind().dialect
        processors = {
            c: p for c in columns if (p := table.c[c].type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        names = ", ".join(f'"{c}"' for c in columns)
        raw = self.session.connection().connection.dbapi_connection
        assert raw is not None
        with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:  # type: ignore[attr-defined]
            if not processors:
                for row in rows:
                    copy.write_row(tuple(row.values()))
                return
            for row in rows:
                copy.write_row(tuple(processors[c](v) if c in processors else v for c, v in row.items()))

    def set_heads(self, first: int, last: int) -> None:
        """Point each household with id in ``first..last`` at its member of relation 02 (户主)."""
        head = (
            select(RESIDENT.c.id)
            .where(RESIDENT.c.household_id == HOUSEHOLD.c.id, RESIDENT.c.relation == "02")
            .limit(1)
            .scalar_subquery()
        )
        self.session.execute(update(HOUSEHOLD).where(HOUSEHOLD.c.id.between(first, last)).values(head_id=head))

    def finish(self) -> None:
        """Move PostgreSQL's id sequences past the ids allotted here, and gather planner statistics.

        Without statistics SQLite's planner walks ``ix_resident_status`` (every resident is active)
        instead of ``ix_resident_area_status`` and a grid's list page takes 200 ms instead of 1.
        """
        if self.postgres:
            for table in WITH_IDS:
                sequence = f"pg_get_serial_sequence('{table.name}', 'id')"
                self.session.execute(text(f'SELECT setval({sequence}, (SELECT max(id) FROM "{table.name}"))'))
        self.session.execute(text("ANALYZE"))


def vacuum_postgres(session: Session) -> None:
    """On PostgreSQL, VACUUM after a bulk load: it sets the visibility map, without which the search-key
    index cannot be read index-only and a district-wide name search reads ten thousand heap pages.

    VACUUM cannot run inside a transaction, so it gets a connection of its own in autocommit.
    """
    engine = session.get_bind()
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:  # type: ignore[union-attr]
        connection.exec_driver_sql("VACUUM (ANALYZE)")


@contextmanager
def quick_sqlite(session: Session, enabled: bool) -> Iterator[None]:
    """Run a large SQLite load without fsync at commit and with a 1 GB page cache.

    The demo can be built again if the machine fails mid-load, so durability is traded for time
    (a fifth of a district-scale build). The pragmas are set as each connection is checked out
    (``synchronous`` cannot change inside a transaction); afterwards the pool is emptied so later
    connections get the usual settings from ``make_engine``.
    """
    engine = session.get_bind()
    if not enabled or not isinstance(engine, Engine) or engine.dialect.name != "sqlite":
        yield
        return

    def checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection.execute("PRAGMA synchronous=OFF")
        dbapi_connection.execute("PRAGMA cache_size=-1048576")

    session.close()
    event.listen(engine, "checkout", checkout)
    try:
        yield
    finally:
        event.remove(engine, "checkout", checkout)
        session.close()
        engine.dispose()
