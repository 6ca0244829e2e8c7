"""Resources built by the real service, as plain functions with overrides."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.db.engine import transaction
from linli.needs import catalogue
from linli.resources import services
from linli.resources.models import Resource, ResourceUse
from linli.resources.schemas import ResourceIn, ResourceOut
from tests.factories import World, scope_of


def make_resource(session: Session, area_id: int, username: str = "secretary", **overrides: Any) -> ResourceOut:
    """Return a new resource of ``area_id`` kept by ``username`` (the community's secretary by default)."""
    catalogue.seed(session)
    data: dict[str, Any] = {
        "area_id": area_id,
        "kind": "venue",
        "name": "图强小区党群服务站",
        "owner": "图强小区业委会",
        "description": "可借用的活动室，适合电脑课和议事会",
        "contact_name": "陈主任",
        "contact_phone": "13912345678",
        "capacity": 2,
        "capacity_unit": "once",
        "opening_hours": [{"weekday": 0, "start": 540, "end": 1020}],
        "categories": ["computer_lessons"],
    }
    data.update(overrides)
    return services.create_resource(session, scope_of(session, username), ResourceIn(**data))


def grid1_resource(db: Session, world: World) -> int:
    """Return a resource of grid 1 (its contact phone ends in 5678, a secret of grid 1 on the route walk)."""
    existing = db.scalar(select(Resource.id).where(Resource.area_id == world.grid1.id).limit(1))
    return existing or make_resource(db, world.grid1.id).id


def use(session: Session, resource_id: int, order_id: int, ended: bool = False) -> None:
    """Record that the resource meets a work order (open unless ``ended``)."""
    from linli.db.base import utcnow

    with transaction(session):
        session.add(ResourceUse(resource_id=resource_id, order_id=order_id, ended_at=utcnow() if ended else None))
