"""What the deliberation pages call the codes the models keep (English msgids; the Chinese in civic_councils.po)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from linli.i18n import translate
from linli.lib import clock

KIND_LABELS = {"council": "Deliberation council", "group": "Self-governance group"}
RULE_LABELS = {
    "majority_present": "More than half of the members present",
    "majority_cast": "More for than against (abstentions not counted)",
    "two_thirds_present": "Two thirds of the members present",
}
ROLE_LABELS = {"chair": "Chair", "member": "Member"}
TOPIC_STATE_LABELS = {
    "proposed": "Collecting co-signers",
    "open": "Open for deliberation",
    "scheduled": "On an agenda",
    "decided": "Decided",
    "closed": "Closed",
    "rejected": "Not taken up",
}
SOURCE_LABELS = {
    "member": "Raised by a member",
    "staff": "Raised by staff",
    "residents": "Raised by residents",
    "needs": "From recurring work orders",
}
MEETING_STATE_LABELS = {"planned": "Planned", "held": "Held", "cancelled": "Cancelled"}
CHOICE_LABELS = {"for": "For", "against": "Against", "abstain": "Abstain"}
OUTCOME_LABELS = {"pending": "Vote open", "passed": "Passed", "failed": "Not passed"}
FOLLOW_UP_STATE_LABELS = {"open": "In progress", "done": "Done"}
FOLLOW_UP_FILTERS = (("late", "Late"), ("open", "In progress"), ("done", "Done"), ("all", "All"))


def labels(locale: str) -> dict[str, Callable[..., Any]]:
    """Return the label functions the council templates use, in ``locale``."""

    def of(table: dict[str, str]) -> Callable[[str], str]:
        return lambda code: translate(table[code], locale) if code in table else code

    def when(moment: datetime | None) -> str:
        return clock.local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""

    return {
        "kind_label": of(KIND_LABELS),
        "rule_label": of(RULE_LABELS),
        "member_role_label": of(ROLE_LABELS),
        "state_label": of(TOPIC_STATE_LABELS),
        "source_label": of(SOURCE_LABELS),
        "meeting_state_label": of(MEETING_STATE_LABELS),
        "choice_label": of(CHOICE_LABELS),
        "outcome_label": of(OUTCOME_LABELS),
        "follow_up_state_label": of(FOLLOW_UP_STATE_LABELS),
        "when": when,
    }


def options(table: dict[str, str], locale: str) -> list[tuple[str, str]]:
    """Return ``(code, text)`` of a table for a select, in ``locale``."""
    return [(code, translate(text, locale)) for code, text in table.items()]
