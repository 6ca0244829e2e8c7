"""Grid events: report one (handled on the spot, or reported up as a work order), list, read, link a
duplicate to it, and the reporter's check (核查) of the handling.

An event reported up is filed as a work order of source ``event`` and from then on moves only through the
work-order engine (``linli.needs.lifecycle``); ``stages.after_move`` keeps the event's stage in step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from linli.accounts.permissions import EVENTS_MANAGE, EVENTS_READ, EVENTS_REPORT, NEEDS_SUPERVISE, Scope
from linli.areas.models import Area
from linli.audit import services as audit
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import Conflict, Forbidden, Invalid, NotFound
from linli.events import categories, stages
from linli.events.models import STAGES, STATES, EventCategory, EventPhoto, GridEvent
from linli.events.schemas import (
    MAX_PHOTOS,
    DuplicateOut,
    GridEventDetail,
    GridEventOut,
    GridEventPage,
    PlaceIn,
    ReportIn,
    SeenIn,
    VerifyIn,
)
from linli.needs import catalogue, intake, lifecycle, timeline, uploads
from linli.needs.access import DISPATCHER, Actor
from linli.needs.models import ESCALATION_LEVELS, WorkOrder
from linli.needs.schemas import TransitionIn
from linli.registry.models import Building
from linli.runtime import settings_of

FOLDER = "events"
DUPLICATE_WINDOW = timedelta(days=7)
DUPLICATE_METRES = 50
# The grid's sketch is taken as a square this many metres wide: a point's fractions times it are metres.
SKETCH_METRES = float(categories.shipped().get("sketch_width_m", 400))
OPEN = (*STAGES, "suspended")


# ---- reporting ------------------------------------------------------------------------------


def report(session: Session, scope: Scope, data: ReportIn, photos: list[bytes]) -> GridEventOut:
    """Return the new event: closed at once when handled on the spot, else filed as a work order.

    One to ``MAX_PHOTOS`` photos. Refused with 404 for a place outside the caller's reach, 422 for a
    大类 without its 小类, a building of another grid, no photo, or an on-the-spot report saying nothing done.
    """
    scope.require(EVENTS_REPORT)
    if not photos:
        raise Invalid("event.photo_required", "Add at least one photo.", "photos")
    if len(photos) > MAX_PHOTOS:
        raise Invalid("event.too_many_photos", "Send at most {most} photos.", "photos", most=MAX_PHOTOS)
    if data.on_spot and not data.action_taken:
        raise Invalid("event.action_required", "Say what was done on the spot.", "action_taken")
    settings = settings_of(session)
    stored: list[tuple[int, str]] = []
    try:
        with transaction(session):
            categories.ensure(session)
            category = categories.leaf(session, data.category_id)
            area, building = _place(session, scope, data.area_id, data.building_id)
            now = utcnow()
            event = GridEvent(
                area_id=area.id,
                category_id=category.id,
                description=data.description,
                building_id=building.id if building else None,
                sketch_x=data.sketch_x if data.sketch_y is not None else None,
                sketch_y=data.sketch_y if data.sketch_x is not None else None,
                latitude=data.latitude if data.longitude is not None else None,
                longitude=data.longitude if data.latitude is not None else None,
                address=data.address or (_building_place(building) if building else ""),
                handling="on_spot" if data.on_spot else "reported",
                action_taken=data.action_taken if data.on_spot else "",
                reported_by_id=scope.user_id,
                reporter_name=scope.display_name,
                state="closed" if data.on_spot else "register",
                closed_at=now if data.on_spot else None,
            )
            session.add(event)
            session.flush()
            for content in photos:
                name = uploads.store(settings, FOLDER, event.id, content, "event")
                stored.append((event.id, name))
                session.add(EventPhoto(event_id=event.id, name=name))
            if not data.on_spot:
                event.order_id = _file_order(session, scope, event, category).id
                stages.start(event, category, "register", now, catalogue.work_calendar(session))
            audit.record_by(
                session,
                scope,
                "event.report",
                entity="event",
                entity_id=event.id,
                area_id=event.area_id,
                changes={
                    "category_id": [None, category.id],
                    "handling": [None, event.handling],
                    "order_id": [None, event.order_id],
                    "photos": [None, len(photos)],
                },
            )
            session.flush()
            return one(session, event.id, now)
    except BaseException:
        for owner, name in stored:
            uploads.remove(settings, f"{FOLDER}/{owner}/{name}")
        raise


def _place(
    session: Session, scope: Scope, area_id: int | None, building_id: int | None, capability: str = EVENTS_REPORT
) -> tuple[Area, Building | None]:
    """Return the event's area and building, checked against the caller's reach (404 outside it)."""
    building = None
    if building_id is not None:
        building = session.get(Building, building_id)
        if building is None:
            raise NotFound("building")
        if area_id is not None and area_id != building.area_id:
            raise Invalid("event.building_elsewhere", "This building is not in the chosen grid.", "building_id")
        area_id = building.area_id
    if area_id is None:
        raise Invalid("event.place_required", "Say where it is: a building or the grid.", "area_id")
    area = session.get(Area, area_id)
    if area is None:
        raise NotFound("area")
    scope.check(capability, area.path, "area")
    return area, building


def _building_place(building: Building) -> str:
    return building.address or f"{building.compound}{building.name}"


def _file_order(session: Session, scope: Scope, event: GridEvent, category: EventCategory) -> WorkOrder:
    catalogue.ensure_defaults(session)
    first = event.description.strip().splitlines()[0] if event.description.strip() else ""
    order = WorkOrder(
        area_id=event.area_id,
        category_id=categories.order_category_id(session),
        urgency_id=catalogue.urgency_by(session, "ordinary").id,
        title=f"{category.name}：{first}"[:120],
        description=event.description,
        address=event.address,
        source="event",
        requester_user_id=scope.user_id,
        requester_name=scope.display_name,
        created_by_id=scope.user_id,
    )
    return intake.file_order(session, scope, order)


# ---- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventFilter:
    state: str | None = None
    colour: str | None = None
    category_id: int | None = None
    area_id: int | None = None
    handling: str | None = None
    mine: bool = False


def list_events(
    session: Session, scope: Scope, f: EventFilter, page: int = 1, page_size: int = 20, now: datetime | None = None
) -> GridEventPage:
    """Return a page of the events in the caller's reach, red and yellow first, then newest first.

    ``category_id`` may be a 大类 (its 小类 all match). Three queries however long the page.
    """
    scope.require(EVENTS_READ)
    now = now or utcnow()
    query = _filtered(session, scope, f, now)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ids = list(
        session.scalars(
            query.order_by(stages.urgency_order(now), GridEvent.id.desc())
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
    )
    return GridEventPage(items=_many(session, ids, now), total=total, page=page, page_size=page_size)


def supervision(session: Session, scope: Scope, page: int = 1, page_size: int = 20) -> GridEventPage:
    """Return the 督办 list: the yellow and red cases in reach, red first, nearest deadline first."""
    if not (scope.can(EVENTS_MANAGE) or scope.can(NEEDS_SUPERVISE)):
        raise Forbidden()
    now = utcnow()
    query = _filtered(session, scope, EventFilter(), now).where(
        or_(stages.colour_is("red", now), stages.colour_is("yellow", now))
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ids = list(
        session.scalars(
            query.order_by(stages.urgency_order(now), GridEvent.stage_due_at, GridEvent.id)
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
    )
    return GridEventPage(items=_many(session, ids, now), total=total, page=page, page_size=page_size)


def _filtered(session: Session, scope: Scope, f: EventFilter, now: datetime) -> Select[Any]:
    query = select(GridEvent.id).where(scope.filter(EVENTS_READ, GridEvent.area_id))
    if f.state in STATES:
        query = query.where(GridEvent.state == f.state)
    elif f.state == "open":
        query = query.where(GridEvent.state.in_(OPEN))
    if f.colour in ("green", "yellow", "red"):
        query = query.where(stages.colour_is(f.colour, now))
    if f.category_id is not None:
        query = query.where(
            or_(
                GridEvent.category_id == f.category_id,
                GridEvent.category_id.in_(select(EventCategory.id).where(EventCategory.parent_id == f.category_id)),
            )
        )
    if f.area_id is not None:
        path = session.scalar(select(Area.path).where(Area.id == f.area_id))
        if path is None:
            return query.where(GridEvent.id.is_(None))
        query = query.where(GridEvent.area_id.in_(select(Area.id).where(Area.path.startswith(path))))
    if f.handling in ("on_spot", "reported"):
        query = query.where(GridEvent.handling == f.handling)
    if f.mine:
        query = query.where(GridEvent.reported_by_id == scope.user_id)
    return query


def get_event(session: Session, scope: Scope, event_id: int) -> GridEventDetail:
    """Return one event with its order's timeline; 404 outside the caller's reach."""
    event = reached(session, scope, event_id, EVENTS_READ)
    now = utcnow()
    base = one(session, event.id, now)
    order = session.get(WorkOrder, event.order_id) if event.order_id else None
    return GridEventDetail(
        **base.model_dump(),
        order_state=order.state if order else None,
        order_version=order.version if order else None,
        timeline=timeline.events_of(session, order.id) if order else [],
    )


def reached(session: Session, scope: Scope, event_id: int, capability: str) -> GridEvent:
    row = session.execute(
        select(GridEvent, Area.path).join(Area, Area.id == GridEvent.area_id).where(GridEvent.id == event_id)
    ).first()
    if row is None:
        raise NotFound("event")
    event, path = row
    if not scope.reaches(EVENTS_READ, path):
        raise NotFound("event")
    if capability != EVENTS_READ and not scope.reaches(capability, path):
        raise Forbidden()
    return event


def one(session: Session, event_id: int, now: datetime) -> GridEventOut:
    return _many(session, [event_id], now)[0]


def _many(session: Session, ids: list[int], now: datetime) -> list[GridEventOut]:
    """Return the events ``ids`` in that order, read with two queries."""
    if not ids:
        return []
    group = aliased(EventCategory)
    rows = session.execute(
        select(GridEvent, Area.name, EventCategory, group.name, Building.name, WorkOrder.escalation_level)
        .join(Area, Area.id == GridEvent.area_id)
        .join(EventCategory, EventCategory.id == GridEvent.category_id)
        .outerjoin(group, group.id == EventCategory.parent_id)
        .outerjoin(Building, Building.id == GridEvent.building_id)
        .outerjoin(WorkOrder, WorkOrder.id == GridEvent.order_id)
        .where(GridEvent.id.in_(ids))
    ).all()
    photos: dict[int, list[str]] = {}
    for event_id, name in session.execute(
        select(EventPhoto.event_id, EventPhoto.name).where(EventPhoto.event_id.in_(ids)).order_by(EventPhoto.id)
    ):
        photos.setdefault(event_id, []).append(name)
    by_id: dict[int, GridEventOut] = {}
    for event, area_name, category, group_name, building_name, level in rows:
        by_id[event.id] = GridEventOut(
            id=event.id,
            area_id=event.area_id,
            area_name=area_name,
            category_id=category.id,
            category_code=category.code,
            category_name=category.name,
            group_name=group_name or "",
            description=event.description,
            building_id=event.building_id,
            building_name=building_name or "",
            sketch_x=event.sketch_x,
            sketch_y=event.sketch_y,
            latitude=event.latitude,
            longitude=event.longitude,
            address=event.address,
            handling=event.handling,
            action_taken=event.action_taken,
            reporter_name=event.reporter_name,
            reported_by_id=event.reported_by_id,
            order_id=event.order_id,
            state=event.state,
            colour=stages.colour(event, now),
            stage_due_at=event.stage_due_at,
            stage_yellow_at=event.stage_yellow_at,
            closed_at=event.closed_at,
            late=event.late,
            escalation=ESCALATION_LEVELS[level] if level else "",
            skipped_level=event.skipped_level,
            seen_again=event.seen_again,
            photos=photos.get(event.id, []),
            created_at=event.created_at,
        )
    return [by_id[i] for i in ids if i in by_id]


def photo_of(session: Session, scope: Scope, event_id: int, name: str) -> tuple[Path, str]:
    """Return the file and media type of a photo of an event the caller sees, or raise ``NotFound``."""
    event = reached(session, scope, event_id, EVENTS_READ)
    held = session.scalar(select(EventPhoto.id).where(EventPhoto.event_id == event.id, EventPhoto.name == name))
    if held is None:
        raise NotFound("photo")
    return uploads.stored_file(settings_of(session), FOLDER, event.id, name)


# ---- duplicates -----------------------------------------------------------------------------


def duplicates(session: Session, scope: Scope, place: PlaceIn) -> list[DuplicateOut]:
    """Return the open events of the same 小类 from the last 7 days at the same place, nearest first.

    The same place: the same building; or within 50 m, measured between the reporters' locations when
    both have one, else between points on the same grid's sketch (``SKETCH_METRES`` wide). Only events the
    caller may see; an event handled on the spot is closed and never suggested.
    """
    scope.require(EVENTS_REPORT)
    area, building = _place(session, scope, place.area_id, place.building_id)
    now = utcnow()
    candidates = session.execute(
        select(GridEvent, EventCategory.name, Building.name)
        .join(EventCategory, EventCategory.id == GridEvent.category_id)
        .outerjoin(Building, Building.id == GridEvent.building_id)
        .where(
            GridEvent.category_id == place.category_id,
            GridEvent.state.in_(OPEN),
            GridEvent.created_at >= now - DUPLICATE_WINDOW,
            scope.filter(EVENTS_READ, GridEvent.area_id),
            or_(
                GridEvent.area_id == area.id,
                GridEvent.building_id == (building.id if building else -1),
                GridEvent.latitude.is_not(None),
            ),
        )
        .order_by(GridEvent.id.desc())
        .limit(200)
    ).all()
    found: list[tuple[float, DuplicateOut]] = []
    for event, category_name, building_name in candidates:
        metres = _distance(event, area.id, place)
        same_building = building is not None and event.building_id == building.id
        if not same_building and (metres is None or metres > DUPLICATE_METRES):
            continue
        found.append(
            (
                metres if metres is not None else 0.0,
                DuplicateOut(
                    id=event.id,
                    category_name=category_name,
                    description=event.description[:200],
                    place=building_name or event.address,
                    state=event.state,
                    created_at=event.created_at,
                    distance_m=round(metres) if metres is not None else None,
                ),
            )
        )
    return [d for _, d in sorted(found, key=lambda pair: (pair[0], -pair[1].id))]


def _distance(event: GridEvent, area_id: int, place: PlaceIn) -> float | None:
    """Return metres between an event and a place, by coordinates, else by sketch points in one grid."""
    if None not in (event.latitude, event.longitude, place.latitude, place.longitude):
        return _haversine(event.latitude, event.longitude, place.latitude, place.longitude)  # type: ignore[arg-type]
    if event.area_id == area_id and None not in (event.sketch_x, event.sketch_y, place.sketch_x, place.sketch_y):
        dx = (event.sketch_x or 0) - (place.sketch_x or 0)
        dy = (event.sketch_y or 0) - (place.sketch_y or 0)
        return math.hypot(dx, dy) * SKETCH_METRES
    return None


def _haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    earth = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * earth * math.asin(math.sqrt(a))


def seen_again(session: Session, scope: Scope, event_id: int, data: SeenIn) -> GridEventOut:
    """Return the open event after another reporter linked their sighting to it (instead of filing again).

    The order's timeline gets a line ``seen_again`` with the note; refused (409) once the event is closed.
    """
    with transaction(session):
        event = reached(session, scope, event_id, EVENTS_REPORT)
        if event.state not in OPEN:
            raise Conflict("event.closed", "This event is closed; report it anew if it is back.", "event_id")
        event.seen_again += 1
        if event.order_id is not None:
            order = session.get(WorkOrder, event.order_id)
            assert order is not None
            actor = Actor.of(session, scope)
            timeline.record(session, order, actor, "seen_again", order.state, note=data.note)
        audit.record_by(
            session,
            scope,
            "event.seen_again",
            entity="event",
            entity_id=event.id,
            area_id=event.area_id,
            changes={"seen_again": [event.seen_again - 1, event.seen_again]},
        )
        session.flush()
        return one(session, event.id, utcnow())


# ---- the reporter's check (核查) ------------------------------------------------------------------


def verify(session: Session, scope: Scope, event_id: int, data: VerifyIn) -> GridEventOut:
    """Return the event after its reporter (or a manager of the area) checked the handling.

    Passed moves the order ``reported`` → ``checked`` (结案 is next); not passed sends it back to the
    handler (``rework``) with the note as the reason. 403 for anyone else who sees the event; 409 when
    the order is not waiting for the check.
    """
    event = reached(session, scope, event_id, EVENTS_READ)
    path = session.scalar(select(Area.path).where(Area.id == event.area_id)) or ""
    if event.reported_by_id != scope.user_id and not scope.reaches(EVENTS_MANAGE, path):
        raise Forbidden("Only the reporter checks the handling of an event.", "event.not_reporter")
    if event.order_id is None:
        raise Conflict("event.not_reported_up", "This event was handled on the spot.", "event_id")
    action = "check" if data.passed else "rework"
    move = TransitionIn(action=action, note=data.note, reason=data.note, version=data.version)
    session.rollback()
    lifecycle.transition_as(session, scope, event.order_id, move, frozenset({DISPATCHER}))
    return one(session, event_id, utcnow())


# ---- the report form's choices --------------------------------------------------------------


@dataclass(frozen=True)
class Places:
    grids: list[tuple[int, str]]
    buildings: list[tuple[int, str, str]]  # id, grid name, building


def places(session: Session, scope: Scope, limit: int = 500) -> Places:
    """Return the grids where the caller reports events, and their buildings (by grid, then name)."""
    scope.require(EVENTS_REPORT)
    reach = scope.area_ids(EVENTS_REPORT)
    if reach is None:
        return Places([], [])
    grids = session.execute(
        select(Area.id, Area.name).where(reach, Area.level == "grid").order_by(Area.path).limit(limit)
    ).all()
    buildings = session.execute(
        select(Building.id, Area.name, Building.compound, Building.name)
        .join(Area, Area.id == Building.area_id)
        .where(reach)
        .order_by(Area.path, Building.compound, Building.name)
        .limit(limit)
    ).all()
    return Places([(i, n) for i, n in grids], [(i, grid, f"{compound}{name}") for i, grid, compound, name in buildings])
