"""Grid events built by the real services, as plain functions with overrides."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.events import categories, services
from linli.events.models import EventCategory, EventPhoto, GridEvent
from linli.events.schemas import GridEventOut, ReportIn
from linli.needs import catalogue
from tests.factories import World, building_of, scope_of

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def category_id(session: Session, code: str = "environment.garbage") -> int:
    """Return the id of the 小类 ``code``, seeding the dictionary first."""
    categories.seed(session)
    catalogue.seed(session)
    found = session.scalar(select(EventCategory.id).where(EventCategory.code == code))
    assert found is not None
    return found


def report(
    session: Session, world: World, username: str = "grid1", code: str = "environment.garbage", **overrides: Any
) -> GridEventOut:
    """Return an event reported in grid 1 at its household's building (reported up unless ``on_spot``)."""
    values: dict[str, Any] = {
        "category_id": category_id(session, code),
        "description": "楼下垃圾堆积",
        "building_id": building_of(session, world.household1),
    }
    values.update(overrides)
    photos = values.pop("photos", [PNG])
    return services.report(session, scope_of(session, username), ReportIn(**values), photos)


def grid1_event(db: Session, world: World) -> int:
    """Return an event reported up in grid 1 (for the route walk)."""
    existing = db.scalar(select(GridEvent.id).where(GridEvent.area_id == world.grid1.id).limit(1))
    return existing or report(db, world).id


def grid1_event_photo(db: Session, world: World) -> str:
    """Return the name of a photo of grid 1's event."""
    event_id = grid1_event(db, world)
    return db.scalar(select(EventPhoto.name).where(EventPhoto.event_id == event_id).limit(1)) or "x.png"
