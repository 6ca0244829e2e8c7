"""What the institution pages share: the names of the codes they show, and rendering in the package's folder.

The routes live in ``pages`` and ``inspection_pages``; neither may import the other (the import contracts).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from linli.i18n import translate
from linli.web.deps import get_locale
from linli.web.render import render

# English msgids (translated in institutions.po) for the codes an institution keeps.
KIND_LABELS = {
    "tutoring": "Tutoring",
    "childcare": "Childcare",
    "training": "Training",
    "elderly_care": "Elderly care",
    "other": "Other",
}
STATUS_LABELS = {"operating": "Operating", "suspended": "Suspended from operating", "closed": "Closed down"}
LICENCE_LABELS = {
    "valid": "Licence valid",
    "expiring": "Licence expiring",
    "expired": "Licence expired",
    "none": "No licence on file",
}
OUTCOME_LABELS = {"pass": "Pass", "fail": "Fail", "na": "Not applicable"}
STATE_LABELS = {"open": "To put right", "closed": "Put right", "overdue": "Overdue", "all": "All"}
ITEM_TYPE_LABELS = {"pass_fail": "Pass or fail", "score": "Score", "note": "Note"}
# Tags of a licence's state, as the stylesheet colours them.
LICENCE_TAGS = {"valid": "plain", "expiring": "late", "expired": "late", "none": "gone"}


def labels(request: Request) -> dict[str, Any]:
    """Return the label functions the institution templates use, in the request's language."""
    locale = get_locale(request)

    def of(table: dict[str, str]) -> Any:
        return lambda code: translate(table[code], locale) if code in table else code

    def item_text(item: Any) -> str:
        text, english = (
            (item.get("text", ""), item.get("text_en", "")) if isinstance(item, dict) else (item.text, item.text_en)
        )
        return english if locale == "en" and english else text

    return {
        "kind_label": of(KIND_LABELS),
        "status_label": of(STATUS_LABELS),
        "licence_label": of(LICENCE_LABELS),
        "licence_tag": lambda state: LICENCE_TAGS.get(state, "plain"),
        "outcome_label": of(OUTCOME_LABELS),
        "state_label": of(STATE_LABELS),
        "item_type_label": of(ITEM_TYPE_LABELS),
        "item_text": item_text,
    }


def options(table: dict[str, str], locale: str) -> list[tuple[str, str]]:
    """Return ``(code, label)`` choices of a label table, in ``locale``."""
    return [(code, translate(text, locale)) for code, text in table.items()]


def show(
    request: Request, template: str, context: dict[str, Any], status: int = 200, block: str | None = None
) -> Response:
    """Render ``institutions/<template>`` with the labels, under the Institutions menu entry."""
    return render(
        request,
        f"institutions/{template}",
        {**labels(request), "nav": "institutions", **context},
        status=status,
        block=block,
    )
