"""Writing cells safely: text a spreadsheet would run as a formula is escaped, and styles are shared."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill

from linli.ledger.normalise import FORMULA_START

DATE_FORMAT = "yyyy-mm-dd"
TEXT_LIMIT = 32_767  # characters an Excel cell holds; a longer text is cut there
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REASON_FONT = Font(color="C00000")
WRAP = Alignment(wrap_text=True, vertical="top")


def safe(value: Any) -> Any:
    """Return ``value`` ready for a cell: text starting with = + - @ (or a tab or carriage return,
    which some spreadsheets skip before such a character) gets a leading apostrophe, so it is shown
    and never run as a formula (CSV/formula injection). Import takes the apostrophe off again. Text
    longer than a cell holds (``TEXT_LIMIT``) is cut, so a long note never makes the workbook unwritable.
    """
    if isinstance(value, str):
        if value[:1] in FORMULA_START or (value[:1] in ("\t", "\r") and value.lstrip()[:1] in FORMULA_START):
            value = "'" + value
        return value[:TEXT_LIMIT]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    if value is None or isinstance(value, int | float | bool | date):
        return value
    return str(value)
