"""Matching checked ledger rows to the registry and deciding, row by row, to create, change or refuse.

A row is the resident with the same ID number (blind index); without an ID number, the resident of
the same name and birth date in the same home. An ID number registered to someone of another name,
or outside the user's reach, is refused. An empty cell leaves the registered value as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.accounts.permissions import LEDGER_IMPORT, Scope
from linli.areas.models import Area
from linli.audit import services as audit
from linli.errors import Conflict, Invalid
from linli.ledger.checking import TagBook
from linli.ledger.normalise import LedgerRow
from linli.ledger.places import Homes, place_key
from linli.lib import clock
from linli.registry import bulk
from linli.registry.models import Building, House, Household, Resident, ResidentTag
from linli.runtime import cipher_of
from linli.visits.rhythm import NewHome, recompute_rhythm, start_rhythm

CHUNK = 5000
# Row attribute → resident column, compared as they are.
PLAIN = (
    ("gender", "gender"),
    ("birth_date", "birth_date"),
    ("relation", "relation"),
    ("kind", "kind"),
    ("skills", "skills"),
    ("notes", "notes"),
    ("willing", "willing_to_help"),
)
COLUMNS = (
    Resident.id,
    Resident.name,
    Resident.gender,
    Resident.birth_date,
    Resident.phone_hash,
    Resident.phone_tail,
    Resident.relation,
    Resident.kind,
    Resident.skills,
    Resident.notes,
    Resident.willing_to_help,
    Resident.household_id,
    Resident.area_id,
    Resident.status,
    Resident.id_number_hash,
    Resident.version,
    Area.path,
)

HomeRef = tuple[int | None, Any]  # (existing household id, key of a household to create)


@dataclass
class Change:
    row: LedgerRow
    old: Any
    values: dict[str, Any]
    home: HomeRef
    tag_ids: tuple[int, ...] | None
    old_tags: frozenset[int]


@dataclass
class Plan:
    """What an import will write: new residents, changes to registered ones, new buildings and households.

    It is made by reading (``plan``), outside the write transaction; ``prepare`` then works out the
    costly derived data, still outside it; inside it, ``check_fresh`` makes sure no one changed what
    the plan was made from, and ``apply`` writes. The write lock is held only for writing.
    """

    homes: Homes
    tags: TagBook
    grid_ids: list[int] = field(default_factory=list)
    creates: list[tuple[LedgerRow, HomeRef]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    homes_seen: tuple[Any, ...] = ()
    prepared: bulk.Prepared | None = None

    def prepare(self, session: Session, progress: Any = None) -> None:
        """Work out the new residents' rows, ciphertexts and search keys (CPU only, no writes)."""
        today = clock.today()
        rows = [
            bulk.NewResident(
                area_id=row.grid_id or 0,
                name=row.name,
                gender=row.gender or "9",
                birth_date=row.birth_date,
                id_number=row.id_number,
                phone=row.phone,
                relation=row.relation or "99",
                kind=row.kind or "01",
                skills=row.skills or "",
                willing_to_help=bool(row.willing),
                notes=row.notes or "",
                tag_ids=row.tag_ids or (),
                registered_on=today,
            )
            for row, _ in self.creates
        ]

        def report(done: int, total: int) -> None:
            if progress is not None:
                progress("preparing", done, total)

        self.prepared = bulk.prepare_residents(session, rows, on=today, progress=report)

    def check_fresh(self, session: Session) -> None:
        """Raise ``Conflict`` when the registry changed since the plan was made (inside the write transaction)."""
        hashes = sorted(id_indexes(session, [row for row, _ in self.creates]))
        taken = any(
            session.scalar(select(Resident.id).where(Resident.id_number_hash.in_(hashes[i : i + CHUNK])).limit(1))
            for i in range(0, len(hashes), CHUNK)
        )
        versions = {c.old.id: c.old.version for c in self.changes}
        ids = sorted(versions)
        for i in range(0, len(ids), CHUNK):
            query = select(Resident.id, Resident.version).where(Resident.id.in_(ids[i : i + CHUNK]))
            taken = taken or any(versions[rid] != version for rid, version in session.execute(query))
        if taken or homes_state(session, self.grid_ids) != self.homes_seen:
            raise Conflict(
                "ledger.stale",
                "Someone changed these residents or homes while the file was being checked; import it again.",
            )

    def apply(self, session: Session, scope: Scope) -> list[int]:
        """Return the ids of the residents created, once the plan is written in the caller's transaction."""
        self.homes.create(session)
        today = clock.today()
        if self.prepared is None:
            self.prepare(session)
        assert self.prepared is not None
        new = self.prepared.rows
        for resident, (_, home) in zip(new, self.creates, strict=True):
            resident.household_id = self._household(home)
        created = bulk.add_residents(session, new, user_id=scope.user_id, on=today, prepared=self.prepared)
        changes = []
        for c in self.changes:
            values = dict(c.values)
            if "household_id" in values:
                values["household_id"] = self._household(c.home)
            changes.append(
                bulk.ResidentChange(
                    resident_id=c.old.id,
                    name=c.old.name,
                    area_id=values.get("area_id", c.old.area_id),
                    relation=values.get("relation", c.old.relation),
                    values=values,
                    tag_ids=c.tag_ids,
                    moved_from=c.old.household_id if "household_id" in values else None,
                )
            )
        bulk.change_residents(session, changes, user_id=scope.user_id, on=today)
        for c, change in zip(self.changes, changes, strict=True):
            audit.record(
                session,
                "resident.update",
                user_id=scope.user_id,
                username=scope.username,
                client=scope.client,
                entity="resident",
                entity_id=c.old.id,
                area_id=change.area_id,
                changes=self._trail(c, change),
            )
        # The visit rhythm follows the registry. A new household whose members are all new starts from
        # what the plan holds; every other household a row joined, left or changed is recomputed.
        touched = {r.household_id for r in new}
        for c, change in zip(self.changes, changes, strict=True):
            touched.update((c.old.household_id, change.values.get("household_id")))
        moved_in = {change.values.get("household_id") for change in changes}
        fresh = {hid: h for hid, h in self.homes.created if hid not in moved_in}
        members: dict[int, list[tuple[Any, str, Sequence[int]]]] = {hid: [] for hid in fresh}
        for r in new:
            if r.household_id in members:
                members[r.household_id].append((r.birth_date, r.kind, r.tag_ids))
        statuses = _house_statuses(session, list(fresh))
        homes = [
            NewHome(
                hid, h.area_id, h.building_id, h.registered_on or today, members[hid], house_status=statuses.get(hid)
            )
            for hid, h in fresh.items()
        ]
        start_rhythm(session, homes, today=today)
        recompute_rhythm(session, {h for h in touched if h and h not in fresh})
        return created

    def _household(self, home: HomeRef) -> int | None:
        existing, key = home
        return existing if key is None else self.homes.new_household_id(key)

    def _trail(self, c: Change, change: bulk.ResidentChange) -> dict[str, list[Any]]:
        """Return the audited changes, personal fields masked as the registry masks them."""
        trail: dict[str, list[Any]] = {}
        for name, value in change.values.items():
            if name == "phone":
                trail["phone"] = [f"****{c.old.phone_tail}" if c.old.phone_tail else None, f"****{value[-4:]}"]
            elif name == "birth_date":
                old = c.old.birth_date
                trail[name] = [old.isoformat() if old else None, value.isoformat() if value else None]
            else:
                trail[name] = [getattr(c.old, name), value]
        if c.tag_ids is not None:
            codes = self.tags.codes
            trail["tags"] = [sorted(codes[t] for t in c.old_tags), sorted(codes[t] for t in c.tag_ids)]
        return trail


def id_indexes(session: Session, rows: list[LedgerRow]) -> dict[str, str]:
    """Return every blind index the rows' ID numbers may be stored under → the index under the current key.

    While the data key is being rotated a resident not yet re-encrypted is indexed under the previous
    key; looking up only the current one would register them a second time.
    """
    cipher = cipher_of(session)
    if not cipher.rotating:
        return {r.id_hash: r.id_hash for r in rows if r.id_hash}
    return {index: r.id_hash for r in rows if r.id_hash and r.id_number for index in cipher.blind_indexes(r.id_number)}


def _existing(session: Session, rows: list[LedgerRow]) -> tuple[dict[str, Any], dict[tuple[Any, ...], Any]]:
    """Return the registered residents the rows may be: by ID blind index, and (without one) by name."""
    indexes = id_indexes(session, rows)
    hashes = sorted(indexes)
    by_hash: dict[str, Any] = {}
    for start in range(0, len(hashes), CHUNK):
        query = select(*COLUMNS).join(Area, Area.id == Resident.area_id)
        for found in session.execute(query.where(Resident.id_number_hash.in_(hashes[start : start + CHUNK]))):
            by_hash[indexes[found.id_number_hash]] = found
    grid_ids = sorted({r.grid_id for r in rows if not r.id_number and r.grid_id})
    by_name: dict[tuple[Any, ...], Any] = {}
    for start in range(0, len(grid_ids), CHUNK):
        query = (
            select(*COLUMNS)
            .join(Area, Area.id == Resident.area_id)
            .where(
                Resident.area_id.in_(grid_ids[start : start + CHUNK]),
                Resident.id_number_hash.is_(None),
                Resident.status == "active",
            )
        )
        for found in session.execute(query):
            by_name.setdefault((found.area_id, found.household_id, found.name, found.birth_date), found)
    return by_hash, by_name


def _tags_of(session: Session, ids: list[int]) -> dict[int, frozenset[int]]:
    tags: dict[int, set[int]] = {}
    for start in range(0, len(ids), CHUNK):
        query = select(ResidentTag.resident_id, ResidentTag.tag_id).where(
            ResidentTag.resident_id.in_(ids[start : start + CHUNK])
        )
        for rid, tag_id in session.execute(query):
            tags.setdefault(rid, set()).add(tag_id)
    return {rid: frozenset(t) for rid, t in tags.items()}


def homes_state(session: Session, grid_ids: list[int]) -> tuple[Any, ...]:
    """Return how many buildings and open households the grids have, and their largest ids."""
    if not grid_ids:
        return ()
    buildings = session.execute(
        select(func.count(Building.id), func.max(Building.id)).where(Building.area_id.in_(grid_ids))
    ).one()
    households = session.execute(
        select(func.count(Household.id), func.max(Household.id)).where(
            Household.area_id.in_(grid_ids), Household.dissolved_on.is_(None)
        )
    ).one()
    return (*buildings, *households)


def plan(session: Session, scope: Scope, rows: list[LedgerRow], tags: TagBook) -> Plan:
    """Return what importing ``rows`` would do; rows that cannot be imported get their reasons."""
    grid_ids = sorted({r.grid_id for r in rows if r.grid_id and not r.errors})
    homes = Homes.load(session, grid_ids)
    result = Plan(homes, tags, grid_ids, homes_seen=homes_state(session, grid_ids))
    valid = [r for r in rows if not r.errors]
    by_hash, by_name = _existing(session, valid)
    old_tags = _tags_of(session, sorted({o.id for o in by_hash.values()} | {o.id for o in by_name.values()}))
    cipher = cipher_of(session)
    for row in valid:
        assert row.grid_id is not None
        home: HomeRef = (None, None)
        if row.building:
            home = (homes.household(row.grid_id, row.building, row.room, row.unit), None)
        old = by_hash.get(row.id_hash) if row.id_hash else by_name.get((row.grid_id, home[0], row.name, row.birth_date))
        if old is None:
            result.creates.append((row, _planned(homes, row, home)))
            continue
        refusal = _refusal(scope, row, old)
        if refusal is not None:
            row.errors.append(refusal)
            continue
        values = _differences(row, old, home, cipher.blind_indexes(row.phone) if row.phone else None)
        current = old_tags.get(old.id, frozenset())
        new_tags = None
        if row.tag_ids is not None:
            wanted = frozenset(row.tag_ids) | (current & tags.hidden)
            new_tags = tuple(sorted(wanted)) if wanted != current else None
        if not values and new_tags is None:
            result.unchanged += 1
            continue
        if "household_id" in values:
            home = _planned(homes, row, home)
        result.changes.append(Change(row, old, values, home, new_tags, current))
    return result


def _planned(homes: Homes, row: LedgerRow, home: HomeRef) -> HomeRef:
    if row.building and home[0] is None:
        assert row.grid_id is not None
        return (None, homes.plan(row.grid_id, row.building, row.room, row.unit, row.house_status))
    return home


def _refusal(scope: Scope, row: LedgerRow, old: Any) -> Invalid | None:
    if not scope.reaches(LEDGER_IMPORT, old.path):
        return Invalid("ledger.id_elsewhere", "This ID number is already registered in another area.", "id_number")
    if place_key(old.name) != place_key(row.name):
        return Invalid(
            "ledger.id_other_person",
            "This ID number is already registered to another person ({name}).",
            "id_number",
            name=old.name,
        )
    if old.status != "active":
        return Invalid(
            "ledger.resident_not_active",
            "This person is recorded as moved out or deceased; change the record in the registry.",
            "name",
        )
    return None


def _differences(row: LedgerRow, old: Any, home: HomeRef, phone_hashes: list[str] | None) -> dict[str, Any]:
    """Return the resident columns the row changes; empty cells change nothing."""
    values: dict[str, Any] = {}
    for attr, column in PLAIN:
        value = getattr(row, attr)
        if value is not None and value != getattr(old, column):
            values[column] = value
    if phone_hashes is not None and old.phone_hash not in phone_hashes:
        values["phone"] = row.phone
    existing, _ = home
    if row.building:
        if existing is None or existing != old.household_id:
            values["household_id"] = existing  # the new household's id is known once it is written
    elif row.grid_id != old.area_id and old.household_id is not None:
        values["household_id"] = None  # moved to another grid, household not given
    if row.grid_id != old.area_id:
        values["area_id"] = row.grid_id
    return values


def _house_statuses(session: Session, household_ids: list[int]) -> dict[int, str]:
    """Return the status of each new household's house (a row's 房屋状态, or an existing house's own)."""
    found: dict[int, str] = {}
    for start in range(0, len(household_ids), 5000):
        chunk = household_ids[start : start + 5000]
        rows = session.execute(
            select(Household.id, House.status)
            .join(House, House.id == Household.house_id)
            .where(Household.id.in_(chunk))
        )
        found.update({household_id: status for household_id, status in rows})
    return found
