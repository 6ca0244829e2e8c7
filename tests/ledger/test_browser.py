"""The ledger in a real browser: download the template, fill two rows, upload, watch the progress bar
(htmx polls the job), take the report, fix the refused row, upload again. Screenshots in test-results/."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from linli.ledger.columns import COLUMNS
from tests.browser.conftest import RESULTS, Served
from tests.ledger.helpers import person

# The report's reason comes after the template's columns (the optional 单元 and 房屋状态 are last).
REASON_COLUMN = len(COLUMNS) + 1

pytestmark = pytest.mark.browser


def test_a_clerk_imports_a_ledger_fixes_the_refused_row_and_imports_it_again(
    browser: Any, served: Served, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    RESULTS.mkdir(exist_ok=True)
    try:
        page.goto(served.url + "/ledger")
        page.fill("#f-username", "grid1")
        page.fill("#f-password", "Persona-pass-2026")
        page.locator("main button[type=submit]").click()
        expect(page).to_have_url(served.url + "/ledger")

        with page.expect_download() as download:
            page.get_by_role("link", name="下载台账模板").click()
        book = load_workbook(BytesIO(Path(download.value.path()).read_bytes()))
        sheet = book["居民台账"]
        headers = [c.value for c in sheet[1]]
        for row in (person(0, 姓名="韩梅梅"), person(1, 姓名="李雷", 联系电话="12345")):
            sheet.append([row.get(h) for h in headers])
        book.save(tmp_path / "台账.xlsx")

        page.set_input_files("#f-file", str(tmp_path / "台账.xlsx"))
        page.get_by_role("button", name="上传并导入").click()
        card = page.locator("#job")
        expect(card).to_contain_text("有行未通过检查", timeout=20_000)
        expect(card.locator("progress")).to_have_attribute("value", "100")
        page.screenshot(path=str(RESULTS / "ledger-refused.png"), full_page=True)

        with page.expect_download() as download:
            card.get_by_role("link", name="下载导入报告").click()
        report = load_workbook(BytesIO(Path(download.value.path()).read_bytes()))
        refused = report.worksheets[0]
        assert "联系电话" in refused.cell(row=3, column=REASON_COLUMN).value
        refused.cell(row=3, column=5).value = "13912340000"
        report.save(tmp_path / "台账-改.xlsx")

        page.set_input_files("#f-file", str(tmp_path / "台账-改.xlsx"))
        page.get_by_role("button", name="上传并导入").click()
        expect(card).to_contain_text("导入完成", timeout=20_000)
        expect(card).to_contain_text("新增")
        page.screenshot(path=str(RESULTS / "ledger-imported.png"), full_page=True)
        assert problems == []
    finally:
        context.close()
