"""Resource payloads: what the API takes in and gives out.

The in-schemas only read types; the service checks the values (kind, capacity, hours, phone, categories)
so that each refusal has a stable code and says which field it concerns.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from linli.registry.schemas import Page


class OpeningHours(BaseModel):
    """One weekly opening: ``weekday`` 0 (Monday) to 6 (Sunday), minutes after midnight, ``start`` < ``end``."""

    weekday: int
    start: int = Field(description="Minutes after midnight, 0-1439")
    end: int = Field(description="Minutes after midnight, 1-1440")


class ResourceIn(BaseModel):
    """A new resource. ``category_ids`` and ``categories`` (codes or names) may be mixed."""

    model_config = ConfigDict(str_strip_whitespace=True)

    area_id: int
    kind: str = Field(description="skill, venue, institution, equipment, business or member_unit")
    name: str = Field(max_length=100)
    owner: str = Field("", max_length=100)
    description: str = Field("", max_length=2000)
    address: str = Field("", max_length=200)
    contact_name: str = Field("", max_length=60)
    contact_phone: str | None = Field(None, max_length=40)
    handler_user_id: int | None = None
    capacity: int = 1
    capacity_unit: str = Field("week", description="week (so many a week) or once (so many at the same time)")
    opening_hours: list[OpeningHours] = Field(default_factory=list, description="Empty: any time")
    valid_until: date | None = None
    category_ids: list[int] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list, description="Category codes or names")


class ResourceUpdate(BaseModel):
    """Fields to change; ``version`` is the one read, so a concurrent change is refused, not lost.

    ``contact_phone`` null or empty removes the number; left out, it stays. Categories given (ids or
    codes) replace the ones held.
    """

    model_config = ConfigDict(str_strip_whitespace=True)

    version: int
    area_id: int | None = None
    kind: str | None = None
    name: str | None = Field(None, max_length=100)
    owner: str | None = Field(None, max_length=100)
    description: str | None = Field(None, max_length=2000)
    address: str | None = Field(None, max_length=200)
    contact_name: str | None = Field(None, max_length=60)
    contact_phone: str | None = Field(None, max_length=40)
    handler_user_id: int | None = None
    capacity: int | None = None
    capacity_unit: str | None = None
    opening_hours: list[OpeningHours] | None = None
    valid_until: date | None = None
    category_ids: list[int] | None = None
    categories: list[str] | None = None


class RetireIn(BaseModel):
    """Retiring a resource: ``version`` when the caller read one, so a stale page is refused."""

    version: int | None = None


class ResourceCategoryOut(BaseModel):
    id: int
    code: str
    name: str
    name_en: str


class ResourceOut(BaseModel):
    id: int
    area_id: int
    area: str = Field(description="The area's name as a list shows it (阳台山社区 · 第一网格)")
    kind: str
    name: str
    owner: str
    description: str
    address: str
    contact_name: str
    contact_phone: str | None = Field(description="Masked: last 4 kept")
    handler_user_id: int | None
    handler: str = Field(description="The handler's display name, or empty")
    capacity: int
    capacity_unit: str
    opening_hours: list[OpeningHours]
    valid_until: date | None
    active: bool
    valid: bool = Field(description="Active, and not past valid_until (in Asia/Shanghai)")
    in_use: int = Field(description="Work orders the resource meets now (open uses)")
    categories: list[ResourceCategoryOut]
    version: int


class ResourcePage(Page[ResourceOut]):
    """One page of resources."""


class UnmaskIn(BaseModel):
    reason: str = Field("", max_length=200)


class UnmaskedOut(BaseModel):
    contact_phone: str | None


class OnHandOut(BaseModel):
    area_id: int
    count: int = Field(description="Active, valid resources in the area and below (the source's 56 on hand)")
