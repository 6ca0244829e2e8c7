"""The events through the API: categories, report (multipart with photos), list, one event, duplicates,
the 督办 list, the reporter's check, escalation past a level, a sighting linked to an open event."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import FileResponse

from linli.events import categories, escalation, services
from linli.events.schemas import (
    MAX_ID,
    MAX_PHOTOS,
    CategoryGroupOut,
    DuplicateOut,
    EscalateIn,
    GridEventDetail,
    GridEventOut,
    GridEventPage,
    PlaceIn,
    ReportIn,
    SeenIn,
    VerifyIn,
)
from linli.needs import uploads
from linli.web.deps import Access, SessionDep, current_scope

router = APIRouter(prefix="/api/v1", tags=["events"], dependencies=[Depends(current_scope)])

STATE = "^(open|register|dispatch|handle|verify|close|closed|dismissed|suspended)$"
Page = Annotated[int, Query(ge=1, le=100000)]
PageSize = Annotated[int, Query(ge=1, le=200)]


@router.get("/event-categories", response_model=list[CategoryGroupOut])
def event_categories(scope: Access, session: SessionDep) -> list[CategoryGroupOut]:
    """Return the two-level dictionary (大类 with their 小类), each with its stage limits."""
    return categories.tree(session)


@router.post("/events", response_model=GridEventOut, status_code=201)
async def report(
    scope: Access,
    session: SessionDep,
    category_id: Annotated[int, Form(ge=1, le=MAX_ID, description="A 小类")],
    description: Annotated[str, Form(min_length=1, max_length=2000)],
    photos: Annotated[list[UploadFile], File(description="1 to 6 photos: JPEG, PNG or WebP, up to 5 MB each")],
    area_id: Annotated[int | None, Form(ge=1, le=MAX_ID, description="The grid")] = None,
    building_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    sketch_x: Annotated[float | None, Form(ge=0, le=1)] = None,
    sketch_y: Annotated[float | None, Form(ge=0, le=1)] = None,
    latitude: Annotated[float | None, Form(ge=-90, le=90, description="Only at the moment of the report")] = None,
    longitude: Annotated[float | None, Form(ge=-180, le=180)] = None,
    address: Annotated[str, Form(max_length=200)] = "",
    on_spot: Annotated[bool, Form(description="Handled on the spot (自行处置): closed at once")] = False,
    action_taken: Annotated[str, Form(max_length=2000)] = "",
) -> GridEventOut:
    """Report an event (multipart); 201 with its state: ``closed`` when handled on the spot, else ``register``."""
    data = ReportIn(
        category_id=category_id,
        description=description,
        area_id=area_id,
        building_id=building_id,
        sketch_x=sketch_x,
        sketch_y=sketch_y,
        latitude=latitude,
        longitude=longitude,
        address=address,
        on_spot=on_spot,
        action_taken=action_taken,
    )
    contents = [await p.read(uploads.MAX_BYTES + 1) for p in photos[: MAX_PHOTOS + 1]]
    return services.report(session, scope, data, contents)


@router.get("/events", response_model=GridEventPage)
def events(
    scope: Access,
    session: SessionDep,
    state: Annotated[str | None, Query(pattern=STATE)] = None,
    colour: Annotated[str | None, Query(pattern="^(green|yellow|red)$")] = None,
    category_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="A 大类 or a 小类")] = None,
    area_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="That area and below")] = None,
    handling: Annotated[str | None, Query(pattern="^(on_spot|reported)$")] = None,
    mine: bool = False,
    page: Page = 1,
    page_size: PageSize = 20,
) -> GridEventPage:
    """List the events in the caller's reach, red and yellow first, paged."""
    f = services.EventFilter(state, colour, category_id, area_id, handling, mine)
    return services.list_events(session, scope, f, page, page_size)


@router.get("/events/supervision", response_model=GridEventPage)
def supervision(scope: Access, session: SessionDep, page: Page = 1, page_size: PageSize = 20) -> GridEventPage:
    """The 督办 list: yellow and red cases in reach (managers of events, supervisors)."""
    return services.supervision(session, scope, page, page_size)


@router.post("/events/duplicates", response_model=list[DuplicateOut])
def duplicates(place: PlaceIn, scope: Access, session: SessionDep) -> list[DuplicateOut]:
    """Open events of the same 小类 at the same building or within 50 m, from the last 7 days."""
    return services.duplicates(session, scope, place)


@router.get("/events/{event_id}", response_model=GridEventDetail)
def event(event_id: int, scope: Access, session: SessionDep) -> GridEventDetail:
    """One event with the timeline of its work order."""
    return services.get_event(session, scope, event_id)


@router.get("/events/{event_id}/photos/{event_photo_name}", response_class=FileResponse)
def photo(event_id: int, event_photo_name: str, scope: Access, session: SessionDep) -> FileResponse:
    """A photo taken with the report."""
    path, media_type = services.photo_of(session, scope, event_id, event_photo_name)
    return FileResponse(path, media_type=media_type, headers={"cache-control": "private, no-store"})


@router.post("/events/{event_id}/verification", response_model=GridEventOut)
def verify(event_id: int, data: VerifyIn, scope: Access, session: SessionDep) -> GridEventOut:
    """The reporter's check (核查): passed, or back to the handler with the reason."""
    return services.verify(session, scope, event_id, data)


@router.post("/events/{event_id}/escalation", response_model=GridEventOut)
def escalate(event_id: int, data: EscalateIn, scope: Access, session: SessionDep) -> GridEventOut:
    """Escalate a late (red) case to the street or the district; levels passed over are copied (抄送)."""
    return escalation.escalate(session, scope, event_id, data)


@router.post("/events/{event_id}/seen", response_model=GridEventOut)
def seen(event_id: int, data: SeenIn, scope: Access, session: SessionDep) -> GridEventOut:
    """Link a sighting of the same thing to this open event instead of filing it again."""
    return services.seen_again(session, scope, event_id, data)
