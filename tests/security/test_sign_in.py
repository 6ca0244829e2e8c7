"""Signing in as 等保 level 3 asks: password policy, forced change, expiry, lockout, rate limit, sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.services import create_user
from linli.app import create_app
from linli.audit.models import AuditEvent
from linli.db.base import utcnow
from linli.errors import ValidationErrors
from linli.runtime import Runtime
from tests.conftest import login, make_settings
from tests.factories import PASSWORD

NEW_PASSWORD = "Brand-new-pass-77"


def _login(client: TestClient, username: str, password: str = PASSWORD, **extra: str):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password, **extra})


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("Short-1a", {"password.short"}),
        ("alllowercaseletters", {"password.classes"}),
        ("Zhangwei-2026!", {"password.username"}),
        ("P@ssw0rd123", {"password.common"}),
    ],
)
def test_it_refuses_a_weak_password_saying_why(db: Session, world, password: str, codes: set[str]) -> None:
    with pytest.raises(ValidationErrors) as refused:
        create_user(db, "zhangwei", password, roles=[("grid_worker", world.grid1.code)])
    assert {e.code for e in refused.value.errors} == codes


def test_it_makes_a_new_account_choose_its_password_first(client: TestClient, db: Session, world) -> None:
    create_user(db, "newcomer", PASSWORD, roles=[("grid_worker", world.grid1.code)], must_change=True)
    answer = _login(client, "newcomer").json()
    assert answer["stage"] == "password"
    refused = client.get("/api/v1/residents")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "auth.password_change_required"
    assert client.get("/residents", follow_redirects=False).headers["location"] == "/account/password"
    changed = client.post("/api/v1/auth/password", json={"current": PASSWORD, "new": NEW_PASSWORD})
    assert changed.status_code == 200 and changed.json()["stage"] == ""
    assert client.get("/api/v1/residents").status_code == 200
    # The token from before the change is dead: a password change ends the other sessions.
    old = client.get("/api/v1/auth/me", headers={"authorization": f"Bearer {answer['token']}"})
    assert old.status_code == 401


def test_it_refuses_the_current_password_again_and_a_wrong_current_one(client: TestClient, world) -> None:
    login(client, "grid1")
    same = client.post("/api/v1/auth/password", json={"current": PASSWORD, "new": PASSWORD})
    assert same.json()["error"]["code"] == "password.unchanged"
    wrong = client.post("/api/v1/auth/password", json={"current": "Not-the-pass-1", "new": NEW_PASSWORD})
    assert wrong.json()["error"]["code"] == "password.current_wrong"


def test_it_expires_an_old_password_but_not_a_demo_accounts(client: TestClient, db: Session, world) -> None:
    create_user(db, "demo1", "Linli-Demo-2026", roles=[("grid_worker", world.grid1.code)], demo=True)
    db.execute(update(User).values(password_changed_at=utcnow() - timedelta(days=400)))
    db.commit()
    assert _login(client, "grid1").json()["stage"] == "password"
    assert _login(client, "demo1", "Linli-Demo-2026").json()["stage"] == ""


def test_it_locks_the_account_after_five_failures_even_for_the_right_password(
    client: TestClient,
    db: Session,
    world,
) -> None:
    for _ in range(5):
        assert _login(client, "grid1", "Wrong-pass-000").status_code == 401
    sixth = _login(client, "grid1")
    assert sixth.status_code == 403 and sixth.json()["error"]["code"] == "auth.locked"
    failures = db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "login.failed"))
    assert failures == 5
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "login.locked")) == 1
    # After the window the right password works again.
    db.execute(update(User).where(User.username == "grid1").values(locked_until=utcnow() - timedelta(seconds=1)))
    db.commit()
    assert _login(client, "grid1").status_code == 200


def test_it_rate_limits_sign_in_per_address(runtime: Runtime, world) -> None:
    app = create_app(make_settings(runtime.settings.database_url, login_rate_limit="3/minute"))
    with TestClient(app) as client:
        answers = [_login(client, "nobody", "Wrong-pass-000").status_code for _ in range(4)]
    assert answers == [401, 401, 401, 429]


def test_it_ends_every_session_at_logout(client: TestClient, world) -> None:
    token = _login(client, "grid1").json()["token"]
    bearer = {"authorization": f"Bearer {token}"}
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 200
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/auth/me", headers=bearer).status_code == 401


def test_it_refuses_a_session_idle_too_long(runtime: Runtime, world) -> None:
    from linli.accounts import tokens

    token = tokens.issue(runtime.settings.secret_key, 1, 1)
    assert tokens.read(runtime.settings.secret_key, token, idle_seconds=60, max_seconds=3600) is not None
    assert tokens.read(runtime.settings.secret_key, token, idle_seconds=-1, max_seconds=3600) is None
    old = tokens.issue(runtime.settings.secret_key, 1, 1, signed_in=1)
    assert tokens.read(runtime.settings.secret_key, old, idle_seconds=60, max_seconds=3600) is None  # absolute limit


def test_it_sends_security_headers(client: TestClient) -> None:
    headers = client.get("/login").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    cookie = client.post("/api/v1/auth/login", json={"username": "x", "password": "y"}).headers.get("set-cookie", "")
    assert "session" not in cookie  # no session for a failed sign-in
