"""THE route walk: every route outside PUBLIC_ROUTES depends on ``current_scope``, refuses the signed
out, and gives a user from another area nothing of grid 1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from linli.accounts import api_tokens
from tests.api.walk import Walked, body, guarded, routes, url
from tests.api.walk_ids import more_grid1_ids
from tests.conftest import login
from tests.factories import World, building_of, scope_of

REFUSED = {401, 403, 404, 405, 422}


# Path parameter name → the id of a grid-1 object of that kind. A route with a new parameter name fails
# the walk until its name is added here (with a grid-1 object built by the world or a factory).
GRID1: dict[str, Callable[[Session, World], int | str]] = {
    "resident_id": lambda db, w: w.resident1.id,
    "household_id": lambda db, w: w.household1,
    "area_id": lambda db, w: w.grid1.id,
    "grid_id": lambda db, w: w.grid1.id,
    "parent_id": lambda db, w: w.grid1.id,
    "building_id": lambda db, w: building_of(db, w.household1),
    "token_id": lambda db, w: api_tokens.create_token(db, scope_of(db, "grid1"), "grid-1 sync", "write", 30).id,
    "user_id": lambda db, w: scope_of(db, "grid1").user_id or 0,
    **more_grid1_ids(),
}


def grid1_ids(db: Session, world: World) -> dict[str, Any]:
    """Return the ids of grid 1's objects by the parameter names routes use."""
    return {name: make(db, world) for name, make in GRID1.items()}


def secrets_of_grid1(world: World) -> list[str]:
    """Return what must never reach an outsider: the resident's name, room, building, ID and phone tails."""
    return [world.resident1.name, "3号楼 301", '"301"', "301室", "002X", "5678"]


def call(client: TestClient, route: Walked, method: str, ids: dict[str, Any], **headers: str) -> Any:
    payload = body(route, ids) if method in ("POST", "PUT", "PATCH", "DELETE") else None
    query = {name: ids[name] for name in route.query_params() if name in ids}
    kwargs: dict[str, Any] = {"params": query, "headers": headers, "follow_redirects": False}
    if payload is not None:
        kwargs[payload[0]] = payload[1]
    return client.request(method, url(route, ids), **kwargs)


def names_grid1(route: Walked, method: str, ids: dict[str, Any]) -> bool:
    """Return whether the call points at a grid-1 object by its path or by an id in its body."""
    payload = body(route, ids) if method != "GET" else None
    return bool(route.path_params()) or (payload is not None and any(name in ids for name in payload[1]))


def guarded_routes(app: FastAPI) -> list[Walked]:
    return [r for r in routes(app) if not r.public]


def test_it_finds_the_routes_to_walk(app: FastAPI) -> None:
    paths = {r.path for r in guarded_routes(app)}
    assert {"/api/v1/residents", "/api/v1/residents/{resident_id}", "/api/v1/households/{household_id}"} <= paths
    assert {"/api/v1/health", "/api/v1/auth/login"} <= {r.path for r in routes(app) if r.public}


def test_it_guards_every_route_outside_the_public_ones_with_current_scope(app: FastAPI) -> None:
    unguarded = [f"{r.methods} {r.path}" for r in guarded_routes(app) if not guarded(r)]
    assert unguarded == [], "routes without the permission dependency (current_scope)"


def test_it_knows_every_path_parameter(app: FastAPI, db: Session, world: World) -> None:
    ids = grid1_ids(db, world)
    for route in guarded_routes(app):
        url(route, ids)


def test_it_refuses_the_signed_out_on_every_route(app: FastAPI, client: TestClient, db: Session, world: World) -> None:
    ids = grid1_ids(db, world)
    for route in guarded_routes(app):
        for method in route.methods:
            response = call(client, route, method, ids)
            where = f"{method} {route.path}"
            if route.api:
                assert response.status_code == 401, where
                assert response.json()["error"]["code"] == "auth.required", where
            else:
                assert response.status_code in (302, 303, 307), where
                assert response.headers["location"].startswith("/login"), where


def test_it_gives_an_outsider_nothing_of_grid_1_on_any_route(
    app: FastAPI, client: TestClient, db: Session, world: World
) -> None:
    ids = grid1_ids(db, world)
    secrets = secrets_of_grid1(world)
    login(client, "outsider")
    walked = 0
    for route in guarded_routes(app):
        for method in route.methods:
            response = call(client, route, method, ids)
            where = f"{method} {route.path} → {response.status_code}"
            assert response.status_code < 500, where
            if names_grid1(route, method, ids):
                assert response.status_code in REFUSED, where
            for secret in secrets:
                assert secret not in response.text, f"{where} shows {secret}"
            walked += 1
            if client.get("/api/v1/auth/me").status_code == 401:  # the walk signed itself out
                login(client, "outsider")
    assert walked >= 15


def test_it_lets_grid_1_reach_its_own_records_on_the_same_walk(
    app: FastAPI, client: TestClient, db: Session, world: World
) -> None:
    """The walk above proves nothing if grid 1's own worker were refused too."""
    ids = grid1_ids(db, world)
    login(client, "grid1")
    for path in ("/api/v1/residents/{resident_id}", "/api/v1/households/{household_id}", "/api/v1/areas/{area_id}"):
        route = next(r for r in routes(app) if r.path == path)
        response = call(client, route, "GET", ids)
        assert response.status_code == 200, path
        assert world.resident1.name in response.text or path.startswith("/api/v1/areas")


@pytest.mark.parametrize(("username", "status"), [("grid1", 404), ("secretary", 200), ("supervisor", 200)])
def test_it_shows_grid_2s_resident_only_to_those_above_it(
    client: TestClient, world: World, username: str, status: int
) -> None:
    login(client, username)
    response = client.get(f"/api/v1/residents/{world.resident2.id}")
    assert response.status_code == status
    assert (world.resident2.name in response.text) == (status == 200)
    names = [r["name"] for r in client.get("/api/v1/residents").json()["items"]]
    assert (world.resident2.name in names) == (status == 200)


def test_it_lets_a_supervisor_read_but_not_write(client: TestClient, world: World) -> None:
    login(client, "supervisor")
    r1 = world.resident1
    writes = [
        client.patch(f"/api/v1/residents/{r1.id}", json={"version": r1.version, "notes": "督导改的"}),
        client.post("/api/v1/residents", json={"name": "新人", "household_id": world.household1}),
        client.post(f"/api/v1/residents/{r1.id}/move", json={"household_id": world.household2}),
        client.post(f"/api/v1/residents/{r1.id}/deregister", json={"reason": "deceased"}),
        client.post("/api/v1/buildings", json={"area_id": world.grid1.id, "name": "9号楼"}),
    ]
    assert all(w.status_code in (403, 404) for w in writes), [w.status_code for w in writes]
    assert client.get(f"/api/v1/residents/{r1.id}").json()["notes"] == ""
