"""Bulk registration writes what one-by-one registration writes: the same derived columns and rows."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.db.engine import transaction
from linli.registry import bulk
from linli.registry.models import Household, Resident, ResidentEvent, ResidentKey, ResidentTag, Tag
from linli.registry.schemas import ResidentIn
from linli.registry.services import create_resident
from linli.runtime import cipher_of
from tests.factories import World, id_number, make_household, root_scope

FIELDS = (
    "name",
    "gender",
    "birth_date",
    "relation",
    "kind",
    "ethnicity",
    "skills",
    "willing_to_help",
    "notes",
    "status",
)


def facts(session: Session, resident_id: int) -> dict[str, object]:
    """Return what registration left for a resident, with the parts that must differ taken out."""
    r = session.get(Resident, resident_id)
    assert r is not None
    cipher = cipher_of(session)
    number, mobile = cipher.decrypt(r.id_number_enc or ""), cipher.decrypt(r.phone_enc or "")
    household = session.get(Household, r.household_id)
    return {
        **{f: getattr(r, f) for f in FIELDS},
        "id_number": number,
        "id_hash_ok": r.id_number_hash == cipher.blind_index(number),
        "id_tail": r.id_tail,
        "phone": mobile,
        "phone_hash_ok": r.phone_hash == cipher.blind_index(mobile),
        "phone_tail": r.phone_tail,
        "area_id": r.area_id,
        "version": r.version,
        "keys": set(
            session.execute(select(ResidentKey.key, ResidentKey.area_id).where(ResidentKey.resident_id == r.id))
        ),
        "tags": set(session.scalars(select(Tag.code).join(ResidentTag).where(ResidentTag.resident_id == r.id))),
        "events": session.execute(
            select(ResidentEvent.kind, ResidentEvent.to_household_id == r.household_id, ResidentEvent.user_id).where(
                ResidentEvent.resident_id == r.id
            )
        ).all(),
        "head": household is not None and household.head_id == r.id,
    }


def test_it_writes_every_derived_column_as_the_registry_does(db: Session, world: World) -> None:
    number_a, number_b = id_number(date(1961, 5, 6), 31), id_number(date(1961, 5, 6), 33)
    one = make_household(db, world.grid1, "901", "9号楼")
    two = make_household(db, world.grid1, "902", "10号楼")
    a = create_resident(
        db,
        root_scope(),
        ResidentIn(
            name="曾国藩",
            household_id=one,
            area_id=None,
            gender=None,
            id_number=number_a,
            phone="0592-1234567",
            relation="02",
            tags=["veteran"],
        ),
    )
    veteran = db.scalar(select(Tag.id).where(Tag.code == "veteran"))
    assert veteran is not None
    with transaction(db):
        (b,) = bulk.add_residents(
            db,
            [
                bulk.NewResident(
                    area_id=world.grid1.id,
                    name="曾国藩",
                    gender="1",
                    birth_date=date(1961, 5, 6),
                    id_number=number_b,
                    phone="+865921234567",
                    household_id=two,
                    relation="02",
                    tag_ids=(veteran,),
                )
            ],
        )
    got, want = facts(db, b), facts(db, a.id)
    assert got.pop("id_number") == number_b and want.pop("id_number") == number_a
    assert got.pop("id_tail") == number_b[-4:] and want.pop("id_tail") == number_a[-4:]
    assert got == want


def test_it_changes_a_resident_as_the_registry_would_and_moves_the_headship(db: Session, world: World) -> None:
    target = make_household(db, world.grid2, "111", "11号楼")
    with transaction(db):
        bulk.change_residents(
            db,
            [
                bulk.ResidentChange(
                    resident_id=world.resident1.id,
                    name="曾伟",
                    area_id=world.grid2.id,
                    relation="02",
                    values={"household_id": target, "area_id": world.grid2.id, "phone": "+8613800001111"},
                    tag_ids=(),
                    moved_from=world.household1,
                )
            ],
        )
    db.expire_all()
    moved = db.get(Resident, world.resident1.id)
    assert moved is not None and moved.household_id == target and moved.version == 2 and moved.phone_tail == "1111"
    assert db.get(Household, world.household1).head_id is None  # type: ignore[union-attr]
    assert db.get(Household, target).head_id == moved.id  # type: ignore[union-attr]
    keys = set(db.scalars(select(ResidentKey.area_id).where(ResidentKey.resident_id == moved.id)))
    assert keys == {world.grid2.id}
    assert not db.scalars(select(ResidentTag).where(ResidentTag.resident_id == moved.id)).all()
    kinds = db.scalars(
        select(ResidentEvent.kind).where(ResidentEvent.resident_id == moved.id).order_by(ResidentEvent.id)
    )
    assert list(kinds) == ["registered", "moved"]


def test_it_writes_every_column_of_the_resident_and_event_tables() -> None:
    """Bulk inserts bypass the models' Python defaults: a new column must be added to the bulk writer too."""
    assert set(bulk.RESIDENT_COLUMNS) == {c.name for c in bulk.RESIDENTS.c}
    assert set(bulk.EVENT_COLUMNS) == {c.name for c in bulk.EVENTS.c} - {"id"}
