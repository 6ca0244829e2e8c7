"""Every source of an order: staff, hotline, a resident's account, a phone page without one, a visit's open item."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from linli.errors import Conflict, Forbidden, Invalid, NotFound
from linli.needs import intake, queries
from linli.needs.schemas import NeedIn
from linli.visits.logs import create_log
from linli.visits.schemas import GridLogIn
from linli.visits.schemas import NeedIn as VisitNeed
from tests.conftest import login
from tests.factories import scope_of
from tests.needs.conftest import NeedsWorld, closed, move, new_order


def test_it_files_a_hotline_order_once_per_hotline_number(db: Session, nw: NeedsWorld) -> None:
    order = new_order(db, nw, source="hotline", hotline_number="12345-20260301-0007", requester_phone="13912345678")
    assert order.source == "hotline" and order.hotline_number == "12345-20260301-0007"
    with pytest.raises(Conflict) as twice:
        new_order(db, nw, source="hotline", hotline_number="12345-20260301-0007")
    assert twice.value.code == "need.hotline_exists"
    with pytest.raises(Invalid):
        new_order(db, nw, source="hotline")
    shown = queries.get_need(db, scope_of(db, "grid1"), order.id)
    assert (
        shown.requester_phone is not None
        and shown.requester_phone.endswith("5678")
        and "1234" not in shown.requester_phone
    )


def test_it_flags_the_same_household_asking_for_the_same_help_within_a_week(db: Session, nw: NeedsWorld) -> None:
    first = new_order(db, nw)
    second = new_order(db, nw, description="还是漏水")
    other_kind = new_order(db, nw, category_id=nw.meals)
    other_home = new_order(db, nw, household_id=nw.world.household2, username="grid2")
    assert first.duplicate_of_id is None and second.duplicate_of_id == first.id
    assert other_kind.duplicate_of_id is None and other_home.duplicate_of_id is None
    page = queries.list_needs(db, scope_of(db, "secretary"), queries.NeedFilter(duplicates=True))
    assert [n.id for n in page.items] == [second.id]


def test_it_files_a_residents_own_request_at_their_home(db: Session, nw: NeedsWorld) -> None:
    order = intake.create_order(
        db,
        scope_of(db, "resident"),
        NeedIn(category="助餐助浴", description="想预约助浴", area_id=nw.world.other_grid.id),
    )
    assert order.source == "resident" and order.area_id == nw.world.grid1.id
    assert order.household_id == nw.world.household1 and order.requester_user_id == nw.resident
    mine = queries.my_requests(db, scope_of(db, "resident"))
    assert [n.id for n in mine] == [order.id]


def test_it_refuses_staff_entry_outside_the_workers_area_and_a_volunteers_entry(db: Session, nw: NeedsWorld) -> None:
    with pytest.raises(NotFound):
        new_order(db, nw, username="outsider")
    with pytest.raises(Forbidden):
        new_order(db, nw, username="volunteer")
    with pytest.raises(Invalid) as retired:
        new_order(db, nw, category_id=None, category="不存在的类别")
    assert retired.value.code == "need.unknown_category"


def test_it_makes_an_order_of_a_visits_open_item_and_links_both_ways(
    client: TestClient, db: Session, nw: NeedsWorld
) -> None:
    log = create_log(
        db,
        scope_of(db, "grid1"),
        GridLogIn(
            household_id=nw.world.household1,
            channel="door",
            urgency="urgent",
            needs=[VisitNeed(category="维修服务", description="门锁坏了，进不了门")],
        ),
    )
    item = log.items[0]
    order = intake.order_from_log_item(db, scope_of(db, "grid1"), item.id)
    assert order.grid_log_item_id == item.id and order.source == "visit" and order.household_id == nw.world.household1
    with pytest.raises(Conflict):
        intake.order_from_log_item(db, scope_of(db, "grid1"), item.id)
    with pytest.raises(NotFound):
        intake.order_from_log_item(db, scope_of(db, "outsider"), item.id)
    login(client, "secretary")
    back = client.get(f"/api/v1/needs/by-log-item/{item.id}").json()
    assert back["id"] == order.id and back["urgency"] == "urgent"
    assert client.get("/api/v1/needs", params={"grid_log_item_id": item.id}).json()["total"] == 1


def test_it_takes_a_request_without_an_account_and_follows_it_by_tracking_code(
    client: TestClient, db: Session, nw: NeedsWorld
) -> None:
    form = client.get("/api/v1/public/needs/form").json()
    assert {"阳台山社区", "厦禾社区"} <= {c["name"] for c in form["communities"]}
    assert len(form["categories"]) == 12
    sent = client.post(
        "/api/v1/public/needs",
        json={
            "community_id": nw.world.community.id,
            "category_id": nw.repairs,
            "description": "家里停电了",
            "phone": "13912345678",
        },
    )
    assert sent.status_code == 201, sent.text
    code = sent.json()["tracking_code"]
    assert len(code) == 10
    # The phone is 曾伟's: the request lands at her home in grid 1, where grid 1's worker sees it.
    login(client, "grid1")
    assert client.get(f"/api/v1/needs/{sent.json()['id']}").json()["household_id"] == nw.world.household1
    client.cookies.clear()
    tracked = client.get(f"/api/v1/public/needs/{code.lower()}")
    assert tracked.status_code == 200 and tracked.json()["state"] == "received" and not tracked.json()["can_rate"]
    assert "13912345678" not in tracked.text and "曾伟" not in tracked.text
    assert client.get("/api/v1/public/needs/NOSUCHCODE").status_code == 404
    early = client.post(f"/api/v1/public/needs/{code}/rating", json={"rating": "satisfied"})
    assert early.status_code == 409 and early.json()["error"]["allowed"] == []


def test_it_reopens_an_order_rated_dissatisfied_by_the_tracking_code(
    client: TestClient, db: Session, nw: NeedsWorld
) -> None:
    sent = client.post(
        "/api/v1/public/needs",
        json={
            "community_id": nw.world.community.id,
            "category_id": nw.repairs,
            "description": "路灯不亮",
            "phone": "13800000001",
        },
    ).json()
    order_id = sent["id"]
    assert client.get(f"/api/v1/public/needs/{sent['tracking_code']}").json()["state"] == "received"
    move(db, "secretary", order_id, "register", area_id=nw.world.grid1.id)
    move(db, "staff", order_id, "dispatch", assignee_user_id=nw.volunteer)
    move(db, "volunteer", order_id, "accept")
    move(db, "volunteer", order_id, "report_done")
    move(db, "staff", order_id, "check")
    move(db, "staff", order_id, "close")
    assert client.get(f"/api/v1/public/needs/{sent['tracking_code']}").json()["can_rate"]
    rated = client.post(
        f"/api/v1/public/needs/{sent['tracking_code']}/rating", json={"rating": "dissatisfied", "comment": "还是不亮"}
    )
    assert rated.status_code == 200, rated.text
    assert rated.json()["state"] == "rework" and [e["action"] for e in rated.json()["events"]][-2:] == [
        "rate",
        "reopen",
    ]


def test_it_reopens_on_dissatisfaction_caused_by_the_handling_only(db: Session, nw: NeedsWorld) -> None:
    order = closed(db, nw)
    after = move(db, "resident", order.id, "rate", rating="dissatisfied", comment="还在漏", caused_by_handling=True)
    assert after.state == "rework" and after.rework_count == 1 and after.rating == "dissatisfied"
    assert after.closed_at is None and after.due_at is not None
    other = closed(db, nw, category_id=nw.meals)
    kept = move(db, "grid1", other.id, "rate", rating="dissatisfied", comment="希望多来几次", caused_by_handling=False)
    assert kept.state == "rated" and kept.rework_count == 0


def test_it_limits_how_often_one_address_sends_requests(client: TestClient, nw: NeedsWorld) -> None:
    body = {
        "community_id": nw.world.community.id,
        "category_id": nw.repairs,
        "description": "测试限流",
        "phone": "13800000002",
    }
    statuses = [client.post("/api/v1/public/needs", json=body).status_code for _ in range(6)]
    assert statuses == [201] * 5 + [429]
