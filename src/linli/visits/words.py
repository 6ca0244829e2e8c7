"""The words a worker reads: why a household has its rhythm, and why it is on today's list.

Sensitive key groups (特殊人群) are never named to someone who may not see them: a close-care one
reads as "person under close care", any other as "person under care".
"""

from __future__ import annotations

from datetime import date

from linli.i18n import translate
from linli.visits.cadence import TagInfo
from linli.visits.rules import DEFAULT_NAMES_EN

CHANNEL_LABELS = {"phone": "By phone", "message": "By message", "door": "Door visit"}
URGENCY_LABELS = {"urgent": "Urgent 急", "hard": "Hard 难", "troublesome": "Troublesome 烦"}
CONDITION_LABELS = {
    "tag": "A member has the tag",
    "close_care": "A member is under close care",
    "tagged": "A member has any tag",
    "min_age": "A member is at least this age",
    "kind": "A member's registration kind is",
    "house_status": "The house's status is",
    "care_grade": "The household's care grade is",
    "everyone": "Every household",
}
ALERT_LABELS = {"overdue_close_care": "Close care overdue", "urgent_log": "Urgent, hard or troublesome"}
KIND_LABELS = {"01": "Registered 户籍", "02": "Migrant 流动", "03": "Foreign 境外"}


def basis_words(basis: str, tags: dict[str, TagInfo], sensitive: bool, locale: str) -> str:
    """Return why a household has its rhythm, in ``locale``: tag names, a rule's name, or the override's reason."""
    if basis.startswith("tags:"):
        names: list[str] = []
        for code in basis[5:].split(","):
            tag = tags.get(code)
            if tag is None:
                continue
            if tag.kind == "key" and not sensitive:
                word = translate("Person under close care" if tag.close_care else "Person under care", locale)
            else:
                word = tag.name if locale == "zh" or not tag.name_en else tag.name_en
            if word not in names:
                names.append(word)
        return ("、" if locale == "zh" else ", ").join(names) or translate("Routine visit", locale)
    if basis.startswith("rule:"):
        name = basis[5:]
        return DEFAULT_NAMES_EN.get(name, name) if locale == "en" else name
    if basis.startswith("override:"):
        return basis.split(":", 1)[1]
    return translate("Routine visit", locale)


def reason_line(
    basis: str,
    kind: str,
    day: date,
    last_contact: date | None,
    last_visit: date | None,
    start: date,
    contact_also_due: bool,
    locale: str,
) -> str:
    """Return the line a worker reads, e.g. "独居老人, 4 天未联系" or "所有住户, 登记 12 天从未上门"."""
    parts = [basis]
    never = last_contact is None and last_visit is None
    if kind == "contact" or (contact_also_due and not never):
        parts.append(_since(last_contact, day, start, "contact", locale))
    if kind == "visit":
        parts.append(_since(last_visit, day, start, "visit", locale))
    return ", ".join(parts)


def _since(last: date | None, day: date, start: date, what: str, locale: str) -> str:
    if last is None and day <= start:
        return translate("registered today", locale)
    if last is None:
        message = (
            "never contacted, registered {days} days ago"
            if what == "contact"
            else "never visited, registered {days} days ago"
        )
        return translate(message, locale).format(days=max(0, (day - start).days))
    message = "{days} days without contact" if what == "contact" else "{days} days without a visit"
    return translate(message, locale).format(days=max(0, (day - last).days))
