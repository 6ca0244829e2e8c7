"""Signing in and out: the cookie, the bearer token on every API route, and logout ending both."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from linli.accounts import tokens
from tests.api.test_access import call, grid1_ids
from tests.api.walk import routes
from tests.factories import PASSWORD, World


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def test_it_signs_in_with_a_cookie_and_returns_roles_and_areas(client: TestClient, world: World) -> None:
    response = client.post("/api/v1/auth/login", json={"username": "grid1", "password": PASSWORD})
    assert response.status_code == 200
    assert tokens.COOKIE in response.cookies
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    user = response.json()["user"]
    assert user["username"] == "grid1"
    assert user["roles"] == [
        {
            "role": "grid_worker",
            "role_name": "网格员",
            "area_id": world.grid1.id,
            "area_name": "第一网格",
            "area_path": world.grid1.path,
        }
    ]
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["username"] == "grid1"


def test_it_refuses_a_wrong_password_or_unknown_user_alike(client: TestClient, world: World) -> None:
    wrong = client.post("/api/v1/auth/login", json={"username": "grid1", "password": "not-the-password"})
    unknown = client.post("/api/v1/auth/login", json={"username": "nobody", "password": "not-the-password"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"]["code"] == unknown.json()["error"]["code"] == "auth.required"
    assert tokens.COOKIE not in wrong.cookies
    assert client.get("/api/v1/auth/me").status_code == 401


def test_it_accepts_the_bearer_token_on_every_api_route(
    app: FastAPI, client: TestClient, db: Session, world: World
) -> None:
    token = sign_in(client, "grid1")
    client.cookies.clear()
    ids = grid1_ids(db, world)
    api = [r for r in routes(app) if r.api and not r.public]
    last = [r for r in api if r.path.endswith("/logout")]
    for route in [r for r in api if r not in last] + last:
        for method in route.methods:
            response = call(client, route, method, ids, authorization=f"Bearer {token}")
            assert response.status_code != 401, f"{method} {route.path}: {response.text}"
            assert response.status_code < 500, f"{method} {route.path}: {response.text}"
    assert client.get(f"/api/v1/residents/{world.resident1.id}").status_code == 401  # no cookie was used


def test_it_reads_grid_1_through_the_bearer_token(client: TestClient, world: World) -> None:
    token = sign_in(client, "grid1")
    client.cookies.clear()
    response = client.get(f"/api/v1/residents/{world.resident1.id}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json()["name"] == "曾伟"


def test_it_ends_the_token_and_the_cookie_on_logout(client: TestClient, world: World) -> None:
    token = sign_in(client, "grid1")
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=bearer).status_code == 204
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 401
    client.cookies.set(tokens.COOKIE, token)
    assert client.get("/api/v1/residents").status_code == 401
    assert sign_in(client, "grid1") != token


def test_it_refuses_a_forged_token(client: TestClient, world: World) -> None:
    token = sign_in(client, "grid1")
    client.cookies.clear()
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    assert client.get("/api/v1/auth/me", headers={"Authorization": "Bearer "}).status_code == 401
