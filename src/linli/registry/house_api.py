"""Houses, units, tenancies and care grades through the API (mounted inside the registry's router)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from linli.registry import houses, tenancies
from linli.registry.house_schemas import (
    CareGradeIn,
    CareGradeOut,
    HouseDetail,
    HouseOut,
    HouseUpdate,
    OwnerUnmaskedOut,
    TenancyEnd,
    TenancyIn,
    TenancyOut,
    UnitOut,
)
from linli.registry.schemas import Page
from linli.registry.unmask import UnmaskIn
from linli.web.deps import Access, SessionDep

router = APIRouter(tags=["houses"])
STATUS = "^(owner_occupied|rented|vacant|business|other)$"


@router.get("/houses", response_model=Page[HouseOut])
def list_houses(
    scope: Access,
    session: SessionDep,
    building_id: int | None = None,
    unit_id: int | None = None,
    area_id: int | None = None,
    status: Annotated[str | None, Query(pattern=STATUS)] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[HouseOut]:
    """List houses of a building, unit or area in reach, with status, household count and last visit."""
    return houses.list_houses(
        session,
        scope,
        building_id=building_id,
        unit_id=unit_id,
        status=status,
        area_id=area_id,
        page=page,
        page_size=page_size,
    )


@router.get("/houses/{house_id}", response_model=HouseDetail)
def get_house(house_id: int, scope: Access, session: SessionDep) -> HouseDetail:
    """Return a house with its households (members masked) and its tenancies."""
    return houses.get_house(session, scope, house_id)


@router.patch("/houses/{house_id}", response_model=HouseOut)
def update_house(house_id: int, data: HouseUpdate, scope: Access, session: SessionDep) -> HouseOut:
    """Change a house's status, owner, floor area or note."""
    return houses.update_house(session, scope, house_id, data)


@router.post("/houses/{house_id}/unmask", response_model=OwnerUnmaskedOut)
def unmask_owner(house_id: int, data: UnmaskIn, scope: Access, session: SessionDep) -> OwnerUnmaskedOut:
    """Return the outside owner's phone in full; needs a reason, and is audited."""
    return houses.unmask_owner(session, scope, house_id, data.reason)


@router.post("/houses/{house_id}/tenancies", response_model=TenancyOut, status_code=201)
def create_tenancy(house_id: int, data: TenancyIn, scope: Access, session: SessionDep) -> TenancyOut:
    """Record a tenant household's tenancy of a house; overlapping periods are refused."""
    return tenancies.create_tenancy(session, scope, house_id, data)


@router.post("/tenancies/{tenancy_id}/end", response_model=TenancyOut)
def end_tenancy(tenancy_id: int, data: TenancyEnd, scope: Access, session: SessionDep) -> TenancyOut:
    """End a tenancy; it stays in the house's history."""
    return tenancies.end_tenancy(session, scope, tenancy_id, data)


@router.get("/buildings/{building_id}/units", response_model=list[UnitOut])
def list_units(building_id: int, scope: Access, session: SessionDep) -> list[UnitOut]:
    """Return a building's units with their counts of houses, vacant and rented."""
    return houses.list_units(session, scope, building_id)


@router.get("/households/{household_id}/care-grade", response_model=CareGradeOut)
def get_care_grade(household_id: int, scope: Access, session: SessionDep) -> CareGradeOut:
    """Return a household's care grade (三色入户帮) and its history."""
    return tenancies.care_grade(session, scope, household_id)


@router.put("/households/{household_id}/care-grade", response_model=CareGradeOut)
def set_care_grade(household_id: int, data: CareGradeIn, scope: Access, session: SessionDep) -> CareGradeOut:
    """Set or clear a household's care grade with a reason."""
    return tenancies.set_care_grade(session, scope, household_id, data)
