"""Houses, units, tenancies and care grades: what the API takes in and gives out."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from linli.registry.schemas import HouseholdOut


class UnitOut(BaseModel):
    id: int
    building_id: int
    name: str
    houses: int = 0
    vacant: int = 0
    rented: int = 0


class HouseOut(BaseModel):
    id: int
    area_id: int
    building_id: int
    building: str
    unit_id: int
    unit: str
    room: str
    status: str = Field(description="owner_occupied 自住, rented 出租, vacant 空置, business 商用, other 其他")
    owner_resident_id: int | None
    owner_name: str = Field(description="The owning resident's name, or the outside owner's")
    owner_phone: str | None = Field(description="The outside owner's phone, masked: last 4 kept")
    floor_area: float | None = Field(description="m², where known")
    note: str
    households: int = Field(0, description="Open households living in the house")
    last_visit_at: datetime | None = Field(None, description="The last door visit to any of its households")


class TenancyOut(BaseModel):
    id: int
    house_id: int
    household_id: int
    household: str = Field("", description="The tenant household's head, or its address")
    starts_on: date
    ends_on: date | None
    note: str
    current: bool


class HouseDetail(HouseOut):
    living: list[HouseholdOut] = Field(default_factory=list, description="Its households with their members (masked)")
    tenancies: list[TenancyOut] = Field(default_factory=list, description="Newest first, ended ones kept")


class HouseUpdate(BaseModel):
    """Fields to change; leave one out to keep it. An empty ``owner_phone`` removes the phone."""

    model_config = ConfigDict(str_strip_whitespace=True)

    status: str | None = Field(None, pattern="^(owner_occupied|rented|vacant|business|other)$")
    owner_resident_id: int | None = None
    owner_name: str | None = Field(None, max_length=60)
    owner_phone: str | None = Field(None, max_length=30)
    floor_area: float | None = Field(None, gt=0, lt=100000)
    note: str | None = Field(None, max_length=200)


class TenancyIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    household_id: int
    starts_on: date
    ends_on: date | None = None
    note: str = Field("", max_length=200)


class TenancyEnd(BaseModel):
    ends_on: date


class CareGradeIn(BaseModel):
    """A household's care grade (三色入户帮): red, yellow, blue, or null to clear it; a reason always."""

    model_config = ConfigDict(str_strip_whitespace=True)

    grade: str | None = Field(None, pattern="^(red|yellow|blue)$")
    reason: str = Field(min_length=1, max_length=200)


class CareGradeChangeOut(BaseModel):
    grade: str | None
    previous: str | None
    reason: str
    username: str
    created_at: datetime


class CareGradeOut(BaseModel):
    household_id: int
    grade: str | None
    history: list[CareGradeChangeOut] = Field(default_factory=list, description="Newest first")


class OwnerUnmaskedOut(BaseModel):
    owner_phone: str | None
