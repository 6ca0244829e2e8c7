"""What the dashboard API returns."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class AreaRef(BaseModel):
    id: int
    name: str
    level: str


class Breakdown(BaseModel):
    """One category of orders, or one care tag, and its count."""

    id: int
    name: str
    value: int


class AreaFigures(BaseModel):
    """The figures of one area for the period, with the rates read off them."""

    area: AreaRef
    figures: dict[str, int] = Field(description="Figure code → value (flows summed over the period; stocks at its end)")
    rates: dict[str, float | None] = Field(description="Rate code → share 0–1 (None when there is nothing to divide)")


class OverdueRow(BaseModel):
    household_id: int
    grid: str
    building: str
    room: str
    last_contact: date | None
    last_visit: date | None


class OverduePage(BaseModel):
    area: AreaRef
    total: int
    total_capped: bool
    page: int
    page_size: int
    items: list[OverdueRow]


class TrendPoint(BaseModel):
    month: date
    figures: dict[str, int]
    rates: dict[str, float | None]


class DashboardOut(BaseModel):
    area: AreaRef
    trail: list[AreaRef] = Field(description="The areas above it the user also reads, from the top")
    period: str
    months: list[date]
    refreshed_at: datetime | None = Field(description="When the rollups of the period's last month were computed")
    figures: dict[str, int]
    rates: dict[str, float | None]
    labels: dict[str, str] = Field(description="Figure and rate code → its label in the reader's language")
    kinds: dict[str, str] = Field(
        description="Figure code → flow (summed over a period), stock (its end's) or now (only known for months "
        "measured while current: a month without it in the trend was not measured)"
    )
    categories: list[Breakdown]
    care: list[Breakdown]
    children: list[AreaFigures]
    trend: list[TrendPoint]


class ProfileRow(BaseModel):
    key: str
    name: str
    value: int | None = Field(description="The count; None when it is 1–4 (too few to show)")


class ProfileOut(BaseModel):
    """An area's profile (网格画像): counts only, none under the threshold."""

    area: AreaRef
    residents: int | None
    threshold: int
    ages: list[ProfileRow]
    household_sizes: list[ProfileRow]
    care: list[ProfileRow]
    skills: list[ProfileRow]
    professions: list[ProfileRow]


class EvaluationRow(BaseModel):
    """One grid worker's month: the figures, each part of the score (0–1, None when it has no value), the score."""

    user_id: int
    name: str
    households: int
    visit_rate: float | None
    contact_rate: float | None
    logs: int
    needs: int
    resolved: int
    on_time_rate: float | None
    satisfaction_rate: float | None
    parts: dict[str, float | None]
    score: float | None
    rank: int


class EvaluationOut(BaseModel):
    area: AreaRef
    month: date
    weights: dict[str, float]
    workers: list[EvaluationRow]
