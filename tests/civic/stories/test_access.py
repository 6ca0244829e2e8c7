"""The route walk over the story routes alone: an outsider gets nothing of grid 1's story on any of them, and a
resident of grid 2 nothing of grid 1's story but what is published above them."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.api.test_access import REFUSED, call, names_grid1
from tests.api.walk import guarded, routes
from tests.civic.stories.helpers import grid1_person, grid1_story, grid1_story_photo, log_with_story, story_world
from tests.conftest import login
from tests.factories import World


def story_ids(db: Session, world: World) -> dict[str, Any]:
    return {
        "story_id": grid1_story(db, world),
        "person_id": grid1_person(db, world),
        "story_photo_id": grid1_story_photo(db, world),
        "log_id": log_with_story(db, world),
        "area_id": world.grid1.id,
    }


@pytest.mark.parametrize("username", ["outsider", "jumin2"])
def test_nobody_outside_grid_1_reaches_its_story_on_any_route(
    app: FastAPI, client: TestClient, db: Session, world: World, username: str
) -> None:
    story_world(db, world)
    ids = story_ids(db, world)
    login(client, username)
    walked = 0
    for route in routes(app):
        if "/stories" not in route.path:
            continue
        assert guarded(route), route.path
        for method in route.methods:
            response = call(client, route, method, ids)
            where = f"{method} {route.path} → {response.status_code}"
            assert response.status_code < 500, where
            if names_grid1(route, method, ids):
                assert response.status_code in REFUSED, where
            assert world.resident1.name not in response.text, where
            assert "王主任" not in response.text, where
            walked += 1
    assert walked >= 25
