"""The audit trail: tamper evidence, pruning, browsing in reach, export."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from linli.audit import trail
from linli.audit.models import AuditEvent
from linli.audit.services import digest
from linli.errors import Invalid
from linli.lib import clock
from tests.conftest import login


def _ids(db: Session) -> list[int]:
    return list(db.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def test_it_finds_an_intact_chain(db: Session, world) -> None:
    verdict = trail.verify_chain(db)
    assert verdict.first_bad_id is None and verdict.checked == len(_ids(db)) > 5


def test_it_names_the_first_edited_event(db: Session, world) -> None:
    target = _ids(db)[3]
    db.execute(update(AuditEvent).where(AuditEvent.id == target).values(username="mallory"))
    db.commit()
    assert trail.verify_chain(db).first_bad_id == target


def test_it_notices_a_deleted_event(db: Session, world) -> None:
    ids = _ids(db)
    db.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[2]})
    db.commit()
    assert trail.verify_chain(db).first_bad_id == ids[3]


def test_it_notices_reordered_events(db: Session, world) -> None:
    ids = _ids(db)
    a, b = db.get(AuditEvent, ids[1]), db.get(AuditEvent, ids[2])
    assert a is not None and b is not None
    swap = {
        c: (getattr(a, c), getattr(b, c)) for c in ("action", "entity", "entity_id", "changes", "hash", "prev_hash")
    }
    for column, (first, second) in swap.items():
        setattr(a, column, second)
        setattr(b, column, first)
    db.commit()
    assert trail.verify_chain(db).first_bad_id == ids[1]


def test_it_refuses_to_prune_within_six_months(db: Session, world) -> None:
    today = clock.today()
    with pytest.raises(Invalid) as refused:
        trail.prune(db, today - timedelta(days=30), today)
    assert refused.value.code == "audit.retention"


def test_it_keeps_the_chain_verifiable_after_a_prune(db: Session, world) -> None:
    ids = _ids(db)
    old = clock.today() - timedelta(days=400)
    # Age the first five events, and re-chain everything as if they had been written then.
    prev = ""
    for event in db.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        if event.id <= ids[4]:
            event.at -= timedelta(days=500)
        event.prev_hash, event.hash = prev, digest(prev, event)
        prev = event.hash
    db.commit()
    removed = trail.prune(db, old, clock.today())
    assert removed == 5
    assert trail.verify_chain(db).first_bad_id is None


def test_it_shows_a_supervisor_the_events_of_their_street_only(client: TestClient, world) -> None:
    login(client, "supervisor")
    events = client.get("/api/v1/audit/events", params={"entity": "resident"}).json()["items"]
    assert events and all(e["area_id"] in (world.grid1.id, world.grid2.id, world.other_grid.id) for e in events)
    assert client.get("/api/v1/audit/events", params={"action": "login"}).json()["total"] == 0


def test_it_refuses_the_trail_to_a_grid_worker(client: TestClient, world) -> None:
    login(client, "grid1")
    assert client.get("/api/v1/audit/events").status_code == 403
    assert client.get("/api/v1/audit/events.csv").status_code == 403


def test_it_exports_the_trail_and_audits_the_export(client: TestClient, db: Session, world) -> None:
    login(client, "admin")
    response = client.get("/api/v1/audit/events.csv")
    assert response.status_code == 200 and response.text.startswith("id,at,username")
    assert "resident.create" in response.text
    assert db.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)) == "audit.export"


def test_it_escapes_cells_a_spreadsheet_would_run() -> None:
    assert trail.escape_formula("=1+1") == "'=1+1"
    assert trail.escape_formula("@SUM(A1)") == "'@SUM(A1)"
    assert trail.escape_formula("张伟") == "张伟"


def test_it_shows_the_trail_page_to_an_administrator_with_filters(client: TestClient, world) -> None:
    login(client, "admin")
    page = client.get("/audit", params={"action": "resident.create"})
    assert page.status_code == 200 and page.text.count("resident.create") >= 3
    assert "login" not in page.text.split('id="events"')[1].split("</table>")[0].replace("login.", "")


def test_it_refuses_the_trail_page_to_a_grid_worker(client: TestClient, world) -> None:
    login(client, "grid1")
    assert client.get("/audit").status_code == 403
