"""The ledger template: the headers, drop-down lists for the coded columns, and a sheet explaining each column.

The lists live on a hidden sheet (a list written into the validation itself may hold only 255
characters); the grids and communities listed are those the user may import into. The tag column
offers its list but accepts other text, since a cell may hold several tags.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.permissions import LEDGER_IMPORT, Scope
from linli.ledger.cells import HEADER_FILL, HEADER_FONT, WRAP
from linli.ledger.checking import TagBook
from linli.ledger.columns import COLUMNS, HEADERS
from linli.ledger.places import Grids
from linli.lib import codes
from linli.registry.models import Tag

SHEET, HELP_SHEET, LISTS_SHEET = "居民台账", "填写说明", "代码表"
ROWS = 20000  # rows given drop-downs and text format
TEXT_COLUMNS = ("id_number", "phone", "room")  # kept as text so Excel does not eat digits


def _lists(session: Session, scope: Scope) -> dict[str, list[str]]:
    grids = Grids(session, scope, LEDGER_IMPORT)
    book = TagBook(session, scope)
    tag_names = [
        name
        for tag_id, name in session.execute(select(Tag.id, Tag.name).where(Tag.active.is_(True)).order_by(Tag.id))
        if tag_id not in book.hidden
    ]
    return {
        "gender": [zh for zh, _ in codes.GENDERS.values()],
        "relation": [zh for zh, _ in codes.RELATIONS.values()],
        "kind": [zh for zh, _ in codes.KINDS.values()],
        "tags": tag_names,
        "willing": ["是", "否"],
        "community": sorted({c.name for c in grids.communities.values()}),
        "grid": list(dict.fromkeys(g.name for g in grids.grids)),
    }


def _validations(sheet: Worksheet, lists_sheet: Worksheet, lists: dict[str, list[str]]) -> None:
    fields = [c.field for c in COLUMNS]
    for n, (name, values) in enumerate(lists.items(), 1):
        if not values:
            continue
        letter = get_column_letter(n)
        lists_sheet.cell(row=1, column=n, value=name)
        for i, value in enumerate(values, 2):
            lists_sheet.cell(row=i, column=n, value=value)
        target = get_column_letter(fields.index(name) + 1)
        rule = DataValidation(
            type="list",
            formula1=f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=name != "tags",
            errorTitle="请从列表中选择",
            error="请从下拉列表中选择。",
        )
        rule.add(f"{target}2:{target}{ROWS + 1}")
        sheet.add_data_validation(rule)


def write_template(session: Session, scope: Scope, target: Path | IO[bytes]) -> None:
    """Write the ledger template for the user's grids to ``target``."""
    scope.require(LEDGER_IMPORT)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append(list(HEADERS))
    for i, column in enumerate(COLUMNS, 1):
        letter = get_column_letter(i)
        cell = sheet.cell(row=1, column=i)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        sheet.column_dimensions[letter].width = column.width + 2
        if column.field in TEXT_COLUMNS:
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    lists_sheet = book.create_sheet(LISTS_SHEET)
    _validations(sheet, lists_sheet, _lists(session, scope))
    lists_sheet.sheet_state = "hidden"
    help_sheet = book.create_sheet(HELP_SHEET, 1)
    help_sheet.append(["列名", "是否必填", "填写说明", "Explanation"])
    for cell in help_sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for column in COLUMNS:
        help_sheet.append([column.header, "必填" if column.required else "", column.help_zh, column.help_en])
    for letter, width in (("A", 14), ("B", 10), ("C", 60), ("D", 60)):
        help_sheet.column_dimensions[letter].width = width
    for row in help_sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = WRAP
    help_sheet.append([])
    help_sheet.append(["按列名读取，列的顺序可以调整；不认识的列会被忽略并在导入报告中列出。"])
    help_sheet.append(["已登记的居民按公民身份号码匹配并更新；留空的单元格不会覆盖已登记的内容。"])
    book.save(target)
