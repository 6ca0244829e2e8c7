"""Buildings and households: where residents live."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.accounts.permissions import READ, WRITE, Scope
from linli.areas.models import Area
from linli.audit import services as audit
from linli.db.engine import transaction
from linli.db.paging import capped_count
from linli.errors import Invalid, NotFound
from linli.lib import clock
from linli.registry.houses import houses_for
from linli.registry.models import Building, House, Household, Resident, Unit
from linli.registry.schemas import BuildingIn, BuildingOut, HouseholdIn, HouseholdOut, Page, ResidentOut
from linli.registry.services import household_addresses, present


def by_name(*columns: Any) -> list[Any]:
    """Return ORDER BY terms that put 2号楼 before 10号楼 and room 902 before 1201: shorter first, then text."""
    return [term for column in columns for term in (func.length(column), column)]


def household_address(session: Session, household_id: int) -> str:
    """Return where a household lives as people say it: compound, building and room (图强小区 3号楼 301)."""
    return household_addresses(session, [household_id]).get(household_id, "")


def list_buildings(session: Session, scope: Scope, area_id: int) -> list[BuildingOut]:
    """Return the buildings of an area in reach with their household counts (one query)."""
    area = session.get(Area, area_id)
    if area is None:
        raise NotFound("area")
    scope.check(READ, area.path, "area")
    under = select(Area.id).where(Area.path.startswith(area.path))
    rows = session.execute(
        select(Building, func.count(Household.id))
        .outerjoin(Household, (Household.building_id == Building.id) & Household.dissolved_on.is_(None))
        .where(Building.area_id.in_(under))
        .group_by(Building.id)
        .order_by(*by_name(Building.compound, Building.name))
    ).all()
    return [
        BuildingOut(id=b.id, area_id=b.area_id, name=b.name, compound=b.compound, address=b.address, households=n)
        for b, n in rows
    ]


def create_building(session: Session, scope: Scope, data: BuildingIn) -> BuildingOut:
    """Add a building to a grid in reach; the same name twice in one compound is refused."""
    with transaction(session):
        area = session.get(Area, data.area_id)
        if area is None or not scope.reaches(WRITE, area.path):
            raise NotFound("area")
        if area.level != "grid":
            raise Invalid("building.area_not_grid", "A building belongs to a grid; choose a grid.", "area_id")
        if session.scalar(
            select(Building.id).where(
                Building.area_id == area.id, Building.compound == data.compound, Building.name == data.name
            )
        ):
            raise Invalid("building.exists", "This building is already registered in the grid.", "name")
        building = Building(area_id=area.id, name=data.name, compound=data.compound, address=data.address)
        session.add(building)
        session.flush()
        audit.record(
            session,
            "building.create",
            user_id=scope.user_id,
            username=scope.username,
            client=scope.client,
            entity="building",
            entity_id=building.id,
            area_id=area.id,
            changes={"name": [None, data.name], "compound": [None, data.compound]},
        )
        return BuildingOut(
            id=building.id, area_id=area.id, name=building.name, compound=building.compound, address=building.address
        )


def _out(session: Session, scope: Scope, rows: list[tuple[Household, Building]], members: bool) -> list[HouseholdOut]:
    ids = [h.id for h, _ in rows]
    heads = (
        dict(
            session.execute(
                select(Household.id, Resident.name)
                .join(Resident, Resident.id == Household.head_id)
                .where(Household.id.in_(ids))
            ).all()
        )
        if ids
        else {}
    )
    house_ids = sorted({h.house_id for h, _ in rows if h.house_id})
    houses = (
        {
            i: (unit, status)
            for i, unit, status in session.execute(
                select(House.id, Unit.name, House.status)
                .join(Unit, Unit.id == House.unit_id)
                .where(House.id.in_(house_ids))
            )
        }
        if house_ids
        else {}
    )
    by_household: dict[int, list[ResidentOut]] = {}
    if members and ids:
        people = session.scalars(
            select(Resident)
            .where(Resident.household_id.in_(ids), Resident.status == "active")
            .order_by(Resident.relation, Resident.birth_date)
        ).all()
        for person, shown in zip(people, present(session, scope, list(people)), strict=True):
            by_household.setdefault(person.household_id or 0, []).append(shown)
    return [
        HouseholdOut(
            id=h.id,
            area_id=h.area_id,
            building_id=b.id,
            building=" ".join(p for p in (b.compound, b.name) if p),
            room=h.room,
            address=h.address,
            head_id=h.head_id,
            head_name=heads.get(h.id),
            house_id=h.house_id,
            unit=houses.get(h.house_id or 0, ("", None))[0],
            house_status=houses.get(h.house_id or 0, ("", None))[1],
            care_grade=h.care_grade,
            members=by_household.get(h.id, []),
        )
        for h, b in rows
    ]


def get_household(session: Session, scope: Scope, household_id: int) -> HouseholdOut:
    """Return one household in reach with its current members."""
    row = session.execute(
        select(Household, Building, Area.path)
        .join(Building, Building.id == Household.building_id)
        .join(Area, Area.id == Household.area_id)
        .where(Household.id == household_id)
    ).first()
    if row is None:
        raise NotFound("household")
    scope.check(READ, row[2], "household")
    return _out(session, scope, [(row[0], row[1])], members=True)[0]


def list_households(
    session: Session,
    scope: Scope,
    *,
    building_id: int | None = None,
    area_id: int | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Page[HouseholdOut]:
    """Return a page of households of a building or an area in reach, by building and room.

    The count stops at ``paging.COUNT_CAP`` (``total_capped`` says so), as the residents list's does.
    """
    scope.require(READ)
    query = (
        select(Household, Building)
        .join(Building, Building.id == Household.building_id)
        .where(scope.filter(READ, Household.area_id), Household.dissolved_on.is_(None))
    )
    if building_id is not None:
        query = query.where(Household.building_id == building_id)
    if area_id is not None:
        path = session.scalar(select(Area.path).where(Area.id == area_id))
        if path is None:
            raise NotFound("area")
        query = query.where(Household.area_id.in_(select(Area.id).where(Area.path.startswith(path))))
    total, capped = capped_count(session, query.with_only_columns(Household.id))
    rows = session.execute(
        query.order_by(*by_name(Building.compound, Building.name, Household.room))
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return Page[HouseholdOut](
        items=_out(session, scope, [(h, b) for h, b in rows], members=False),
        total=total,
        page=page,
        page_size=page_size,
        total_capped=capped,
    )


def create_household(session: Session, scope: Scope, data: HouseholdIn) -> HouseholdOut:
    """Open a household in a building in reach; a room already holding a household is refused."""
    with transaction(session):
        row = session.execute(
            select(Building, Area.path).join(Area, Area.id == Building.area_id).where(Building.id == data.building_id)
        ).first()
        if row is None or not scope.reaches(WRITE, row[1]):
            raise NotFound("building")
        building = row[0]
        if session.scalar(
            select(Household.id).where(
                Household.building_id == building.id, Household.room == data.room, Household.dissolved_on.is_(None)
            )
        ):
            raise Invalid("household.exists", "Room {room} already has a household.", "room", room=data.room)
        [house_id] = houses_for(session, [(building.id, building.area_id, data.room, data.unit, None)])
        household = Household(
            area_id=building.area_id,
            building_id=building.id,
            room=data.room,
            address=data.address,
            registered_on=clock.today(),
            house_id=house_id,
        )
        session.add(household)
        session.flush()
        audit.record(
            session,
            "household.create",
            user_id=scope.user_id,
            username=scope.username,
            client=scope.client,
            entity="household",
            entity_id=household.id,
            area_id=building.area_id,
            changes={"building_id": [None, building.id], "room": [None, data.room], "house_id": [None, house_id]},
        )
        return _out(session, scope, [(household, building)], members=False)[0]


def households_of_house(session: Session, scope: Scope, house_id: int) -> list[HouseholdOut]:
    """Return the open households living in a house with their members (masked); the caller checked the house."""
    rows = session.execute(
        select(Household, Building)
        .join(Building, Building.id == Household.building_id)
        .where(Household.house_id == house_id, Household.dissolved_on.is_(None))
        .order_by(Household.id)
    ).all()
    return _out(session, scope, [(h, b) for h, b in rows], members=True)
