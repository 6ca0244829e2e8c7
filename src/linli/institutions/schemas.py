"""Institution payloads: what the API takes in and gives out.

The in-schemas only read types and lengths; the services check the values (kind, licence, items,
results, inspectors) so that each refusal has a stable code and names its field.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from linli.registry.schemas import Page

MAX_ID = 2**31 - 1


class InstitutionIn(BaseModel):
    """A new institution. With ``resource_id`` it is made over that resource (of kind institution);
    without, the resource is made from the fields here, in the same transaction."""

    model_config = ConfigDict(str_strip_whitespace=True)

    resource_id: int | None = Field(None, description="An existing resource of kind institution")
    area_id: int | None = Field(None, description="Its grid (needed without resource_id)")
    name: str = Field("", max_length=100)
    owner: str = Field("", max_length=100, description="The operator: a company, a person")
    description: str = Field("", max_length=2000)
    address: str = Field("", max_length=200)
    contact_name: str = Field("", max_length=60)
    contact_phone: str | None = Field(None, max_length=40)
    handler_user_id: int | None = None
    capacity: int = Field(1, description="How many pupils it takes")
    kind: str = Field("tutoring", description="tutoring, childcare, training, elderly_care or other")
    licence_no: str = Field("", max_length=60)
    licence_valid_until: date | None = None
    status: str = Field("operating", description="operating, suspended or closed")


class InstitutionUpdate(BaseModel):
    """Fields to change; ``version`` is the one read, so a concurrent change is refused, not lost.

    ``contact_phone`` null or empty removes the number; left out, it stays. ``licence_valid_until``
    and ``handler_user_id`` given as null are cleared.
    """

    model_config = ConfigDict(str_strip_whitespace=True)

    version: int
    area_id: int | None = None
    name: str | None = Field(None, max_length=100)
    owner: str | None = Field(None, max_length=100)
    description: str | None = Field(None, max_length=2000)
    address: str | None = Field(None, max_length=200)
    contact_name: str | None = Field(None, max_length=60)
    contact_phone: str | None = Field(None, max_length=40)
    handler_user_id: int | None = None
    capacity: int | None = None
    kind: str | None = None
    licence_no: str | None = Field(None, max_length=60)
    licence_valid_until: date | None = None
    status: str | None = None


class InstitutionOut(BaseModel):
    id: int
    resource_id: int
    area_id: int
    area: str = Field(description="The area's name as a list shows it")
    name: str
    owner: str
    description: str
    address: str
    contact_name: str
    contact_phone: str | None = Field(description="Masked: last 4 kept")
    handler_user_id: int | None
    handler: str
    capacity: int
    kind: str
    licence_no: str
    licence_valid_until: date | None
    licence: str = Field(description="valid, expiring (within 30 days), expired or none")
    status: str
    open_findings: int
    overdue_findings: int
    last_inspected_on: date | None
    last_score: float | None
    version: int


class InstitutionPage(Page[InstitutionOut]):
    """One page of institutions."""


class TemplateItem(BaseModel):
    """One item of a checklist. ``weight`` counts for pass_fail and score items; ``max_score`` for score items.

    ``rectify_days``, when given, is the time a failed item has to be put right (else the inspection's).
    """

    model_config = ConfigDict(str_strip_whitespace=True)

    code: str = Field(max_length=40)
    text: str = Field(max_length=200)
    text_en: str = Field("", max_length=200)
    type: str = Field(description="pass_fail, score or note")
    weight: float = 1.0
    max_score: float | None = None
    rectify_days: int | None = None


class TemplateIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    code: str = Field(max_length=40)
    name: str = Field(max_length=100)
    name_en: str = Field("", max_length=100)
    kind: str = Field("", description="The institution kind it is for; empty for any")
    items: list[TemplateItem] = Field(max_length=100)
    active: bool = True


class TemplateUpdate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    version: int
    name: str | None = Field(None, max_length=100)
    name_en: str | None = Field(None, max_length=100)
    kind: str | None = None
    items: list[TemplateItem] | None = Field(None, max_length=100)
    active: bool | None = None


class TemplateOut(BaseModel):
    id: int
    code: str
    name: str
    name_en: str
    kind: str
    items: list[TemplateItem]
    active: bool
    version: int


class ResultIn(BaseModel):
    """One item's result: ``outcome`` pass, fail or na (a score item's follows its score unless na)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    item_code: str = Field(max_length=40)
    outcome: str | None = Field(None, max_length=8)
    score: float | None = None
    note: str = Field("", max_length=1000)


class InspectionIn(BaseModel):
    """An inspection to record. Failed items become findings due ``rectify_days`` after ``inspected_on``."""

    model_config = ConfigDict(str_strip_whitespace=True)

    institution_id: int
    template_id: int
    inspected_on: date
    inspector_user_ids: list[int] = Field(default_factory=list, max_length=20)
    inspector_volunteer_ids: list[int] = Field(default_factory=list, max_length=20)
    results: list[ResultIn] = Field(default_factory=list, max_length=100)
    notes: str = Field("", max_length=4000)
    rectify_days: int = Field(14, ge=1, le=365)
    follow_up_of_id: int | None = None
    order_id: int | None = Field(None, description="The complaint (a work order linked to the institution)")


class FindingOut(BaseModel):
    id: int
    institution_id: int
    institution: str
    area_id: int
    area: str
    inspection_id: int
    inspected_on: date
    item_code: str
    item_text: str
    item_text_en: str
    text: str = Field(description="What the inspector noted")
    due_on: date
    status: str
    overdue: bool = Field(description="Open past its due day (Asia/Shanghai)")
    closed_by_id: int | None
    closed_at: datetime | None


class InspectorOut(BaseModel):
    user_id: int | None
    volunteer_id: int | None
    name: str


class ResultOut(BaseModel):
    item_code: str
    text: str
    text_en: str
    type: str
    outcome: str
    score: float | None
    max_score: float | None
    note: str


class InspectionOut(BaseModel):
    id: int
    institution_id: int
    institution: str
    template_id: int
    template: str
    template_en: str
    inspected_on: date
    score: float
    follow_up_of_id: int | None
    order_id: int | None
    notes: str
    recorded_by: str
    inspectors: list[InspectorOut]
    results: list[ResultOut]
    photos: list[str] = Field(description="Photo names; read them at /api/v1/inspections/{id}/photos/{name}")
    findings: list[FindingOut] = Field(description="The findings it opened, and those it closed (a follow-up)")


class InspectionRow(BaseModel):
    """An inspection as a history lists it."""

    id: int
    institution_id: int
    inspected_on: date
    score: float
    template: str
    template_en: str
    follow_up_of_id: int | None
    order_id: int | None
    failed: int


class FindingPage(Page[FindingOut]):
    """One page of findings."""


class ComplaintIn(BaseModel):
    order_id: int = Field(ge=1, le=MAX_ID)


class ComplaintOut(BaseModel):
    order_id: int
    title: str
    state: str
    created_at: datetime
    inspection_ids: list[int] = Field(description="Inspections started from this complaint")


class InstitutionDetail(BaseModel):
    """An institution's card: itself, its inspections (newest first), open findings and complaints."""

    institution: InstitutionOut
    inspections: list[InspectionRow]
    findings: list[FindingOut]
    complaints: list[ComplaintOut]


class FigureRow(BaseModel):
    id: int | None
    name: str
    institutions: int = Field(description="Institutions not closed")
    inspected: int = Field(description="Institutions inspected in the period")
    inspections: int
    average_score: float | None
    open_findings: int
    overdue_findings: int
    expiring_licences: int = Field(description="Licences expired or expiring within 30 days")


class FiguresOut(BaseModel):
    area_id: int
    area: str
    date_from: date
    date_to: date
    total: FigureRow
    by_area: list[FigureRow]


class DefaultsOut(BaseModel):
    templates: list[str] = Field(description="Codes of the checklists added")
    category: str | None = Field(description="The complaint category's code when it was added")
