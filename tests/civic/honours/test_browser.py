"""The selection's walk on phones: a resident nominates a neighbour, staff mark the nominee eligible, voting
opens and another household votes on a phone, the recount closes, staff publish the result on the page
(after a confirmation), and the resident reads it. Screenshots land in test-results/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from linli.runtime import Runtime
from tests.browser.conftest import RESULTS, Served, browser, served  # noqa: F401  (fixtures)
from tests.civic.honours.helpers import make_selection, move_to, resident_account
from tests.conftest import make_settings
from tests.needs.test_browser import signed_in

pytestmark = pytest.mark.browser


def _runtime(db_path: Path) -> Runtime:
    return Runtime(make_settings(f"sqlite:///{db_path}"))


def _setup(site: Served, db_path: Path) -> int:
    runtime = _runtime(db_path)
    with runtime.sessions() as session:
        made = make_selection(session, site.world, title="五好先锋评选")
        resident_account(session, site.world, "jumin", site.world.household1, "曾阿明")
        resident_account(session, site.world, "linju", site.world.household2, "李阿红")
    runtime.engine.dispose()
    return made.id


def _move(db_path: Path, selection_id: int, phase: str) -> None:
    runtime = _runtime(db_path)
    with runtime.sessions() as session:
        move_to(session, selection_id, phase)
    runtime.engine.dispose()


def test_a_neighbour_is_nominated_voted_for_and_the_result_published(
    browser: Any,  # noqa: F811
    served: Served,  # noqa: F811
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    db_path = tmp_path / "linli.db"
    selection_id = _setup(served, db_path)
    page_of = f"/selections/{selection_id}"
    RESULTS.mkdir(exist_ok=True)
    problems: list[str] = []

    # A resident nominates a neighbour on her phone: a name, where she lives, why.
    jumin = signed_in(browser, served, "jumin", page_of)
    jumin.on("pageerror", lambda e: problems.append(str(e)))
    expect(jumin.locator("#state")).to_have_text("提名中")
    form = jumin.locator("#nominate")
    form.locator("#f-category").select_option("neighbour")
    form.locator("#f-display_name").fill("陈桂兰")
    form.locator("#f-place").fill("图强小区3号楼401")
    form.locator("#f-reason").fill("每天帮楼里的独居老人买菜")
    form.get_by_role("button", name="提名").click()
    expect(jumin.locator("#nominate")).to_contain_text("社区将在投票开始前审核提名")
    expect(jumin.locator("#c-neighbour")).to_contain_text("陈桂兰")
    jumin.screenshot(path=str(RESULTS / "honours-nominated-390.png"), full_page=True)
    assert jumin.evaluate("document.documentElement.scrollWidth") <= 390

    # Staff check it on the nominations page and mark it eligible.
    staff = signed_in(browser, served, "secretary", f"{page_of}/nominations")
    row = staff.locator("#nominations tr", has_text="陈桂兰")
    row.locator("select[name=state]").select_option("eligible")
    row.get_by_role("button", name="保存").click()
    staff.goto(f"{served.url}{page_of}/nominations?state=eligible")
    expect(staff.locator("#nominations tr", has_text="陈桂兰").locator("[data-check]")).to_have_attribute(
        "data-check", "eligible"
    )

    # Voting opens; a resident of another household votes on her phone.
    _move(db_path, selection_id, "voting")
    linju = signed_in(browser, served, "linju", page_of)
    linju.on("pageerror", lambda e: problems.append(str(e)))
    expect(linju.locator("#state")).to_have_text("投票")
    nominee = linju.locator("#c-neighbour .nominee", has_text="陈桂兰")
    nominee.get_by_role("button", name="投票").click()
    expect(linju.locator("#thanks")).to_be_visible()
    expect(linju.locator("#c-neighbour .nominee", has_text="陈桂兰").locator("[data-voted]")).to_have_text("您已投票")
    assert "票数" not in linju.locator("main").inner_text()  # no counts while voting is open
    linju.screenshot(path=str(RESULTS / "honours-voted-390.png"), full_page=True)
    assert linju.evaluate("document.documentElement.scrollWidth") <= 390

    # The recount closes; staff publish the results on the page, after a confirmation.
    _move(db_path, selection_id, "after")
    staff.goto(f"{served.url}{page_of}/results")
    expect(staff.locator("#not-published")).to_be_visible()
    staff.locator("#switch-results").click()
    expect(staff.locator("#confirm-publish")).to_contain_text("本区域所有居民都将看到票数")
    staff.locator("#do-confirm").click()
    staff.wait_for_url(f"{served.url}{page_of}/results")
    expect(staff.locator("#r-neighbour")).to_contain_text("陈桂兰")

    # The resident who nominated reads the result on her phone.
    jumin.goto(f"{served.url}{page_of}/results")
    winner = jumin.locator("#r-neighbour tr", has_text="陈桂兰")
    expect(winner.locator("[data-winner]")).to_have_text("当选")
    expect(winner.locator(".votes")).to_have_text("1")
    jumin.screenshot(path=str(RESULTS / "honours-results-390.png"), full_page=True)
    assert problems == []
