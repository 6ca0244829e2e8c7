"""API tokens for integrations: shown once, stored hashed, scoped, expiring, revocable, audited on use."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from linli.accounts.models import ApiToken
from linli.audit.models import AuditEvent
from linli.db.base import utcnow
from tests.conftest import login


def _bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_it_reads_with_a_read_token_and_refuses_writes(client: TestClient, db: Session, world) -> None:
    login(client, "grid1")
    made = client.post("/api/v1/auth/tokens", json={"name": "grid sync", "scope": "read", "days": 30}).json()
    token = made["token"]
    assert token.startswith("lt_") and db.scalar(select(ApiToken.token_hash)) != token  # stored hashed
    client.cookies.clear()
    assert client.get("/api/v1/residents", headers=_bearer(token)).json()["total"] == 1
    refused = client.post("/api/v1/residents", headers=_bearer(token), json={"name": "王五", "area_id": world.grid1.id})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "token.read_only"
    db.commit()  # end the test's read snapshot, to see what the requests wrote
    uses = db.scalars(select(AuditEvent.action).where(AuditEvent.entity == "api_token")).all()
    assert "api_token.use" in uses and "api_token.refused" in uses
    assert "token" not in client.get("/api/v1/auth/tokens", headers=_bearer(token)).json()[0]


def test_it_stops_a_revoked_or_expired_token(client: TestClient, db: Session, world) -> None:
    login(client, "grid1")
    first = client.post("/api/v1/auth/tokens", json={"name": "a", "scope": "write", "days": 30}).json()
    second = client.post("/api/v1/auth/tokens", json={"name": "b", "scope": "write", "days": 30}).json()
    assert client.delete(f"/api/v1/auth/tokens/{first['id']}").status_code == 204
    db.execute(update(ApiToken).where(ApiToken.id == second["id"]).values(expires_at=utcnow()))
    db.commit()
    client.cookies.clear()
    assert client.get("/api/v1/residents", headers=_bearer(first["token"])).status_code == 401
    assert client.get("/api/v1/residents", headers=_bearer(second["token"])).status_code == 401
    assert client.get("/api/v1/residents", headers=_bearer("lt_forged")).status_code == 401


def test_it_refuses_a_token_without_a_name_or_past_the_longest_life(client: TestClient, world) -> None:
    login(client, "grid1")
    assert (
        client.post("/api/v1/auth/tokens", json={"name": " ", "days": 30}).json()["error"]["code"]
        == "token.name_required"
    )
    assert client.post("/api/v1/auth/tokens", json={"name": "x", "days": 3000}).json()["error"]["code"] == "token.days"
