"""The dashboard's page, API and drill-down, as a secretary, a grid worker and a stranger see them."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from linli.lib import clock
from linli.reports import rollup
from linli.reports.dashboard import dashboard
from linli.reports.drill import overdue_households
from tests.conftest import login
from tests.factories import root_scope
from tests.visits.helpers import log


def visited(db: Session, household: int) -> None:
    log(db, household, "door", clock.today())


def test_the_secretary_sees_the_community_with_its_grids_side_by_side(client, db: Session, world) -> None:
    visited(db, world.household1)  # grid 2's household is never visited: overdue
    rollup.refresh_due(db)
    login(client, "secretary")
    page = client.get("/dashboard")
    assert page.status_code == 200
    html = page.text
    assert "阳台山社区" in html and "第一网格" in html and "第二网格" in html
    assert 'data-chart="children"' in html and "/static/vendor/echarts.min.js" in html
    found = re.search(r'id="dashboard-data" hidden data-src="([^"]+)"', html)
    assert found is not None
    source = found[1].replace("&amp;", "&")
    data = client.get(source).json()
    assert {c["area"]["name"] for c in data["children"]} == {"第一网格", "第二网格"}
    assert data["labels"]["visits.rate"] == "走访率"
    api = client.get("/api/v1/dashboard", params={"period": clock.today().strftime("%Y")}).json()
    assert api["area"]["id"] == world.community.id and len(api["months"]) == clock.today().month
    children = {c["area"]["id"]: c["figures"] for c in data["children"]}
    assert children[world.grid2.id]["visits.overdue"] == 1 and "visits.overdue" not in children[world.grid1.id]
    drill = client.get(f"/dashboard/overdue?area_id={world.grid2.id}")
    assert drill.status_code == 200 and "5号楼 502" in drill.text and "从未入户" in drill.text
    assert "没有逾期未访的住户" in client.get(f"/dashboard/overdue?area_id={world.grid1.id}").text


def test_the_households_behind_the_number_are_as_many_as_the_number(db: Session, world) -> None:
    from tests.factories import make_household, make_resident

    for n, building in enumerate(("8号楼", "9号楼", "10号楼")):  # never visited: overdue
        make_resident(db, make_household(db, world.grid1, "601", building), name="新住户" + "甲乙丙"[n], id_number=None)
    visited(db, world.household1)
    log(db, world.household2, "phone", clock.today())  # a call is a contact, not a door visit
    rollup.refresh_due(db)
    for area in (world.grid1, world.grid2, world.community, world.district):
        figure = dashboard(db, root_scope(), area.id, None).figures.get("visits.overdue", 0)
        assert overdue_households(db, root_scope(), area.id).total == figure
    assert dashboard(db, root_scope(), world.community.id, None).figures["visits.overdue"] == 4


def test_a_bad_period_is_explained_and_the_month_shown(client, db: Session, world) -> None:
    login(client, "secretary")
    page = client.get("/dashboard?period=2026-13")
    assert page.status_code == 422 and "2026-11" in page.text
    api = client.get("/api/v1/dashboard?period=soon")
    assert api.status_code == 422 and api.json()["error"]["code"] == "dashboard.period"


def test_a_grid_worker_gets_nothing_of_another_grid(client, db: Session, world) -> None:
    login(client, "grid1")
    assert client.get(f"/api/v1/dashboard?area_id={world.grid2.id}").status_code == 404
    assert client.get(f"/dashboard?area_id={world.community.id}").status_code == 404
    assert client.get(f"/dashboard/overdue?area_id={world.grid2.id}").status_code == 404
    own = client.get("/dashboard/overdue")
    assert own.status_code == 200 and "5号楼" not in own.text


def test_an_outsider_gets_nothing_of_grid_1_from_any_report_route(client, db: Session, world) -> None:
    login(client, "outsider")
    month = clock.today().strftime("%Y-%m")
    for path in (
        "/dashboard",
        "/dashboard/overdue",
        "/dashboard/profile",
        "/dashboard/evaluation",
        "/dashboard/report.xlsx",
        "/api/v1/dashboard",
        "/api/v1/profile",
        "/api/v1/evaluation",
    ):
        for area in (world.grid1.id, world.community.id):
            got = client.get(path, params={"area_id": area, "period": month})
            assert got.status_code == 404, (path, area, got.status_code)
            assert "第一网格" not in got.text and "阳台山社区" not in got.text
