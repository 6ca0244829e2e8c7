"""The score of an inspection (检查得分): the template's items weighed, out of 100. Pure, no database.

A ``pass_fail`` item earns its weight when passed and nothing when failed; a ``score`` item earns
``weight * score / max_score``; a ``note`` item never counts. An item marked ``na`` (not applicable)
leaves both the points earned and the points possible, so a tutoring centre without a kitchen is not
marked down for food hygiene.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

SCORED = ("pass_fail", "score")
# A score item below this share of its top score is a failed item (it becomes a finding).
PASS_SHARE = 0.6


@dataclass(frozen=True)
class Result:
    """What an inspector found for one item: ``pass``, ``fail`` or ``na``, and a score for a score item."""

    outcome: str
    score: float | None = None


def outcome_of(item: Mapping[str, Any], outcome: str | None, score: float | None) -> str:
    """Return the outcome an item's result stands for.

    A score item's outcome follows its score (``fail`` below ``PASS_SHARE`` of ``max_score``) unless it
    is marked ``na``; a note item is always ``na``; a pass/fail item keeps what the inspector chose.
    """
    if item["type"] == "note":
        return "na"
    if item["type"] == "score":
        if outcome == "na" or score is None:
            return "na"
        return "fail" if score < PASS_SHARE * float(item["max_score"]) else "pass"
    return outcome or "na"


def points(item: Mapping[str, Any], result: Result | None) -> tuple[float, float]:
    """Return ``(earned, possible)`` of one item: ``(0, 0)`` for a note, an ``na`` or a missing result."""
    if result is None or item["type"] not in SCORED or result.outcome == "na":
        return 0.0, 0.0
    weight = float(item["weight"])
    if item["type"] == "pass_fail":
        return (weight if result.outcome == "pass" else 0.0), weight
    if result.score is None:
        return 0.0, 0.0
    top = float(item["max_score"])
    return weight * min(max(result.score, 0.0), top) / top, weight


def score(items: Sequence[Mapping[str, Any]], results: Mapping[str, Result]) -> float:
    """Return the weighted score out of 100, rounded half up to one decimal.

    An inspection where nothing counts (every item a note or ``na``) scores 0.0: there is nothing to
    show it passed.
    """
    earned = possible = 0.0
    for item in items:
        got, most = points(item, results.get(item["code"]))
        earned += got
        possible += most
    if possible <= 0:
        return 0.0
    return float(Decimal(repr(100 * earned / possible)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
