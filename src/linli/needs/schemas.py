"""Needs payloads: what the API takes in and gives out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Source = Literal["visit", "resident", "staff", "hotline"]
Rating = Literal["satisfied", "basic", "dissatisfied"]
Unit = Literal["hours", "working_hours", "working_days", "days"]


class CategoryIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=40)
    name_en: str = Field(default="", max_length=60)
    code: str = Field(
        default="", max_length=40, pattern=r"^[a-z0-9_]*$", description="Made from the English name when empty"
    )


class CategoryUpdate(BaseModel):
    """Rename or retire a category; ``active`` false retires it (its orders keep it)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=40)
    name_en: str | None = Field(default=None, max_length=60)
    active: bool | None = None


class CategoryOut(BaseModel):
    id: int
    code: str
    name: str
    name_en: str
    active: bool


class UrgencyUpdate(BaseModel):
    amount: int | None = Field(default=None, ge=1, le=1000)
    unit: Unit | None = None
    community_after_hours: int | None = Field(default=None, ge=0, le=10000)
    street_after_hours: int | None = Field(default=None, ge=0, le=10000)


class UrgencyOut(BaseModel):
    id: int
    code: str
    name: str
    name_en: str
    amount: int
    unit: str
    community_after_hours: int
    street_after_hours: int


class CalendarDayOut(BaseModel):
    day: date
    kind: Literal["holiday", "workday"]
    name: str


class TeamIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    area_id: int
    name: str = Field(min_length=1, max_length=100)
    member_ids: list[int] = Field(default_factory=list, description="User ids")
    leader_id: int | None = Field(default=None, description="The leader (one of the members)")
    category_ids: list[int] = Field(default_factory=list, description="Service categories the team offers")
    covers_area_ids: list[int] = Field(
        default_factory=list, description="Further areas the team serves besides its own (other communities)"
    )


class TeamOut(BaseModel):
    id: int
    area_id: int
    name: str
    active: bool
    member_ids: list[int]
    leader_id: int | None = None
    category_ids: list[int] = []
    covers_area_ids: list[int] = []


class NeedIn(BaseModel):
    """A new order. Where it is comes from the household, the resident, or else ``area_id``.

    A signed-in resident's own request needs none of these: it is placed at the resident's home.
    """

    model_config = ConfigDict(str_strip_whitespace=True)

    category_id: int | None = None
    category: str | None = Field(default=None, max_length=40, description="A category code or name, instead of the id")
    urgency: str = Field(default="ordinary", max_length=20, description="emergency, urgent, ordinary or complex")
    title: str = Field(default="", max_length=120)
    description: str = Field(min_length=1, max_length=4000)
    source: Source = "staff"
    hotline_number: str | None = Field(
        default=None, max_length=40, description="The hotline's own order number (12345)"
    )
    area_id: int | None = None
    household_id: int | None = None
    resident_id: int | None = None
    address: str = Field(default="", max_length=200)
    requester_name: str = Field(default="", max_length=60)
    requester_phone: str | None = Field(default=None, max_length=30)
    wanted_at: datetime | None = Field(default=None, description="When the help is wanted (matching reads it)")


class PublicNeedIn(BaseModel):
    """A request sent without an account: a phone number to call back and a community to send it to."""

    model_config = ConfigDict(str_strip_whitespace=True)

    community_id: int
    category_id: int
    description: str = Field(min_length=4, max_length=2000)
    name: str = Field(default="", max_length=60)
    phone: str = Field(min_length=5, max_length=30)
    address: str = Field(default="", max_length=200)


class TransitionIn(BaseModel):
    """One move of an order. ``version`` is the one read: a change made meanwhile is refused, not lost.

    What else is needed depends on the action: ``reason`` to dismiss, return, suspend or rework;
    ``assignee_user_id`` or ``team_id`` to dispatch; ``due_at`` to extend or ask for more time;
    ``rating`` to rate.
    """

    model_config = ConfigDict(str_strip_whitespace=True)

    action: str = Field(max_length=24)
    version: int | None = None
    note: str = Field(default="", max_length=4000)
    reason: str = Field(default="", max_length=1000)
    assignee_user_id: int | None = None
    team_id: int | None = None
    due_at: datetime | None = None
    category_id: int | None = None
    urgency: str | None = Field(default=None, max_length=20)
    area_id: int | None = None
    rating: Rating | None = None
    comment: str = Field(default="", max_length=2000)
    caused_by_handling: bool = Field(
        default=True, description="With 不满意: the handling was at fault, so the order reopens"
    )
    hours: float | None = Field(default=None, gt=0, le=72, description="With report_done: hours of service given")
    override: bool = Field(
        default=False,
        description="With dispatch: give a volunteer a task although it clashes with another or they declined it",
    )


class PublicRatingIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    rating: Rating
    comment: str = Field(default="", max_length=2000)
    caused_by_handling: bool = True


class EventOut(BaseModel):
    at: datetime
    actor: str
    action: str
    from_state: str
    to_state: str
    note: str
    photo: str | None


class NeedOut(BaseModel):
    id: int
    title: str
    description: str
    address: str
    category_id: int
    category: str
    category_en: str = ""
    urgency: str
    source: str
    hotline_number: str | None
    grid_log_item_id: int | None
    area_id: int
    area: str
    household_id: int | None
    resident_id: int | None
    requester_name: str
    requester_phone: str | None = Field(description="Masked: last 4 kept")
    state: str
    assignee_user_id: int | None
    assignee: str
    assignee_team_id: int | None
    created_at: datetime
    dispatched_at: datetime | None
    due_at: datetime | None
    closed_at: datetime | None
    overdue: bool
    escalation: str
    extension_count: int
    extension_requested_until: datetime | None
    rework_count: int
    rating: str | None
    rating_comment: str
    duplicate_of_id: int | None
    version: int
    allowed: list[str] = Field(default_factory=list, description="The actions the caller may take now")
    events: list[EventOut] | None = None


class NeedPage(BaseModel):
    items: list[NeedOut]
    total: int
    page: int
    page_size: int


class TrackingOut(BaseModel):
    """What the holder of a tracking code sees: no names, no phone numbers."""

    tracking_code: str
    category: str
    category_en: str = ""
    state: str
    created_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    rating: str | None
    can_rate: bool
    events: list[EventOut]


class SubmittedOut(BaseModel):
    id: int
    tracking_code: str


class FigureRow(BaseModel):
    """Counts for one category, one area below the one asked about, or all: orders received in the period.

    Rates are None when their denominator is 0.
    """

    id: int | None
    name: str
    name_en: str = ""
    received: int
    dismissed: int
    resolved: int
    on_time: int
    rework: int
    extended: int
    overdue_now: int = Field(description="Open orders past their deadline now, whenever received")
    rated: int
    satisfied: int = Field(description="满意 or 基本满意")
    resolution_rate: float | None = Field(description="办结率: resolved / (received − dismissed)")
    on_time_rate: float | None = Field(description="按期办结率: closed by the deadline / resolved")
    rework_rate: float | None = Field(description="返工率: sent back at least once / (received − dismissed)")
    extension_rate: float | None = Field(description="延期率: extended at least once / (received − dismissed)")
    satisfaction_rate: float | None = Field(description="满意率: (满意 + 基本满意) / rated")


class FiguresOut(BaseModel):
    area_id: int
    area: str
    date_from: date
    date_to: date
    total: FigureRow
    by_category: list[FigureRow]
    by_area: list[FigureRow]


class NotificationOut(BaseModel):
    id: int
    kind: str
    text: str
    link: str
    created_at: datetime
    read_at: datetime | None


class TickOut(BaseModel):
    overdue: int
    community: int
    street: int
    notified: int
    # What the other modules' deadlines changed in the same tick, by name (e.g. ``course.lapsed``).
    others: dict[str, int] = {}
