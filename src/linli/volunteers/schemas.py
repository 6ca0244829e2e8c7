"""Volunteers in and out: a profile (with the resident's consent), slots, time away, qualifications, hours."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Status = Literal["active", "paused", "left"]


class SlotIn(BaseModel):
    """A weekly slot: weekday 0 (Monday) … 6, minutes after midnight, start before end."""

    weekday: int = Field(ge=0, le=6)
    start: int = Field(ge=0, le=24 * 60)
    end: int = Field(ge=0, le=24 * 60)

    @model_validator(mode="after")
    def _ordered(self) -> SlotIn:
        if self.start >= self.end:
            raise ValueError("a slot ends after it starts")
        return self


class VolunteerIn(BaseModel):
    """A new volunteer profile. ``consent`` is the resident's yes; ``consent_note`` says how it was given."""

    model_config = ConfigDict(str_strip_whitespace=True)

    resident_id: int
    consent: bool = Field(description="The resident agreed to volunteer (never enrol without their yes)")
    consent_note: str = Field(default="", max_length=200, description="How the yes was given (签字登记表 …)")
    user_id: int | None = Field(default=None, description="Their account, if they have one")
    profession: str = Field(default="", max_length=60)
    skills_text: str = Field(default="", max_length=1000, description="Skills as typed; read into skill codes")
    skills: list[str] = Field(default_factory=list, description="Skill codes (linli.lib.skills) besides the text")
    category_ids: list[int] | None = Field(default=None, description="Categories offered; default from the skills")
    load_limit: int = Field(default=2, ge=1, le=10)
    area_ids: list[int] | None = Field(default=None, description="Areas served; default their community")
    slots: list[SlotIn] = Field(default_factory=list, max_length=50)
    notes: str = Field(default="", max_length=2000)


class VolunteerUpdate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    version: int
    profession: str | None = Field(default=None, max_length=60)
    skills_text: str | None = Field(default=None, max_length=1000)
    skills: list[str] | None = None
    category_ids: list[int] | None = None
    load_limit: int | None = Field(default=None, ge=1, le=10)
    area_ids: list[int] | None = None
    slots: list[SlotIn] | None = Field(default=None, max_length=50)
    status: Status | None = None
    notes: str | None = Field(default=None, max_length=2000)


class AwayIn(BaseModel):
    starts_on: date
    ends_on: date
    reason: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _ordered(self) -> AwayIn:
        if self.ends_on < self.starts_on:
            raise ValueError("time away ends on or after the day it starts")
        return self


class QualificationIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    kind: str = Field(min_length=1, max_length=40, description="medical_licence, nurse_licence, first_aid, …")
    name: str = Field(min_length=1, max_length=100)
    number: str = Field(default="", max_length=60)
    expires_on: date | None = None
    confirmed: bool = Field(default=False, description="Staff saw the certificate")


class HoursIn(BaseModel):
    """Hours staff add by hand (marked as such): a service outside any order."""

    day: date
    hours: float = Field(gt=0, le=24)
    note: str = Field(min_length=1, max_length=500)


class CategoryRef(BaseModel):
    id: int
    code: str
    name: str
    name_en: str


class QualificationOut(BaseModel):
    id: int
    kind: str
    name: str
    number: str
    confirmed_by_id: int | None
    confirmed_at: datetime | None
    expires_on: date | None
    valid: bool


class TaskOut(BaseModel):
    id: int
    order_id: int
    title: str
    state: str
    reason: str
    starts_at: datetime | None
    ends_at: datetime | None
    invited_at: datetime


class HoursOut(BaseModel):
    id: int
    day: date
    order_id: int | None
    service_id: int | None
    scheduled_hours: float
    served_hours: float
    by_staff: bool
    note: str


class VolunteerOut(BaseModel):
    id: int
    resident_id: int
    name: str
    user_id: int | None
    area_id: int
    area: str
    profession: str
    skills: list[str]
    skill_names: list[str]
    categories: list[CategoryRef]
    area_ids: list[int]
    load_limit: int
    open_tasks: int
    status: str
    consent_at: datetime
    consent_note: str
    done: int
    hours_served: float
    rating: float | None
    reliability: float
    version: int


class VolunteerDetail(VolunteerOut):
    slots: list[SlotIn]
    away: list[AwayIn]
    qualifications: list[QualificationOut]
    hours_this_year: float
    tasks: list[TaskOut]
    notes: str


class VolunteerPage(BaseModel):
    items: list[VolunteerOut]
    total: int
    more: bool
    page: int
    size: int


class PossibleVolunteerOut(BaseModel):
    """A resident found willing (in the registry or a grid log) who has no profile yet: invite, never enrol."""

    resident_id: int
    name: str
    area_id: int
    area: str
    skills_text: str
    skills: list[str]


class StandingServiceIn(BaseModel):
    """A standing offer: ``schedule`` is ``weekly:<0-6>`` (Monday 0) or ``monthly:<1-28>``."""

    model_config = ConfigDict(str_strip_whitespace=True)

    area_id: int
    category_id: int
    title: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=2000)
    volunteer_id: int | None = None
    team_id: int | None = None
    schedule: str = Field(max_length=20)
    start_minute: int = Field(ge=0, le=24 * 60)
    end_minute: int = Field(ge=0, le=24 * 60)
    capacity: int = Field(default=10, ge=1, le=1000)
    place: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _ordered(self) -> StandingServiceIn:
        if self.start_minute >= self.end_minute:
            raise ValueError("a session ends after it starts")
        return self


class StandingServiceOut(BaseModel):
    id: int
    area_id: int
    category_id: int
    title: str
    description: str
    volunteer_id: int | None
    team_id: int | None
    schedule: str
    start_minute: int
    end_minute: int
    capacity: int
    place: str
    signups: int


class SignupIn(BaseModel):
    household_id: int
    session_on: date
    note: str = Field(default="", max_length=200)


class SessionHoursIn(BaseModel):
    """The volunteers who served one session; ``hours`` each, or the session's length when left out."""

    session_on: date
    volunteer_ids: list[int] = Field(min_length=1, max_length=200)
    hours: float | None = Field(default=None, gt=0, le=24)
