"""Residents through the JSON API: create, read, update, move, deregister, history, list and search."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from linli.lib import clock
from tests.conftest import login
from tests.factories import World, make_household, make_resident


def names(client: TestClient, **params: Any) -> list[str]:
    response = client.get("/api/v1/residents", params=params)
    assert response.status_code == 200, response.text
    return [r["name"] for r in response.json()["items"]]


def test_it_creates_reads_and_updates_a_resident(client: TestClient, world: World) -> None:
    login(client, "grid1")
    created = client.post(
        "/api/v1/residents",
        json={
            "name": "买买提 · 艾力",
            "household_id": world.household1,
            "id_number": "650102 19900505 1238",
            "phone": "0592-7654321",
            "relation": "10",
            "kind": "02",
            "tags": ["disabled"],
            "skills": "维修家电",
            "willing_to_help": True,
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["name"] == "买买提·艾力"
    assert body["birth_date"] == "1990-05-05" and body["gender"] == "1"
    assert body["id_number"] == "650102********1238" and body["phone"] == "********4321"
    assert body["grid"] == "第一网格" and "3号楼" in body["address"] and "301" in body["address"]
    assert [t["code"] for t in body["tags"]] == ["disabled"] and body["version"] == 1
    read = client.get(f"/api/v1/residents/{body['id']}")
    assert read.status_code == 200 and read.json() == body
    changed = client.patch(f"/api/v1/residents/{body['id']}", json={"version": 1, "notes": "会说维吾尔语", "tags": []})
    assert changed.status_code == 200, changed.text
    assert changed.json()["notes"] == "会说维吾尔语" and changed.json()["tags"] == [] and changed.json()["version"] == 2
    stale = client.patch(f"/api/v1/residents/{body['id']}", json={"version": 1, "notes": "过时"})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "resident.stale"
    assert stale.json()["error"]["field"] == "version"


def test_it_moves_and_deregisters_keeping_the_history(client: TestClient, world: World) -> None:
    login(client, "secretary")
    rid = world.resident1.id
    second_head = client.post(f"/api/v1/residents/{rid}/move", json={"household_id": world.household2})
    assert second_head.status_code == 422 and second_head.json()["error"]["code"] == "resident.household_has_head"
    moved = client.post(
        f"/api/v1/residents/{rid}/move", json={"household_id": world.household2, "relation": "50", "note": "投靠女儿"}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["household_id"] == world.household2 and moved.json()["grid"] == "第二网格"
    gone = client.post(f"/api/v1/residents/{rid}/deregister", json={"reason": "deceased"})
    assert gone.status_code == 200 and gone.json()["status"] == "deceased"
    assert gone.json()["left_on"] == clock.today().isoformat()
    again = client.post(f"/api/v1/residents/{rid}/deregister", json={"reason": "moved_out"})
    assert again.status_code == 422 and again.json()["error"]["code"] == "resident.not_active"
    history = client.get(f"/api/v1/residents/{rid}/history").json()
    assert [e["kind"] for e in history] == ["registered", "moved", "deceased"]
    assert history[1]["from_household_id"] == world.household1 and history[1]["note"] == "投靠女儿"
    assert client.get(f"/api/v1/residents/{rid}").json()["status"] == "deceased"
    assert "曾伟" not in names(client)
    assert "曾伟" in names(client, status="all")
    assert names(client, status="deceased") == ["曾伟"]


def test_it_refuses_a_duplicate_id_number_naming_the_record(client: TestClient, world: World) -> None:
    login(client, "grid1")
    response = client.post(
        "/api/v1/residents",
        json={"name": "冒名", "household_id": world.household1, "id_number": "11010519491231002x"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "resident.duplicate_id" and error["field"] == "id_number" and "曾伟" in error["message"]


def test_it_returns_every_field_error_of_a_form(client: TestClient, world: World) -> None:
    login(client, "grid1")
    response = client.post(
        "/api/v1/residents",
        json={"name": "张伟", "household_id": world.household1, "id_number": "110105194912310021", "phone": "123"},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert {e["field"] for e in error["errors"]} == {"id_number", "phone"}
    assert error["code"] == "resident.id_checksum" and error["field"] == "id_number"


@pytest.fixture
def crowd(db: Session, world: World) -> World:
    """Add to grid 1 a child, a migrant of 30 and a very old woman; to grid 2 a man of 65."""
    today = clock.today()
    h = make_household(db, world.grid1, "402", "4号楼")
    make_resident(db, h, name="刘洋", birth_date=today.replace(year=today.year - 8, day=1), relation="20")
    make_resident(db, h, name="单乐乐", birth_date=today.replace(year=today.year - 30, day=1), kind="02")
    make_resident(
        db, h, name="王秀英", birth_date=today.replace(year=today.year - 85, day=1), tags=["very_old"], gender="2"
    )
    make_resident(db, world.household2, name="曾国强", birth_date=today.replace(year=today.year - 65, day=1))
    return world


def test_it_lists_residents_filtered_and_paged(client: TestClient, crowd: World) -> None:
    login(client, "secretary")
    assert names(client) == ["曾伟", "李娜", "刘洋", "单乐乐", "王秀英", "曾国强"]
    assert names(client, area_id=crowd.grid1.id) == ["曾伟", "刘洋", "单乐乐", "王秀英"]
    assert names(client, area_id=crowd.community.id) == names(client)
    assert names(client, tag="very_old") == ["王秀英"]
    assert names(client, tag="living_alone") == ["曾伟"]
    assert names(client, min_age=60) == ["曾伟", "王秀英", "曾国强"]
    assert names(client, min_age=60, max_age=70) == ["曾国强"]
    assert names(client, max_age=17) == ["刘洋"]
    assert names(client, kind="02") == ["单乐乐"]
    assert names(client, area_id=crowd.grid1.id, min_age=18, max_age=40) == ["单乐乐"]
    first = client.get("/api/v1/residents", params={"page_size": 4}).json()
    second = client.get("/api/v1/residents", params={"page_size": 4, "page": 2}).json()
    assert first["total"] == second["total"] == 6
    assert [r["name"] for r in first["items"] + second["items"]] == names(client)
    assert len(second["items"]) == 2 and second["page"] == 2
    login(client, "grid1")
    assert names(client) == ["曾伟", "刘洋", "单乐乐", "王秀英"]
    assert names(client, area_id=crowd.grid2.id) == []


SEARCHES = [
    ("zw", ["曾伟"]),
    ("zengwei", ["曾伟"]),
    ("cengwei", ["曾伟"]),
    ("ZW", ["曾伟"]),
    ("zeng", ["曾伟", "曾国强"]),
    ("ceng", ["曾伟", "曾国强"]),
    ("曾", ["曾伟", "曾国强"]),
    ("伟", ["曾伟"]),
    ("shanlele", ["单乐乐"]),
    ("sll", ["单乐乐"]),
    ("dan", ["单乐乐"]),
    ("wxy", ["王秀英"]),
    ("002X", ["曾伟"]),
    ("002x", ["曾伟"]),
    ("5678", ["曾伟"]),
    ("4567", ["李娜"]),
    ("11010519491231002X", ["曾伟"]),
    ("110105 19491231 002x", ["曾伟"]),
    ("13912345678", ["曾伟"]),
    ("0592-1234567", ["李娜"]),
    ("ln", ["李娜"]),
    ("+86 139 1234 5678", ["曾伟"]),
    ("qq", []),
    ("9999", []),
    ("110105194912310021", []),
]


def test_it_searches_by_name_pinyin_and_number_tails(client: TestClient, crowd: World) -> None:
    login(client, "secretary")
    assert {q: names(client, q=q) for q, _ in SEARCHES} == dict(SEARCHES)


def test_it_searches_only_inside_the_workers_grid(client: TestClient, crowd: World) -> None:
    login(client, "grid1")
    assert names(client, q="zeng") == ["曾伟"]
    assert names(client, q="4567") == []
    assert names(client, q="ln") == []
