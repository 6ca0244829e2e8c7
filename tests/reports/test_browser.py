"""The secretary's dashboard in a browser: charts drawn by ECharts (served by linli), the lagging grid's bar
opens its dashboard, and its overdue households are one tap further. Screenshots land in test-results/."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from linli.lib import clock
from linli.needs import catalogue, intake
from linli.needs.schemas import NeedIn
from linli.registry.models import Household
from linli.reports import rollup
from linli.runtime import Runtime
from tests.browser.conftest import RESULTS, Served, browser, served  # noqa: F401  (fixtures)
from tests.conftest import make_settings
from tests.factories import PASSWORD, scope_of
from tests.visits.helpers import log

pytestmark = pytest.mark.browser
DESK = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


def _setup(site: Served, db_path: Path) -> None:
    """Visit every household of grid 1 (grid 2's is never visited), file an order in each grid, compute the rollups."""
    runtime = Runtime(make_settings(f"sqlite:///{db_path}"))
    with runtime.sessions() as session:
        for household in session.scalars(select(Household.id).where(Household.area_id == site.world.grid1.id)):
            log(session, household, "door", clock.today() - timedelta(days=2))
        catalogue.seed(session)
        for household, who in ((site.world.household1, "grid1"), (site.world.household2, "grid2")):
            data = NeedIn(category="repairs", description="楼道灯坏了", household_id=household)
            intake.create_order(session, scope_of(session, who), data)
        rollup.backfill(session, 12)
    runtime.engine.dispose()


def test_the_secretary_clicks_the_lagging_grid_and_reaches_its_overdue_households(
    browser: Any,  # noqa: F811
    served: Served,  # noqa: F811
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    _setup(served, tmp_path / "linli.db")
    RESULTS.mkdir(exist_ok=True)
    problems: list[str] = []
    page = browser.new_context(**DESK).new_page()
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(f"{served.url}/login?next=/dashboard")
    page.fill("#f-username", "secretary")
    page.fill("#f-password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{served.url}/dashboard")
    expect(page.locator("h1")).to_contain_text("阳台山社区")

    # The charts are drawn: a canvas in each chart box with pixels painted on it.
    for chart in ("children", "trend", "categories"):
        canvas = page.locator(f"[data-chart={chart}] canvas").first
        expect(canvas).to_be_attached()
        painted = canvas.evaluate(
            """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                      let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i]) n++; } return n; }"""
        )
        assert painted > 1000, chart
    page.screenshot(path=str(RESULTS / "dashboard-community-1280.png"), full_page=True)

    # Grid 2 lags: its bar is the only one; a click on it opens grid 2's dashboard.
    expect(page.locator("#children tbody tr", has_text="第一网格")).to_contain_text("100%")
    page.locator("[data-chart=children]").scroll_into_view_if_needed()
    box = page.locator("[data-chart=children]").bounding_box()
    x, y = page.evaluate(
        """() => {
            const chart = echarts.getInstanceByDom(document.querySelector('[data-chart=children]'));
            const names = chart.getOption().xAxis[0].data;
            const index = names.indexOf('第二网格');
            return chart.convertToPixel({seriesIndex: 0}, [index, 0.5]);
        }"""
    )
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(f"{served.url}/dashboard?area_id={served.world.grid2.id}*")
    expect(page.locator("h1")).to_contain_text("第二网格")
    expect(page.locator(".crumbs")).to_contain_text("阳台山社区")

    # The overdue figure opens the households behind it.
    overdue = page.locator("#figures [data-figure='visits.overdue'] a")
    expect(overdue).to_have_text("1")
    overdue.click()
    page.wait_for_url(f"{served.url}/dashboard/overdue?area_id={served.world.grid2.id}")
    expect(page.locator("#results")).to_contain_text("5号楼 502")
    expect(page.locator("#results")).to_contain_text("从未入户")
    page.screenshot(path=str(RESULTS / "dashboard-overdue-1280.png"), full_page=True)
    assert problems == []
