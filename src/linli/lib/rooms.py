"""Where a household's room text puts it: the unit (单元) of its building and the room in that unit.

Ledgers write a room as ``301``, ``2-301``, ``2单元301`` or ``２单元３０１室``. The rule, used by migration 0014
for the households that existed before houses and by every service that opens a household since:

- ``N单元…`` → unit ``N单元``, room the rest;
- ``N-…`` (a hyphen or dash after the leading digits) → unit ``N单元``, room the rest;
- anything else → the building's default unit ``1单元``, room as written.

Full-width digits are folded and spaces dropped first; a trailing 室 is kept off the room.
"""

from __future__ import annotations

import re

from linli.lib.text import half_width, squeeze

DEFAULT_UNIT = "1单元"
_UNIT = re.compile(r"^(\d{1,3})单元(.+)$")
_DASHED = re.compile(r"^(\d{1,3})[-－—–](.+)$")


def split_room(room: str, unit: str = "") -> tuple[str, str]:
    """Return ``(unit name, room)`` for a household's room text; ``unit`` given (a ledger's 单元 cell) wins.

    An empty room stays empty (its house is the unit's room ``""``); a unit given as a bare number
    (``2``) becomes ``2单元``; a given unit that the room states too (``2``, ``2-301``) is taken once.
    """
    text = squeeze(half_width(room)).removesuffix("室") or squeeze(half_width(room))
    given = squeeze(half_width(unit))
    read = _read(text)
    if given:
        named = f"{int(given)}单元" if given.isdigit() else given
        # A room that says its unit already (2-301 with unit 2) is not given the unit twice.
        return (named, read[1]) if read is not None and read[0] == named else (named, text)
    return read or (DEFAULT_UNIT, text)


def _read(text: str) -> tuple[str, str] | None:
    for pattern in (_UNIT, _DASHED):
        found = pattern.match(text)
        if found:
            return f"{int(found.group(1))}单元", found.group(2)
    return None
