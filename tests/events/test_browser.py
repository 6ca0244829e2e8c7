"""The grid worker's street work on a phone: the walk 楼栋 → 单元 → 房屋, an event reported up with a photo, another
handled on the spot; the community's list shows the one reported up. Screenshots land in test-results/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from linli.runtime import Runtime
from tests.browser.conftest import RESULTS, Served, browser, served  # noqa: F401  (fixtures)
from tests.conftest import make_settings
from tests.events.helpers import PNG, category_id
from tests.factories import PASSWORD
from tests.needs.test_browser import PHONE, signed_in

pytestmark = pytest.mark.browser


def _seed(db_path: Path) -> int:
    """Seed the event categories; return the id of 垃圾堆积's 小类 (environment.garbage)."""
    runtime = Runtime(make_settings(f"sqlite:///{db_path}"))
    with runtime.sessions() as session:
        found = category_id(session)
    runtime.engine.dispose()
    return found


def _phone_with_a_location(chromium: Any, site: Served, username: str, path: str) -> Any:
    """Return a signed-in phone page whose browser grants a location (in 阳台山社区, Xiamen)."""
    context = chromium.new_context(
        **PHONE, geolocation={"latitude": 24.4798, "longitude": 118.0894}, permissions=["geolocation"]
    )
    page = context.new_page()
    page.goto(f"{site.url}/login?next={path}")
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{site.url}{path}")
    return page


def _report(page: Any, site: Served, category: int, description: str, on_spot: str = "", locate: bool = False) -> None:
    from playwright.sync_api import expect

    page.goto(f"{site.url}/events/new")
    form = page.locator("form#report")
    form.locator("#f-category_id").select_option(str(category))
    building = form.locator("#f-building_id option", has_text="3号楼").first.get_attribute("value")
    form.locator("#f-building_id").select_option(building)
    form.locator("#f-description").fill(description)
    form.locator("#f-photos").set_input_files({"name": "photo.png", "mimeType": "image/png", "buffer": PNG})
    if locate:  # the reporter adds where they stand, once (the context grants a location)
        form.get_by_role("button", name="添加我现在的位置").click()
        expect(form.locator("[data-locate-status]")).to_contain_text("已添加位置")
    if on_spot:
        form.locator("input[name=on_spot]").check()
        form.locator("#f-action_taken").fill(on_spot)
    form.get_by_role("button", name="提交上报").click()
    page.wait_for_url(f"{site.url}/events/*")


def test_the_grid_worker_walks_reports_and_handles_and_the_community_sees_the_report(
    browser: Any,  # noqa: F811
    served: Served,  # noqa: F811
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    category = _seed(tmp_path / "linli.db")
    RESULTS.mkdir(exist_ok=True)
    problems: list[str] = []
    grid = served.world.grid1.id

    # The walk: the grid's buildings, 3号楼's units, its 1单元's houses, the house of 301 with its household.
    worker = _phone_with_a_location(browser, served, "grid1", f"/areas/{grid}/walk")
    worker.on("pageerror", lambda e: problems.append(str(e)))
    worker.locator("#buildings").get_by_role("link", name="3号楼").click()
    worker.get_by_role("link", name="1单元").click()
    worker.get_by_role("link", name="301").first.click()
    expect(worker.locator("h1")).to_contain_text("3号楼 1单元 301")
    expect(worker.locator("main")).to_contain_text("曾伟")
    worker.screenshot(path=str(RESULTS / "walk-house-390.png"), full_page=True)
    assert worker.evaluate("document.documentElement.scrollWidth") <= 390

    # An event reported up with a photo: filed (立案), not closed.
    _report(worker, served, category, "3号楼门口垃圾堆积，已两天没人清运", locate=True)
    expect(worker.locator("#event-state")).not_to_have_text("已结案")
    expect(worker.locator(".photos img")).to_have_count(1)
    reported = worker.url
    stored = worker.request.get(f"{served.url}/api/v1/events/{reported.rsplit('/', 1)[1]}").json()
    assert (round(stored["latitude"], 4), round(stored["longitude"], 4)) == (24.4798, 118.0894)
    worker.screenshot(path=str(RESULTS / "event-reported-390.png"), full_page=True)

    # Another handled on the spot: closed at once, with what was done.
    _report(worker, served, category, "楼道里堆了纸箱", on_spot="当场联系住户搬走了纸箱")
    expect(worker.locator("main")).to_contain_text("当场联系住户搬走了纸箱")
    expect(worker.locator("#event-state")).to_have_text("已结案")

    # The community's list shows the event reported up.
    secretary = signed_in(browser, served, "secretary", "/events")
    row = secretary.locator("main a", has_text="3号楼门口垃圾堆积")
    expect(row).to_have_count(1)
    row.click()
    secretary.wait_for_url(reported)
    assert problems == []
