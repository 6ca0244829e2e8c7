"""The stories part of self-governance (微故事) through the API: stories, the people they name and their
consent, photos, review and publication, and the grid logs whose story is worth collecting."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import FileResponse

from linli.civic.stories import consent, photos, services, workflow
from linli.civic.stories.schemas import (
    CandidatePage,
    CollectIn,
    ConsentIn,
    PersonIn,
    ResidentChoice,
    ReturnIn,
    StoryIn,
    StoryOut,
    StoryPage,
    StoryUpdate,
)
from linli.needs import uploads
from linli.web.deps import Access, SessionDep, current_scope

router = APIRouter(prefix="/api/v1", tags=["civic"], dependencies=[Depends(current_scope)])
STATE = "^(draft|review|published|withdrawn)$"
SOURCE = "^(log|direct)$"


@router.get("/stories", response_model=StoryPage)
def stories(
    scope: Access,
    session: SessionDep,
    area_id: Annotated[int | None, Query(ge=1, description="That area and below")] = None,
    state: Annotated[str | None, Query(pattern=STATE)] = None,
    source: Annotated[str | None, Query(pattern=SOURCE)] = None,
    q: Annotated[str, Query(max_length=40, description="Part of the title or the text")] = "",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> StoryPage:
    """List the stories the caller sees (residents: the published ones of their area), latest first."""
    f = services.StoryFilter(area_id=area_id, state=state, source=source, q=q)
    return services.list_stories(session, scope, f, page, page_size)


@router.post("/stories", response_model=StoryOut, status_code=201)
def create_story(data: StoryIn, scope: Access, session: SessionDep) -> StoryOut:
    """Write a story directly; it starts as the caller's draft."""
    return services.create_story(session, scope, data)


@router.get("/stories/from-logs", response_model=CandidatePage)
def from_logs(
    scope: Access,
    session: SessionDep,
    area_id: Annotated[int | None, Query(ge=1)] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> CandidatePage:
    """List the grid logs in reach whose story worth keeping (值得留存的故事) is not yet collected."""
    return services.log_candidates(session, scope, area_id, page, page_size)


@router.post(
    "/stories/from-logs",
    response_model=StoryOut,
    status_code=201,
    responses={409: {"description": "story.collected"}, 422: {"description": "story.log_empty"}},
)
def collect(data: CollectIn, scope: Access, session: SessionDep) -> StoryOut:
    """Make a draft of a grid log's story; a log gives one story (a second collect → 409 ``story.collected``)."""
    return services.collect(session, scope, data)


@router.get("/stories/{story_id}", response_model=StoryOut)
def story(story_id: int, scope: Access, session: SessionDep) -> StoryOut:
    """Return one story with the people it names, their consent, and its photos."""
    return services.get_story(session, scope, story_id)


@router.patch("/stories/{story_id}", response_model=StoryOut)
def update_story(story_id: int, data: StoryUpdate, scope: Access, session: SessionDep) -> StoryOut:
    """Change the title or text (send the ``version`` read); a published story goes back to review."""
    return services.update_story(session, scope, story_id, data)


@router.post("/stories/{story_id}/submit", response_model=StoryOut)
def submit(story_id: int, scope: Access, session: SessionDep) -> StoryOut:
    """Send a draft for review (its author)."""
    return workflow.submit(session, scope, story_id)


@router.post(
    "/stories/{story_id}/publish",
    response_model=StoryOut,
    responses={409: {"description": "story.consent_missing (names who lacks consent), story.not_in_review"}},
)
def publish(story_id: int, scope: Access, session: SessionDep) -> StoryOut:
    """Publish a story in review; refused while anyone it names has not given consent."""
    return workflow.publish(session, scope, story_id)


@router.post("/stories/{story_id}/return", response_model=StoryOut)
def return_story(story_id: int, data: ReturnIn, scope: Access, session: SessionDep) -> StoryOut:
    """Return a story in review to its author as a draft, with a note."""
    return workflow.return_story(session, scope, story_id, data)


@router.get("/stories/{story_id}/residents", response_model=list[ResidentChoice])
def residents(
    story_id: int, scope: Access, session: SessionDep, q: Annotated[str, Query(max_length=20)] = ""
) -> list[ResidentChoice]:
    """Find residents of the story's area by name, to link a person named to the registry."""
    return consent.resident_choices(session, scope, story_id, q)


@router.post("/stories/{story_id}/people", response_model=StoryOut, status_code=201)
def add_person(story_id: int, data: PersonIn, scope: Access, session: SessionDep) -> StoryOut:
    """Name a person in the story; their consent starts pending."""
    return consent.add_person(session, scope, story_id, data)


@router.delete("/stories/{story_id}/people/{person_id}", response_model=StoryOut)
def remove_person(story_id: int, person_id: int, scope: Access, session: SessionDep) -> StoryOut:
    """Take a person out of a story that is not published."""
    return consent.remove_person(session, scope, story_id, person_id)


@router.post("/stories/{story_id}/people/{person_id}/consent", response_model=StoryOut)
def record_consent(story_id: int, person_id: int, data: ConsentIn, scope: Access, session: SessionDep) -> StoryOut:
    """Record a consent given, refused or withdrawn (staff: in person with a witness, signed, by phone; the person
    themself: online). A withdrawal unpublishes a published story at once."""
    return consent.record_consent(session, scope, story_id, person_id, data)


@router.post("/stories/{story_id}/photos", response_model=StoryOut, status_code=201)
async def add_photo(
    story_id: int,
    scope: Access,
    session: SessionDep,
    photo: Annotated[UploadFile, File(description="JPEG, PNG or WebP, up to 5 MB")],
    caption: Annotated[str, Form(max_length=200)] = "",
) -> StoryOut:
    """Add a photo to the story."""
    content = await photo.read(uploads.MAX_BYTES + 1)
    return photos.add_photo(session, scope, story_id, content, caption)


@router.get("/stories/{story_id}/photos/{story_photo_id}", response_class=FileResponse)
def photo(story_id: int, story_photo_id: int, scope: Access, session: SessionDep) -> FileResponse:
    """Return a photo of a story the caller may read."""
    path, media_type = photos.photo_file(session, scope, story_id, story_photo_id)
    return FileResponse(path, media_type=media_type, headers={"cache-control": "private, no-store"})


@router.delete("/stories/{story_id}/photos/{story_photo_id}", response_model=StoryOut)
def remove_photo(story_id: int, story_photo_id: int, scope: Access, session: SessionDep) -> StoryOut:
    """Take a photo off the story."""
    return photos.remove_photo(session, scope, story_id, story_photo_id)
