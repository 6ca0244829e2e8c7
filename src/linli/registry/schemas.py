"""Registry payloads: what the API takes in and gives out."""

from __future__ import annotations

from datetime import date
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field


class ResidentIn(BaseModel):
    """A new resident. ID number and phone are validated by the service, which explains refusals."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(max_length=60)
    household_id: int | None = None
    area_id: int | None = Field(None, description="The grid, when the resident has no household yet")
    id_number: str | None = None
    gender: str | None = Field(None, description="GB/T 2261.1: 1 male, 2 female, 9 unstated")
    birth_date: date | None = None
    phone: str | None = None
    relation: str = "99"
    kind: str = "01"
    ethnicity: str = "01"
    tags: list[str] = Field(default_factory=list, description="Tag codes")
    skills: str = ""
    willing_to_help: bool = False
    notes: str = ""
    registered_on: date | None = None


class ResidentUpdate(BaseModel):
    """Fields to change; ``version`` is the one read, so a concurrent change is refused, not lost."""

    model_config = ConfigDict(str_strip_whitespace=True)

    version: int
    name: str | None = Field(None, max_length=60)
    id_number: str | None = None
    gender: str | None = None
    birth_date: date | None = None
    phone: str | None = None
    relation: str | None = None
    kind: str | None = None
    ethnicity: str | None = None
    tags: list[str] | None = None
    skills: str | None = None
    willing_to_help: bool | None = None
    notes: str | None = None


class MoveIn(BaseModel):
    household_id: int
    relation: str | None = None
    on: date | None = None
    note: str = ""


class DeregisterIn(BaseModel):
    reason: str = Field(pattern="^(moved_out|deceased)$")
    on: date | None = None
    note: str = ""


class TagOut(BaseModel):
    code: str
    name: str
    kind: str


class ResidentOut(BaseModel):
    id: int
    name: str
    gender: str
    gender_label: str
    birth_date: date | None
    age: int | None
    id_number: str | None = Field(description="Masked: first 6 and last 4 kept")
    phone: str | None = Field(description="Masked: last 4 kept")
    household_id: int | None
    area_id: int
    grid: str
    address: str
    relation: str
    kind: str
    status: str
    tags: list[TagOut]
    skills: str
    willing_to_help: bool
    notes: str
    registered_on: date
    left_on: date | None
    version: int


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int
    total_capped: bool = Field(
        default=False, description="True when there are more than `total` matches (counting stopped)"
    )


class ResidentEventOut(BaseModel):
    kind: str
    happened_on: date
    note: str
    from_household_id: int | None
    to_household_id: int | None
    from_address: str = ""
    to_address: str = ""


class BuildingIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    area_id: int
    name: str = Field(min_length=1, max_length=100)
    compound: str = ""
    address: str = ""


class BuildingOut(BaseModel):
    id: int
    area_id: int
    name: str
    compound: str
    address: str
    households: int = 0


class HouseholdIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    building_id: int
    room: str = Field(min_length=1, max_length=50)
    address: str = ""
    unit: str = Field("", max_length=40, description="单元; empty: read from the room (2-301, 2单元301) or 1单元")


class HouseholdOut(BaseModel):
    id: int
    area_id: int
    building_id: int
    building: str
    room: str
    address: str
    head_id: int | None
    head_name: str | None
    house_id: int | None = None
    unit: str = ""
    house_status: str | None = None
    care_grade: str | None = Field(None, description="三色入户帮: red, yellow or blue")
    members: list[ResidentOut] = Field(default_factory=list)
