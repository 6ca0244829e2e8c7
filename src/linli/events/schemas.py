"""Grid-event payloads: what the API takes in and gives out.

The in-schemas read types and plain ranges; the services check the rest (the category is a 小类, the
building lies in the grid, the place is in the caller's reach) so each refusal has a stable code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from linli.needs.schemas import EventOut as TimelineLine
from linli.registry.schemas import Page

MAX_ID = 2**31 - 1
MAX_PHOTOS = 6


class CategoryOut(BaseModel):
    id: int
    code: str
    name: str
    name_en: str
    gbt_code: str
    parent_id: int | None
    limits_hours: dict[str, int] = Field(
        description="Working hours per stage: register, dispatch, handle, verify, close"
    )
    yellow_percent: int


class CategoryGroupOut(BaseModel):
    """A 大类 with its 小类."""

    id: int
    code: str
    name: str
    name_en: str
    children: list[CategoryOut]


class ReportIn(BaseModel):
    """An event seen: a 小类, what it is, where, and whether it was handled on the spot (自行处置).

    The place is ``building_id`` (a building of the grid), or ``area_id`` (the grid) with an optional
    point on its sketch (``sketch_x``, ``sketch_y``: fractions 0–1 of its width and height). ``latitude``
    and ``longitude`` are the reporter's location at this moment, only when they chose to send it.
    """

    model_config = ConfigDict(str_strip_whitespace=True)

    category_id: int = Field(ge=1, le=MAX_ID)
    description: str = Field(min_length=1, max_length=2000)
    area_id: int | None = Field(None, ge=1, le=MAX_ID)
    building_id: int | None = Field(None, ge=1, le=MAX_ID)
    sketch_x: float | None = Field(None, ge=0, le=1)
    sketch_y: float | None = Field(None, ge=0, le=1)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    address: str = Field("", max_length=200)
    on_spot: bool = False
    action_taken: str = Field("", max_length=2000, description="What was done, when handled on the spot")


class PlaceIn(BaseModel):
    """Where a new report would be, to look for open events of the same thing before filing."""

    category_id: int = Field(ge=1, le=MAX_ID)
    area_id: int | None = Field(None, ge=1, le=MAX_ID)
    building_id: int | None = Field(None, ge=1, le=MAX_ID)
    sketch_x: float | None = Field(None, ge=0, le=1)
    sketch_y: float | None = Field(None, ge=0, le=1)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)


class GridEventOut(BaseModel):
    id: int
    area_id: int
    area_name: str
    category_id: int
    category_code: str
    category_name: str
    group_name: str = Field(description="The 大类 of the category")
    description: str
    building_id: int | None
    building_name: str
    sketch_x: float | None
    sketch_y: float | None
    latitude: float | None
    longitude: float | None
    address: str
    handling: Literal["on_spot", "reported"]
    action_taken: str
    reporter_name: str
    reported_by_id: int | None
    order_id: int | None
    state: str = Field(
        description="register, dispatch, handle, verify, close (the stage), closed, dismissed, suspended"
    )
    colour: Literal["green", "yellow", "red"] | None = Field(
        description="The current stage's clock; None when none runs"
    )
    stage_due_at: datetime | None
    stage_yellow_at: datetime | None
    closed_at: datetime | None
    late: bool
    escalation: str = Field("", description="The level the case has reached: '', community, street, district")
    skipped_level: str
    seen_again: int
    photos: list[str]
    created_at: datetime


class GridEventDetail(GridEventOut):
    order_state: str | None
    order_version: int | None
    timeline: list[TimelineLine]


class DuplicateOut(BaseModel):
    id: int
    category_name: str
    description: str
    place: str
    state: str
    created_at: datetime
    distance_m: int | None = Field(description="Metres apart, when both have coordinates or sketch points")


class VerifyIn(BaseModel):
    """The reporter's check (核查) of the handling: passed, or sent back with the reason."""

    model_config = ConfigDict(str_strip_whitespace=True)

    passed: bool
    note: str = Field("", max_length=1000)
    version: int | None = None


class EscalateIn(BaseModel):
    """Escalate a late case to ``to``; the levels passed over (越级) are copied (抄送)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    to: Literal["street", "district"]
    reason: str = Field(min_length=1, max_length=500)


class SeenIn(BaseModel):
    """Seen again by another reporter: linked to the open event instead of filing it twice."""

    model_config = ConfigDict(str_strip_whitespace=True)

    note: str = Field("", max_length=500)


GridEventPage = Page[GridEventOut]
