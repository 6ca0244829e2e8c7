"""Form posts need their CSRF token; seeing personal data in full needs the permission and a reason."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.audit.models import AuditEvent
from tests.conftest import login
from tests.factories import ID_NUMBERS


def test_it_refuses_a_form_post_without_its_csrf_token(app, world) -> None:
    with TestClient(app) as bare:  # no hook adding the token
        page = bare.get("/login")
        assert 'name="csrf_token"' in page.text
        refused = bare.post("/login", data={"username": "grid1", "password": "Persona-pass-2026"})
        assert refused.status_code == 403
        token = bare.cookies.get("linli_csrf")
        accepted = bare.post(
            "/login",
            data={"username": "grid1", "password": "Persona-pass-2026", "csrf_token": token},
            follow_redirects=False,
        )
        assert accepted.status_code == 303


def test_it_shows_a_resident_in_full_only_with_a_reason_and_audits_it(client: TestClient, db: Session, world) -> None:
    login(client, "grid1")
    url = f"/api/v1/residents/{world.resident1.id}/unmask"
    assert client.post(url, json={"reason": ""}).json()["error"]["code"] == "resident.unmask_reason"
    shown = client.post(url, json={"reason": "上门核实身份"}).json()
    assert shown == {"id_number": ID_NUMBERS[0], "phone": "13912345678"}
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "resident.unmask")).one()
    assert event.changes["reason"] == [None, "上门核实身份"] and event.username == "grid1"


def test_it_refuses_a_grid_workers_unmask_in_another_grid_and_audits_the_attempt(
    client: TestClient,
    db: Session,
    world,
) -> None:
    login(client, "grid1")
    refused = client.post(f"/api/v1/residents/{world.resident2.id}/unmask", json={"reason": "好奇"})
    assert refused.status_code == 404 and ID_NUMBERS[1] not in refused.text
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "resident.unmask_refused")).one()
    assert event.entity_id == str(world.resident2.id) and event.username == "grid1"


def test_it_refuses_unmasking_to_a_supervisor(client: TestClient, world) -> None:
    login(client, "supervisor")
    assert client.post(f"/api/v1/residents/{world.resident1.id}/unmask", json={"reason": "检查"}).status_code == 404


def test_it_unmasks_on_the_resident_card_page(client: TestClient, world) -> None:
    login(client, "grid1")
    card = client.get(f"/residents/{world.resident1.id}")
    assert "110105********002X" in card.text and ID_NUMBERS[0] not in card.text
    shown = client.post(f"/residents/{world.resident1.id}/unmask", data={"reason": "办理低保"})
    assert ID_NUMBERS[0] in shown.text
