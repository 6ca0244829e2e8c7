"""Areas through the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from linli.areas import services
from linli.areas.schemas import AreaIn, AreaNode, AreaOut
from linli.registry import places
from linli.registry.schemas import BuildingOut
from linli.web.deps import Access, SessionDep, current_scope

router = APIRouter(prefix="/api/v1/areas", tags=["areas"], dependencies=[Depends(current_scope)])


@router.get("", response_model=list[AreaNode])
def tree(
    scope: Access,
    session: SessionDep,
    depth: Annotated[str, Query(pattern="^(district|street|community|grid)$")] = "grid",
) -> list[AreaNode]:
    """Return the area tree the caller holds."""
    return services.area_tree(session, scope, depth)


@router.get("/{area_id}", response_model=AreaOut)
def one(area_id: int, scope: Access, session: SessionDep) -> AreaOut:
    """Return one area with counts of buildings, households, residents and tagged people."""
    return services.get_area(session, scope, area_id)


@router.post("", response_model=AreaNode, status_code=201)
def create(data: AreaIn, scope: Access, session: SessionDep) -> AreaNode:
    """Add an area below one the caller administers."""
    return services.create_area(session, scope, data)


@router.get("/{area_id}/buildings", response_model=list[BuildingOut])
def buildings(area_id: int, scope: Access, session: SessionDep) -> list[BuildingOut]:
    """Return the buildings of an area with their household counts."""
    return places.list_buildings(session, scope, area_id)
