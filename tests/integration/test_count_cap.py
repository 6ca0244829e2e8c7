"""A long list counts up to a cap and says so; paging goes on past it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from linli.registry import services
from tests.conftest import login
from tests.factories import make_resident


def test_it_stops_counting_at_the_cap_and_pages_on(
    monkeypatch: pytest.MonkeyPatch,
    client: TestClient,
    db: Session,
    world,  # type: ignore[no-untyped-def]
) -> None:
    for name in ("张三", "张四", "张五"):
        make_resident(db, world.household1, name=name, relation="99")
    monkeypatch.setattr(services, "COUNT_CAP", 2)
    login(client, "grid1")
    first = client.get("/api/v1/residents", params={"page_size": 2}).json()
    assert (first["total"], first["total_capped"], len(first["items"])) == (2, True, 2)
    page = client.get("/residents", params={"page": 1}).text
    assert "2+" in page
    monkeypatch.setattr(services, "COUNT_CAP", 1000)
    exact = client.get("/api/v1/residents", params={"page_size": 2}).json()
    assert (exact["total"], exact["total_capped"]) == (4, False)
