"""Bulk writes to the registry: many buildings, households and residents in a few statements.

For callers that register thousands of people at once (the ledger import, the demo generator). Every
row gets exactly the columns ``registry.services`` gives one resident: the encrypted ID number and
phone with their blind index and 4-character tail (through ``cipher_of(session)``), the search keys of
``lib.pinyin.name_keys`` with the resident's ``area_id``, a ``registered`` event, and the household
head when a 户主 joins a household that has none.

Rows arrive already validated (``registry.validation.check_person``); nothing here checks, commits
or audits: call it inside ``db.engine.transaction`` and audit in the caller. Ids are reserved up
front (``reserve_ids``) so a caller can link rows before they are written, and the costly derived
data (ciphertexts, search keys) can be worked out before the write transaction (``derive``). Inserts
are ``executemany`` in batches, the values bound by the columns' own types; on PostgreSQL the same
rows go through ``COPY``, several times faster there because each statement round trip is avoided.

Statements run on the session's connection, not through the ORM session, so ORM event hooks do not
see them (nor pay for them): a caller that keeps a projection of the registry (the visit rhythm)
updates it for the households it touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Dialect, Table, bindparam, delete, select, text, update
from sqlalchemy.orm import Session

from linli.db.base import utcnow
from linli.lib import clock, phone
from linli.lib.crypto import FieldCipher
from linli.lib.pinyin import name_keys
from linli.registry.models import Building, Household, Resident, ResidentEvent, ResidentKey, ResidentTag
from linli.runtime import cipher_of

BATCH = 5000
HEAD = "02"  # GB/T 4761: head of household
RESIDENT_COLUMNS = (
    "id",
    "area_id",
    "household_id",
    "name",
    "gender",
    "birth_date",
    "id_number_enc",
    "id_number_hash",
    "id_tail",
    "phone_enc",
    "phone_hash",
    "phone_tail",
    "relation",
    "kind",
    "ethnicity",
    "skills",
    "willing_to_help",
    "notes",
    "status",
    "registered_on",
    "left_on",
    "version",
    "created_at",
    "updated_at",
)
EVENT_COLUMNS = (
    "resident_id",
    "kind",
    "happened_on",
    "from_household_id",
    "to_household_id",
    "note",
    "user_id",
    "created_at",
)

BUILDINGS: Table = Building.__table__  # type: ignore[assignment]
HOUSEHOLDS: Table = Household.__table__  # type: ignore[assignment]
RESIDENTS: Table = Resident.__table__  # type: ignore[assignment]
KEYS: Table = ResidentKey.__table__  # type: ignore[assignment]
TAGS: Table = ResidentTag.__table__  # type: ignore[assignment]
EVENTS: Table = ResidentEvent.__table__  # type: ignore[assignment]


@dataclass(slots=True)
class NewBuilding:
    area_id: int
    name: str
    compound: str = ""
    address: str = ""


@dataclass(slots=True)
class NewHousehold:
    area_id: int
    building_id: int
    room: str
    address: str = ""
    registered_on: date | None = None
    unit: str = ""  # a ledger's 单元 cell; empty: read from the room (``lib.rooms.split_room``)
    house_status: str | None = None  # a new house's status (None: owner-occupied)


@dataclass(slots=True)
class NewResident:
    """A validated person: ``id_number`` in its 18-character form, ``phone`` in E.164, ``name`` cleaned."""

    area_id: int
    name: str
    gender: str = "9"
    birth_date: date | None = None
    id_number: str | None = None
    phone: str | None = None
    household_id: int | None = None
    relation: str = "99"
    kind: str = "01"
    ethnicity: str = "01"
    skills: str = ""
    willing_to_help: bool = False
    notes: str = ""
    tag_ids: tuple[int, ...] = ()
    registered_on: date | None = None
    derived: Derived | None = None  # from ``derive``; worked out by ``add_residents`` when missing


@dataclass(frozen=True, slots=True)
class Derived:
    """What a resident's row and search index hold beyond the given fields: the work that costs CPU.

    A caller may compute it before its write transaction (``derive``) so the write lock is held only
    for writing.
    """

    personal: dict[str, str | None]
    keys: tuple[str, ...]


def derive(cipher: FieldCipher, row: NewResident) -> Derived:
    """Return the encrypted and indexed personal columns and the search keys of ``row``."""
    return Derived(personal_columns(cipher, row.id_number, row.phone), tuple(sorted(name_keys(row.name))))


def derive_all(session: Session, rows: Sequence[NewResident], progress: Any = None) -> None:
    """Set ``derived`` on every row, reporting ``(done, total)`` every 2,000 rows.

    The search keys cost ~50 µs a name (pypinyin), the ciphertexts ~10 µs: most of a bulk
    registration's CPU time, which is why callers do it before their write transaction.
    """
    cipher = cipher_of(session)
    for n, row in enumerate(rows, 1):
        row.derived = derive(cipher, row)
        if progress is not None and n % 2000 == 0:
            progress(n, len(rows))


@dataclass(slots=True)
class ResidentChange:
    """New values for an existing resident.

    ``values`` holds the changed resident columns (``id_number`` and ``phone`` in plain text: they are
    encrypted here); ``name`` and ``area_id`` are the resident's values after the change, for the
    search keys, and ``old_name`` the name before it when ``values`` renames. ``tag_ids`` is the
    complete new set of tags (None keeps them). ``moved_from`` is the old household when
    ``household_id`` changes.
    """

    resident_id: int
    name: str
    area_id: int
    relation: str
    values: dict[str, Any]
    tag_ids: tuple[int, ...] | None = None
    moved_from: int | None = None
    old_name: str | None = None


def personal_columns(cipher: FieldCipher, id_number: str | None, phone_e164: str | None) -> dict[str, str | None]:
    """Return the stored columns of an ID number and a phone: ciphertext, blind index, last four."""
    return {
        "id_number_enc": cipher.encrypt(id_number) if id_number else None,
        "id_number_hash": cipher.blind_index(id_number) if id_number else None,
        "id_tail": id_number[-4:] if id_number else None,
        "phone_enc": cipher.encrypt(phone_e164) if phone_e164 else None,
        "phone_hash": cipher.blind_index(phone_e164) if phone_e164 else None,
        "phone_tail": phone.tail(phone_e164) if phone_e164 else None,
    }


def reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """Return ``count`` unused primary keys of ``table``, for rows this transaction will insert.

    PostgreSQL draws them from the table's sequence (safe beside concurrent writers); SQLite counts on
    from the largest id, which is safe because the write transaction holds the database's write lock.
    """
    if count <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        query = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)")
        return list(session.scalars(query, {"table": table.name, "n": count}))
    start = (session.scalar(select(table.c.id).order_by(table.c.id.desc()).limit(1)) or 0) + 1
    return list(range(start, start + count))


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` in batches."""
    if rows:
        columns = list(rows[0])
        values = itemgetter(*columns)
        insert_tuples(session, table, columns, [values(row) for row in rows])


def insert_tuples(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, bound: bool = False
) -> None:
    """Insert ``rows`` (value tuples in the order of ``columns``) into ``table`` in batches.

    The values go through the columns' own bind processing (UTC timestamps, dates) unless already
    ``bound``, then straight to the driver's ``executemany``: SQLAlchemy's per-row statement machinery
    would double the cost.
    """
    if not rows:
        return
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        _copy(session, table, columns, rows)
        return
    processors = [] if bound else _processors(dialect, table, columns)
    sql = f'INSERT INTO "{table.name}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
    connection = session.connection()
    bind = _binder(processors)
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        connection.exec_driver_sql(sql, [bind(row) for row in batch] if processors else [tuple(r) for r in batch])


def _processors(dialect: Dialect, table: Table, columns: Sequence[str]) -> list[tuple[int, Any]]:
    """Return (position, bind processor) of the ``columns`` of ``table`` whose values need converting."""
    if dialect.name == "postgresql":  # COPY takes the Python values
        return []
    return [
        (i, p)
        for i, c in enumerate(columns)
        if (p := table.c[c].type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]


def _binder(processors: list[tuple[int, Any]]) -> Any:
    """Return a function binding one row's values; a value repeated from the row before (the same
    timestamp or date object, True/False) reuses the bound value instead of converting it again."""
    last: list[tuple[Any, Any]] = [(None, None)] * len(processors)

    def bind(row: Sequence[Any]) -> tuple[Any, ...]:
        out = list(row)
        for j, (i, process) in enumerate(processors):
            value = out[i]
            if value is None:
                continue
            seen, bound = last[j]
            if seen is not value:
                bound = process(value)
                last[j] = (value, bound)
            out[i] = bound
        return tuple(out)

    return bind


def _copy(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    raw: Any = session.connection().connection.dbapi_connection  # psycopg's connection: it has COPY
    names = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def add_buildings(session: Session, rows: Sequence[NewBuilding]) -> list[int]:
    """Return the ids of the buildings inserted, in order."""
    ids = reserve_ids(session, BUILDINGS, len(rows))
    now = utcnow()
    insert_rows(
        session,
        BUILDINGS,
        [
            {"id": i, "area_id": b.area_id, "compound": b.compound, "name": b.name, "address": b.address}
            | {"created_at": now, "updated_at": now}
            for i, b in zip(ids, rows, strict=True)
        ],
    )
    return ids


def add_households(session: Session, rows: Sequence[NewHousehold]) -> list[int]:
    """Return the ids of the households inserted (without a head yet), in order, each on its house
    (found or made by ``houses.houses_for``)."""
    from linli.registry.houses import houses_for  # houses builds on this module's writers

    ids = reserve_ids(session, HOUSEHOLDS, len(rows))
    homes = houses_for(session, [(h.building_id, h.area_id, h.room, h.unit, h.house_status) for h in rows])
    now, today = utcnow(), clock.today()
    insert_rows(
        session,
        HOUSEHOLDS,
        [
            {
                "id": i,
                "area_id": h.area_id,
                "building_id": h.building_id,
                "room": h.room,
                "address": h.address,
                "head_id": None,
                "registered_on": h.registered_on or today,
                "dissolved_on": None,
                "house_id": house,
                "care_grade": None,
                "created_at": now,
                "updated_at": now,
            }
            for i, h, house in zip(ids, rows, homes, strict=True)
        ],
    )
    return ids


def _keys(resident_id: int, name: str, area_id: int) -> Iterable[dict[str, Any]]:
    return ({"key": k, "resident_id": resident_id, "area_id": area_id} for k in name_keys(name))


@dataclass(slots=True)
class Prepared:
    """What ``add_residents`` writes for ``rows``, worked out by ``prepare_residents`` before the write.

    ``values`` holds each resident's row in ``RESIDENT_COLUMNS`` order, bound for the database, with
    the id, household and timestamps left to fill in; ``keys`` the search keys as (key, position in
    ``rows``, area), in key order so the index pages fill one after another instead of all over the tree.
    """

    rows: Sequence[NewResident]
    values: list[list[Any]]
    keys: list[tuple[str, int, int]]


# The columns ``add_residents`` fills in when it writes (by position in RESIDENT_COLUMNS).
_FILLED = _ID, _HOUSEHOLD, _CREATED, _UPDATED = tuple(
    RESIDENT_COLUMNS.index(c) for c in ("id", "household_id", "created_at", "updated_at")
)


def prepare_residents(
    session: Session, rows: Sequence[NewResident], *, on: date | None = None, progress: Any = None
) -> Prepared:
    """Return ``rows`` worked out for ``add_residents``: ciphertexts, search keys, bound row values.

    All CPU, no writes: a caller registering thousands calls it before its write transaction.
    """
    derive_all(session, rows, progress)
    today = on or clock.today()
    dialect = session.get_bind().dialect
    bind = _binder([(i, p) for i, p in _processors(dialect, RESIDENTS, RESIDENT_COLUMNS) if i not in _FILLED])
    values: list[list[Any]] = []
    keys: list[tuple[str, int, int]] = []
    for n, r in enumerate(rows):
        assert r.derived is not None
        p = r.derived.personal
        row = (
            None,
            r.area_id,
            None,
            r.name,
            r.gender,
            r.birth_date,
            p["id_number_enc"],
            p["id_number_hash"],
            p["id_tail"],
            p["phone_enc"],
            p["phone_hash"],
            p["phone_tail"],
            r.relation,
            r.kind,
            r.ethnicity,
            r.skills,
            r.willing_to_help,
            r.notes,
            "active",
            r.registered_on or today,
            None,
            1,
            None,
            None,
        )
        values.append(list(bind(row)))
        keys.extend((k, n, r.area_id) for k in r.derived.keys)
    keys.sort(key=itemgetter(0))
    return Prepared(rows, values, keys)


def add_residents(
    session: Session,
    rows: Sequence[NewResident],
    *,
    user_id: int | None = None,
    on: date | None = None,
    prepared: Prepared | None = None,
) -> list[int]:
    """Return the ids of the residents registered, in the order given.

    Writes each one's row, search keys, tags and ``registered`` event, and makes a 户主 the head of a
    household that has none (the first one given, as one-by-one registration would). ``prepared``
    is ``prepare_residents(rows)``, worked out earlier; without it, it is worked out here.
    """
    if not rows:
        return []
    if prepared is None or prepared.rows is not rows:
        prepared = prepare_residents(session, rows, on=on)
    ids = reserve_ids(session, RESIDENTS, len(rows))
    now, today = utcnow(), on or clock.today()
    dialect = session.get_bind().dialect
    created_at = dict(_processors(dialect, RESIDENTS, RESIDENT_COLUMNS)).get(_CREATED)
    stamp = created_at(now) if created_at else now
    residents = prepared.values
    for rid, values, r in zip(ids, residents, rows, strict=True):
        values[_ID], values[_HOUSEHOLD], values[_CREATED], values[_UPDATED] = rid, r.household_id, stamp, stamp
    keys = [(k, ids[n], area) for k, n, area in prepared.keys]
    tags = [(rid, t) for rid, r in zip(ids, rows, strict=True) for t in dict.fromkeys(r.tag_ids)]
    events = [
        (rid, "registered", r.registered_on or today, None, r.household_id, "", user_id, now)
        for rid, r in zip(ids, rows, strict=True)
    ]
    insert_tuples(session, RESIDENTS, RESIDENT_COLUMNS, residents, bound=True)
    insert_tuples(session, KEYS, ("key", "resident_id", "area_id"), keys)
    insert_tuples(session, TAGS, ("resident_id", "tag_id"), tags)
    insert_tuples(session, EVENTS, EVENT_COLUMNS, events)
    claim_heads(session, [(r.household_id, rid) for rid, r in zip(ids, rows, strict=True) if r.relation == HEAD])
    return ids


def _event(
    resident_id: int, kind: str, on: date, old: int | None, new: int | None, user_id: int | None, now: datetime
) -> dict[str, Any]:
    return {
        "resident_id": resident_id,
        "kind": kind,
        "happened_on": on,
        "from_household_id": old,
        "to_household_id": new,
        "note": "",
        "user_id": user_id,
        "created_at": now,
    }


def claim_heads(session: Session, pairs: Sequence[tuple[int | None, int]]) -> None:
    """Make each resident the head of their household unless it has one; the first of a household wins."""
    first: dict[int, int] = {}
    for household_id, resident_id in pairs:
        if household_id is not None:
            first.setdefault(household_id, resident_id)
    if not first:
        return
    statement = (
        update(HOUSEHOLDS)
        .where(HOUSEHOLDS.c.id == bindparam("_household"), HOUSEHOLDS.c.head_id.is_(None))
        .values(head_id=bindparam("_resident"), updated_at=bindparam("_now"))
    )
    params = [{"_household": h, "_resident": r, "_now": utcnow()} for h, r in first.items()]
    for start in range(0, len(params), BATCH):
        session.connection().execute(statement, params[start : start + BATCH])


def change_residents(
    session: Session, changes: Sequence[ResidentChange], *, user_id: int | None = None, on: date | None = None
) -> None:
    """Apply ``changes`` to existing residents, as ``registry.services`` would one at a time.

    The version is bumped; a new name or grid re-indexes the search keys; a new household records a
    ``moved`` event, gives up the headship of the old household and may take that of the new one.
    """
    if not changes:
        return
    cipher, now, today = cipher_of(session), utcnow(), on or clock.today()
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for change in changes:
        values = dict(change.values)
        if "id_number" in values:
            stored = personal_columns(cipher, values.pop("id_number"), None)
            values.update({k: v for k, v in stored.items() if k.startswith("id_")})
        if "phone" in values:
            stored = personal_columns(cipher, None, values.pop("phone"))
            values.update({k: v for k, v in stored.items() if k.startswith("phone_")})
        if values:
            groups.setdefault(tuple(sorted(values)), []).append({"_id": change.resident_id, **values})
    for columns, params in groups.items():
        statement = (
            update(RESIDENTS)
            .where(RESIDENTS.c.id == bindparam("_id"))
            .values({c: bindparam(c) for c in columns} | {"version": RESIDENTS.c.version + 1, "updated_at": now})
        )
        for start in range(0, len(params), BATCH):
            session.connection().execute(statement, params[start : start + BATCH])
    _replace_keys(session, [c for c in changes if "name" in c.values or "area_id" in c.values])
    _replace_tags(session, [c for c in changes if c.tag_ids is not None])
    moves = [c for c in changes if "household_id" in c.values]
    insert_rows(
        session,
        EVENTS,
        [_event(c.resident_id, "moved", today, c.moved_from, c.values["household_id"], user_id, now) for c in moves],
    )
    left = [{"_household": c.moved_from, "_resident": c.resident_id} for c in moves if c.moved_from is not None]
    if left:
        session.connection().execute(
            update(HOUSEHOLDS)
            .where(HOUSEHOLDS.c.id == bindparam("_household"), HOUSEHOLDS.c.head_id == bindparam("_resident"))
            .values(head_id=None, updated_at=now),
            left,
        )
    claim_heads(session, [(c.values["household_id"], c.resident_id) for c in moves if c.relation == HEAD])


def _replace_keys(session: Session, changes: list[ResidentChange]) -> None:
    """Delete the search keys of the changed residents' old names (by primary key) and insert the new ones."""
    if not changes:
        return
    old = [{"k": k, "r": c.resident_id} for c in changes for k in name_keys(c.old_name or c.name)]
    statement = delete(KEYS).where(KEYS.c.key == bindparam("k"), KEYS.c.resident_id == bindparam("r"))
    for start in range(0, len(old), BATCH):
        session.connection().execute(statement, old[start : start + BATCH])
    insert_rows(session, KEYS, [row for c in changes for row in _keys(c.resident_id, c.name, c.area_id)])


def _replace_tags(session: Session, changes: list[ResidentChange]) -> None:
    """Delete the tags of the changed residents and insert their new sets."""
    if not changes:
        return
    ids = [c.resident_id for c in changes]
    for start in range(0, len(ids), BATCH):
        session.connection().execute(delete(TAGS).where(TAGS.c.resident_id.in_(ids[start : start + BATCH])))
    insert_rows(
        session,
        TAGS,
        [{"resident_id": c.resident_id, "tag_id": t} for c in changes for t in dict.fromkeys(c.tag_ids or ())],
    )
