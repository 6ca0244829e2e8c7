"""The selection through the API: fixed points, codes on every refusal, no counts before publication, no leaks."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.civic.honours.helpers import move_to, resident_account, selection_in
from tests.conftest import login
from tests.factories import World


def code(response: Any) -> str:
    return response.json()["error"]["code"]


COUNTS = ('"votes"', '"rank"', '"winner"', '"voters"', '"turnout"', '"count"')


def test_a_selection_runs_from_nomination_to_published_results(client: TestClient, db: Session, world: World) -> None:
    resident_account(db, world, "jumin", world.household1)
    resident_account(db, world, "linju", world.household2)
    login(client, "secretary")
    created = client.post("/api/v1/selections", json=selection_in(world).model_dump(mode="json", exclude_none=True))
    assert created.status_code == 201, created.text
    made = created.json()
    assert made["state"] == "nominating" and len(made["categories"]) == 5
    selection_id = made["id"]

    login(client, "jumin")
    listed = client.get("/api/v1/selections", params={"area_id": world.grid1.id}).json()
    assert [(s["id"], s["state"]) for s in listed["items"]] == [(selection_id, "nominating")]
    nominated = client.post(
        f"/api/v1/selections/{selection_id}/nominations",
        json={
            "category": "neighbour",
            "display_name": "陈阿姨",
            "place": "图强小区5号楼",
            "reason": "天天帮邻居取快递",
        },
    )
    assert nominated.status_code == 201, nominated.text
    twin = client.post(
        f"/api/v1/selections/{selection_id}/nominations",
        json={"category": "neighbour", "display_name": "陈阿姨", "place": "图强小区5号楼", "reason": "又提一次"},
    )
    assert twin.status_code == 409 and code(twin) == "selection.nominee_taken"
    nominee = nominated.json()["id"]
    assert nominated.json()["check_note"] is None
    early = client.post(
        f"/api/v1/selections/{selection_id}/votes", json={"category": "neighbour", "nominee_id": nominee}
    )
    assert early.status_code == 409 and code(early) == "selection.not_voting"

    login(client, "secretary")
    checked = client.post(f"/api/v1/nominations/{nominee}/check", json={"state": "eligible"})
    assert checked.status_code == 200 and checked.json()["state"] == "eligible"
    move_to(db, selection_id, "voting")

    login(client, "jumin")
    cast = client.post(
        f"/api/v1/selections/{selection_id}/votes", json={"category": "neighbour", "nominee_id": nominee}
    )
    assert cast.status_code == 201, cast.text
    again = client.post(
        f"/api/v1/selections/{selection_id}/votes", json={"category": "neighbour", "nominee_id": nominee}
    )
    assert again.status_code == 409 and code(again) == "selection.voted"
    seen = client.get(f"/api/v1/selections/{selection_id}")
    neighbours = next(c for c in seen.json()["categories"] if c["code"] == "neighbour")
    assert neighbours["my_vote"] == nominee and neighbours["my_channel"] == "online"
    hidden = client.get(f"/api/v1/selections/{selection_id}/results")
    assert hidden.status_code == 409 and code(hidden) == "selection.not_published"

    login(client, "grid2")
    paper = client.post(
        f"/api/v1/selections/{selection_id}/paper-votes",
        json={"category": "neighbour", "nominee_id": nominee, "household_id": world.household2},
    )
    assert paper.status_code == 201, paper.text
    found = client.get(f"/api/v1/selections/{selection_id}/voters", params={"q": "李娜"}).json()
    assert [(v["household_id"], v["voted"]) for v in found] == [(world.household2, ["neighbour"])]
    login(client, "linju")
    refused = client.post(
        f"/api/v1/selections/{selection_id}/votes", json={"category": "neighbour", "nominee_id": nominee}
    )
    assert refused.status_code == 409 and code(refused) == "selection.voted"

    # While voting is open (and through the recount) no response carries a count, staff's included.
    for username in ("jumin", "secretary", "supervisor"):
        login(client, username)
        for path in ("/api/v1/selections", f"/api/v1/selections/{selection_id}", f"/api/v1/nominations/{nominee}"):
            text = client.get(path).text
            assert not any(word in text for word in COUNTS), (username, path)

    login(client, "secretary")
    move_to(db, selection_id, "recount")
    too_soon = client.post(f"/api/v1/selections/{selection_id}/results/publish", json={"published": True})
    assert too_soon.status_code == 409 and code(too_soon) == "selection.recount_open"
    move_to(db, selection_id, "after")
    published = client.post(f"/api/v1/selections/{selection_id}/results/publish", json={"published": True})
    assert published.status_code == 200, published.text
    stats = client.post(f"/api/v1/selections/{selection_id}/statistics/publish", json={"published": True})
    assert stats.status_code == 200 and stats.json()["statistics"]["paper"] == 1

    login(client, "jumin")
    read = client.get(f"/api/v1/selections/{selection_id}/results")
    assert read.status_code == 200
    row = next(c for c in read.json()["categories"] if c["code"] == "neighbour")["nominees"][0]
    assert (row["display_name"], row["votes"], row["rank"], row["winner"]) == ("陈阿姨", 2, 1, True)
    assert read.json()["statistics"]["voters"] == 2 and read.json()["selection"]["state"] == "published"


def test_an_outsider_finds_nothing_and_a_resident_cannot_keep(client: TestClient, db: Session, world: World) -> None:
    resident_account(db, world, "jumin", world.household1)
    login(client, "secretary")
    made = client.post("/api/v1/selections", json=selection_in(world).model_dump(mode="json", exclude_none=True)).json()
    login(client, "outsider")
    assert client.get(f"/api/v1/selections/{made['id']}").status_code == 404
    assert client.get("/api/v1/selections").json()["items"] == []
    nominated = client.post(
        f"/api/v1/selections/{made['id']}/nominations",
        json={"category": "neighbour", "display_name": "某人", "reason": "好"},
    )
    assert nominated.status_code == 404
    login(client, "jumin")
    assert client.post("/api/v1/selections", json=selection_in(world).model_dump(mode="json")).status_code == 403
    bad = client.post(
        "/api/v1/selections",
        json=selection_in(world).model_dump(mode="json") | {"rule": "everyone"},
    )
    assert bad.status_code == 422
