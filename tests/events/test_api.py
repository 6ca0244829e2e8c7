"""Grid events through the API: the report (multipart), its shape, the list's filters, the check, 越级."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import login
from tests.events.helpers import PNG, category_id, report
from tests.events.test_services import late
from tests.factories import World, building_of


def form(db: Session, world: World, **more: object) -> dict[str, object]:
    return {
        "category_id": category_id(db),
        "description": "消防通道被杂物堵塞",
        "building_id": building_of(db, world.household1),
        **more,
    }


def test_it_reports_an_event_handled_on_the_spot_as_closed(client: TestClient, db: Session, world: World) -> None:
    login(client, "grid1")
    sent = client.post(
        "/api/v1/events",
        data=form(db, world, on_spot="true", action_taken="已移走杂物"),
        files=[("photos", ("a.png", PNG, "image/png")), ("photos", ("b.png", PNG, "image/png"))],
    )
    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert body["state"] == "closed" and body["handling"] == "on_spot" and body["order_id"] is None
    assert len(body["photos"]) == 2 and body["action_taken"] == "已移走杂物"
    photo = client.get(f"/api/v1/events/{body['id']}/photos/{body['photos'][0]}")
    assert photo.status_code == 200 and photo.content == PNG
    listed = client.get("/api/v1/events", params={"state": "closed"}).json()
    assert [e["id"] for e in listed["items"]] == [body["id"]] and listed["total"] == 1


def test_a_reported_event_is_filed_with_its_stage_and_colour(client: TestClient, db: Session, world: World) -> None:
    login(client, "grid1")
    sent = client.post("/api/v1/events", data=form(db, world), files={"photos": ("a.png", PNG, "image/png")})
    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert body["state"] == "register" and body["colour"] == "green" and body["order_id"]
    got = client.get(f"/api/v1/events/{body['id']}").json()
    assert got["order_state"] == "received" and [t["action"] for t in got["timeline"]] == ["receive"]
    assert client.get("/api/v1/events", params={"colour": "red"}).json()["total"] == 0
    assert client.get("/api/v1/events", params={"colour": "green", "state": "register"}).json()["total"] == 1


def test_it_refuses_a_report_without_photo_or_with_a_bad_file(client: TestClient, db: Session, world: World) -> None:
    login(client, "grid1")
    bad = client.post("/api/v1/events", data=form(db, world), files={"photos": ("a.txt", b"hello", "text/plain")})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "event.photo_type"
    none = client.post("/api/v1/events", data=form(db, world))
    assert none.status_code == 422
    assert client.get("/api/v1/events").json()["total"] == 0


def test_an_outsider_gets_404_for_grid_one_events(client: TestClient, db: Session, world: World) -> None:
    event = report(db, world)
    login(client, "outsider")
    assert client.get(f"/api/v1/events/{event.id}").status_code == 404
    assert client.post(f"/api/v1/events/{event.id}/seen", json={}).status_code == 404
    assert client.post(f"/api/v1/events/{event.id}/verification", json={"passed": True}).status_code == 404
    assert client.get("/api/v1/events").json()["total"] == 0
    sent = client.post("/api/v1/events", data=form(db, world), files={"photos": ("a.png", PNG, "image/png")})
    assert sent.status_code == 404


def test_duplicates_and_escalation_through_the_api(client: TestClient, db: Session, world: World) -> None:
    event = report(db, world)
    login(client, "grid1")
    found = client.post(
        "/api/v1/events/duplicates",
        json={"category_id": category_id(db), "building_id": building_of(db, world.household1)},
    )
    assert found.status_code == 200 and [d["id"] for d in found.json()] == [event.id]
    late(db, event.id)
    login(client, "secretary")
    assert client.get("/api/v1/events/supervision").json()["items"][0]["colour"] == "red"
    raised = client.post(f"/api/v1/events/{event.id}/escalation", json={"to": "district", "reason": "逾期未处置"})
    assert raised.status_code == 200 and raised.json()["skipped_level"] == "street"
    again = client.post(f"/api/v1/events/{event.id}/escalation", json={"to": "street", "reason": "x"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "event.already_escalated"
