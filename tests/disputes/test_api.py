"""Disputes through the API: shapes, codes, and who gets what."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from linli.lib import clock
from tests.conftest import login
from tests.disputes.helpers import OUTSIDER_NAME, OUTSIDER_PHONE, make_dispute, make_mediator
from tests.factories import World


def body(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "area_id": world.grid1.id,
        "kind": "tenancy",
        "summary": "押金退还争议",
        "found_on": (clock.today() - timedelta(days=5)).isoformat(),
        "parties": [
            {"resident_id": world.resident1.id, "role": "租客"},
            {"name": OUTSIDER_NAME, "phone": OUTSIDER_PHONE},
        ],
    }
    data.update(overrides)
    return data


def code(response: Any) -> str:
    return response.json()["error"]["code"]


def test_a_grid_worker_registers_a_dispute_and_sees_it_without_names(client: TestClient, world: World) -> None:
    login(client, "grid1")
    created = client.post("/api/v1/disputes", json=body(world))
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["state"] == "registered" and out["kind"] == "tenancy" and out["source"] == "report"
    assert out["names_shown"] is False and out["parties"] == [] and out["party_count"] == 2
    assert OUTSIDER_NAME not in created.text and world.resident1.name not in created.text
    listed = client.get("/api/v1/disputes", params={"state": "registered", "kind": "tenancy"})
    assert listed.status_code == 200
    page = listed.json()
    assert [d["id"] for d in page["items"]] == [out["id"]] and page["counts"]["registered"] == 1
    assert set(page) >= {"items", "total", "page", "page_size", "counts"}
    assert client.get(f"/api/v1/disputes/{out['id']}/parties").status_code == 403
    assert code(client.get(f"/api/v1/disputes/{out['id']}/parties")) == "dispute.names_hidden"


def test_the_secretary_runs_a_dispute_to_closed(client: TestClient, db: Session, world: World) -> None:
    mediator = make_mediator(db, world)
    login(client, "secretary")
    dispute_id = client.post("/api/v1/disputes", json=body(world)).json()["id"]
    parties = client.get(f"/api/v1/disputes/{dispute_id}/parties").json()
    assert {p["name"] for p in parties} == {world.resident1.name, OUTSIDER_NAME}
    assert {p["phone"] for p in parties} == {"*******5678", "*******1111"}
    named = client.put(f"/api/v1/disputes/{dispute_id}/mediators", json={"user_ids": [mediator]})
    assert named.status_code == 200 and [m["name"] for m in named.json()["mediators"]] == ["调解员"]
    refused = client.post(f"/api/v1/disputes/{dispute_id}/close", json={})
    assert refused.status_code == 409 and code(refused) == "dispute.no_outcome"
    session = {"held_on": (clock.today() - timedelta(days=1)).isoformat(), "place": "调解室", "notes": "退一半押金"}
    assert client.post(f"/api/v1/disputes/{dispute_id}/mediations", json=session).status_code == 201
    assert len(client.get(f"/api/v1/disputes/{dispute_id}/mediations").json()) == 1
    outcome = client.post(f"/api/v1/disputes/{dispute_id}/outcome", json={"outcome": "agreed", "agreement": "退还一半"})
    assert outcome.status_code == 200 and outcome.json()["state"] == "agreed"
    follow = client.post(
        f"/api/v1/disputes/{dispute_id}/follow-up", json={"visited_on": clock.today().isoformat(), "note": "已退还"}
    )
    assert follow.status_code == 200 and follow.json()["follow_up_note"] == "已退还"
    closed = client.post(f"/api/v1/disputes/{dispute_id}/close", json={"version": follow.json()["version"]})
    assert closed.status_code == 200 and closed.json()["state"] == "closed"


def test_a_party_is_added_and_removed_by_a_mediator(client: TestClient, db: Session, world: World) -> None:
    made = make_dispute(db, world)
    login(client, "mediator")
    added = client.post(f"/api/v1/disputes/{made.id}/parties", json={"name": "钱多多", "phone": "0592-7654321"})
    assert added.status_code == 201 and added.json()["phone"].endswith("4321") and "765" not in added.json()["phone"]
    assert client.delete(f"/api/v1/disputes/{made.id}/parties/{added.json()['id']}").status_code == 204
    bad = client.post(f"/api/v1/disputes/{made.id}/parties", json={"name": "钱多多", "phone": "123"})
    assert bad.status_code == 422 and code(bad) == "dispute.party_phone"


def test_bad_input_is_a_4xx_never_a_500(client: TestClient, world: World) -> None:
    login(client, "grid1")
    assert client.post("/api/v1/disputes", json=body(world, kind="war")).status_code == 422
    assert client.post("/api/v1/disputes", json=body(world, parties=[{}])).status_code == 422
    assert client.post("/api/v1/disputes", json=body(world, area_id=world.other_grid.id)).status_code == 404
    assert client.get("/api/v1/disputes", params={"state": "lost"}).status_code == 422
    assert client.get("/api/v1/disputes/999999").status_code == 404


def test_a_supervisor_gets_counts_and_nothing_else(client: TestClient, db: Session, world: World) -> None:
    made = make_dispute(db, world)
    login(client, "supervisor")
    assert client.get(f"/api/v1/disputes/{made.id}").status_code == 404
    assert client.get("/api/v1/disputes").status_code == 403
    counts = client.get("/api/v1/disputes/counts", params={"area_id": world.community.id})
    assert counts.status_code == 200 and counts.json()["registered"] == 1 and counts.json()["open"] == 1


def test_an_outsider_gets_404_on_every_dispute_route(client: TestClient, db: Session, world: World) -> None:
    made = make_dispute(db, world)
    login(client, "outsider")
    for method, path in (
        ("GET", f"/api/v1/disputes/{made.id}"),
        ("GET", f"/api/v1/disputes/{made.id}/parties"),
        ("GET", f"/api/v1/disputes/{made.id}/mediations"),
        ("POST", f"/api/v1/disputes/{made.id}/close"),
        ("GET", f"/disputes/{made.id}"),
        ("GET", f"/notice/{world.grid1.id}"),
    ):
        response = client.request(method, path)
        assert response.status_code == 404, (method, path)
        assert OUTSIDER_NAME not in response.text
    assert client.get("/api/v1/disputes").json()["items"] == []
