"""The event categories as data: ``data/categories.json`` (大类 → 小类, stage limits, GB/T 39666 codes), seeded.

Seeding adds what is missing and leaves what staff changed (a limit, a retired category) as it is. The
work orders of reported events are filed under one service category of the needs catalogue, ``grid_event``,
kept retired so no one picks it for a request of their own.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.db.engine import transaction
from linli.errors import Invalid
from linli.events.models import STAGES, EventCategory
from linli.events.schemas import CategoryGroupOut, CategoryOut
from linli.needs.models import ServiceCategory

DATA = Path(__file__).parent / "data" / "categories.json"
ORDER_CATEGORY = ("grid_event", "网格事件", "Grid event")
LIMIT = re.compile(r"^(\d+)([hd])$")


@lru_cache
def shipped() -> dict[str, Any]:
    """Return the shipped dictionary as read from its file."""
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return data


def hours_of(text: str) -> int:
    """Return working hours from ``4h`` or ``2d`` (a working day is 24 working hours on the calendar)."""
    found = LIMIT.match(text)
    if found is None:
        raise ValueError(f"not a limit: {text!r}")
    amount, unit = int(found.group(1)), found.group(2)
    return amount * 24 if unit == "d" else amount


def rows() -> list[dict[str, Any]]:
    """Return every category of the data as flat rows (大类 first, then its 小类), limits in hours."""
    data = shipped()
    out: list[dict[str, Any]] = []
    for group in data["categories"]:
        limits = {stage: hours_of(group["limits"][stage]) for stage in STAGES}
        out.append({**_row(group, limits, data["yellow_percent"]), "parent": None})
        for child in group["children"]:
            own = {stage: hours_of(t) for stage, t in child.get("limits", {}).items()}
            out.append({**_row(child, {**limits, **own}, data["yellow_percent"]), "parent": group["code"]})
    return out


def _row(item: dict[str, Any], limits: dict[str, int], yellow: int) -> dict[str, Any]:
    return {
        "code": item["code"],
        "name": item["name"],
        "name_en": item.get("name_en", ""),
        "gbt_code": item.get("gbt") or "",
        **{f"{stage}_hours": limits[stage] for stage in STAGES},
        "yellow_percent": yellow,
    }


def ensure(session: Session) -> None:
    """Add the missing categories and the retired ``grid_event`` service category, in the caller's transaction."""
    held = {c.code: c for c in session.scalars(select(EventCategory))}
    for sort, row in enumerate(rows()):
        if row["code"] in held:
            continue
        parent = held[row["parent"]].id if row["parent"] else None
        category = EventCategory(**{k: v for k, v in row.items() if k != "parent"}, parent_id=parent, sort=sort)
        session.add(category)
        session.flush()
        held[category.code] = category
    code, name, name_en = ORDER_CATEGORY
    if session.scalar(select(ServiceCategory.id).where(ServiceCategory.code == code)) is None:
        session.add(ServiceCategory(code=code, name=name, name_en=name_en, active=False, sort=99))
        session.flush()


def seed(session: Session) -> None:
    """Add the missing categories (see ``ensure``) in a transaction of its own."""
    with transaction(session):
        ensure(session)


def order_category_id(session: Session) -> int:
    """Return the id of the service category the orders of reported events are filed under."""
    found = session.scalar(select(ServiceCategory.id).where(ServiceCategory.code == ORDER_CATEGORY[0]))
    assert found is not None, "events.categories.ensure first"
    return found


def leaf(session: Session, category_id: int) -> EventCategory:
    """Return the active 小类 ``category_id``, or raise ``Invalid`` (a 大类 is not enough)."""
    category = session.get(EventCategory, category_id)
    if category is None or not category.active or category.parent_id is None:
        raise Invalid("event.unknown_category", "Choose a category and a sub-category.", "category_id")
    return category


def limit_hours(category: EventCategory, stage: str) -> int:
    """Return the working hours ``stage`` may take for an event of ``category``."""
    return int(getattr(category, f"{stage}_hours"))


def tree(session: Session) -> list[CategoryGroupOut]:
    """Return the active 大类 in order, each with its active 小类."""
    ensure_seeded(session)
    everything = session.scalars(
        select(EventCategory).where(EventCategory.active.is_(True)).order_by(EventCategory.sort, EventCategory.id)
    ).all()
    groups = [c for c in everything if c.parent_id is None]
    return [
        CategoryGroupOut(
            id=g.id,
            code=g.code,
            name=g.name,
            name_en=g.name_en,
            children=[out(c) for c in everything if c.parent_id == g.id],
        )
        for g in groups
    ]


def ensure_seeded(session: Session) -> None:
    """Seed once when the table is empty (a fresh database read before anything was reported)."""
    if session.scalar(select(EventCategory.id).limit(1)) is None:
        seed(session)


def out(c: EventCategory) -> CategoryOut:
    return CategoryOut(
        id=c.id,
        code=c.code,
        name=c.name,
        name_en=c.name_en,
        gbt_code=c.gbt_code,
        parent_id=c.parent_id,
        limits_hours={stage: limit_hours(c, stage) for stage in STAGES},
        yellow_percent=c.yellow_percent,
    )
