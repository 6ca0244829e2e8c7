"""Reading the 千户访 forms a browser posts, and showing their refusals beside the fields."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.datastructures import FormData

from linli.visits.schemas import GridLogIn
from linli.web.forms import as_int

# The categories a need is usually filed under (the needs module's catalogue names them the same).
NEED_CATEGORIES = ("生活照料", "医疗健康", "家政维修", "助餐配餐", "出行代办", "法律咨询", "心理关怀", "其他")


def as_date(value: str | None) -> date | None:
    """Return an ISO date, or None for an empty or odd value."""
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


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
