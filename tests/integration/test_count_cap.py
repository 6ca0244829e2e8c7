"""A long list counts up to a cap and says so; paging goes on past it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from linli.db import paging
from tests.conftest import login
from tests.factories import World, make_household, make_resident


def test_it_stops_counting_at_the_cap_and_pages_on(
    monkeypatch: pytest.MonkeyPatch, client: TestClient, db: Session, world: World
) -> None:
    for name in ("张三", "张四", "张五"):
        make_resident(db, world.household1, name=name, relation="99")
    monkeypatch.setattr(paging, "COUNT_CAP", 2)
    login(client, "grid1")
    first = client.get("/api/v1/residents", params={"page_size": 2}).json()
    assert (first["total"], first["total_capped"], len(first["items"])) == (2, True, 2)
    page = client.get("/residents", params={"page": 1}).text
    assert "2+" in page
    monkeypatch.setattr(paging, "COUNT_CAP", 1000)
    exact = client.get("/api/v1/residents", params={"page_size": 2}).json()
    assert (exact["total"], exact["total_capped"]) == (4, False)


def test_the_households_list_counts_up_to_the_cap_too(
    monkeypatch: pytest.MonkeyPatch, client: TestClient, db: Session, world: World
) -> None:
    for room in ("102", "103"):
        make_household(db, world.grid1, room=room, building=f"{room}号楼")
    monkeypatch.setattr(paging, "COUNT_CAP", 2)
    login(client, "grid1")
    listed = client.get("/api/v1/households", params={"area_id": world.grid1.id, "page_size": 2}).json()
    assert (listed["total"], listed["total_capped"], len(listed["items"])) == (2, True, 2)
    last = client.get("/api/v1/households", params={"area_id": world.grid1.id, "page_size": 2, "page": 2}).json()
    assert len(last["items"]) == 1
    monkeypatch.setattr(paging, "COUNT_CAP", 1000)
    exact = client.get("/api/v1/households", params={"area_id": world.grid1.id}).json()
    assert (exact["total"], exact["total_capped"]) == (3, False)
