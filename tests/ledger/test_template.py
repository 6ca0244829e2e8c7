"""The template: the headers in Chinese, drop-downs for the coded columns and the user's grids, a help sheet."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from linli.i18n import catalog
from linli.ledger.columns import HEADERS
from linli.ledger.template import write_template
from tests.factories import World, scope_of

HERE = Path(__file__).resolve().parents[2] / "src" / "linli"


def lists(path: Path) -> dict[str, list[str]]:
    book = load_workbook(path)
    sheet, codes = book["居民台账"], book["代码表"]
    found: dict[str, list[str]] = {}
    for rule in sheet.data_validations.dataValidation:
        column = str(rule.sqref).split(":")[0].rstrip("0123456789")
        header = sheet[f"{column}1"].value
        ref = re.search(r"\$([A-Z]+)\$2:\$[A-Z]+\$(\d+)", rule.formula1 or "")
        assert ref is not None
        found[header] = [codes[f"{ref[1]}{i}"].value for i in range(2, int(ref[2]) + 1)]
    return found


def test_it_gives_the_headers_drop_downs_and_an_explanation_of_each_column(
    db: Session, world: World, tmp_path: Path
) -> None:
    write_template(db, scope_of(db, "grid1"), tmp_path / "t.xlsx")
    book = load_workbook(tmp_path / "t.xlsx")
    assert book.sheetnames == ["居民台账", "填写说明", "代码表"] and book["代码表"].sheet_state == "hidden"
    assert tuple(c.value for c in book["居民台账"][1]) == HEADERS
    assert book["居民台账"].column_dimensions["D"].number_format == "@"  # ID numbers stay text
    help_rows = {row[0]: row for row in book["填写说明"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert set(HEADERS) <= set(help_rows) and help_rows["姓名"][1] == "必填"
    found = lists(tmp_path / "t.xlsx")
    assert found["性别"] == ["男", "女", "未说明"] and "户主" in found["与户主关系"] and "流动人口" in found["人员类别"]
    assert found["网格"] == ["第一网格"] and found["社区"] == ["阳台山社区"]
    assert "独居老人" in found["关爱标签"] and "刑满释放人员" not in found["关爱标签"]


def test_it_lists_every_grid_a_secretary_may_import_into(db: Session, world: World, tmp_path: Path) -> None:
    write_template(db, scope_of(db, "secretary"), tmp_path / "t.xlsx")
    found = lists(tmp_path / "t.xlsx")
    assert found["网格"] == ["第一网格", "第二网格"] and "刑满释放人员" in found["关爱标签"]


def test_every_ledger_message_and_page_text_has_a_chinese_translation() -> None:
    zh = catalog("zh")
    texts: set[str] = set()
    for path in (HERE / "ledger").glob("*.py"):
        source = path.read_text()
        texts |= set(re.findall(r'Invalid\(\s*"[\w.]+",\s*"((?:[^"\\]|\\.)+)"', source))
        texts |= set(re.findall(r'Forbidden\(\s*"((?:[^"\\]|\\.)+)"', source))
        texts |= set(re.findall(r'Conflict\(\s*"[\w.]+",\s*"((?:[^"\\]|\\.)+)"', source))
    for path in (HERE / "web" / "templates" / "ledger").glob("*.html"):
        texts |= set(re.findall(r'_\(\s*"((?:[^"\\]|\\.)+)"', path.read_text()))
    assert len(texts) > 50
    assert sorted(t for t in texts if t not in zh) == []
