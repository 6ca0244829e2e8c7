"""Checking an institution's fields, a checklist's items and an inspection's results: every problem at once."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from linli.errors import DomainError, Invalid
from linli.institutions.models import ITEM_TYPES, KINDS, OUTCOMES, STATUSES
from linli.institutions.scoring import SCORED, Result, outcome_of
from linli.resources import validation as resource_validation

CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_WEIGHT = 1000.0
MAX_DAYS = 365
# The fields that live on the institution's resource (one model of a resource), and those of its own.
RESOURCE_FIELDS = ("name", "owner", "description", "address", "contact_name", "capacity")
OWN_FIELDS = ("kind", "licence_no", "status")


def _unprintable(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in text)


def check_institution(fields: dict[str, Any]) -> tuple[dict[str, Any], list[DomainError]]:
    """Return the fields cleaned and every problem in them: the resource's checks, then the institution's.

    Only the fields present are checked, so an update's partial fields check as a whole institution's do.
    """
    given = {k: v for k, v in fields.items() if k in (*RESOURCE_FIELDS, "contact_phone")}
    out, errors = resource_validation.check_fields(given)
    out = {**fields, **out}
    if fields.get("kind") is not None and fields["kind"] not in KINDS:
        errors.append(
            Invalid("institution.unknown_kind", "Unknown kind of institution: {kind}.", "kind", kind=fields["kind"])
        )
    if fields.get("status") is not None and fields["status"] not in STATUSES:
        errors.append(
            Invalid("institution.unknown_status", "An institution is operating, suspended or closed.", "status")
        )
    if isinstance(fields.get("licence_no"), str):
        out["licence_no"] = fields["licence_no"].strip()
        if _unprintable(out["licence_no"]):
            errors.append(
                Invalid("institution.licence_unprintable", "This text cannot contain control characters.", "licence_no")
            )
    return out, errors


def licence_problem(licence_no: str, valid_until: Any) -> DomainError | None:
    """Return the problem of a licence given a valid-until date but no number, or None."""
    if valid_until is not None and not licence_no:
        return Invalid("institution.licence", "Give the licence number with its valid-until date.", "licence_no")
    return None


# ---- checklists -----------------------------------------------------------------------------


def check_template(fields: dict[str, Any]) -> list[DomainError]:
    """Return every problem of a checklist's given fields (code, name, kind, items)."""
    errors: list[DomainError] = []
    if "code" in fields and not CODE.match(fields["code"] or ""):
        errors.append(
            Invalid(
                "template.code", "A code is lower-case letters, digits and underscores, starting with a letter.", "code"
            )
        )
    if "name" in fields and fields["name"] is not None and not fields["name"].strip():
        errors.append(Invalid("template.name_required", "A checklist needs a name.", "name"))
    if fields.get("kind") and fields["kind"] not in KINDS:
        errors.append(
            Invalid("template.unknown_kind", "Unknown kind of institution: {kind}.", "kind", kind=fields["kind"])
        )
    if fields.get("items") is not None:
        errors.extend(check_items(fields["items"]))
    return errors


def check_items(items: list[dict[str, Any]]) -> list[DomainError]:
    """Return every problem of a checklist's items: codes unique and well formed, known types, weights, scores."""
    if not items:
        return [Invalid("template.items_required", "A checklist needs at least one item.", "items")]
    errors: list[DomainError] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = f"items.{i}"
        code = item.get("code") or ""
        if not CODE.match(code):
            errors.append(
                Invalid(
                    "template.item_code",
                    "A code is lower-case letters, digits and underscores, starting with a letter.",
                    f"{where}.code",
                )
            )
        elif code in seen:
            errors.append(
                Invalid("template.item_duplicate", "Item code {code} is used twice.", f"{where}.code", code=code)
            )
        seen.add(code)
        if not (item.get("text") or "").strip() or _unprintable(item.get("text") or ""):
            errors.append(Invalid("template.item_text", "Each item needs its text.", f"{where}.text"))
        kind = item.get("type")
        if kind not in ITEM_TYPES:
            errors.append(Invalid("template.item_type", "An item is pass_fail, score or note.", f"{where}.type"))
        weight = item.get("weight")
        if kind in SCORED and not (
            isinstance(weight, int | float) and math.isfinite(weight) and 0 < weight <= MAX_WEIGHT
        ):
            errors.append(
                Invalid(
                    "template.item_weight",
                    "A scored item needs a weight above 0 and at most {most}.",
                    f"{where}.weight",
                    most=int(MAX_WEIGHT),
                )
            )
        top = item.get("max_score")
        if kind == "score" and not (isinstance(top, int | float) and math.isfinite(top) and 0 < top <= MAX_WEIGHT):
            errors.append(
                Invalid("template.item_max_score", "A score item needs a top score above 0.", f"{where}.max_score")
            )
        days = item.get("rectify_days")
        if days is not None and not 1 <= days <= MAX_DAYS:
            errors.append(
                Invalid(
                    "template.item_rectify_days",
                    "Days to put it right are from 1 to {most}.",
                    f"{where}.rectify_days",
                    most=MAX_DAYS,
                )
            )
    return errors


def clean_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return checked items as stored: a note weighs nothing, only a score item keeps a top score."""
    out = []
    for item in items:
        kept: dict[str, Any] = {
            "code": item["code"],
            "text": item["text"].strip(),
            "text_en": (item.get("text_en") or "").strip(),
            "type": item["type"],
            "weight": float(item["weight"]) if item["type"] in SCORED else 0.0,
            "max_score": float(item["max_score"]) if item["type"] == "score" else None,
        }
        if item.get("rectify_days") is not None:
            kept["rectify_days"] = int(item["rectify_days"])
        out.append(kept)
    return out


# ---- results ---------------------------------------------------------------------------------


def check_results(
    items: list[dict[str, Any]], given: list[dict[str, Any]]
) -> tuple[dict[str, tuple[Result, str]], list[DomainError]]:
    """Return each item's result (with its note) as the template reads it, and every problem of the results.

    Every scored item needs a result (``na`` counts as one); a note item needs none. A score item's
    outcome follows its score, which lies from 0 to its top score.
    """
    by_code = {item["code"]: item for item in items}
    errors: list[DomainError] = []
    read: dict[str, tuple[Result, str]] = {}
    for entry in given:
        code = entry["item_code"]
        item = by_code.get(code)
        if item is None:
            errors.append(Invalid("inspection.unknown_item", "Unknown item: {code}.", "results", code=code[:40]))
            continue
        if code in read:
            errors.append(Invalid("inspection.duplicate_result", "Item {code} has two results.", "results", code=code))
            continue
        outcome, score, note = entry.get("outcome") or None, entry.get("score"), (entry.get("note") or "").strip()
        where = f"results.{code}"
        if outcome is not None and outcome not in OUTCOMES:
            errors.append(Invalid("inspection.outcome", "A result is pass, fail or not applicable.", where))
            continue
        if item["type"] == "score" and outcome != "na":
            top = float(item["max_score"])
            if score is None:
                continue  # missing: reported below with the others
            if not (math.isfinite(score) and 0 <= score <= top):
                errors.append(
                    Invalid(
                        "inspection.score_range",
                        "The score is from 0 to {most}.",
                        where,
                        most=f"{top:g}",
                    )
                )
                continue
        if item["type"] == "pass_fail" and outcome is None:
            continue  # missing
        final = outcome_of(item, outcome, score)
        read[code] = (Result(final, score if item["type"] == "score" and final != "na" else None), note)
    missing = [i["code"] for i in items if i["type"] in SCORED and i["code"] not in read]
    reported = {e.field for e in errors}
    missing = [code for code in missing if f"results.{code}" not in reported]
    if missing:
        errors.append(
            Invalid(
                "inspection.missing_result",
                "Give a result for every item: {items}.",
                "results",
                items=", ".join(missing),
            )
        )
    return read, errors
