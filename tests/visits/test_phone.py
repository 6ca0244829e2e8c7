"""The 千户访 walk on a phone: the grid-1 worker opens today's worklist, logs a door visit with a need
and a skill, sees the household drop off the list and the skill on the resident. Screenshots land in
test-results/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import RESULTS, Served, browser, served  # noqa: F401  (the fixtures)

pytestmark = pytest.mark.browser


def test_a_worker_logs_a_door_visit_from_the_worklist(browser: Any, served: Served) -> None:  # noqa: F811
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    RESULTS.mkdir(exist_ok=True)
    household, resident = served.world.household1, served.world.resident1
    try:
        page.goto(served.url + "/visits/worklist")
        expect(page).to_have_url(re.compile(r"/login\?next=/visits/worklist$"))
        page.fill("#f-username", "grid1")
        page.fill("#f-password", "Persona-pass-2026")
        page.locator("main button[type=submit]").click()
        expect(page).to_have_url(served.url + "/visits/worklist")

        row = page.locator(f"#h-{household}")
        expect(row).to_contain_text("独居老人")
        expect(row).to_contain_text("今日新登记")
        page.screenshot(path=str(RESULTS / "worklist-390.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        row.get_by_role("link", name="记录").click()
        expect(page.locator("h1")).to_have_text("记录走访")
        page.get_by_label("上门").check()
        page.fill("#f-narrative", "老人精神不错，膝盖疼，想请人陪同去医院复查。")
        page.locator("input[name=need_category]").first.fill("医疗健康")
        page.locator("input[name=need_description]").first.fill("陪同去医院复查膝盖")
        page.fill(f"#f-skill_{resident.id}", "修自行车")
        page.locator(f"input[name=willing_{resident.id}]").check()
        page.screenshot(path=str(RESULTS / "log-form-390.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_role("button", name="保存日志").click()

        expect(page).to_have_url(re.compile(r"/visits/worklist\?logged="))
        expect(page.locator("main")).to_contain_text("日志已保存")
        expect(page.locator(f"#h-{household}")).to_have_count(0)
        page.screenshot(path=str(RESULTS / "worklist-after-390.png"), full_page=True)

        page.goto(f"{served.url}/residents/{resident.id}")
        expect(page.locator("main")).to_contain_text("修自行车")
        page.goto(f"{served.url}/visits/households/{household}")
        expect(page.locator("#open-items")).to_contain_text("陪同去医院复查膝盖")
        page.screenshot(path=str(RESULTS / "household-visits-390.png"), full_page=True)
        assert not problems, problems  # no script errors, no Content-Security-Policy violations
    finally:
        context.close()
