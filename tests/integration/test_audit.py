"""The audit trail: one event per write, personal fields masked, tampering detected."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from linli.audit import services as audit
from linli.audit.models import AuditEvent
from linli.registry import services
from linli.registry.schemas import DeregisterIn, MoveIn, ResidentUpdate
from linli.runtime import Runtime
from tests.factories import ID_NUMBERS, World, id_number, make_household, scope_of

CLEAR = [*ID_NUMBERS, "13912345678", "8613912345678", "5921234567", "13800138000", "8613800138000"]


def events(session: Session) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id).execution_options(populate_existing=True)))


def test_it_audits_every_registry_write_with_personal_fields_masked(db: Session, world: World) -> None:
    from datetime import date

    start = len(events(db))
    grid1, secretary = scope_of(db, "grid1"), scope_of(db, "secretary")
    services.update_resident(
        db,
        grid1,
        world.resident1.id,
        ResidentUpdate(version=world.resident1.version, phone="138 0013 8000", notes="腿脚不便"),
    )
    new_id = id_number(date(1949, 12, 31), 4)
    services.update_resident(db, grid1, world.resident1.id, ResidentUpdate(version=2, id_number=new_id))
    services.move_resident(db, secretary, world.resident1.id, MoveIn(household_id=world.household2, relation="50"))
    services.deregister_resident(db, secretary, world.resident1.id, DeregisterIn(reason="deceased"))
    make_household(db, world.grid1, "601", "6号楼")
    written = events(db)[start:]
    assert [(e.action, e.username) for e in written] == [
        ("resident.update", "grid1"),
        ("resident.update", "grid1"),
        ("resident.move", "secretary"),
        ("resident.deceased", "secretary"),
        ("building.create", "system"),
        ("household.create", "system"),
    ]
    assert written[0].changes["phone"] == ["****5678", "****8000"]
    assert written[0].changes["notes"] == ["", "腿脚不便"]
    assert written[1].changes["id_number"] == ["****002X", f"****{new_id[-4:]}"]
    assert written[2].changes["area_id"] == [world.grid1.id, world.grid2.id]
    assert all(e.entity_id == str(world.resident1.id) for e in written[:4])
    trail = json.dumps([e.changes for e in events(db)], ensure_ascii=False)
    for clear in [*CLEAR, new_id]:
        assert clear not in trail
    assert audit.verify(events(db)) is None


def test_it_audits_a_registration(db: Session, world: World) -> None:
    created = [e for e in events(db) if e.action == "resident.create"]
    assert [e.entity_id for e in created] == [
        str(r.id) for r in (world.resident1, world.resident2, world.other_resident)
    ]
    assert created[0].changes["id_number"] == [None, "****002X"]
    assert created[0].changes["name"] == [None, "曾伟"]
    assert created[0].area_id == world.grid1.id


def tamper(runtime: Runtime, how: str) -> int:
    """Change the trail behind the application's back; return the id of the first event that no longer holds."""
    with runtime.engine.begin() as conn:
        ids = list(conn.scalars(text("SELECT id FROM audit_event ORDER BY id")))
        assert len(ids) >= 6
        middle, after = ids[3], ids[4]
        if how == "edited":
            conn.execute(text("UPDATE audit_event SET username = 'nobody' WHERE id = :id"), {"id": middle})
            return middle
        if how == "deleted":
            conn.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": middle})
            return after
        # reordered: two neighbours swap places
        conn.execute(text("UPDATE audit_event SET id = -1 WHERE id = :id"), {"id": middle})
        conn.execute(text("UPDATE audit_event SET id = :new WHERE id = :id"), {"id": after, "new": middle})
        conn.execute(text("UPDATE audit_event SET id = :new WHERE id = -1"), {"new": after})
        return middle


@pytest.mark.parametrize("how", ["edited", "deleted", "reordered"])
def test_it_detects_a_tampered_trail(runtime: Runtime, world: World, how: str) -> None:
    with runtime.sessions() as session:
        assert audit.verify(events(session)) is None
    broken = tamper(runtime, how)
    with runtime.sessions() as session:
        bad = audit.verify(events(session))
        assert bad is not None and bad.id == broken


def test_it_detects_an_edited_change_record(runtime: Runtime, world: World) -> None:
    with runtime.engine.begin() as conn:
        first = conn.scalar(text("SELECT min(id) FROM audit_event WHERE action = 'resident.create'"))
        row = conn.execute(text("SELECT changes FROM audit_event WHERE id = :id"), {"id": first}).scalar_one()
        changes = json.loads(row) if isinstance(row, str) else row
        changes["name"] = [None, "别人"]
        conn.execute(
            text("UPDATE audit_event SET changes = :c WHERE id = :id"),
            {"c": json.dumps(changes, ensure_ascii=False), "id": first},
        )
    with runtime.sessions() as session:
        bad = audit.verify(events(session))
        assert bad is not None and bad.id == first
