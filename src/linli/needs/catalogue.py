"""The catalogue as data: service categories, urgency levels, the official calendar; seeded with the defaults.

Categories and urgencies are never deleted: a retired category keeps its orders and is no longer offered.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

from sqlalchemy import delete, extract, select
from sqlalchemy.orm import Session

from linli.accounts.permissions import NEEDS_MANAGE, Scope
from linli.audit import services as audit
from linli.db.engine import transaction
from linli.errors import Conflict, Invalid, NotFound, ValidationErrors
from linli.lib.workdays import WorkCalendar
from linli.needs.models import CalendarDay, ServiceCategory, UrgencyLevel
from linli.needs.schemas import (
    CalendarDayOut,
    CategoryIn,
    CategoryOut,
    CategoryUpdate,
    UrgencyOut,
    UrgencyUpdate,
)

DATA = Path(__file__).parent / "data"

# The 12 service categories of the source's 百事帮服务队: (code, name, English name).
DEFAULT_CATEGORIES = (
    ("computer_lessons", "电脑教学", "Computer lessons"),
    ("repairs", "维修服务", "Repairs"),
    ("charity_kitchen", "爱心厨房", "Charity kitchen"),
    ("home_care", "入户关怀", "Home visits and care"),
    ("legal_advice", "法务咨询", "Legal advice"),
    ("free_clinic", "义诊", "Free medical consultation"),
    ("online_shopping", "网购代办", "Online shopping errands"),
    ("hospital_booking", "预约挂号", "Hospital appointments"),
    ("ticket_booking", "代购车票", "Train tickets"),
    ("meals_bathing", "助餐助浴", "Meals and bathing"),
    ("counselling", "心理疏导", "Counselling"),
    ("dispute_mediation", "邻里纠纷调解", "Neighbour dispute mediation"),
)
# (code, name, English name, amount, unit, hours past due before the community, before the street).
DEFAULT_URGENCIES = (
    ("emergency", "紧急", "Emergency", 2, "hours", 1, 2),
    ("urgent", "加急", "Urgent", 24, "hours", 12, 24),
    ("ordinary", "一般", "Ordinary", 5, "working_days", 24, 72),
    ("complex", "复杂", "Complex", 15, "working_days", 48, 120),
)
KINDS = ("holiday", "workday")


# ---- seeding ---------------------------------------------------------------------------------


def seed(session: Session) -> None:
    """Add the default categories, urgency levels and every shipped calendar year that is missing.

    Idempotent: what exists (renamed, retired, re-timed) is left as staff made it.
    """
    with transaction(session):
        ensure_defaults(session)


def ensure_defaults(session: Session) -> None:
    """Add missing defaults inside the caller's transaction (see ``seed``)."""
    codes = set(session.scalars(select(ServiceCategory.code)))
    for sort, (code, name, name_en) in enumerate(DEFAULT_CATEGORIES):
        if code not in codes:
            session.add(ServiceCategory(code=code, name=name, name_en=name_en, sort=sort))
    urgencies = set(session.scalars(select(UrgencyLevel.code)))
    for sort, (code, name, name_en, amount, unit, community, street) in enumerate(DEFAULT_URGENCIES):
        if code not in urgencies:
            session.add(
                UrgencyLevel(
                    code=code,
                    name=name,
                    name_en=name_en,
                    amount=amount,
                    unit=unit,
                    community_after_hours=community,
                    street_after_hours=street,
                    sort=sort,
                )
            )
    years = set(session.scalars(select(extract("year", CalendarDay.day)).distinct()))
    for path in sorted(DATA.glob("calendar-*.csv")):
        rows = parse_calendar(path.read_text(encoding="utf-8"))
        if rows and rows[0].day.year not in {int(y) for y in years}:
            session.add_all(CalendarDay(day=r.day, kind=r.kind, name=r.name) for r in rows)
    session.flush()


# ---- categories ------------------------------------------------------------------------------


def list_categories(session: Session, include_retired: bool = False) -> list[CategoryOut]:
    """Return the categories in their order; retired ones only when asked."""
    query = select(ServiceCategory).order_by(ServiceCategory.sort, ServiceCategory.id)
    if not include_retired:
        query = query.where(ServiceCategory.active.is_(True))
    return [_category_out(c) for c in session.scalars(query)]


def create_category(session: Session, scope: Scope, data: CategoryIn) -> CategoryOut:
    """Return a new category; refuses a name or code already in use."""
    scope.require(NEEDS_MANAGE)
    with transaction(session):
        code = data.code or _slug(data.name_en) or f"category_{_next_sort(session)}"
        if session.scalar(
            select(ServiceCategory.id).where((ServiceCategory.code == code) | (ServiceCategory.name == data.name))
        ):
            raise Conflict("need_category.exists", "A category with this name or code exists.", "name")
        category = ServiceCategory(code=code, name=data.name, name_en=data.name_en, sort=_next_sort(session))
        session.add(category)
        session.flush()
        _audit(session, scope, "need_category.create", category.id, {"name": [None, data.name], "code": [None, code]})
    return _category_out(category)


def update_category(session: Session, scope: Scope, category_id: int, data: CategoryUpdate) -> CategoryOut:
    """Return the category renamed or retired (or brought back)."""
    scope.require(NEEDS_MANAGE)
    with transaction(session):
        category = session.get(ServiceCategory, category_id)
        if category is None:
            raise NotFound("need_category")
        before = {"name": category.name, "name_en": category.name_en, "active": category.active}
        changes = data.model_dump(exclude_none=True)
        if "name" in changes and session.scalar(
            select(ServiceCategory.id).where(ServiceCategory.name == changes["name"], ServiceCategory.id != category_id)
        ):
            raise Conflict("need_category.exists", "A category with this name or code exists.", "name")
        for key, value in changes.items():
            setattr(category, key, value)
        _audit(session, scope, "need_category.update", category.id, audit.diff(before, changes))
    return _category_out(category)


def category_by(session: Session, category_id: int | None, text: str | None) -> ServiceCategory:
    """Return the active category named by id, code or name, or raise ``Invalid``."""
    query = select(ServiceCategory).where(ServiceCategory.active.is_(True))
    if category_id is not None:
        query = query.where(ServiceCategory.id == category_id)
    elif text:
        query = query.where((ServiceCategory.code == text) | (ServiceCategory.name == text))
    else:
        raise Invalid("need.category_required", "Choose a service category.", "category_id")
    category = session.scalar(query)
    if category is None:
        raise Invalid("need.unknown_category", "Unknown or retired service category.", "category_id")
    return category


# ---- urgency levels --------------------------------------------------------------------------


def list_urgencies(session: Session) -> list[UrgencyOut]:
    """Return the urgency levels, most urgent first."""
    rows = session.scalars(select(UrgencyLevel).where(UrgencyLevel.active.is_(True)).order_by(UrgencyLevel.sort))
    return [UrgencyOut.model_validate(u, from_attributes=True) for u in rows]


def update_urgency(session: Session, scope: Scope, code: str, data: UrgencyUpdate) -> UrgencyOut:
    """Return the urgency level with a new deadline or escalation thresholds (new dispatches use them)."""
    scope.require(NEEDS_MANAGE)
    with transaction(session):
        urgency = urgency_by(session, code)
        before = {k: getattr(urgency, k) for k in UrgencyUpdate.model_fields}
        changes = data.model_dump(exclude_none=True)
        for key, value in changes.items():
            setattr(urgency, key, value)
        _audit(session, scope, "need_urgency.update", urgency.id, audit.diff(before, changes))
    return UrgencyOut.model_validate(urgency, from_attributes=True)


def urgency_by(session: Session, code: str) -> UrgencyLevel:
    """Return the urgency level ``code``, or raise ``Invalid``."""
    urgency = session.scalar(select(UrgencyLevel).where(UrgencyLevel.code == code, UrgencyLevel.active.is_(True)))
    if urgency is None:
        raise Invalid("need.unknown_urgency", "Unknown urgency {code}.", "urgency", code=code)
    return urgency


# ---- the calendar ----------------------------------------------------------------------------


def work_calendar(session: Session) -> WorkCalendar:
    """Return the working-day calendar from the ``calendar_day`` rows (a few dozen a year)."""
    rows = session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
    return WorkCalendar.of(
        holidays=(d for d, kind in rows if kind == "holiday"), workdays=(d for d, kind in rows if kind == "workday")
    )


def list_calendar(session: Session, year: int) -> list[CalendarDayOut]:
    """Return the holidays and swapped working days of ``year``, in date order."""
    rows = session.scalars(
        select(CalendarDay).where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
    )
    return [CalendarDayOut(day=r.day, kind=r.kind, name=r.name) for r in sorted(rows, key=lambda r: r.day)]


def parse_calendar(text: str) -> list[CalendarDayOut]:
    """Return the rows of a calendar CSV (``date,kind,name``), or raise every bad row's reason at once.

    ``kind`` is ``holiday`` or ``workday`` (a weekend day worked, 调休). A date may appear once.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or not {"date", "kind"} <= {f.strip() for f in reader.fieldnames}:
        raise Invalid("calendar.header", "The first line must name the columns date,kind,name.", "file")
    rows: list[CalendarDayOut] = []
    problems: list[Invalid] = []
    seen: set[date] = set()
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        try:
            day = date.fromisoformat(row.get("date", ""))
        except ValueError:
            problems.append(Invalid("calendar.date", "Line {line}: not a date (YYYY-MM-DD).", "date", line=line))
            continue
        kind = row.get("kind", "")
        if kind not in KINDS:
            problems.append(
                Invalid("calendar.kind", "Line {line}: kind must be holiday or workday.", "kind", line=line)
            )
        elif day in seen:
            problems.append(Invalid("calendar.twice", "Line {line}: the date appears twice.", "date", line=line))
        else:
            seen.add(day)
            rows.append(CalendarDayOut(day=day, kind=kind, name=row.get("name", "")[:40]))
    if problems:
        raise ValidationErrors(list(problems))
    if not rows:
        raise Invalid("calendar.empty", "The file holds no days.", "file")
    return rows


def import_calendar(session: Session, scope: Scope, text: str) -> list[int]:
    """Replace the calendar of every year the CSV covers with its rows; return those years.

    Nothing is written when any row is bad.
    """
    scope.require(NEEDS_MANAGE)
    rows = parse_calendar(text)
    years = sorted({r.day.year for r in rows})
    with transaction(session):
        for year in years:
            session.execute(
                delete(CalendarDay).where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
            )
        session.add_all(CalendarDay(day=r.day, kind=r.kind, name=r.name) for r in rows)
        _audit(session, scope, "calendar.import", ",".join(map(str, years)), {"days": [None, len(rows)]})
    return years


# ---- helpers ---------------------------------------------------------------------------------


def _category_out(c: ServiceCategory) -> CategoryOut:
    return CategoryOut(id=c.id, code=c.code, name=c.name, name_en=c.name_en, active=c.active)


def _next_sort(session: Session) -> int:
    return len(session.scalars(select(ServiceCategory.id)).all())


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40]


def _audit(session: Session, scope: Scope, action: str, entity_id: object, changes: dict[str, list[object]]) -> None:
    audit.record(
        session,
        action,
        user_id=scope.user_id,
        username=scope.username,
        client=scope.client,
        entity=action.split(".")[0],
        entity_id=entity_id,
        changes=changes,
    )
