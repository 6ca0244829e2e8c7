"""Houses (实有房屋): each household's house, a building's units, a unit's houses, a house's status and owner.

Every household opened by the registry (one by one, by a ledger import, by the demo) lands on a house:
the house of its building, unit and room, made when missing (``lib.rooms.split_room`` reads the unit
from the room text). Last visits come from the visit rhythm through ``LAST_VISITS``, a hook the visits
module fills (the registry stands below it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, case, func, select
from sqlalchemy.orm import Session

from linli.accounts.permissions import READ, UNMASK, WRITE, Scope
from linli.areas.models import Area
from linli.audit import services as audit
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.db.paging import capped_count
from linli.errors import DomainError, Invalid, NotFound
from linli.lib import phone
from linli.lib.rooms import split_room
from linli.registry.bulk import insert_rows, reserve_ids
from linli.registry.house_schemas import HouseDetail, HouseOut, HouseUpdate, OwnerUnmaskedOut, UnitOut
from linli.registry.models import HOUSE_STATUSES, Building, House, Household, Resident, Unit
from linli.registry.schemas import Page
from linli.runtime import cipher_of

UNITS: Table = Unit.__table__  # type: ignore[assignment]
HOUSES: Table = House.__table__  # type: ignore[assignment]
STATUS_LABELS = {
    "owner_occupied": "Owner-occupied",
    "rented": "Rented",
    "vacant": "Vacant",
    "business": "Business use",
    "other": "Other",
}
# Filled by the visits module: ``(session, household ids) -> {household id: last door visit}``.
LAST_VISITS: list[Callable[[Session, Sequence[int]], dict[int, datetime]]] = []


# ---- placing households ---------------------------------------------------------------------


def houses_for(session: Session, places: Sequence[tuple[int, int, str, str, str | None]]) -> list[int]:
    """Return the house id of each ``(building id, area id, room, unit, status)``, making missing units and houses.

    Runs inside the caller's write transaction, a few statements for any number of places. ``unit``
    empty reads the unit from the room (``split_room``); ``status`` is a new house's (None: owner-occupied);
    an existing house keeps its own.
    """
    if not places:
        return []
    split = [(b, a, *split_room(room, unit), status) for b, a, room, unit, status in places]
    building_ids = sorted({b for b, *_ in split})
    units: dict[tuple[int, str], int] = {}
    for start in range(0, len(building_ids), 2000):
        chunk = building_ids[start : start + 2000]
        units.update(
            {
                (b, n): i
                for i, b, n in session.execute(
                    select(Unit.id, Unit.building_id, Unit.name).where(Unit.building_id.in_(chunk))
                )
            }
        )
    now = utcnow()
    missing_units = list(dict.fromkeys((b, u) for b, _, u, _, _ in split if (b, u) not in units))
    area_of = {b: a for b, a, *_ in split}
    ids = reserve_ids(session, UNITS, len(missing_units))
    insert_rows(
        session,
        UNITS,
        [
            {"id": i, "area_id": area_of[b], "building_id": b, "name": u, "created_at": now, "updated_at": now}
            for i, (b, u) in zip(ids, missing_units, strict=True)
        ],
    )
    units.update(zip(missing_units, ids, strict=True))
    unit_ids = sorted({units[(b, u)] for b, _, u, _, _ in split})
    houses: dict[tuple[int, str], int] = {}
    for start in range(0, len(unit_ids), 2000):
        chunk = unit_ids[start : start + 2000]
        houses.update(
            {
                (u, r): i
                for i, u, r in session.execute(
                    select(House.id, House.unit_id, House.room).where(House.unit_id.in_(chunk))
                )
            }
        )
    new: dict[tuple[int, str], dict[str, Any]] = {}
    for b, a, u, room, status in split:
        key = (units[(b, u)], room)
        if key not in houses and key not in new:
            new[key] = {
                "area_id": a,
                "building_id": b,
                "unit_id": key[0],
                "room": room,
                "status": status if status in HOUSE_STATUSES else "owner_occupied",
                "owner_name": "",
                "note": "",
                "created_at": now,
                "updated_at": now,
            }
    ids = reserve_ids(session, HOUSES, len(new))
    insert_rows(session, HOUSES, [{"id": i, **row} for i, row in zip(ids, new.values(), strict=True)])
    houses.update(zip(new, ids, strict=True))
    return [houses[(units[(b, u)], room)] for b, _, u, room, _ in split]


# ---- reading --------------------------------------------------------------------------------


def last_visits(session: Session, household_ids: Sequence[int]) -> dict[int, datetime]:
    """Return each household's last door visit, as the visit rhythm knows it (empty without the visits module)."""
    found: dict[int, datetime] = {}
    for hook in LAST_VISITS:
        found.update(hook(session, household_ids))
    return found


def _building(session: Session, scope: Scope, building_id: int, capability: str = READ) -> tuple[Building, str]:
    row = session.execute(
        select(Building, Area.path).join(Area, Area.id == Building.area_id).where(Building.id == building_id)
    ).first()
    if row is None:
        raise NotFound("building")
    scope.check(capability, row[1], "building")
    return row[0], row[1]


def get_building(session: Session, scope: Scope, building_id: int) -> Building:
    """Return a building in reach, or raise ``NotFound``."""
    return _building(session, scope, building_id)[0]


def list_units(session: Session, scope: Scope, building_id: int) -> list[UnitOut]:
    """Return the units of a building in reach with their counts of houses, vacant and rented (one query)."""
    _building(session, scope, building_id)
    rows = session.execute(
        select(
            Unit.id,
            Unit.name,
            func.count(House.id),
            func.count(case((House.status == "vacant", 1))),
            func.count(case((House.status == "rented", 1))),
        )
        .outerjoin(House, House.unit_id == Unit.id)
        .where(Unit.building_id == building_id)
        .group_by(Unit.id, Unit.name)
        .order_by(func.length(Unit.name), Unit.name)
    ).all()
    return [UnitOut(id=i, building_id=building_id, name=n, houses=c, vacant=v, rented=r) for i, n, c, v, r in rows]


def get_unit(session: Session, scope: Scope, unit_id: int) -> tuple[Unit, Building]:
    """Return a unit in reach with its building, or raise ``NotFound``."""
    row = session.execute(
        select(Unit, Building, Area.path)
        .join(Building, Building.id == Unit.building_id)
        .join(Area, Area.id == Unit.area_id)
        .where(Unit.id == unit_id)
    ).first()
    if row is None:
        raise NotFound("unit")
    scope.check(READ, row[2], "unit")
    return row[0], row[1]


def _present(session: Session, rows: Sequence[tuple[House, Building, Unit]]) -> list[HouseOut]:
    """Return houses as shown: owner phone masked, counts of open households and last visits (three queries)."""
    if not rows:
        return []
    ids = [h.id for h, _, _ in rows]
    living: dict[int, list[int]] = {}
    for hid, house_id in session.execute(
        select(Household.id, Household.house_id).where(Household.house_id.in_(ids), Household.dissolved_on.is_(None))
    ):
        living.setdefault(house_id or 0, []).append(hid)
    visits = last_visits(session, [h for hs in living.values() for h in hs])
    owners = [h.owner_resident_id for h, _, _ in rows if h.owner_resident_id]
    names = dict(session.execute(select(Resident.id, Resident.name).where(Resident.id.in_(owners)))) if owners else {}
    cipher = cipher_of(session)
    out = []
    for h, b, u in rows:
        seen = [visits[x] for x in living.get(h.id, []) if x in visits]
        out.append(
            HouseOut(
                id=h.id,
                area_id=h.area_id,
                building_id=b.id,
                building=" ".join(p for p in (b.compound, b.name) if p),
                unit_id=u.id,
                unit=u.name,
                room=h.room,
                status=h.status,
                owner_resident_id=h.owner_resident_id,
                owner_name=names.get(h.owner_resident_id or 0, h.owner_name),
                owner_phone=phone.mask(cipher.decrypt(h.owner_phone_enc)) if h.owner_phone_enc else None,
                floor_area=h.floor_area,
                note=h.note,
                households=len(living.get(h.id, [])),
                last_visit_at=max(seen, default=None),
            )
        )
    return out


def list_houses(
    session: Session,
    scope: Scope,
    *,
    building_id: int | None = None,
    unit_id: int | None = None,
    status: str | None = None,
    area_id: int | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Page[HouseOut]:
    """Return a page of houses in reach, by building, unit and room, narrowed by building, unit, status or area.

    Five queries whatever the page size; the count stops at ``paging.COUNT_CAP``.
    """
    scope.require(READ)
    if status is not None and status not in HOUSE_STATUSES:
        raise Invalid("house.status_unknown", "Unknown house status {status}.", "status", status=status)
    query = (
        select(House, Building, Unit)
        .join(Building, Building.id == House.building_id)
        .join(Unit, Unit.id == House.unit_id)
        .where(scope.filter(READ, House.area_id))
    )
    if building_id is not None:
        query = query.where(House.building_id == building_id)
    if unit_id is not None:
        query = query.where(House.unit_id == unit_id)
    if status is not None:
        query = query.where(House.status == status)
    if area_id is not None:
        path = session.scalar(select(Area.path).where(Area.id == area_id))
        if path is None:
            raise NotFound("area")
        query = query.where(House.area_id.in_(select(Area.id).where(Area.path.startswith(path))))
    total, capped = capped_count(session, query.with_only_columns(House.id))
    rows = session.execute(
        query.order_by(
            func.length(Building.name),
            Building.name,
            func.length(Unit.name),
            Unit.name,
            func.length(House.room),
            House.room,
        )
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return Page[HouseOut](
        items=_present(session, [(h, b, u) for h, b, u in rows]),
        total=total,
        page=page,
        page_size=page_size,
        total_capped=capped,
    )


def _house(session: Session, scope: Scope, house_id: int, capability: str = READ) -> tuple[House, Building, Unit]:
    row = session.execute(
        select(House, Building, Unit, Area.path)
        .join(Building, Building.id == House.building_id)
        .join(Unit, Unit.id == House.unit_id)
        .join(Area, Area.id == House.area_id)
        .where(House.id == house_id)
    ).first()
    if row is None:
        raise NotFound("house")
    scope.check(capability, row[3], "house")
    return row[0], row[1], row[2]


def get_house(session: Session, scope: Scope, house_id: int) -> HouseDetail:
    """Return one house in reach with its open households (members masked) and its tenancies, newest first."""
    from linli.registry.places import households_of_house
    from linli.registry.tenancies import tenancies_of

    house, building, unit = _house(session, scope, house_id)
    shown = _present(session, [(house, building, unit)])[0]
    return HouseDetail(
        **shown.model_dump(),
        living=households_of_house(session, scope, house.id),
        tenancies=tenancies_of(session, house.id),
    )


# ---- writing --------------------------------------------------------------------------------


def _snapshot(house: House) -> dict[str, Any]:
    return {
        "status": house.status,
        "owner_resident_id": house.owner_resident_id,
        "owner_name": house.owner_name,
        "owner_phone": f"****{house.owner_phone_tail}" if house.owner_phone_tail else None,
        "floor_area": house.floor_area,
        "note": house.note,
    }


def update_house(session: Session, scope: Scope, house_id: int, data: HouseUpdate) -> HouseOut:
    """Change a house's status, owner, floor area or note (staff with write access where it stands); audited.

    The owner is a resident in reach (``owner_resident_id``) or an outside person by name and phone;
    a bad phone is refused. Status changes reach the visit rhythm of the house's households.
    """
    given = data.model_dump(exclude_unset=True)
    problems: list[DomainError] = []
    number: str | None = None
    if given.get("owner_phone"):
        try:
            number = phone.validate(given["owner_phone"])
        except phone.PhoneProblem:
            problems.append(Invalid("house.owner_phone", "This is not a phone number.", "owner_phone"))
    if problems:
        raise problems[0]
    with transaction(session):
        house, building, unit = _house(session, scope, house_id, WRITE)
        before = _snapshot(house)
        if given.get("owner_resident_id") is not None:
            row = session.execute(
                select(Resident.id, Area.path)
                .join(Area, Area.id == Resident.area_id)
                .where(Resident.id == given["owner_resident_id"])
            ).first()
            if row is None or not scope.reaches(READ, row[1]):
                raise Invalid("house.owner_unknown", "There is no such resident in your area.", "owner_resident_id")
        for name in ("status", "owner_resident_id", "owner_name", "floor_area", "note"):
            if name in given and (given[name] is not None or name in ("owner_resident_id", "floor_area")):
                setattr(house, name, given[name])
        if "owner_phone" in given:
            cipher = cipher_of(session)
            house.owner_phone_enc = cipher.encrypt(number) if number else None
            house.owner_phone_hash = cipher.blind_index(number) if number else None
            house.owner_phone_tail = phone.tail(number) if number else None
        session.flush()
        changes = audit.diff(before, _snapshot(house))
        if changes:
            audit.record_by(
                session,
                scope,
                "house.update",
                entity="house",
                entity_id=house.id,
                area_id=house.area_id,
                changes=changes,
            )
        return _present(session, [(house, building, unit)])[0]


def unmask_owner(session: Session, scope: Scope, house_id: int, reason: str) -> OwnerUnmaskedOut:
    """Return the outside owner's phone in full and record who saw it and why, as a resident's unmask is.

    A caller without the unmask permission where the house stands gets ``NotFound``, and the attempt is
    recorded all the same.
    """
    reason = reason.strip()
    refusal: DomainError | None = None
    with transaction(session):
        row = session.execute(
            select(House, Area.path).join(Area, Area.id == House.area_id).where(House.id == house_id)
        ).first()
        if row is None or not scope.reaches(UNMASK, row[1]):
            audit.record_by(
                session,
                scope,
                "house.unmask_refused",
                entity="house",
                entity_id=house_id,
                changes={"reason": [None, reason]},
            )
            refusal = NotFound("house")
        elif not reason:
            refusal = Invalid("resident.unmask_reason", "A reason is required to see personal data in full.", "reason")
        else:
            house = row[0]
            audit.record_by(
                session,
                scope,
                "house.unmask",
                entity="house",
                entity_id=house.id,
                area_id=house.area_id,
                changes={"reason": [None, reason]},
            )
            value = cipher_of(session).decrypt(house.owner_phone_enc) if house.owner_phone_enc else None
            return OwnerUnmaskedOut(owner_phone=phone.national(value) if value else None)
    raise refusal
