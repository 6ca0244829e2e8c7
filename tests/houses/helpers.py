"""Houses of the personas' world: grid 1's house, unit and tenancy (for the tests and the route walk)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.registry import tenancies
from linli.registry.house_schemas import TenancyIn
from linli.registry.models import House, Household, Tenancy
from tests.factories import World, scope_of


def house_of(session: Session, household_id: int) -> int:
    """Return the house a household lives in."""
    house = session.scalar(select(Household.house_id).where(Household.id == household_id))
    assert house is not None
    return house


def grid1_house(session: Session, world: World) -> int:
    """Return the house of grid 1's household (3号楼 301)."""
    return house_of(session, world.household1)


def grid1_unit(session: Session, world: World) -> int:
    unit = session.scalar(select(House.unit_id).where(House.id == grid1_house(session, world)))
    assert unit is not None
    return unit


def grid1_tenancy(session: Session, world: World) -> int:
    """Return a tenancy of grid 1's household in its own house (made once)."""
    house = grid1_house(session, world)
    found = session.scalar(select(Tenancy.id).where(Tenancy.house_id == house).limit(1))
    if found:
        return found
    data = TenancyIn(household_id=world.household1, starts_on=date(2026, 1, 1))
    return tenancies.create_tenancy(session, scope_of(session, "grid1"), house, data).id


def walk_ids() -> dict[str, Any]:
    return {"house_id": grid1_house, "unit_id": grid1_unit, "tenancy_id": grid1_tenancy}
