"""Resources (资源) through the API: list and search, keep, retire, unmask the contact, count on hand."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from linli.resources import services
from linli.resources.schemas import (
    OnHandOut,
    ResourceIn,
    ResourceOut,
    ResourcePage,
    ResourceUpdate,
    RetireIn,
    UnmaskedOut,
    UnmaskIn,
)
from linli.web.deps import Access, SessionDep, current_scope

router = APIRouter(prefix="/api/v1/resources", tags=["resources"], dependencies=[Depends(current_scope)])


@router.get("", response_model=ResourcePage)
def resources(
    scope: Access,
    session: SessionDep,
    q: Annotated[
        str, Query(max_length=40, description="Part of the name, owner or description, or a whole phone")
    ] = "",
    area_id: Annotated[int | None, Query(description="That area and every area below it")] = None,
    kind: Annotated[str | None, Query(pattern="^(skill|venue|institution|equipment|business|member_unit)$")] = None,
    category: Annotated[str | None, Query(max_length=40, description="A category's id, code or name")] = None,
    valid: Annotated[bool, Query(description="Only resources on hand: active and not past valid_until")] = False,
    status: Annotated[str, Query(pattern="^(active|retired|all)$")] = "active",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> ResourcePage:
    """Search and list the resources of the caller's areas, paged."""
    f = services.ResourceFilter(
        q=q,
        area_id=area_id,
        kind=kind,
        category=int(category) if category and category.isdigit() else category,
        valid_only=valid,
        status=None if status == "all" else status,
    )
    return services.list_resources(session, scope, f, page, page_size)


@router.post("", response_model=ResourceOut, status_code=201)
def create_resource(data: ResourceIn, scope: Access, session: SessionDep) -> ResourceOut:
    """Add a resource to an area the caller keeps resources of."""
    return services.create_resource(session, scope, data)


@router.get("/on-hand", response_model=OnHandOut)
def on_hand(area_id: int, scope: Access, session: SessionDep) -> OnHandOut:
    """Return how many resources an area has on hand: active and valid, in it and below it."""
    return OnHandOut(area_id=area_id, count=services.resources_on_hand(session, scope, area_id))


@router.get("/{resource_id}", response_model=ResourceOut)
def resource(resource_id: int, scope: Access, session: SessionDep) -> ResourceOut:
    """Return one resource, its contact phone masked."""
    return services.get_resource(session, scope, resource_id)


@router.patch("/{resource_id}", response_model=ResourceOut)
def update_resource(resource_id: int, data: ResourceUpdate, scope: Access, session: SessionDep) -> ResourceOut:
    """Change a resource; send the ``version`` you read."""
    return services.update_resource(session, scope, resource_id, data)


@router.post("/{resource_id}/retire", response_model=ResourceOut)
def retire_resource(resource_id: int, scope: Access, session: SessionDep, data: RetireIn | None = None) -> ResourceOut:
    """Retire a resource: it is no longer on hand or offered; the record stays."""
    return services.retire_resource(session, scope, resource_id, data.version if data else None)


@router.post("/{resource_id}/unmask", response_model=UnmaskedOut)
def unmask_contact(resource_id: int, data: UnmaskIn, scope: Access, session: SessionDep) -> UnmaskedOut:
    """Return the contact phone in full; needs a reason, and is audited."""
    return services.unmask_contact(session, scope, resource_id, data.reason)
