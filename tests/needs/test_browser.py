"""The acceptance walk on phones: a resident asks for help without an account, staff dispatch it, the
volunteer resolves it on "my orders", the resident rates it, and it counts in the figures.
Screenshots land in test-results/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from linli.runtime import Runtime
from tests.browser.conftest import RESULTS, Served, browser, served  # noqa: F401  (fixtures)
from tests.conftest import make_settings
from tests.factories import PASSWORD
from tests.needs.conftest import make_needs_world

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "zh-CN", "device_scale_factor": 2}


def signed_in(browser: Any, served: Served, username: str, path: str) -> Any:  # noqa: F811
    """Return a phone page of ``username``, signed in and showing ``path``."""
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{served.url}/login?next={path}")
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{served.url}{path}")
    return page


def move(page: Any, action: str, **fields: str) -> None:
    """Submit the form of ``action`` on an order's page, filling ``fields`` first."""
    form = page.locator(f"form[data-action={action}]")
    for name, value in fields.items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_it_takes_a_request_from_a_phone_to_a_rated_resolved_order(
    browser: Any,  # noqa: F811
    served: Served,  # noqa: F811
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    runtime = Runtime(make_settings(f"sqlite:///{tmp_path / 'linli.db'}"))
    with runtime.sessions() as session:
        nw = make_needs_world(session, served.world)
    runtime.engine.dispose()
    RESULTS.mkdir(exist_ok=True)
    problems: list[str] = []

    # A resident without an account asks on the phone page and keeps the tracking code.
    resident = browser.new_context(**PHONE).new_page()
    resident.on("pageerror", lambda e: problems.append(str(e)))
    resident.goto(served.url + "/ask")
    resident.select_option("#f-community_id", str(served.world.community.id))
    resident.select_option("#f-category_id", str(nw.repairs))
    resident.fill("#f-description", "厨房水龙头一直漏水")
    resident.fill("#f-name", "陈阿姨")
    resident.fill("#f-phone", "13805920001")
    resident.locator("#ask-form button[type=submit]").click()
    code = resident.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-Z]{10}", code)
    expect(resident.locator("#state")).to_have_text("已受理")
    resident.screenshot(path=str(RESULTS / "needs-asked-390.png"), full_page=True)
    assert resident.evaluate("document.documentElement.scrollWidth") <= 390

    # Staff see it in the open orders, register it and dispatch it to the volunteer.
    staff = signed_in(browser, served, "secretary", "/needs")
    staff.get_by_role("link", name=re.compile("厨房水龙头一直漏水")).click()
    need_url = staff.url
    move(staff, "register")
    move(staff, "dispatch", assignee_user_id=str(nw.volunteer))
    expect(staff.locator("main")).to_contain_text("已派遣")

    # The volunteer accepts on "my orders", reports progress with a note, and reports it done.
    volunteer = signed_in(browser, served, "volunteer", "/needs/mine")
    expect(volunteer.locator("#mine")).to_contain_text("厨房水龙头一直漏水")
    volunteer.get_by_role("button", name="签收").click()
    volunteer.get_by_role("link", name="记录进展").click()
    move(volunteer, "progress", note="已更换阀芯")
    move(volunteer, "report_done", note="已修好")
    expect(volunteer.locator("main")).to_contain_text("已反馈")
    volunteer.screenshot(path=str(RESULTS / "needs-volunteer-390.png"), full_page=True)

    # Staff check the work and close the order.
    staff.goto(need_url)
    move(staff, "check")
    move(staff, "close")
    expect(staff.locator("main")).to_contain_text("已结案")

    # The resident rates it with the tracking code.
    resident.goto(f"{served.url}/track/{code}")
    resident.locator("input[name=rating][value=satisfied]").check()
    resident.fill("#f-comment", "师傅很细心")
    resident.locator("form[data-action=rate] button[type=submit]").click()
    expect(resident.locator("#state")).to_have_text("已评价")

    # And it counts in the community's figures.
    staff.goto(f"{served.url}/needs/figures?area_id={served.world.community.id}")
    expect(staff.locator("#received")).to_have_text("1")
    expect(staff.locator("#resolved")).to_have_text("1")
    expect(staff.locator("#satisfaction")).to_have_text("100.0%")
    staff.screenshot(path=str(RESULTS / "needs-figures-390.png"), full_page=True)
    assert not problems, problems
