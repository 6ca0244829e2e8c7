"""Normalising text as people type it into ledgers and forms."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Middle dots people type in minority and foreign names: · (U+00B7), ・, •, ‧, ．
_DOTS = re.compile(r"[・•‧．.]")


def half_width(value: str) -> str:
    """Return ``value`` with full-width letters, digits and spaces folded to ASCII (NFKC)."""
    return unicodedata.normalize("NFKC", value)


def squeeze(value: str) -> str:
    """Return ``value`` with every run of white space removed."""
    return value if value.isalnum() else _SPACES.sub("", value)  # letters and digits alone hold no space


def clean_name(value: str) -> str:
    """Return a person's name trimmed, inner spaces removed and any middle dot made ``·``.

    买买提・艾力 and 买买提 · 艾力 both become 买买提·艾力. Latin names keep single inner spaces.
    """
    value = half_width(value).strip()
    if value.isascii():
        return _SPACES.sub(" ", value)
    value = squeeze(value)
    return _DOTS.sub("·", value).replace("··", "·")
