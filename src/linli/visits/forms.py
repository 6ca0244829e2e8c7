"""Reading the 千户访 forms a browser posts, and showing their refusals beside the fields."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from linli.errors import DomainError, ValidationErrors
from linli.i18n import translate
from linli.visits.schemas import GridLogIn

# What a form says when pydantic refuses a value, by the kind of refusal.
INPUT_MESSAGES = {
    "datetime": "Enter a date and time.",
    "date": "Enter a date such as 2026-03-01.",
    "int": "Enter a whole number.",
    "too_long": "This is too long.",
    "too_short": "This cannot be empty.",
    "range": "This number is out of range.",
    "": "This value is not valid.",
}
# The categories a need is usually filed under (the needs module's catalogue names them the same).
NEED_CATEGORIES = ("生活照料", "医疗健康", "家政维修", "助餐配餐", "出行代办", "法律咨询", "心理关怀", "其他")


def as_int(value: Any, low: int = 0, high: int = 10**9) -> int | None:
    """Return ``value`` as a whole number within ``low..high``, or None."""
    try:
        number = int(str(value or "").strip())
    except ValueError:
        return None
    return number if low <= number <= high else None


def as_date(value: str | None) -> date | None:
    """Return an ISO date, or None for an empty or odd value."""
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _message(kind: str) -> str:
    for key in ("datetime", "date", "int", "too_long", "too_short"):
        if kind.startswith(key) or kind.endswith(key):
            return INPUT_MESSAGES[key]
    if kind in ("greater_than_equal", "less_than_equal"):
        return INPUT_MESSAGES["range"]
    return INPUT_MESSAGES[""]


def field_errors(error: DomainError | ValidationError, locale: str, fields: set[str]) -> dict[str, list[str]]:
    """Return the messages of a refusal by form field; those tied to no shown field go under ``""``."""
    out: dict[str, list[str]] = {}
    if isinstance(error, ValidationError):
        for problem in error.errors():
            loc = [str(p) for p in problem["loc"]]
            field = ".".join(loc[:2]) if loc and loc[0] in ("needs", "skills") else (loc[0] if loc else "")
            out.setdefault(field if field in fields or field.split(".")[0] in fields else "", []).append(
                translate(_message(problem.get("type", "")), locale)
            )
        return out
    for e in error.errors if isinstance(error, ValidationErrors) else [error]:
        field = e.field or ""
        out.setdefault(field if field in fields or field.split(".")[0] in fields else "", []).append(e.text(locale))
    return out


def log_values(form: FormData) -> dict[str, Any]:
    """Return what the log form posted, as the form shows it again."""
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    values["needs"] = [
        {"category": c.strip(), "description": d.strip(), "resident_id": r}
        for c, d, r in zip(
            form.getlist("need_category"), form.getlist("need_description"), form.getlist("need_resident"), strict=False
        )
        if isinstance(c, str) and isinstance(d, str) and (c.strip() or d.strip())
    ]
    values["close_item_ids"] = [as_int(i) for i in form.getlist("close_item") if as_int(i)]
    return values


def log_input(values: dict[str, Any], member_ids: list[int]) -> GridLogIn:
    """Return the log the form describes (pydantic refuses what does not fit).

    Skills are one input per member (``skill_<id>``) with a willingness box (``willing_<id>``).
    """
    skills = []
    for rid in member_ids:
        text = (values.get(f"skill_{rid}") or "").strip()
        willing = values.get(f"willing_{rid}") == "on"
        if text or willing:
            skills.append({"resident_id": rid, "skills": text, "willing_to_help": True if willing else None})
    needs = [
        {
            "category": n["category"] or NEED_CATEGORIES[-1],
            "description": n["description"],
            "resident_id": as_int(n["resident_id"], 1),
        }
        for n in values.get("needs", [])
    ]
    return GridLogIn.model_validate(
        {
            "household_id": as_int(values.get("household_id"), 1) or 0,
            "channel": values.get("channel") or "",
            "started_at": values.get("started_at") or None,
            "duration_minutes": values.get("duration_minutes") or 30,
            "narrative": values.get("narrative", ""),
            "problem": values.get("problem", ""),
            "action": values.get("action", ""),
            "result": values.get("result", ""),
            "urgency": values.get("urgency", ""),
            "story": values.get("story", ""),
            "needs": needs,
            "skills": skills,
            "close_item_ids": values.get("close_item_ids", []),
        }
    )
