"""Houses, tenancies and care grades through the services: placing, periods, masking, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.audit.models import AuditEvent
from linli.errors import Conflict, Invalid, NotFound
from linli.lib import clock
from linli.registry import houses, places, tenancies
from linli.registry.house_schemas import CareGradeIn, HouseUpdate, TenancyEnd, TenancyIn
from linli.registry.models import House, Household, Unit
from linli.registry.schemas import HouseholdIn
from tests.factories import World, building_of, make_household, root_scope, scope_of
from tests.houses.helpers import house_of


def test_it_puts_a_new_household_on_the_house_of_its_building_unit_and_room(db: Session, world: World) -> None:
    building = building_of(db, world.household1)
    scope = root_scope()
    a = places.create_household(db, scope, HouseholdIn(building_id=building, room="2-502"))
    b = places.create_household(db, scope, HouseholdIn(building_id=building, room="502", unit="3"))
    assert a.unit == "2单元" and b.unit == "3单元" and a.house_status == "owner_occupied"
    house = db.get(House, a.house_id)
    assert house is not None and house.room == "502" and house.building_id == building
    assert {u for (u,) in db.execute(select(Unit.name).where(Unit.building_id == building))} == {
        "1单元",
        "2单元",
        "3单元",
    }
    assert db.get(Household, world.household1).house_id == house_of(db, world.household1)  # type: ignore[union-attr]


def test_a_rented_house_keeps_its_tenancies_and_refuses_an_overlapping_period(db: Session, world: World) -> None:
    house = house_of(db, world.household1)
    tenant = make_household(db, world.grid1, "302", "9号楼")
    scope = scope_of(db, "grid1")
    start = clock.today() - timedelta(days=200)
    first = tenancies.create_tenancy(
        db, scope, house, TenancyIn(household_id=tenant, starts_on=start, ends_on=start + timedelta(days=99))
    )
    assert not first.current
    with pytest.raises(Conflict) as refused:
        tenancies.create_tenancy(db, scope, house, TenancyIn(household_id=tenant, starts_on=start + timedelta(days=50)))
    assert refused.value.code == "tenancy.overlap"
    with pytest.raises(Invalid):
        tenancies.create_tenancy(
            db, scope, house, TenancyIn(household_id=tenant, starts_on=start, ends_on=start - timedelta(days=1))
        )
    second = tenancies.create_tenancy(
        db, scope, house, TenancyIn(household_id=tenant, starts_on=start + timedelta(days=100))
    )
    assert second.current
    detail = houses.get_house(db, scope, house)
    assert detail.status == "rented"
    assert [t.id for t in detail.tenancies] == [second.id, first.id]
    assert {h.id for h in detail.living} == {world.household1, tenant}  # a shared rental

    ended = tenancies.end_tenancy(db, scope, second.id, TenancyEnd(ends_on=clock.today() - timedelta(days=1)))
    assert not ended.current and ended.ends_on == clock.today() - timedelta(days=1)
    with pytest.raises(Invalid) as again:
        tenancies.end_tenancy(db, scope, second.id, TenancyEnd(ends_on=clock.today()))
    assert again.value.code == "tenancy.ended"
    assert len(houses.get_house(db, scope, house).tenancies) == 2  # history kept
    assert db.scalar(select(func.count()).where(AuditEvent.action.in_(("tenancy.create", "tenancy.end")))) == 3


def test_it_stores_the_outside_owners_phone_encrypted_and_shows_it_masked(db: Session, world: World) -> None:
    house = house_of(db, world.household1)
    shown = houses.update_house(
        db,
        scope_of(db, "secretary"),
        house,
        HouseUpdate(status="vacant", owner_name="陈先生", owner_phone="13812345678", floor_area=86.5),
    )
    assert shown.owner_phone is not None and shown.owner_phone.endswith("5678") and "1381234" not in shown.owner_phone
    row = db.get(House, house)
    assert row is not None and "13812345678" not in (row.owner_phone_enc or "") and row.owner_phone_tail == "5678"
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "house.update")).one()
    assert "13812345678" not in str(event.changes) and event.changes["status"] == ["owner_occupied", "vacant"]
    with pytest.raises(Invalid):
        houses.unmask_owner(db, scope_of(db, "secretary"), house, "")
    assert houses.unmask_owner(db, scope_of(db, "secretary"), house, "联系业主").owner_phone == "13812345678"
    assert db.scalar(select(func.count()).where(AuditEvent.action == "house.unmask")) == 1
    with pytest.raises(Invalid):
        houses.update_house(db, scope_of(db, "secretary"), house, HouseUpdate(owner_phone="12345"))


def test_a_house_outside_reach_is_not_found(db: Session, world: World) -> None:
    house = house_of(db, world.household1)
    with pytest.raises(NotFound):
        houses.get_house(db, scope_of(db, "outsider"), house)
    with pytest.raises(NotFound):
        houses.update_house(db, scope_of(db, "grid2"), house, HouseUpdate(status="vacant"))
    with pytest.raises(NotFound):
        houses.unmask_owner(db, scope_of(db, "outsider"), house, "看看")
    assert db.scalar(select(func.count()).where(AuditEvent.action == "house.unmask_refused")) == 1
    listed = houses.list_houses(db, scope_of(db, "grid2"))
    assert house not in {h.id for h in listed.items} and listed.total == 1


def test_a_care_grade_is_set_with_a_reason_kept_and_audited(db: Session, world: World) -> None:
    scope = scope_of(db, "grid1")
    tenancies.set_care_grade(db, scope, world.household1, CareGradeIn(grade="yellow", reason="老人独居"))
    shown = tenancies.set_care_grade(db, scope, world.household1, CareGradeIn(grade="red", reason="摔倒住院"))
    assert shown.grade == "red" and [c.grade for c in shown.history] == ["red", "yellow"]
    assert shown.history[0].previous == "yellow" and shown.history[0].username == "grid1"
    assert places.get_household(db, scope, world.household1).care_grade == "red"
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "household.care_grade")).all()[-1]
    assert event.changes["care_grade"] == ["yellow", "red"] and event.changes["reason"] == [None, "摔倒住院"]
    with pytest.raises(NotFound):
        tenancies.set_care_grade(db, scope_of(db, "outsider"), world.household1, CareGradeIn(grade="blue", reason="x"))


def test_it_lists_houses_by_status_in_a_fixed_number_of_queries(db: Session, world: World) -> None:
    from sqlalchemy import event

    building = building_of(db, world.household1)
    for room in ("401", "402", "403", "404"):
        places.create_household(db, root_scope(), HouseholdIn(building_id=building, room=room))
    scope = scope_of(db, "grid1")
    engine = db.get_bind()

    def queries(size: int) -> int:
        counted: list[str] = []

        def count(*args: object) -> None:
            counted.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", count)
        try:
            page = houses.list_houses(db, scope, building_id=building, page_size=size)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert page.total == 5 and len(page.items) == size
        return len(counted)

    assert queries(1) == queries(5)
    assert houses.list_houses(db, scope_of(db, "grid1"), status="vacant").total == 0
    units = houses.list_units(db, scope_of(db, "grid1"), building)
    assert [(u.name, u.houses) for u in units] == [("1单元", 5)]
