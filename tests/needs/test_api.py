"""The fixed points through HTTP: create, move (a refused move lists the allowed ones), filter, conflict."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.needs.models import WorkOrder
from tests.conftest import login
from tests.needs.conftest import NeedsWorld, dispatched, new_order

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_it_creates_an_order_and_moves_it_through_the_api(client: TestClient, nw: NeedsWorld) -> None:
    login(client, "grid1")
    created = client.post(
        "/api/v1/needs",
        json={"category": "维修服务", "description": "楼道灯坏了", "household_id": nw.world.household1},
    )
    assert created.status_code == 201, created.text
    need = created.json()
    assert need["state"] == "received" and need["category"] == "维修服务" and need["source"] == "staff"
    assert need["allowed"] == ["register", "dismiss"]
    moved = client.post(
        f"/api/v1/needs/{need['id']}/transitions", json={"action": "register", "version": need["version"]}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["state"] == "registered"
    assert [e["action"] for e in moved.json()["events"]] == ["receive", "register"]


def test_it_answers_a_refused_move_with_409_and_the_allowed_actions(
    client: TestClient, nw: NeedsWorld, db: Session
) -> None:
    order = new_order(db, nw)
    login(client, "secretary")
    response = client.post(f"/api/v1/needs/{order.id}/transitions", json={"action": "close"})
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "need.move_refused" and error["allowed"] == ["register", "dismiss"]
    assert "received" in error["message"] or "受理" in error["message"]
    login(client, "volunteer")
    assert client.post(f"/api/v1/needs/{order.id}/transitions", json={"action": "register"}).status_code == 404
    login(client, "supervisor")
    refused = client.post(f"/api/v1/needs/{order.id}/transitions", json={"action": "register"})
    assert refused.status_code == 403 and refused.json()["error"]["allowed"] == []
    assert client.post(f"/api/v1/needs/{order.id}/transitions", json={"action": "fly"}).status_code == 422


def test_it_filters_by_state_and_overdue(client: TestClient, nw: NeedsWorld, db: Session) -> None:
    late = dispatched(db, nw)
    dispatched(db, nw, category_id=nw.meals)
    new_order(db, nw, description="另一件事")
    with transaction(db):
        order = db.get(WorkOrder, late.id)
        assert order is not None
        order.overdue, order.due_at = True, utcnow() - timedelta(hours=1)
    login(client, "secretary")
    body = client.get("/api/v1/needs", params={"state": "dispatched", "overdue": "true"}).json()
    assert [n["id"] for n in body["items"]] == [late.id] and body["total"] == 1
    assert client.get("/api/v1/needs", params={"state": "dispatched"}).json()["total"] == 2
    assert client.get("/api/v1/needs", params={"state": "open"}).json()["total"] == 3
    assert client.get("/api/v1/needs", params={"state": "received,dispatched", "sort": "due"}).json()["total"] == 3
    login(client, "outsider")
    assert client.get("/api/v1/needs").json()["total"] == 0
    assert client.get("/api/v1/needs", params={"area_id": nw.world.grid1.id}).status_code == 404


def test_it_refuses_the_second_of_two_changes_made_on_the_same_version(
    client: TestClient, nw: NeedsWorld, db: Session
) -> None:
    order = new_order(db, nw)
    login(client, "grid1")
    version = client.get(f"/api/v1/needs/{order.id}").json()["version"]
    first = client.post(f"/api/v1/needs/{order.id}/transitions", json={"action": "register", "version": version})
    assert first.status_code == 200
    second = client.post(
        f"/api/v1/needs/{order.id}/transitions", json={"action": "dismiss", "reason": "重复", "version": version}
    )
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "need.stale" and second.json()["error"]["field"] == "version"
    assert client.get(f"/api/v1/needs/{order.id}").json()["state"] == "registered"


def test_the_order_page_keeps_the_photo_sent_with_a_progress_note(
    client: TestClient,
    nw: NeedsWorld,
    db: Session,
    tmp_path,
    app,
) -> None:
    """The page's form gives Starlette's UploadFile (not FastAPI's subclass): the photo must not be dropped."""
    app.state.runtime.settings.upload_dir = tmp_path
    order = dispatched(db, nw)
    login(client, "volunteer")
    client.post(f"/api/v1/needs/{order.id}/transitions", json={"action": "accept"})
    version = client.get(f"/api/v1/needs/{order.id}").json()["version"]
    sent = client.post(
        f"/needs/{order.id}/progress",
        data={"note": "已上门，拍了照片", "version": str(version)},
        files={"photo": ("p.png", PNG, "image/png")},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    photo = client.get(f"/api/v1/needs/{order.id}").json()["events"][-1]["photo"]
    assert photo and photo.startswith(f"needs/{order.id}/") and photo.endswith(".png")


def test_it_keeps_a_photo_with_a_progress_note_and_refuses_other_files(
    client: TestClient,
    nw: NeedsWorld,
    db: Session,
    tmp_path,
    app,
) -> None:
    app.state.runtime.settings.upload_dir = tmp_path
    order = dispatched(db, nw)
    login(client, "volunteer")
    client.post(f"/api/v1/needs/{order.id}/transitions", json={"action": "accept"})
    sent = client.post(
        f"/api/v1/needs/{order.id}/progress", data={"note": "已上门"}, files={"photo": ("p.png", PNG, "image/png")}
    )
    assert sent.status_code == 200, sent.text
    photo = sent.json()["events"][-1]["photo"]
    assert photo.startswith(f"needs/{order.id}/") and photo.endswith(".png")
    name = photo.rsplit("/", 1)[1]
    shown = client.get(f"/api/v1/needs/{order.id}/photos/{name}")
    assert shown.status_code == 200 and shown.content == PNG and shown.headers["content-type"] == "image/png"
    refused = client.post(
        f"/api/v1/needs/{order.id}/progress", data={"note": "x"}, files={"photo": ("a.png", b"<svg/>", "image/png")}
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "need.photo_type"
    assert len(list((tmp_path / "needs" / str(order.id)).iterdir())) == 1
    login(client, "outsider")
    assert client.get(f"/api/v1/needs/{order.id}/photos/{name}").status_code == 404
    login(client, "volunteer2")
    denied = client.post(
        f"/api/v1/needs/{order.id}/progress", data={"note": "x"}, files={"photo": ("p.png", PNG, "image/png")}
    )
    assert denied.status_code == 404
    assert len(list((tmp_path / "needs" / str(order.id)).iterdir())) == 1


def test_it_shows_my_orders_to_the_assignee_and_their_team(client: TestClient, nw: NeedsWorld, db: Session) -> None:
    mine = dispatched(db, nw)
    login(client, "secretary")
    team = client.post(
        "/api/v1/teams", json={"area_id": nw.world.community.id, "name": "百事帮服务队", "member_ids": [nw.volunteer2]}
    )
    assert team.status_code == 201, team.text
    other = new_order(db, nw, category_id=nw.meals)
    client.post(f"/api/v1/needs/{other.id}/transitions", json={"action": "register"})
    teamed = client.post(
        f"/api/v1/needs/{other.id}/transitions", json={"action": "dispatch", "team_id": team.json()["id"]}
    )
    assert teamed.status_code == 200, teamed.text
    login(client, "volunteer")
    assert [n["id"] for n in client.get("/api/v1/needs/mine").json()] == [mine.id]
    login(client, "volunteer2")
    assert [n["id"] for n in client.get("/api/v1/needs/mine").json()] == [other.id]
    assert client.get("/api/v1/needs/mine").json()[0]["allowed"] == ["accept", "return"]
    assert client.get(f"/api/v1/needs/{mine.id}").status_code == 404
    unread = client.get("/api/v1/notifications", params={"unread": "true"}).json()
    assert len(unread) == 1 and unread[0]["link"] == f"/needs/{other.id}" and unread[0]["kind"] == "assigned"
    assert unread[0]["text"] == f"新工单派给您：{other.title}"
    english = client.get("/api/v1/notifications", headers={"Accept-Language": "en"}).json()
    assert english[0]["text"] == f"New order for you: {other.title}"
    page = client.get("/notifications", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and f"New order for you: {other.title}" in page.text and "Unread" in page.text
    assert client.post(f"/api/v1/notifications/{unread[0]['id']}/read").json() == {"marked": 1}
    login(client, "volunteer")
    assert client.post(f"/api/v1/notifications/{unread[0]['id']}/read").status_code == 404


def test_a_street_list_names_each_orders_grid_with_its_community(
    client: TestClient, nw: NeedsWorld, db: Session
) -> None:
    new_order(db, nw)
    new_order(db, nw, "outsider", household_id=nw.world.other_household, description="楼道灯坏了")
    login(client, "supervisor")
    areas = {n["area"] for n in client.get("/api/v1/needs").json()["items"]}
    assert areas == {"阳台山社区 · 第一网格", "厦禾社区 · 厦禾第一网格"}
    client.cookies.clear()
    login(client, "secretary")
    assert [n["area"] for n in client.get("/api/v1/needs").json()["items"]] == ["第一网格"]
