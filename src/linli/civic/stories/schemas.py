"""Story payloads (微故事): what the API takes in and gives out.

The in-schemas read types and plain lengths; the services check the rest (the area, the resident named,
the consent's way and witness, the workflow's order) so that each refusal has a stable code and a field.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from linli.registry.schemas import Page


class StoryIn(BaseModel):
    """A story written directly, for ``area_id`` (a grid, or the community for a story of all of it)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    area_id: int
    title: str = Field(min_length=1, max_length=120)
    body: str = Field(min_length=1, max_length=20000)


class StoryUpdate(BaseModel):
    """Fields to change; ``version`` is the one read. A published story changed goes back to review."""

    model_config = ConfigDict(str_strip_whitespace=True)

    version: int
    title: str | None = Field(None, min_length=1, max_length=120)
    body: str | None = Field(None, min_length=1, max_length=20000)


class CollectIn(BaseModel):
    """Make a draft from a grid log's 值得留存的故事; the title defaults to the story's first words."""

    model_config = ConfigDict(str_strip_whitespace=True)

    log_id: int
    title: str = Field("", max_length=120)


class ReturnIn(BaseModel):
    """Send a story in review back to its author as a draft, saying why."""

    model_config = ConfigDict(str_strip_whitespace=True)

    note: str = Field(min_length=1, max_length=300)


class PersonIn(BaseModel):
    """A person the story names: a name, or a resident of the story's area (their name is taken)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field("", max_length=60)
    resident_id: int | None = None
    note: str = Field("", max_length=200)


class ConsentIn(BaseModel):
    """A consent recorded: ``given``, ``refused`` or ``withdrawn``; how, when, and before whom.

    Staff record ``in_person`` (a witness is required), ``signed`` or ``phone``; ``online`` is the person
    themself, signed in with the resident account linked to them.
    """

    model_config = ConfigDict(str_strip_whitespace=True)

    consent: str = Field(description="given, refused or withdrawn")
    way: str = Field("online", description="in_person, signed, phone (recorded by staff) or online (the person)")
    on: date | None = Field(None, description="The day it was given; today when left out")
    witness: str = Field("", max_length=60)
    note: str = Field("", max_length=200)


class PersonOut(BaseModel):
    id: int
    name: str
    resident_id: int | None
    consent: str
    consent_on: date | None
    consent_way: str
    witness: str
    recorded_by: str
    withdrawn_on: date | None
    note: str
    is_me: bool = Field(False, description="The caller is this person (their resident account is linked to them)")


class PhotoOut(BaseModel):
    id: int
    url: str
    caption: str
    size: int


class StoryOut(BaseModel):
    id: int
    area_id: int
    area: str
    title: str
    body: str
    source: str
    grid_log_id: int | None
    state: str
    author_id: int | None
    author: str
    review_note: str
    reviewed_by: str
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    people: list[PersonOut]
    photos: list[PhotoOut]
    missing_consent: list[str] = Field(description="Names of the people whose consent is not given")
    version: int


class StoryRow(BaseModel):
    """A story in a list: no people or photos, a short excerpt."""

    id: int
    area_id: int
    area: str
    title: str
    excerpt: str
    source: str
    state: str
    author: str
    people: int
    missing_consent: int
    photos: int
    published_at: datetime | None
    updated_at: datetime


class LogCandidate(BaseModel):
    """A grid log whose story is worth keeping and not yet collected."""

    log_id: int
    started_at: datetime
    area_id: int
    area: str
    household: str
    worker: str
    story: str


class ResidentChoice(BaseModel):
    id: int
    name: str
    area: str


StoryPage = Page[StoryRow]
CandidatePage = Page[LogCandidate]
