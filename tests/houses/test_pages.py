"""The grid worker's phone walk 楼栋 → 单元 → 房屋 → 户 → 人, and the staff's forms."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from linli.lib import clock
from linli.registry import tenancies
from linli.registry.house_schemas import CareGradeIn
from tests.conftest import login
from tests.factories import World, building_of, make_household, scope_of
from tests.houses.helpers import grid1_unit, house_of
from tests.visits.helpers import log


def test_the_grid_worker_walks_building_unit_house_household_and_person(
    client: TestClient, db: Session, world: World
) -> None:
    log(db, world.household1, "door", clock.today() - timedelta(days=3))
    house, building, unit = house_of(db, world.household1), building_of(db, world.household1), grid1_unit(db, world)
    login(client, "grid1")
    grid = client.get(f"/areas/{world.grid1.id}/walk")
    assert grid.status_code == 200 and f'href="/buildings/{building}/units"' in grid.text and "3号楼" in grid.text
    units = client.get(f"/buildings/{building}/units")
    assert units.status_code == 200 and f'href="/units/{unit}"' in units.text and "1单元" in units.text
    houses = client.get(f"/units/{unit}")
    assert houses.status_code == 200 and f'href="/houses/{house}"' in houses.text
    assert "自住" in houses.text and "上次走访" in houses.text
    page = client.get(f"/houses/{house}")
    assert page.status_code == 200
    assert (
        f'href="/households/{world.household1}"' in page.text and f'href="/residents/{world.resident1.id}"' in page.text
    )
    assert "曾伟" in page.text and "5678" in page.text and "13912345678" not in page.text
    assert 'class="table-wrap"' in page.text


def test_a_grid_worker_of_another_grid_or_an_outsider_finds_none_of_it(
    client: TestClient, db: Session, world: World
) -> None:
    house, building, unit = house_of(db, world.household1), building_of(db, world.household1), grid1_unit(db, world)
    for who in ("grid2", "outsider"):
        login(client, who)
        for url in (
            f"/buildings/{building}/units",
            f"/units/{unit}",
            f"/houses/{house}",
            f"/areas/{world.grid1.id}/walk",
        ):
            response = client.get(url)
            assert response.status_code == 404, (who, url)
            assert "曾伟" not in response.text and "3号楼" not in response.text
        assert "3号楼" not in client.get("/houses").text


def test_staff_change_a_house_record_a_tenancy_end_it_and_grade_a_household(
    client: TestClient, db: Session, world: World
) -> None:
    house = house_of(db, world.household1)
    tenant = make_household(db, world.grid1, "1201", "8号楼")
    login(client, "grid1")
    saved = client.post(
        f"/houses/{house}",
        data={"status": "vacant", "owner_name": "陈先生", "owner_phone": "13812345678", "floor_area": "80", "note": ""},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    page = client.get(f"/houses/{house}").text
    assert "空置" in page and "陈先生" in page and "5678" in page and "13812345678" not in page
    bad = client.post(f"/houses/{house}", data={"status": "vacant", "owner_phone": "123"})
    assert bad.status_code == 422 and 'class="error"' in bad.text

    start = (clock.today() - timedelta(days=10)).isoformat()
    made = client.post(
        f"/houses/{house}/tenancies", data={"household_id": str(tenant), "starts_on": start}, follow_redirects=False
    )
    assert made.status_code == 303
    overlap = client.post(f"/houses/{house}/tenancies", data={"household_id": str(tenant), "starts_on": start})
    assert overlap.status_code == 422 and "已租住" in overlap.text
    tenancy = tenancies.tenancies_of(db, house)[0].id
    confirm = client.get(f"/tenancies/{tenancy}/end")
    assert confirm.status_code == 200 and "请确认" in confirm.text
    ended = client.post(
        f"/tenancies/{tenancy}/end", data={"ends_on": clock.today().isoformat()}, follow_redirects=False
    )
    assert ended.status_code == 303
    db.rollback()
    assert tenancies.tenancies_of(db, house)[0].ends_on == clock.today()

    refused = client.post(f"/households/{world.household1}/care-grade", data={"grade": "red", "reason": ""})
    assert refused.status_code == 422
    graded = client.post(
        f"/households/{world.household1}/care-grade", data={"grade": "red", "reason": "摔倒"}, follow_redirects=False
    )
    assert graded.status_code == 303
    household = client.get(f"/households/{world.household1}").text
    assert "红" in household and f'href="/houses/{house}"' in household
    assert "摔倒" in client.get(f"/households/{world.household1}/care-grade").text


def test_a_grid_worker_sees_the_households_grade_and_the_vacant_houses_of_the_grid(
    client: TestClient, db: Session, world: World
) -> None:
    tenancies.set_care_grade(db, scope_of(db, "grid1"), world.household1, CareGradeIn(grade="yellow", reason="观察"))
    login(client, "grid1")
    assert "黄" in client.get(f"/houses/{house_of(db, world.household1)}").text
    listed = client.get("/houses", params={"area_id": world.grid1.id, "status": "vacant"})
    assert listed.status_code == 200 and "3号楼" not in listed.text
