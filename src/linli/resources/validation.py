"""Checking a resource's fields: each refusal with its code and field, all of them at once."""

from __future__ import annotations

import itertools
import unicodedata
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.errors import DomainError, Invalid, ValidationErrors
from linli.lib import phone
from linli.needs.models import ServiceCategory
from linli.resources.models import CAPACITY_UNITS, KINDS

TEXT_FIELDS = ("name", "owner", "description", "address", "contact_name")
PLAIN_FIELDS = (*TEXT_FIELDS, "kind", "capacity", "capacity_unit", "opening_hours")
NULLABLE_FIELDS = ("handler_user_id", "valid_until")
MAX_CAPACITY = 100_000
DAY = 24 * 60
MAX_ID = 2**31


def check_fields(fields: dict[str, Any]) -> tuple[dict[str, Any], list[DomainError]]:
    """Return ``fields`` cleaned (name, phone in E.164, hours sorted) and every problem found in them.

    Only the fields present are checked, so an update's partial fields check as a whole resource's do.
    """
    out = dict(fields)
    errors: list[DomainError] = []
    for name in TEXT_FIELDS:
        if isinstance(fields.get(name), str):
            out[name] = fields[name].strip()
            if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in out[name]):
                errors.append(
                    Invalid("resource.text_unprintable", "This text cannot contain control characters.", name)
                )
    if "name" in fields and not out.get("name"):
        errors.append(Invalid("resource.name_required", "A resource needs a name.", "name"))
    if fields.get("kind") is not None and fields["kind"] not in KINDS:
        errors.append(
            Invalid("resource.unknown_kind", "Unknown kind of resource: {kind}.", "kind", kind=fields["kind"])
        )
    if fields.get("capacity") is not None and not 1 <= fields["capacity"] <= MAX_CAPACITY:
        errors.append(
            Invalid("resource.bad_capacity", "The capacity must be from 1 to {most}.", "capacity", most=MAX_CAPACITY)
        )
    if fields.get("capacity_unit") is not None and fields["capacity_unit"] not in CAPACITY_UNITS:
        errors.append(Invalid("resource.unknown_unit", "The capacity is counted per week or at once.", "capacity_unit"))
    if fields.get("opening_hours") is not None:
        out["opening_hours"], problems = _check_hours(fields["opening_hours"])
        errors.extend(problems)
    if fields.get("contact_phone"):
        try:
            out["contact_phone"] = phone.validate(fields["contact_phone"])
        except phone.PhoneProblem:
            errors.append(
                Invalid(
                    "resource.phone_invalid",
                    "This is not a valid phone number (a mobile, or a fixed line such as 0592-1234567).",
                    "contact_phone",
                )
            )
    elif "contact_phone" in fields:
        out["contact_phone"] = None
    return out, errors


def _check_hours(hours: list[dict[str, Any]]) -> tuple[list[dict[str, int]], list[DomainError]]:
    """Return the opening hours sorted by day and time, and the problems of any that cannot be."""
    errors: list[DomainError] = []
    kept: list[dict[str, int]] = []
    for i, h in enumerate(hours):
        if 0 <= h["weekday"] <= 6 and 0 <= h["start"] < h["end"] <= DAY:
            kept.append({"weekday": h["weekday"], "start": h["start"], "end": h["end"]})
        else:
            errors.append(
                Invalid(
                    "resource.bad_hours",
                    "Opening hours need a weekday from 0 (Monday) to 6 (Sunday) and a start before the end, "
                    "within the day.",
                    f"opening_hours.{i}",
                )
            )
    kept.sort(key=lambda h: (h["weekday"], h["start"]))
    if any(a["weekday"] == b["weekday"] and b["start"] < a["end"] for a, b in itertools.pairwise(kept)):
        errors.append(Invalid("resource.hours_overlap", "Two opening times of the same day overlap.", "opening_hours"))
    return kept, errors


def _categories(
    session: Session, ids: list[int] | None, names: list[str] | None
) -> tuple[list[ServiceCategory], list[DomainError]]:
    """Return the active categories named by id, code or name (one query), and a problem for any unknown."""
    # An id no integer column holds is unknown without asking (PostgreSQL refuses the comparison).
    unheld = [str(i) for i in sorted(set(ids or [])) if not 0 < i < MAX_ID]
    ids, names = sorted({i for i in ids or [] if 0 < i < MAX_ID}), sorted({n for n in names or [] if n})
    if not (ids or names or unheld):
        return [], []
    found = session.scalars(
        select(ServiceCategory)
        .where(
            ServiceCategory.active.is_(True),
            or_(ServiceCategory.id.in_(ids), ServiceCategory.code.in_(names), ServiceCategory.name.in_(names)),
        )
        .order_by(ServiceCategory.sort, ServiceCategory.id)
    ).all()
    known = {c.id for c in found} | {c.code for c in found} | {c.name for c in found}
    missing = unheld + [str(i) for i in ids if i not in known] + [n for n in names if n not in known]
    if missing:
        problem = Invalid(
            "resource.unknown_category",
            "Unknown or retired service category: {categories}.",
            "category_ids",
            categories=", ".join(missing),
        )
        return list(found), [problem]
    return list(found), []


def checked(session: Session, given: dict[str, Any]) -> tuple[dict[str, Any], list[ServiceCategory] | None]:
    """Return the cleaned fields and the categories they name (None: not given), or raise every problem at once."""
    fields, errors = check_fields(given)
    categories: list[ServiceCategory] | None = None
    if given.get("category_ids") is not None or given.get("categories") is not None:
        categories, problems = _categories(session, given.get("category_ids"), given.get("categories"))
        errors.extend(problems)
    handler = given.get("handler_user_id")
    if handler is not None and not (
        0 < handler < MAX_ID and session.scalar(select(User.id).where(User.id == handler, User.active.is_(True)))
    ):
        errors.append(Invalid("resource.unknown_handler", "Unknown or inactive user as handler.", "handler_user_id"))
    if errors:
        raise ValidationErrors(errors)
    return fields, categories


# ---- reading --------------------------------------------------------------------------------
