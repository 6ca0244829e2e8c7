"""The acceptance walk on a phone: log in as the grid-1 worker, find a resident by pinyin initials as
you type, open them, open their household. Screenshots land in test-results/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import RESULTS, Served

pytestmark = pytest.mark.browser


def test_it_finds_a_neighbour_by_initials_and_opens_their_household(browser: Any, served: Served) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    RESULTS.mkdir(exist_ok=True)
    try:
        page.goto(served.url + "/residents")
        expect(page).to_have_url(re.compile(r"/login\?next=/residents$"))
        page.fill("#f-username", "grid1")
        page.fill("#f-password", "Persona-pass-2026")
        page.locator("main button[type=submit]").click()
        expect(page).to_have_url(served.url + "/residents")

        box = page.locator("#q")
        # Typed key by key, never submitted: the results come from htmx as the worker types.
        with page.expect_response(lambda r: "q=zw" in r.url and r.request.headers.get("hx-request") == "true"):
            box.press_sequentially("zw", delay=80)
        results = page.locator("#results")
        expect(results).to_contain_text("曾伟")
        expect(results).to_contain_text("共 2 人")
        expect(page).to_have_url(re.compile(r"/residents\?q=zw"))
        page.screenshot(path=str(RESULTS / "search-390.png"), full_page=True)

        results.get_by_role("link", name=re.compile("曾伟")).click()
        expect(page.locator("h1")).to_have_text("曾伟")
        expect(page.locator("main")).to_contain_text("110105********002X")
        page.screenshot(path=str(RESULTS / "resident-390.png"), full_page=True)

        page.locator("#household-link").click()
        expect(page).to_have_url(f"{served.url}/households/{served.world.household1}")
        expect(page.locator("h1")).to_contain_text("3号楼 301")
        expect(page.locator("#members")).to_contain_text("林国强")
        page.screenshot(path=str(RESULTS / "household-390.png"), full_page=True)

        # Usable on a phone: nothing wider than the screen, so nothing scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert not problems, problems  # no script errors, no Content-Security-Policy violations
    finally:
        context.close()
