"""Reading a ledger file: a workbook through python-calamine, or CSV in UTF-8 (with or without BOM) or GB18030.

Rows keep their sheet numbers (the first row of the sheet is 1), so a report can point at them.
Title rows above the header are allowed: the header is the first row (of the first ten) with 姓名.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine

from linli.errors import Invalid
from linli.ledger.columns import HeaderMap, is_header_row, map_headers

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
HEADER_SEARCH = 10


def _unreadable(detail: str) -> Invalid:
    return Invalid(
        "ledger.file_unreadable", "The file cannot be read as a workbook or CSV file ({detail}).", "file", detail=detail
    )


def decode_csv(data: bytes) -> str:
    """Return CSV bytes as text: UTF-8 (a BOM is dropped), else GB18030, which Chinese Excel writes."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


@dataclass
class Ledger:
    """An opened ledger file: where its header is, what the headers mean, how many rows follow."""

    path: Path
    kind: str  # "workbook" or "csv"
    sheet: str
    header_line: int
    headers: list[Any]
    columns: HeaderMap
    total: int
    width: int
    # The parsed sheet, kept from opening: calamine parses the whole sheet at once (~0.3 s a 20,000 rows).
    sheet_data: python_calamine.CalamineSheet | None = field(default=None, repr=False)

    def grid(self) -> Iterator[list[Any]]:
        """Yield every row of the sheet from row 1, title rows and header included."""
        if self.kind == "csv":
            yield from _csv_rows(self.path)
        else:
            yield from _sheet_rows(self.sheet_data or _sheet(self.path))

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """Yield ``(sheet row number, values)`` for each row below the header that is not blank."""
        for line, values in enumerate(self.grid(), 1):
            if line <= self.header_line:
                continue
            if any(v not in (None, "") and not (isinstance(v, str) and not v.strip()) for v in values):
                yield line, values


def _sheet(path: Path) -> python_calamine.CalamineSheet:
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    except (python_calamine.CalamineError, OSError, ValueError) as error:
        raise _unreadable(str(error).splitlines()[0][:120] if str(error) else type(error).__name__) from None


def _sheet_rows(sheet: python_calamine.CalamineSheet) -> Iterator[list[Any]]:
    # calamine starts rows at row 1 but columns at the first used one: pad them back into place.
    pad = [""] * (sheet.start[1] if sheet.start else 0)
    for values in sheet.iter_rows():
        yield pad + values if pad else values


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    content = decode_csv(path.read_bytes())
    first = content.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first.count)
    yield from csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)


def is_workbook(path: Path, file_name: str) -> bool:
    """Return whether the file is a workbook: by its name, or by the zip signature of .xlsx."""
    if file_name.lower().endswith(WORKBOOK_SUFFIXES):
        return True
    if file_name.lower().endswith((".csv", ".txt")):
        return False
    with path.open("rb") as handle:
        return handle.read(4) in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def open_ledger(path: Path, file_name: str = "") -> Ledger:
    """Return the ledger in ``path`` (``file_name`` is the name the user gave it), or raise ``Invalid``.

    Refuses a file without a 姓名 header in its first ten rows.
    """
    file_name = file_name or path.name
    if is_workbook(path, file_name):
        sheet = _sheet(path)
        kind, sheet_name, height = "workbook", sheet.name, (sheet.end[0] + 1 if sheet.end else 0)
        width = sheet.end[1] + 1 if sheet.end else 0
        head = []
        for values in _sheet_rows(sheet):
            head.append(values)
            if len(head) == HEADER_SEARCH:
                break
    else:
        kind, sheet_name, sheet = "csv", "", None
        rows = _csv_rows(path)
        head = [values for _, values in zip(range(HEADER_SEARCH), rows, strict=False)]
        height, width = len(head), max((len(v) for v in head), default=0)
        for values in rows:
            height, width = height + 1, max(width, len(values))
    for line, values in enumerate(head, 1):
        if is_header_row(values):
            width = max(width, len(values))
            return Ledger(
                path, kind, sheet_name, line, values, map_headers(values), max(height - line, 0), width, sheet
            )
    raise Invalid(
        "ledger.no_header",
        "No header row with 姓名 was found in the first ten rows; start from the template.",
        "file",
    )
