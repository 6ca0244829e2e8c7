"""Grid logs through the API: writing, needs and skills, the correction window, notes, alerts, audit."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.audit.models import AuditEvent
from linli.lib import clock
from linli.registry.models import Resident
from linli.visits.models import VisitAlert
from tests.conftest import login
from tests.factories import World
from tests.visits.helpers import at, days_ago, registered, written_ago


def door_visit(world: World, **extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "household_id": world.household1,
        "channel": "door",
        "started_at": at(clock.today(), 9).isoformat(),
        "duration_minutes": 30,
        "narrative": "老人腿脚不便，想请人帮忙买菜。",
        "problem": "买菜不便",
        "action": "联系百事帮",
        "result": "明日有志愿者上门",
    }
    body.update(extra)
    return body


def test_it_writes_a_log_with_a_need_and_a_skill(client: TestClient, db: Session, world: World) -> None:
    login(client, "grid1")
    body = door_visit(
        world,
        needs=[{"category": "生活照料", "description": "每周买两次菜", "resident_id": world.resident1.id}],
        skills=[{"resident_id": world.resident1.id, "skills": "书法、象棋", "willing_to_help": True}],
        story="年轻时是纺织厂的劳模。",
    )
    response = client.post("/api/v1/grid-logs", json=body)
    assert response.status_code == 201, response.text
    log = response.json()
    assert log["channel"] == "door" and log["author"] == "grid1" and log["items"][0]["status"] == "open"
    assert log["skills"][0]["resident_name"] == "曾伟"
    resident = client.get(f"/api/v1/residents/{world.resident1.id}").json()
    assert resident["skills"] == "书法、象棋" and resident["willing_to_help"] is True
    timeline = client.get(f"/api/v1/households/{world.household1}/grid-logs").json()
    assert [i["description"] for i in timeline["open_items"]] == ["每周买两次菜"]
    assert timeline["rhythm"]["last_visit_at"] is not None and timeline["rhythm"]["reason"] == "独居老人"
    actions = set(db.scalars(select(AuditEvent.action).where(AuditEvent.username == "grid1")))
    assert {"grid_log.create", "resident.update"} <= actions


def test_a_later_log_closes_an_open_item(client: TestClient, world: World) -> None:
    login(client, "grid1")
    first = client.post(
        "/api/v1/grid-logs", json=door_visit(world, needs=[{"category": "维修", "description": "水管漏水"}])
    )
    item = first.json()["items"][0]["id"]
    second = client.post(
        "/api/v1/grid-logs", json={"household_id": world.household1, "channel": "phone", "close_item_ids": [item]}
    )
    assert second.status_code == 201 and second.json()["closed_items"][0]["id"] == item
    assert client.get(f"/api/v1/households/{world.household1}/grid-logs").json()["open_items"] == []
    again = client.post(
        "/api/v1/grid-logs", json={"household_id": world.household1, "channel": "phone", "close_item_ids": [item]}
    )
    assert again.status_code == 422 and again.json()["error"]["code"] == "visits.item_not_open"


def test_it_adds_skills_without_losing_the_old_ones(client: TestClient, db: Session, world: World) -> None:
    login(client, "grid1")
    for skills in ("电工", "电工，烹饪"):
        body = door_visit(world, skills=[{"resident_id": world.resident1.id, "skills": skills}])
        assert client.post("/api/v1/grid-logs", json=body).status_code == 201
    db.rollback()
    assert db.get(Resident, world.resident1.id).skills == "电工、烹饪"  # type: ignore[union-attr]


def test_it_refuses_what_does_not_hold(client: TestClient, world: World) -> None:
    login(client, "grid1")
    future = at(clock.today() + timedelta(days=1)).isoformat()
    response = client.post("/api/v1/grid-logs", json=door_visit(world, started_at=future))
    assert response.status_code == 422 and response.json()["error"]["code"] == "visits.log_in_future"
    stranger = door_visit(world, skills=[{"resident_id": world.resident2.id, "skills": "木工"}])
    assert client.post("/api/v1/grid-logs", json=stranger).json()["error"]["code"] == "visits.not_a_member"
    assert client.post("/api/v1/grid-logs", json=door_visit(world, channel="pigeon")).status_code == 422
    other = door_visit(world, household_id=world.household2)
    assert client.post("/api/v1/grid-logs", json=other).status_code == 404


def test_the_author_corrects_within_24_hours_and_then_only_notes(client: TestClient, db: Session, world: World) -> None:
    login(client, "grid1")
    log = client.post("/api/v1/grid-logs", json=door_visit(world)).json()
    fixed = client.patch(f"/api/v1/grid-logs/{log['id']}", json={"version": 1, "duration_minutes": 45})
    assert fixed.status_code == 200 and fixed.json()["duration_minutes"] == 45 and fixed.json()["version"] == 2
    stale = client.patch(f"/api/v1/grid-logs/{log['id']}", json={"version": 1, "narrative": "x"})
    assert stale.status_code == 409
    written_ago(db, log["id"], 25)
    late = client.patch(f"/api/v1/grid-logs/{log['id']}", json={"version": 2, "narrative": "补充"})
    assert late.status_code == 409 and late.json()["error"]["code"] == "visits.log_locked"
    noted = client.post(f"/api/v1/grid-logs/{log['id']}/notes", json={"text": "次日回访：已买好菜。"})
    assert noted.status_code == 201 and noted.json()["notes"][0]["text"] == "次日回访：已买好菜。"
    changes = db.scalars(select(AuditEvent.changes).where(AuditEvent.action == "grid_log.correct")).all()
    assert changes == [{"duration_minutes": [30, 45]}]


def test_only_the_author_corrects_a_log(client: TestClient, world: World) -> None:
    login(client, "grid1")
    log = client.post("/api/v1/grid-logs", json=door_visit(world)).json()
    client.cookies.clear()
    login(client, "secretary")
    response = client.patch(f"/api/v1/grid-logs/{log['id']}", json={"version": 1, "narrative": "改"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "visits.log_not_author"
    client.cookies.clear()
    login(client, "grid2")
    assert client.get(f"/api/v1/grid-logs/{log['id']}").status_code == 404


def test_an_urgent_log_raises_an_alert_at_once(client: TestClient, db: Session, world: World) -> None:
    login(client, "grid1")
    log = client.post("/api/v1/grid-logs", json=door_visit(world, urgency="急", problem="家中燃气味很重")).json()
    assert log["urgency"] == "urgent"
    client.cookies.clear()
    login(client, "secretary")
    alerts = client.get("/api/v1/visit-alerts").json()
    assert [(a["kind"], a["log_id"]) for a in alerts] == [("urgent_log", log["id"])]
    assert alerts[0]["detail"].startswith("急") and alerts[0]["grid"] == "第一网格"
    client.cookies.clear()
    login(client, "supervisor")  # a street's alerts come from several communities
    assert [a["grid"] for a in client.get("/api/v1/visit-alerts").json()] == ["阳台山社区 · 第一网格"]
    client.cookies.clear()
    login(client, "secretary")
    resolved = client.post(f"/api/v1/visit-alerts/{alerts[0]['id']}/resolve", json={"resolution": "燃气公司已上门"})
    assert resolved.status_code == 200 and resolved.json()["resolved_at"] is not None
    assert client.get("/api/v1/visit-alerts").json() == []
    client.cookies.clear()
    login(client, "outsider")
    assert client.post(f"/api/v1/visit-alerts/{alerts[0]['id']}/resolve", json={"resolution": "x"}).status_code == 404


def test_close_care_overdue_past_the_grace_alerts_until_contacted(
    client: TestClient, db: Session, world: World
) -> None:
    registered(db, world.household1, days_ago(10))
    login(client, "grid1")
    client.post("/api/v1/grid-logs", json=door_visit(world, started_at=at(days_ago(6)).isoformat()))
    alerts = client.get("/api/v1/visit-alerts").json()
    assert [(a["kind"], a["household_id"]) for a in alerts] == [("overdue_close_care", world.household1)]
    client.post("/api/v1/grid-logs", json=door_visit(world, channel="phone"))
    assert client.get("/api/v1/visit-alerts").json() == []
    resolved = client.get("/api/v1/visit-alerts", params={"resolved": True}).json()
    assert resolved[0]["resolution"].startswith("contacted")


def test_close_care_within_the_grace_raises_no_alert(client: TestClient, db: Session, world: World) -> None:
    registered(db, world.household1, days_ago(10))
    login(client, "grid1")
    # Contact was due yesterday; one day of grace.
    client.post("/api/v1/grid-logs", json=door_visit(world, started_at=at(days_ago(4)).isoformat()))
    assert client.get("/api/v1/visit-alerts").json() == []
    assert db.scalars(select(VisitAlert)).all() == []
