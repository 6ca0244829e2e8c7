"""千户访 payloads: rules, worklists, grid logs, alerts and coverage figures."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Channel = Literal["phone", "message", "door"]
Urgency = Literal["", "urgent", "hard", "troublesome"]
# A worker may type the character itself.
URGENCY_WORDS = {"急": "urgent", "难": "hard", "烦": "troublesome"}


class RuleIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    community_id: int
    name: str = Field(min_length=1, max_length=60)
    condition: str = Field(description="tag, close_care, tagged, min_age, kind, house_status, care_grade or everyone")
    value: str = Field("", max_length=40, description="The tag code, the age, or the registration kind")
    contact_every_days: int | None = None
    visit_every_days: int | None = None
    active: bool = True
    position: int | None = Field(None, ge=0, le=100000)


class RuleUpdate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str | None = Field(None, min_length=1, max_length=60)
    condition: str | None = None
    value: str | None = Field(None, max_length=40)
    contact_every_days: int | None = None
    visit_every_days: int | None = None
    active: bool | None = None
    position: int | None = Field(None, ge=0, le=100000)


class RuleOut(BaseModel):
    id: int
    community_id: int
    position: int
    name: str
    condition: str
    value: str
    contact_every_days: int | None
    visit_every_days: int | None
    active: bool


class PolicyOut(BaseModel):
    community_id: int
    community: str
    editable: bool
    rules: list[RuleOut]


class CadenceIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    contact_every_days: int | None = None
    visit_every_days: int | None = None
    reason: str = Field(min_length=1, max_length=200)


class CadenceOut(BaseModel):
    household_id: int
    contact_every_days: int | None
    visit_every_days: int | None
    reason: str


class NeedIn(BaseModel):
    """A difficulty or need raised during the visit; it stays open on the household."""

    model_config = ConfigDict(str_strip_whitespace=True)

    category: str = Field(min_length=1, max_length=40)
    description: str = Field(min_length=1, max_length=2000)
    resident_id: int | None = None


class SkillIn(BaseModel):
    """A skill or willingness to help found in a member of the household."""

    model_config = ConfigDict(str_strip_whitespace=True)

    resident_id: int
    skills: str = Field("", max_length=200)
    willing_to_help: bool | None = None


class GridLogIn(BaseModel):
    """One contact or visit. ``started_at`` without a zone is Asia/Shanghai time; none means now."""

    model_config = ConfigDict(str_strip_whitespace=True)

    household_id: int
    channel: Channel
    started_at: datetime | None = None
    duration_minutes: int = Field(30, ge=1, le=600)
    narrative: str = Field("", max_length=4000)
    problem: str = Field("", max_length=2000)
    action: str = Field("", max_length=2000)
    result: str = Field("", max_length=2000)
    urgency: Urgency = ""
    story: str = Field("", max_length=4000)
    needs: list[NeedIn] = Field(default_factory=list, max_length=20)
    skills: list[SkillIn] = Field(default_factory=list, max_length=20)
    close_item_ids: list[int] = Field(default_factory=list, max_length=50)

    @field_validator("urgency", mode="before")
    @classmethod
    def _urgency_word(cls, value: object) -> object:
        return URGENCY_WORDS.get(value, value) if isinstance(value, str) else value


class GridLogUpdate(BaseModel):
    """A correction by the author within 24 hours; ``version`` is the one read."""

    model_config = ConfigDict(str_strip_whitespace=True)

    version: int
    channel: Channel | None = None
    started_at: datetime | None = None
    duration_minutes: int | None = Field(None, ge=1, le=600)
    narrative: str | None = Field(None, max_length=4000)
    problem: str | None = Field(None, max_length=2000)
    action: str | None = Field(None, max_length=2000)
    result: str | None = Field(None, max_length=2000)
    urgency: Urgency | None = None
    story: str | None = Field(None, max_length=4000)

    @field_validator("urgency", mode="before")
    @classmethod
    def _urgency_word(cls, value: object) -> object:
        return URGENCY_WORDS.get(value, value) if isinstance(value, str) else value


class NoteIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=2000)


class ItemOut(BaseModel):
    id: int
    household_id: int
    resident_id: int | None
    resident_name: str | None = None
    category: str
    description: str
    status: str
    opened_by_log_id: int
    closed_by_log_id: int | None
    created_at: datetime
    closed_at: datetime | None


class NoteOut(BaseModel):
    id: int
    user_id: int | None
    author: str
    text: str
    created_at: datetime


class SkillOut(BaseModel):
    resident_id: int
    resident_name: str = ""
    skills: str
    willing_to_help: bool | None


class GridLogOut(BaseModel):
    id: int
    household_id: int
    area_id: int
    user_id: int | None
    author: str
    channel: str
    started_at: datetime
    duration_minutes: int
    narrative: str
    problem: str
    action: str
    result: str
    urgency: str
    story: str
    skills: list[SkillOut]
    items: list[ItemOut]
    closed_items: list[ItemOut]
    notes: list[NoteOut]
    created_at: datetime
    corrected_at: datetime | None
    version: int
    correctable_until: datetime


class RhythmOut(BaseModel):
    household_id: int
    active: bool
    contact_every: int | None
    visit_every: int | None
    reason: str = Field(description="Why the household has this rhythm, in words")
    override: bool
    registered_on: date
    last_contact_at: datetime | None
    last_visit_at: datetime | None
    contact_due_on: date | None
    visit_due_on: date | None
    next_due_on: date | None


class TimelineOut(BaseModel):
    household_id: int
    rhythm: RhythmOut | None
    open_items: list[ItemOut]
    logs: list[GridLogOut]
    total: int
    page: int
    page_size: int


class GridRef(BaseModel):
    id: int
    name: str
    code: str
    due: int = 0


class WorklistLine(BaseModel):
    household_id: int
    kind: Literal["contact", "visit"]
    due_date: date
    days_overdue: int
    priority: int
    reason: str = Field(description="Why the household is on the list, in the words a worker reads")
    slot: Literal["today", "later"]
    area_id: int
    building_id: int
    building: str
    room: str
    head_name: str | None
    care_weight: int
    close_care: bool
    last_contact_at: datetime | None
    last_visit_at: datetime | None


class WorklistOut(BaseModel):
    date: date
    user_id: int | None
    worker: str
    grids: list[GridRef]
    capacity: int = Field(description="Door visits planned per day; the rest go to later this week")
    items: list[WorklistLine] = Field(description="Today's lines in walking order (by building), then the later ones")
    unowned_grids: list[GridRef] = Field(description="Grids in the caller's reach that no grid worker owns")


class WorkerOut(BaseModel):
    user_id: int
    name: str
    grids: list[GridRef]
    due: int


class WorkersOut(BaseModel):
    date: date
    workers: list[WorkerOut]
    unowned_grids: list[GridRef]


class AlertOut(BaseModel):
    id: int
    kind: str
    community_id: int
    area_id: int
    grid: str
    household_id: int
    address: str
    log_id: int | None
    detail: str
    opened_at: datetime
    resolved_at: datetime | None
    resolution: str


class ResolveIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    resolution: str = Field(min_length=1, max_length=2000)


class CoverageRow(BaseModel):
    """Figures for one grid, one worker, or everything in reach, over a period."""

    area_id: int | None = None
    user_id: int | None = None
    name: str
    households: int
    contact_households: int = Field(description="Households with a contact rhythm")
    contacted_on_time: int
    contact_rate: float | None
    visit_households: int = Field(description="Households with a door-visit rhythm")
    visited_on_time: int
    visit_rate: float | None = Field(description="走访率: share visited within their interval at the period's end")
    overdue: int
    care_households: int = Field(description="Households with a person under close care")
    median_days_since_contact: float | None
    logs: int
    avg_duration: float | None


class CoverageOut(BaseModel):
    start: date
    end: date
    as_of: date
    total: CoverageRow
    communities: list[CoverageRow] = Field(
        default_factory=list, description="Each community's figures, when the grids span more than one"
    )
    grids: list[CoverageRow]
    workers: list[CoverageRow]
