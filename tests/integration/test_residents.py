"""Registering, changing, moving and deregistering residents through the services, on both databases."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TypedDict, Unpack

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.errors import Conflict, Invalid, NotFound, ValidationErrors
from linli.lib import clock
from linli.registry import services
from linli.registry.models import Household, Resident, ResidentKey
from linli.registry.schemas import DeregisterIn, MoveIn, ResidentIn, ResidentUpdate
from linli.registry.services import ResidentFilter
from linli.runtime import Runtime
from tests.factories import ID_NUMBERS, World, make_household, scope_of, with_check_character

LATER = clock.today() + timedelta(days=3)


class Filters(TypedDict, total=False):
    """The keyword arguments of ``ResidentFilter``, for ``names``."""

    q: str
    area_id: int | None
    tag: str | None
    min_age: int | None
    max_age: int | None
    kind: str | None
    status: str | None
    household_id: int | None


def names(session: Session, username: str, **filters: Unpack[Filters]) -> list[str]:
    page = services.list_residents(session, scope_of(session, username), ResidentFilter(**filters), page_size=200)
    return [r.name for r in page.items]


def test_it_derives_birth_date_and_sex_from_the_id_number(db: Session, world: World) -> None:
    person = services.create_resident(
        db,
        scope_of(db, "grid1"),
        ResidentIn(name=" 李 秀英 ", household_id=world.household1, id_number="350203 19800101 4575"),
    )
    assert person.name == "李秀英"
    assert person.birth_date == date(1980, 1, 1) and person.gender == "1"
    assert person.id_number == "350203********4575"
    assert world.resident1.birth_date == date(1949, 12, 31) and world.resident1.gender == "2"


def test_it_upgrades_a_15_digit_number_before_storing_it(db: Session, world: World) -> None:
    person = services.create_resident(
        db, scope_of(db, "grid1"), ResidentIn(name="老陈", household_id=world.household1, id_number="350203500101123")
    )
    assert person.birth_date == date(1950, 1, 1)
    assert person.id_number is not None and len(person.id_number) == 18


@pytest.mark.parametrize(
    ("given", "code"),
    [({"birth_date": "1980-01-02"}, "resident.birth_date_mismatch"), ({"gender": "2"}, "resident.gender_mismatch")],
)
def test_it_refuses_a_birth_date_or_sex_that_disagrees_with_the_id_number(
    db: Session, world: World, given: dict[str, str], code: str
) -> None:
    data = ResidentIn(name="李秀英", household_id=world.household1, id_number="350203198001014575", **given)
    with pytest.raises(ValidationErrors) as refused:
        services.create_resident(db, scope_of(db, "grid1"), data)
    assert [e.code for e in refused.value.errors] == [code]


def test_it_reports_every_field_error_at_once_and_writes_nothing(db: Session, world: World) -> None:
    before = db.scalar(select(func.count()).select_from(Resident))
    data = ResidentIn(
        name="  ",
        household_id=world.household1,
        id_number="110105194912310021",
        phone="12345",
        relation="77",
        kind="09",
        gender="5",
    )
    with pytest.raises(ValidationErrors) as refused:
        services.create_resident(db, scope_of(db, "grid1"), data)
    fields = {e.field: e.code for e in refused.value.errors}
    assert fields == {
        "name": "resident.name_required",
        "id_number": "resident.id_checksum",
        "phone": "resident.phone_invalid",
        "relation": "resident.relation_unknown",
        "kind": "resident.kind_unknown",
        "gender": "resident.gender_unknown",
    }
    assert db.scalar(select(func.count()).select_from(Resident)) == before


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("1101051949123100", "length"),
        ("11010519491231002A", "format"),
        ("110105194912310021", "checksum"),
        (with_check_character("11010519490230002"), "birth_date"),
    ],
)
def test_it_says_why_an_id_number_is_refused(db: Session, world: World, written: str, reason: str) -> None:
    with pytest.raises(ValidationErrors) as refused:
        services.create_resident(
            db, scope_of(db, "grid1"), ResidentIn(name="某人", household_id=world.household1, id_number=written)
        )
    assert refused.value.code == f"resident.id_{reason}" and refused.value.field == "id_number"


def test_it_refuses_a_duplicate_id_number_naming_the_record_in_reach(db: Session, world: World) -> None:
    data = ResidentIn(name="冒名", household_id=world.household1, id_number=ID_NUMBERS[0].lower())
    with pytest.raises(Conflict) as refused:
        services.create_resident(db, scope_of(db, "grid1"), data)
    assert refused.value.code == "resident.duplicate_id" and refused.value.field == "id_number"
    message = refused.value.text("en")
    assert "曾伟" in message and str(world.resident1.id) in message


def test_it_refuses_a_duplicate_id_number_from_elsewhere_without_naming_the_person(db: Session, world: World) -> None:
    data = ResidentIn(name="冒名", household_id=world.other_household, id_number=ID_NUMBERS[0])
    with pytest.raises(Conflict) as refused:
        services.create_resident(db, scope_of(db, "outsider"), data)
    assert refused.value.code == "resident.duplicate_id_elsewhere"
    for locale in ("en", "zh"):
        text = refused.value.text(locale)
        assert "曾伟" not in text and str(world.resident1.id) not in text and "002X" not in text


def test_it_refuses_an_update_to_an_id_number_another_resident_holds(db: Session, world: World) -> None:
    with pytest.raises(Conflict) as refused:
        services.update_resident(
            db,
            scope_of(db, "secretary"),
            world.resident2.id,
            ResidentUpdate(version=world.resident2.version, id_number=ID_NUMBERS[0]),
        )
    assert refused.value.code == "resident.duplicate_id"


def test_it_keeps_a_grid_workers_writes_inside_their_grid(db: Session, world: World) -> None:
    grid1 = scope_of(db, "grid1")
    with pytest.raises(NotFound):
        services.create_resident(db, grid1, ResidentIn(name="某人", household_id=world.household2))
    with pytest.raises(NotFound):
        services.update_resident(db, grid1, world.resident2.id, ResidentUpdate(version=1, name="改名"))
    with pytest.raises(NotFound):
        services.move_resident(db, grid1, world.resident1.id, MoveIn(household_id=world.household2))
    with pytest.raises(NotFound):
        services.deregister_resident(
            db, scope_of(db, "supervisor"), world.resident1.id, DeregisterIn(reason="deceased")
        )


def test_it_moves_a_resident_keeping_history_and_reindexing_search(db: Session, world: World) -> None:
    secretary = scope_of(db, "secretary")
    assert names(db, "grid1", q="zw") == ["曾伟"]
    with pytest.raises(Invalid) as refused:  # 李娜 already heads household 2: 曾伟 joins as her parent
        services.move_resident(db, secretary, world.resident1.id, MoveIn(household_id=world.household2, on=LATER))
    assert refused.value.code == "resident.household_has_head" and refused.value.field == "relation"
    parent = MoveIn(household_id=world.household2, relation="50", on=LATER, note="投靠女儿")
    moved = services.move_resident(db, secretary, world.resident1.id, parent)
    assert moved.household_id == world.household2 and moved.area_id == world.grid2.id and moved.relation == "50"
    assert db.get(Household, world.household1).head_id is None  # type: ignore[union-attr]
    keys = db.scalars(select(ResidentKey.area_id).where(ResidentKey.resident_id == world.resident1.id)).all()
    assert keys and set(keys) == {world.grid2.id}
    assert names(db, "grid1", q="zw") == []
    assert names(db, "grid2", q="zengwei") == ["曾伟"]
    history = services.resident_history(db, secretary, world.resident1.id)
    assert [e.kind for e in history] == ["registered", "moved"]
    assert history[1].from_household_id == world.household1 and history[1].to_household_id == world.household2
    assert history[1].note == "投靠女儿"
    assert services.get_resident(db, scope_of(db, "grid2"), world.resident1.id).name == "曾伟"


def test_it_deregisters_a_resident_keeping_the_record(db: Session, world: World) -> None:
    grid1 = scope_of(db, "grid1")
    out = services.deregister_resident(
        db, grid1, world.resident1.id, DeregisterIn(reason="moved_out", on=LATER, note="迁往漳州")
    )
    assert out.status == "moved_out" and out.left_on == LATER
    assert db.get(Resident, world.resident1.id) is not None
    assert names(db, "grid1") == []
    assert names(db, "grid1", status=None) == ["曾伟"]
    assert names(db, "grid1", status="moved_out") == ["曾伟"]
    assert services.get_resident(db, grid1, world.resident1.id).status == "moved_out"
    assert [e.kind for e in services.resident_history(db, grid1, world.resident1.id)] == ["registered", "moved_out"]
    with pytest.raises(Invalid):
        services.deregister_resident(db, grid1, world.resident1.id, DeregisterIn(reason="deceased"))


def test_it_refuses_a_second_update_made_from_the_same_version(runtime: Runtime, world: World) -> None:
    with runtime.sessions() as one, runtime.sessions() as two:
        read_one = services.get_resident(one, scope_of(one, "grid1"), world.resident1.id)
        read_two = services.get_resident(two, scope_of(two, "secretary"), world.resident1.id)
        assert read_one.version == read_two.version
        services.update_resident(
            one, scope_of(one, "grid1"), world.resident1.id, ResidentUpdate(version=read_one.version, notes="腿脚不便")
        )
        with pytest.raises(Conflict) as refused:
            services.update_resident(
                two,
                scope_of(two, "secretary"),
                world.resident1.id,
                ResidentUpdate(version=read_two.version, notes="行动自如"),
            )
        assert refused.value.code == "resident.stale"
    with runtime.sessions() as check:
        assert services.get_resident(check, scope_of(check, "grid1"), world.resident1.id).notes == "腿脚不便"


def test_it_refuses_an_update_whose_row_changed_under_a_loaded_record(runtime: Runtime, world: World) -> None:
    """The version column guards the UPDATE itself, not only the version the client sends."""
    with runtime.sessions() as one, runtime.sessions() as two:
        loaded = two.get(Resident, world.resident1.id)  # kept in two's identity map at version 1
        assert loaded is not None and loaded.version == 1
        services.update_resident(one, scope_of(one, "grid1"), world.resident1.id, ResidentUpdate(version=1, notes="甲"))
        with pytest.raises(Conflict) as refused:
            services.update_resident(
                two, scope_of(two, "grid1"), world.resident1.id, ResidentUpdate(version=1, notes="乙")
            )
        assert refused.value.code == "resident.stale"


def test_it_updates_name_and_reindexes_search(db: Session, world: World) -> None:
    grid1 = scope_of(db, "grid1")
    out = services.update_resident(
        db, grid1, world.resident1.id, ResidentUpdate(version=world.resident1.version, name="单乐乐")
    )
    assert out.version == world.resident1.version + 1
    assert names(db, "grid1", q="shan") == ["单乐乐"]
    assert names(db, "grid1", q="zw") == []


def test_it_lists_by_area_subtree_tag_age_and_kind(db: Session, world: World) -> None:
    h = make_household(db, world.grid1, "402", "4号楼")
    grid1 = scope_of(db, "grid1")
    services.create_resident(
        db, grid1, ResidentIn(name="刘洋", household_id=h, birth_date="2015-06-01", kind="02", relation="20")
    )
    assert names(db, "secretary", area_id=world.grid1.id) == ["曾伟", "刘洋"]
    assert names(db, "secretary", area_id=world.community.id) == ["曾伟", "李娜", "刘洋"]
    assert names(db, "secretary", tag="living_alone") == ["曾伟"]
    assert names(db, "secretary", min_age=70) == ["曾伟"]
    assert names(db, "secretary", max_age=17) == ["刘洋"]
    assert names(db, "secretary", kind="02") == ["刘洋"]
    assert names(db, "supervisor") == ["曾伟", "李娜", "王芳", "刘洋"]
    assert names(db, "outsider") == ["王芳"]


@pytest.mark.parametrize("action", ["move", "deregister"])
def test_it_refuses_a_date_before_the_registration(db: Session, world: World, action: str) -> None:
    earlier = world.resident1.registered_on - timedelta(days=1)
    secretary = scope_of(db, "secretary")
    with pytest.raises(Invalid) as refused:
        if action == "move":
            services.move_resident(db, secretary, world.resident1.id, MoveIn(household_id=world.household2, on=earlier))
        else:
            services.deregister_resident(db, secretary, world.resident1.id, DeregisterIn(reason="deceased", on=earlier))
    assert refused.value.field == "on"
    assert [e.kind for e in services.resident_history(db, secretary, world.resident1.id)] == ["registered"]
