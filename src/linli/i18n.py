"""Translations: gettext catalogs (``web/i18n/<locale>/LC_MESSAGES/*.po``) read with Babel.

msgids are English; Simplified Chinese is the default display language. Each domain may keep its
own catalog file (``linli.po``, ``visits.po`` …); they are merged.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES = ("zh", "en")
CATALOG_DIR = Path(__file__).parent / "web" / "i18n"


@lru_cache
def catalog(locale: str) -> dict[str, str]:
    """Return msgid → translation for ``locale``, from every catalog file; English needs none."""
    merged: dict[str, str] = {}
    for path in sorted((CATALOG_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            po = read_po(handle, locale=locale)
        merged.update({str(m.id): str(m.string) for m in po if m.id and m.string and not m.fuzzy})
    return merged


def translate(message: str, locale: str) -> str:
    """Return ``message`` in ``locale``, or the English msgid when untranslated."""
    if locale == "en":
        return message
    return catalog(locale).get(message, message)


def pick_locale(query: str | None, cookie: str | None, accept: str | None, default: str = "zh") -> str:
    """Return the display language: ``?lang=``, then the cookie, then the browser's first choice."""
    for choice in (query, cookie):
        if choice in LOCALES:
            return choice
    if accept:
        first = accept.split(",")[0].strip().lower()
        if first.startswith("en"):
            return "en"
        if first.startswith("zh"):
            return "zh"
    return default
