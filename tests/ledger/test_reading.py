"""Opening ledger files: workbooks through calamine, CSV in the encodings Chinese offices write."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from linli.errors import Invalid
from linli.ledger.reading import open_ledger
from tests.ledger.helpers import csv_file, person, xlsx


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_it_reads_csv_in_utf8_with_or_without_bom_and_in_gb18030(tmp_path: Path, encoding: str) -> None:
    path = csv_file(tmp_path / "ledger.csv", [person(1, 姓名="曾伟")], encoding)
    ledger = open_ledger(path)
    rows = list(ledger.rows())
    assert ledger.kind == "csv" and ledger.header_line == 1 and ledger.total == 1
    assert rows[0][0] == 2 and rows[0][1][0] == "曾伟"


def test_it_finds_the_header_below_a_title_and_keeps_sheet_row_numbers(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "ledger.xlsx", [person(1), {}, person(2)], title="阳台山社区居民台账")
    ledger = open_ledger(path)
    assert ledger.header_line == 2
    assert [line for line, _ in ledger.rows()] == [3, 5]  # the blank row 4 is skipped, numbers kept


def test_it_keeps_columns_in_place_when_the_sheet_starts_further_right(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["C3"], sheet["D3"], sheet["C4"], sheet["D4"] = "姓名", "网格", "张三", "第一网格"
    book.save(tmp_path / "ledger.xlsx")
    ledger = open_ledger(tmp_path / "ledger.xlsx")
    assert ledger.header_line == 3 and ledger.columns.index == {"name": 2, "grid": 3}
    assert list(ledger.rows()) == [(4, ["", "", "张三", "第一网格"])]


def test_it_refuses_a_file_without_a_name_header(tmp_path: Path) -> None:
    path = csv_file(tmp_path / "ledger.csv", [], headers=("名字", "电话"))
    with pytest.raises(Invalid) as refused:
        open_ledger(path)
    assert refused.value.code == "ledger.no_header"


def test_it_refuses_a_file_that_is_no_workbook(tmp_path: Path) -> None:
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(Invalid) as refused:
        open_ledger(path)
    assert refused.value.code == "ledger.file_unreadable"
