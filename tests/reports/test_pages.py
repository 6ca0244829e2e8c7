"""The dashboard's page, API and drill-down, as a secretary, a grid worker and a stranger see them."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from linli.db.engine import transaction
from linli.lib import clock
from linli.reports import rollup
from linli.visits.models import HouseholdRhythm
from tests.conftest import login


def overdue(db: Session, household: int, days: int) -> None:
    with transaction(db):
        db.execute(
            update(HouseholdRhythm)
            .where(HouseholdRhythm.household_id == household)
            .values(next_due_on=clock.today() - timedelta(days=days), active=True)
        )


def test_the_secretary_sees_the_community_with_its_grids_side_by_side(client, db: Session, world) -> None:
    overdue(db, world.household1, 4)
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
    drill = client.get(f"/dashboard/overdue?area_id={world.grid1.id}")
    assert drill.status_code == 200 and "3号楼 301" in drill.text and "4" in drill.text
    assert "5号楼" not in drill.text


def test_a_bad_period_is_explained_and_the_month_shown(client, db: Session, world) -> None:
    login(client, "secretary")
    page = client.get("/dashboard?period=2026-13")
    assert page.status_code == 422 and "2026-11" in page.text
    api = client.get("/api/v1/dashboard?period=soon")
    assert api.status_code == 422 and api.json()["error"]["code"] == "dashboard.period"


def test_a_grid_worker_gets_nothing_of_another_grid(client, db: Session, world) -> None:
    overdue(db, world.household2, 2)
    login(client, "grid1")
    assert client.get(f"/api/v1/dashboard?area_id={world.grid2.id}").status_code == 404
    assert client.get(f"/dashboard?area_id={world.community.id}").status_code == 404
    assert client.get(f"/dashboard/overdue?area_id={world.grid2.id}").status_code == 404
    own = client.get("/dashboard/overdue")
    assert own.status_code == 200 and "5号楼" not in own.text
