"""On a phone: grid 1's worker registers a dispute and sees it without the parties' names, then opens the grid's
notice (printed on A4 with its QR code); the secretary reads the names on a desktop. No CSP violation on the way.
Screenshots land in test-results/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import RESULTS, Served, browser, served  # noqa: F401  (fixtures)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


def signed_in(browser: Any, served: Served, username: str, path: str, problems: list[str], **context: Any) -> Any:  # noqa: F811
    page = browser.new_context(**(context or PHONE)).new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{served.url}/login?next={path}")
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{served.url}{path}")
    return page


def test_a_grid_worker_registers_a_dispute_and_prints_the_notice(browser: Any, served: Served) -> None:  # noqa: F811
    problems: list[str] = []
    world = served.world
    RESULTS.mkdir(parents=True, exist_ok=True)
    page = signed_in(browser, served, "grid1", "/disputes/new", problems)
    page.select_option("#f-area_id", str(world.grid1.id))
    page.select_option("#f-kind", "neighbour")
    page.fill("#f-summary", "楼上漏水，楼下墙面受损")
    page.fill("#f-party_name_1", "赵大海")
    page.fill("#f-party_phone_1", "13800001111")
    page.fill("#f-party_role_1", "楼上房东")
    page.screenshot(path=str(RESULTS / "disputes-form-phone.png"), full_page=True)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{served.url}/disputes/*")
    assert page.locator("#names-hidden").is_visible()
    assert "赵大海" not in page.content()
    dispute_url = page.url
    page.screenshot(path=str(RESULTS / "disputes-page-phone.png"), full_page=True)

    page.goto(f"{served.url}/notice/{world.grid1.id}")
    assert page.locator("#notice-qr svg").is_visible()
    assert f"/ask?community={world.community.code}" in page.locator("#notice-url").inner_text()
    page.screenshot(path=str(RESULTS / "disputes-notice-phone.png"), full_page=True)
    page.emulate_media(media="print")
    assert not page.locator("header nav").first.is_visible()
    assert page.locator(".notice-title").is_visible()
    page.screenshot(path=str(RESULTS / "disputes-notice-print.png"), full_page=True)

    secretary = signed_in(browser, served, "secretary", "/disputes", problems, **DESKTOP)
    secretary.goto(dispute_url)
    assert "赵大海" in secretary.locator("#parties").inner_text()
    secretary.screenshot(path=str(RESULTS / "disputes-page-secretary.png"), full_page=True)
    assert problems == []
