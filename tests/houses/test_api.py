"""Houses through the API: the fixed points' shapes, refusals as 4xx with a code, nothing across areas."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from linli.lib import clock
from tests.conftest import login
from tests.factories import World, building_of, make_household
from tests.houses.helpers import house_of


def code(response: Any) -> str:
    return response.json()["error"]["code"]


def test_houses_are_listed_by_building_and_status_and_read_with_households_and_tenancies(
    client: TestClient, db: Session, world: World
) -> None:
    house = house_of(db, world.household1)
    building = building_of(db, world.household1)
    tenant = make_household(db, world.grid1, "1201", "8号楼")
    login(client, "grid1")
    listed = client.get("/api/v1/houses", params={"building_id": building})
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert page["total"] == 1 and set(page) >= {"items", "total", "page", "page_size"}
    item = page["items"][0]
    assert item["id"] == house and item["status"] == "owner_occupied" and item["households"] == 1
    assert (item["building"], item["unit"], item["room"]) == ("图强小区 3号楼", "1单元", "301")
    assert client.get("/api/v1/houses", params={"status": "vacant"}).json()["total"] == 0
    assert client.get("/api/v1/houses", params={"status": "haunted"}).status_code == 422

    changed = client.patch(f"/api/v1/houses/{house}", json={"status": "rented", "floor_area": 72.5})
    assert changed.status_code == 200 and changed.json()["floor_area"] == 72.5
    start = (clock.today() - timedelta(days=30)).isoformat()
    made = client.post(f"/api/v1/houses/{house}/tenancies", json={"household_id": tenant, "starts_on": start})
    assert made.status_code == 201, made.text
    again = client.post(f"/api/v1/houses/{house}/tenancies", json={"household_id": tenant, "starts_on": start})
    assert again.status_code == 409 and code(again) == "tenancy.overlap"

    detail = client.get(f"/api/v1/houses/{house}").json()
    assert detail["status"] == "rented" and {h["id"] for h in detail["living"]} == {world.household1, tenant}
    assert detail["living"][0]["members"][0]["phone"].endswith("5678")
    assert "13912345678" not in str(detail)
    assert [t["household_id"] for t in detail["tenancies"]] == [tenant] and detail["tenancies"][0]["current"]
    ended = client.post(f"/api/v1/tenancies/{made.json()['id']}/end", json={"ends_on": clock.today().isoformat()})
    assert ended.status_code == 200 and ended.json()["ends_on"] == clock.today().isoformat()

    units = client.get(f"/api/v1/buildings/{building}/units").json()
    assert units == [
        {"id": units[0]["id"], "building_id": building, "name": "1单元", "houses": 1, "vacant": 0, "rented": 1}
    ]


def test_a_care_grade_is_set_through_the_api_with_a_reason(client: TestClient, world: World) -> None:
    login(client, "grid1")
    url = f"/api/v1/households/{world.household1}/care-grade"
    assert client.put(url, json={"grade": "red", "reason": ""}).status_code == 422
    assert client.put(url, json={"grade": "purple", "reason": "x"}).status_code == 422
    done = client.put(url, json={"grade": "red", "reason": "独居老人摔倒"})
    assert done.status_code == 200 and done.json()["grade"] == "red"
    assert client.get(url).json()["history"][0]["reason"] == "独居老人摔倒"
    assert client.get(f"/api/v1/households/{world.household1}").json()["care_grade"] == "red"


def test_an_outsider_gets_nothing_of_grid_1s_houses(client: TestClient, db: Session, world: World) -> None:
    house = house_of(db, world.household1)
    login(client, "outsider")
    assert client.get(f"/api/v1/houses/{house}").status_code == 404
    assert client.patch(f"/api/v1/houses/{house}", json={"status": "vacant"}).status_code == 404
    listed = client.get("/api/v1/houses").json()
    assert house not in {h["id"] for h in listed["items"]}
    assert (
        client.put(
            f"/api/v1/households/{world.household1}/care-grade", json={"grade": "red", "reason": "x"}
        ).status_code
        == 404
    )
