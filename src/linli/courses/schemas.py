"""Course payloads: what the API takes in and gives out.

The in-schemas read types and plain ranges; the services check the rest (the area, the teacher, the
venue, the window, the sessions' order) so that each refusal has a stable code and names its field.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from linli.registry.schemas import Page


class SessionIn(BaseModel):
    """One meeting: aware times (``2026-07-06T09:00:00+08:00``), a venue of the resources or a place in words."""

    starts_at: datetime
    ends_at: datetime
    venue_resource_id: int | None = None
    venue: str = Field("", max_length=100)


class CourseIn(BaseModel):
    """A new course of ``area_id`` (the community that runs it), organised by ``organising_area_ids`` (grids)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    area_id: int
    title: str = Field(min_length=1, max_length=100)
    category: str = Field(description="language, culture, art, calligraphy, craft, science, sport or other")
    description: str = Field("", max_length=2000)
    age_min: int = Field(ge=0, le=18)
    age_max: int = Field(ge=0, le=18)
    capacity: int = Field(ge=1, le=500)
    teacher_volunteer_id: int | None = None
    teacher_resource_id: int | None = Field(None, description="The institution (a resource) the teacher comes from")
    teacher_name: str = Field("", max_length=60)
    signup_opens_on: date
    signup_closes_on: date
    helpers_wanted: int = Field(0, ge=0, le=20, description="Parent helpers wanted per session")
    hold_hours: int = Field(
        0, ge=0, le=168, description="0: a freed seat goes to the first on the waitlist at once; N: they have N hours"
    )
    organising_area_ids: list[int] = Field(default_factory=list, max_length=20)
    sessions: list[SessionIn] = Field(min_length=1, max_length=60)


class CourseUpdate(BaseModel):
    """Fields to change; ``version`` is the one read. Sessions given replace the held ones (none attended yet)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    version: int
    title: str | None = Field(None, min_length=1, max_length=100)
    category: str | None = None
    description: str | None = Field(None, max_length=2000)
    age_min: int | None = Field(None, ge=0, le=18)
    age_max: int | None = Field(None, ge=0, le=18)
    capacity: int | None = Field(None, ge=1, le=500)
    teacher_volunteer_id: int | None = None
    teacher_resource_id: int | None = None
    teacher_name: str | None = Field(None, max_length=60)
    signup_opens_on: date | None = None
    signup_closes_on: date | None = None
    helpers_wanted: int | None = Field(None, ge=0, le=20)
    hold_hours: int | None = Field(None, ge=0, le=168)
    organising_area_ids: list[int] | None = Field(None, max_length=20)
    sessions: list[SessionIn] | None = Field(None, min_length=1, max_length=60)


class CancelCourseIn(BaseModel):
    version: int
    reason: str = Field(min_length=1, max_length=200)


class NamedArea(BaseModel):
    id: int
    name: str


class SessionOut(BaseModel):
    id: int
    starts_at: datetime
    ends_at: datetime
    venue_resource_id: int | None
    venue: str
    helpers: int = 0


class CourseOut(BaseModel):
    id: int
    area_id: int
    area: str
    title: str
    category: str
    description: str
    age_min: int
    age_max: int
    capacity: int
    taken: int = Field(description="Seats held: enrolled, and offered within a hold period; never the waitlist")
    waitlisted: int
    teacher: str
    teacher_volunteer_id: int | None
    teacher_resource_id: int | None
    signup_opens_on: date
    signup_closes_on: date
    open_now: bool = Field(description="Open for sign-ups today")
    helpers_wanted: int
    hold_hours: int
    status: str
    organising_areas: list[NamedArea]
    sessions: list[SessionOut]
    version: int


CoursePage = Page[CourseOut]


class EnrolmentIn(BaseModel):
    child_resident_id: int


class EnrolmentOut(BaseModel):
    id: int
    course_id: int
    course_title: str
    resident_id: int
    child_name: str
    age: int | None = Field(description="The child's age on the course's first day")
    status: str = Field(description="enrolled, offered, waitlisted, cancelled or lapsed")
    position: int | None = Field(description="Place on the waitlist, 1 first; null when not waiting")
    offered_until: datetime | None
    created_at: datetime


class ChildOut(BaseModel):
    """A child of the caller's household and their sign-ups (the family page)."""

    resident_id: int
    name: str
    birth_date: date | None
    enrolments: list[EnrolmentOut]


class RosterRow(BaseModel):
    """One line of a class list: the child, their age, guardian and masked phone, and attendance."""

    enrolment_id: int
    child_name: str
    gender: str
    age: int | None
    guardian: str
    guardian_phone: str
    grid: str
    status: str
    position: int | None
    attended: dict[int, bool] = Field(description="Session id → present")


class RosterOut(BaseModel):
    course: CourseOut
    rows: list[RosterRow]
    helpers: dict[int, list[str]] = Field(description="Session id → the helpers' names")


class AttendanceIn(BaseModel):
    """Who came to a session: the enrolments present; the other enrolled children are marked absent."""

    present: list[int] = Field(default_factory=list, max_length=500)


class AttendanceOut(BaseModel):
    session_id: int
    present: int
    absent: int


class HelperIn(BaseModel):
    """A helper for a session: a resident (a guardian helps as themselves: leave it out)."""

    resident_id: int | None = None


class HelperOut(BaseModel):
    id: int
    session_id: int
    resident_id: int
    name: str


class FigureRow(BaseModel):
    key: str
    label: str
    courses: int
    places: int
    enrolled: int
    waitlisted: int
    attendance_rate: float | None = Field(description="Present marks ÷ marks taken, 0–1; null before any")


class FiguresOut(BaseModel):
    area_id: int
    by_grid: list[FigureRow]
    by_category: list[FigureRow]
    total: FigureRow
