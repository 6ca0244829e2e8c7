"""The area tree, buildings, households and residents through the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from linli.areas.schemas import AreaIn, AreaNode, AreaOut
from linli.registry import areas, house_api, places, services, unmask
from linli.registry.schemas import (
    BuildingIn,
    BuildingOut,
    DeregisterIn,
    HouseholdIn,
    HouseholdOut,
    MoveIn,
    Page,
    ResidentEventOut,
    ResidentIn,
    ResidentOut,
    ResidentUpdate,
    TagOut,
)
from linli.registry.unmask import UnmaskedOut, UnmaskIn
from linli.web.deps import Access, SessionDep, current_scope

router = APIRouter(prefix="/api/v1", tags=["registry"], dependencies=[Depends(current_scope)])
# Houses, units, tenancies and care grades share the registry's prefix and access dependency.
router.include_router(house_api.router)
areas_router = APIRouter(prefix="/api/v1/areas", tags=["areas"], dependencies=[Depends(current_scope)])


@areas_router.get("", response_model=list[AreaNode])
def tree(
    scope: Access,
    session: SessionDep,
    depth: Annotated[str, Query(pattern="^(district|street|community|grid)$")] = "grid",
) -> list[AreaNode]:
    """Return the area tree the caller holds."""
    return areas.area_tree(session, scope, depth)


@areas_router.get("/{area_id}", response_model=AreaOut)
def one(area_id: int, scope: Access, session: SessionDep) -> AreaOut:
    """Return one area with counts of buildings, households, residents and tagged people."""
    return areas.get_area(session, scope, area_id)


@areas_router.post("", response_model=AreaNode, status_code=201)
def create(data: AreaIn, scope: Access, session: SessionDep) -> AreaNode:
    """Add an area below one the caller administers."""
    return areas.create_area(session, scope, data)


@areas_router.get("/{area_id}/buildings", response_model=list[BuildingOut])
def buildings(area_id: int, scope: Access, session: SessionDep) -> list[BuildingOut]:
    """Return the buildings of an area with their household counts."""
    return places.list_buildings(session, scope, area_id)


@router.get("/residents", response_model=Page[ResidentOut])
def residents(
    scope: Access,
    session: SessionDep,
    q: Annotated[str, Query(max_length=40, description="Name, full pinyin, initials, or last 4 of ID/phone")] = "",
    area_id: int | None = None,
    tag: str | None = None,
    household_id: int | None = None,
    min_age: Annotated[int | None, Query(ge=0, le=150)] = None,
    max_age: Annotated[int | None, Query(ge=0, le=150)] = None,
    kind: Annotated[str | None, Query(pattern="^0[123]$")] = None,
    status: Annotated[str, Query(pattern="^(active|moved_out|deceased|all)$")] = "active",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> Page[ResidentOut]:
    """Search and list residents in the caller's areas, paged."""
    f = services.ResidentFilter(
        q=q,
        area_id=area_id,
        tag=tag,
        min_age=min_age,
        max_age=max_age,
        kind=kind,
        status=None if status == "all" else status,
        household_id=household_id,
    )
    return services.list_residents(session, scope, f, page, page_size)


@router.post("/residents", response_model=ResidentOut, status_code=201)
def create_resident(data: ResidentIn, scope: Access, session: SessionDep) -> ResidentOut:
    """Register a resident in a household or a grid."""
    return services.create_resident(session, scope, data)


@router.get("/residents/{resident_id}", response_model=ResidentOut)
def resident(resident_id: int, scope: Access, session: SessionDep) -> ResidentOut:
    """Return one resident, personal fields masked."""
    return services.get_resident(session, scope, resident_id)


@router.patch("/residents/{resident_id}", response_model=ResidentOut)
def update_resident(resident_id: int, data: ResidentUpdate, scope: Access, session: SessionDep) -> ResidentOut:
    """Change a resident; send the ``version`` you read."""
    return services.update_resident(session, scope, resident_id, data)


@router.post("/residents/{resident_id}/move", response_model=ResidentOut)
def move_resident(resident_id: int, data: MoveIn, scope: Access, session: SessionDep) -> ResidentOut:
    """Move a resident to another household."""
    return services.move_resident(session, scope, resident_id, data)


@router.post("/residents/{resident_id}/deregister", response_model=ResidentOut)
def deregister_resident(resident_id: int, data: DeregisterIn, scope: Access, session: SessionDep) -> ResidentOut:
    """Record a move out of the community or a death; the record stays."""
    return services.deregister_resident(session, scope, resident_id, data)


@router.post("/residents/{resident_id}/unmask", response_model=UnmaskedOut)
def unmask_resident(resident_id: int, data: UnmaskIn, scope: Access, session: SessionDep) -> UnmaskedOut:
    """Return the resident's ID and phone number in full; needs a reason, and is audited."""
    return unmask.unmask_resident(session, scope, resident_id, data.reason)


@router.get("/residents/{resident_id}/history", response_model=list[ResidentEventOut])
def resident_history(resident_id: int, scope: Access, session: SessionDep) -> list[ResidentEventOut]:
    """Return the resident's registry events, oldest first."""
    return services.resident_history(session, scope, resident_id)


@router.get("/tags", response_model=list[TagOut])
def tags(scope: Access, session: SessionDep) -> list[TagOut]:
    """Return the tags the caller may see."""
    return services.list_tags(session, scope)


@router.post("/buildings", response_model=BuildingOut, status_code=201)
def create_building(data: BuildingIn, scope: Access, session: SessionDep) -> BuildingOut:
    """Add a building to a grid."""
    return places.create_building(session, scope, data)


@router.get("/households", response_model=Page[HouseholdOut])
def households(
    scope: Access,
    session: SessionDep,
    building_id: int | None = None,
    area_id: int | None = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[HouseholdOut]:
    """List households of a building or an area."""
    return places.list_households(
        session, scope, building_id=building_id, area_id=area_id, page=page, page_size=page_size
    )


@router.post("/households", response_model=HouseholdOut, status_code=201)
def create_household(data: HouseholdIn, scope: Access, session: SessionDep) -> HouseholdOut:
    """Open a household in a building."""
    return places.create_household(session, scope, data)


@router.get("/households/{household_id}", response_model=HouseholdOut)
def household(household_id: int, scope: Access, session: SessionDep) -> HouseholdOut:
    """Return a household with its members."""
    return places.get_household(session, scope, household_id)
