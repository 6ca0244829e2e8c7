"""The worklist: priority, walking order, the capacity split, reasons, and who sees which list."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.lib import clock
from linli.registry import places
from linli.registry.schemas import HouseholdIn
from linli.visits import worklist
from tests.conftest import login
from tests.factories import World, building_of, make_area, make_household, make_resident, root_scope, scope_of
from tests.visits.helpers import days_ago, log, registered


@dataclass
class Street:
    h1: int  # 3号楼 301, 独居老人: contacted 4 days ago, visited 6 days ago
    h2: int  # 5号楼 101, nobody under care, registered 100 days ago, never visited
    h3: int  # 3号楼 302, a veteran, registered 35 days ago, never visited
    h4: int  # 6号楼 101, registered today
    h5: int  # 7号楼 101, 独居老人 visited 4 days ago: only a contact is due


def street(db: Session, world: World) -> Street:
    h1 = world.household1
    registered(db, h1, days_ago(20))
    log(db, h1, "door", days_ago(6))
    log(db, h1, "phone", days_ago(4))
    h2 = make_household(db, world.grid1, "101", "5号楼")
    make_resident(db, h2, name="李强", relation="02")
    registered(db, h2, days_ago(100))
    h3 = places.create_household(db, root_scope(), HouseholdIn(building_id=building_of(db, h1), room="302")).id
    make_resident(db, h3, name="赵军", relation="02", tags=["veteran"])
    registered(db, h3, days_ago(35))
    h4 = make_household(db, world.grid1, "101", "6号楼")
    make_resident(db, h4, name="孙丽", relation="02")
    h5 = make_household(db, world.grid1, "101", "7号楼")
    make_resident(db, h5, name="周奶奶", relation="02", tags=["living_alone"])
    registered(db, h5, days_ago(30))
    log(db, h5, "door", days_ago(4))
    return Street(h1, h2, h3, h4, h5)


def test_it_orders_by_priority_and_walks_building_by_building(db: Session, world: World) -> None:
    s = street(db, world)
    items = worklist.worklist(db, scope_of(db, "grid1")).items
    # 3号楼 first (its 302 is the most pressing), both its households together, then 5号楼 and 6号楼.
    assert [(i.household_id, i.kind, i.slot) for i in items] == [
        (s.h3, "visit", "today"),
        (s.h1, "visit", "today"),
        (s.h2, "visit", "today"),
        (s.h4, "visit", "today"),
        (s.h5, "contact", "today"),
    ]
    by_id = {i.household_id: i for i in items}
    # Days past a month do not count: 100 days overdue weighs as 30.
    assert (by_id[s.h2].days_overdue, by_id[s.h2].priority) == (100, 31)
    assert (by_id[s.h3].priority, by_id[s.h1].priority, by_id[s.h4].priority) == (62, 12, 1)
    assert by_id[s.h1].due_date == days_ago(1) and by_id[s.h4].due_date == clock.today()
    assert by_id[s.h1].reason == "独居老人, 4 天未联系, 6 天未上门"
    assert by_id[s.h5].reason == "独居老人, 4 天未联系"
    assert by_id[s.h2].reason == "所有住户, 登记 100 天从未上门"


def test_it_keeps_the_capacity_for_today_and_the_rest_for_later(db: Session, world: World, runtime) -> None:
    s = street(db, world)
    runtime.settings.visits_per_day = 2
    items = worklist.worklist(db, scope_of(db, "grid1")).items
    assert [(i.household_id, i.slot) for i in items] == [
        (s.h3, "today"),
        (s.h2, "today"),
        (s.h5, "today"),
        (s.h1, "later"),
        (s.h4, "later"),
    ]
    again = worklist.worklist(db, scope_of(db, "grid1")).items
    assert [i.household_id for i in again] == [i.household_id for i in items]


def test_a_logged_visit_takes_the_household_off_the_list(db: Session, world: World) -> None:
    s = street(db, world)
    log(db, s.h2, "door", clock.today())
    ids = [i.household_id for i in worklist.worklist(db, scope_of(db, "grid1")).items]
    assert s.h2 not in ids and s.h3 in ids


def test_it_lists_what_will_be_due_on_a_later_day(db: Session, world: World) -> None:
    s = street(db, world)
    log(db, s.h5, "phone", clock.today())
    from datetime import timedelta

    ahead = worklist.worklist(db, scope_of(db, "grid1"), clock.today() + timedelta(days=3)).items
    assert any(i.household_id == s.h5 for i in ahead)
    assert all(i.household_id != s.h5 for i in worklist.worklist(db, scope_of(db, "grid1")).items)


def test_a_worker_never_sees_another_grids_households(client: TestClient, db: Session, world: World) -> None:
    login(client, "grid1")
    body = client.get("/api/v1/worklist", params={"date": clock.today().isoformat()}).json()
    ids = [i["household_id"] for i in body["items"]]
    assert world.household1 in ids and world.household2 not in ids and world.other_household not in ids
    line = next(i for i in body["items"] if i["household_id"] == world.household1)
    assert {"household_id", "kind", "due_date", "reason"} <= set(line)
    grid2 = db.scalar(select(User.id).where(User.username == "grid2"))
    assert client.get("/api/v1/worklist", params={"user_id": grid2}).status_code == 404
    assert client.get("/api/v1/worklist", params={"area_id": world.grid2.id}).status_code == 404


def test_a_supervisor_reads_any_workers_list_in_their_area(client: TestClient, db: Session, world: World) -> None:
    grid1 = db.scalar(select(User.id).where(User.username == "grid1"))
    login(client, "supervisor")
    body = client.get("/api/v1/worklist", params={"user_id": grid1}).json()
    assert body["worker"] == "grid1" and [i["household_id"] for i in body["items"]] == [world.household1]
    workers = client.get("/api/v1/worklist/workers").json()["workers"]
    assert {w["name"] for w in workers} == {"grid1", "grid2", "outsider"}
    # Grids of two communities: each named with its community (both have a 第一网格 in real life).
    assert {w["name"]: w["grids"][0]["name"] for w in workers} == {
        "grid1": "阳台山社区 · 第一网格",
        "grid2": "阳台山社区 · 第二网格",
        "outsider": "厦禾社区 · 厦禾第一网格",
    }
    client.cookies.clear()
    login(client, "outsider")
    assert client.get("/api/v1/worklist", params={"user_id": grid1}).status_code == 404


def test_it_warns_of_grids_nobody_owns(client: TestClient, db: Session, world: World) -> None:
    lonely = make_area(db, "grid", "350203002011003", "第三网格", world.community)
    household = make_household(db, lonely, "101", "9号楼")
    make_resident(db, household, name="吴敏", relation="02")
    login(client, "secretary")
    body = client.get("/api/v1/worklist").json()
    assert body["items"] == [] and [g["name"] for g in body["unowned_grids"]] == ["第三网格"]
    assert body["unowned_grids"][0]["due"] == 1
    area_list = client.get("/api/v1/worklist", params={"area_id": lonely.id}).json()
    assert [i["household_id"] for i in area_list["items"]] == [household]
    client.cookies.clear()
    login(client, "grid1")
    assert client.get("/api/v1/worklist").json()["unowned_grids"] == []


def test_it_never_names_a_sensitive_group_to_a_grid_worker(db: Session, world: World) -> None:
    household = make_household(db, world.grid1, "201", "8号楼")
    make_resident(db, household, name="钱某", relation="02", tags=["mental_disorder"])
    line = next(i for i in worklist.worklist(db, scope_of(db, "grid1")).items if i.household_id == household)
    assert "精神" not in line.reason and line.reason.startswith("重点关爱对象")
    admin = worklist.worklist(db, scope_of(db, "admin"), area_id=world.grid1.id).items
    assert next(i for i in admin if i.household_id == household).reason.startswith("严重精神障碍患者")
