"""The import report: a copy of the ledger with the reason each refused row was refused.

Every row of the sheet is copied to the same row number, so "row 17" means the same row in both;
two columns are added after the last one, 错误原因 (Chinese) and Reason (English). A clerk fixes the
refused rows in the report and imports it again: the reason columns are ignored then, and the rows
already imported change nothing. A second sheet lists the counts, the unknown columns and every
reason with its row and column.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from linli.ledger.cells import DATE_FORMAT, HEADER_FILL, HEADER_FONT, REASON_FONT, safe
from linli.ledger.columns import REASON_HEADER, REASON_HEADER_EN
from linli.ledger.importing import ImportResult
from linli.ledger.reading import Ledger

SUMMARY_SHEET = "导入结果"


def _cell(sheet: WriteOnlyWorksheet, value: Any, font: Any = None, fill: Any = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=safe(value))
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    return cell


def write_report(ledger: Ledger, result: ImportResult, target: Path | IO[bytes]) -> None:
    """Write the report of ``result`` for ``ledger`` to ``target`` (streamed: any number of rows)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(ledger.sheet or "居民台账")
    reasons = result.reasons()
    width = ledger.width
    for line, values in enumerate(ledger.grid(), 1):
        row: list[Any] = [safe(v) for v in values]
        row.extend([None] * (width - len(row)))
        if line == ledger.header_line:
            row = [_cell(sheet, v, HEADER_FONT, HEADER_FILL) for v in row]
            row += [_cell(sheet, h, HEADER_FONT, HEADER_FILL) for h in (REASON_HEADER, REASON_HEADER_EN)]
        elif line in reasons:
            zh, en = reasons[line]
            row += [_cell(sheet, zh, REASON_FONT), _cell(sheet, en, REASON_FONT)]
        for i, value in enumerate(row):
            if isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_FORMAT
                row[i] = cell
        sheet.append(row)
    _summary(book.create_sheet(SUMMARY_SHEET), result)
    book.save(target)


def _summary(sheet: WriteOnlyWorksheet, result: ImportResult) -> None:
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["C"].width = 48
    sheet.column_dimensions["D"].width = 48
    outcome = (
        ("已导入", "imported")
        if result.committed
        else ("试导入，未写入", "dry run, nothing written")
        if result.dry_run
        else ("有错误，未导入任何行", "refused rows: nothing imported")
    )
    for label, value in (
        ("文件 File", result.file_name),
        ("结果 Outcome", f"{outcome[0]} / {outcome[1]}"),
        ("行数 Rows", result.total),
        ("新增 Created", result.created),
        ("更新 Updated", result.updated),
        ("无变化 Unchanged", result.unchanged),
        ("错误 Refused", result.rejected),
        ("未识别的列 Unknown columns", "、".join(result.unknown_columns) or "—"),
    ):
        sheet.append([_cell(sheet, label, HEADER_FONT), safe(value)])
    sheet.append([])
    sheet.append(
        [_cell(sheet, h, HEADER_FONT, HEADER_FILL) for h in ("行号 Row", "列 Column", "原因", "Reason", "代码 Code")]
    )
    for r in result.rejections:
        sheet.append([r.line, safe(r.column), safe(r.zh), safe(r.en), r.code])
