"""Resource use cases on both databases: keeping, finding, changing, retiring, unmasking and counting resources."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.audit.models import AuditEvent
from linli.errors import Conflict, Forbidden, Invalid, NotFound, ValidationErrors
from linli.lib import clock
from linli.needs import intake
from linli.needs.schemas import NeedIn
from linli.resources import services
from linli.resources.models import Resource
from linli.resources.schemas import ResourceIn, ResourceUpdate
from linli.resources.services import ResourceFilter
from tests.factories import World, root_scope, scope_of
from tests.resources.helpers import make_resource, use


def listed(db: Session, username: str, **filters: object) -> list[str]:
    page = services.list_resources(db, scope_of(db, username), ResourceFilter(**filters), 1, 100)  # type: ignore[arg-type]
    return [r.name for r in page.items]


def test_it_keeps_a_resource_with_its_categories_and_hours(db: Session, world: World) -> None:
    made = make_resource(db, world.grid1.id, categories=["computer_lessons", "电脑教学", "legal_advice"])
    assert made.area == "第一网格" and made.kind == "venue" and made.capacity == 2 and made.capacity_unit == "once"
    assert [c.code for c in made.categories] == ["computer_lessons", "legal_advice"]
    assert made.categories[0].name == "电脑教学" and made.categories[0].name_en == "Computer lessons"
    assert made.opening_hours[0].weekday == 0 and made.opening_hours[0].start == 540
    assert made.valid and made.active and made.in_use == 0 and made.version == 1
    assert services.get_resource(db, scope_of(db, "grid1"), made.id) == made


def test_it_stores_the_contact_phone_encrypted_and_shows_it_masked(db: Session, world: World) -> None:
    made = make_resource(db, world.grid1.id, contact_phone="139 1234 5678")
    assert made.contact_phone == "*******5678"
    row = db.scalars(select(Resource).where(Resource.id == made.id)).one()
    assert row.contact_phone_enc and "13912345678" not in row.contact_phone_enc
    assert row.contact_phone_tail == "5678" and row.contact_phone_hash
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "resource.create")).one()
    assert event.changes["contact_phone"] == [None, "****5678"] and "13912345678" not in str(event.changes)


def test_it_finds_a_resource_by_its_whole_phone(db: Session, world: World) -> None:
    make_resource(db, world.grid1.id, name="社区食堂", contact_phone="0592-1234567")
    make_resource(db, world.grid1.id, name="法律援助站", contact_phone="13800000000")
    assert listed(db, "grid1", q="0592-1234567") == ["社区食堂"]


def test_it_shows_the_phone_in_full_with_a_reason_and_records_who_saw_it(db: Session, world: World) -> None:
    made = make_resource(db, world.grid1.id)
    with pytest.raises(Invalid) as no_reason:
        services.unmask_contact(db, scope_of(db, "grid1"), made.id, " ")
    assert no_reason.value.code == "resource.unmask_reason"
    shown = services.unmask_contact(db, scope_of(db, "grid1"), made.id, "联系借用活动室")
    assert shown.contact_phone == "13912345678"
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "resource.unmask")).one()
    assert event.username == "grid1" and event.changes["reason"] == [None, "联系借用活动室"]


def test_it_hides_the_phone_from_those_without_the_right_and_records_the_attempt(db: Session, world: World) -> None:
    made = make_resource(db, world.grid1.id)
    for username in ("outsider", "supervisor"):  # another community; a supervisor may not unmask
        with pytest.raises(NotFound):
            services.unmask_contact(db, scope_of(db, username), made.id, "想看")
    refused = db.scalars(select(AuditEvent.username).where(AuditEvent.action == "resource.unmask_refused")).all()
    assert sorted(refused) == ["outsider", "supervisor"]


def test_it_searches_filters_and_pages(db: Session, world: World) -> None:
    make_resource(db, world.grid1.id, name="老年活动中心", kind="venue", categories=["home_care"])
    make_resource(
        db, world.grid2.id, name="王医生骨科义诊", kind="skill", owner="天使服务队", categories=["free_clinic"]
    )
    make_resource(db, world.grid2.id, name="维修工具箱", kind="equipment", description="电钻、梯子，可上门维修")
    make_resource(db, world.other_grid.id, username="admin", name="厦禾托教机构", kind="institution")
    assert listed(db, "secretary") == ["老年活动中心", "王医生骨科义诊", "维修工具箱"]
    assert listed(db, "secretary", q="天使") == ["王医生骨科义诊"]  # the owner
    assert listed(db, "secretary", q="上门") == ["维修工具箱"]  # the description
    assert listed(db, "secretary", q="100%") == []  # a percent sign is a character, not a wildcard
    assert listed(db, "secretary", area_id=world.grid2.id) == ["王医生骨科义诊", "维修工具箱"]
    assert listed(db, "secretary", area_id=world.community.id, kind="skill") == ["王医生骨科义诊"]
    assert listed(db, "secretary", category="free_clinic") == listed(db, "secretary", category="义诊")
    assert listed(db, "admin", area_id=world.street.id) == [*listed(db, "secretary"), "厦禾托教机构"]
    paged = services.list_resources(db, scope_of(db, "secretary"), ResourceFilter(), 2, 2)
    assert [r.name for r in paged.items] == ["维修工具箱"] and paged.total == 3 and paged.page == 2


def test_it_lists_only_what_the_caller_reaches(db: Session, world: World) -> None:
    make_resource(db, world.grid1.id, name="一网格活动室")
    make_resource(db, world.grid2.id, name="二网格活动室")
    assert listed(db, "grid1") == ["一网格活动室"]
    assert listed(db, "grid1", area_id=world.community.id) == ["一网格活动室"]  # above: only what lies within reach
    assert listed(db, "outsider") == []
    with pytest.raises(NotFound):
        listed(db, "outsider", area_id=world.grid1.id)  # beside the outsider's reach
    assert listed(db, "supervisor") == ["一网格活动室", "二网格活动室"]


@pytest.fixture
def resident_without_roles(db: Session) -> None:
    from linli.accounts.services import create_user
    from tests.factories import PASSWORD

    create_user(db, "resident_without_roles", PASSWORD, roles=[])


def test_it_refuses_the_list_to_someone_without_the_supply_side(
    db: Session, world: World, resident_without_roles: None
) -> None:
    with pytest.raises(Forbidden):
        listed(db, "resident_without_roles")


def test_it_hides_a_resource_outside_the_callers_area(db: Session, world: World) -> None:
    made = make_resource(db, world.grid1.id)
    for username in ("outsider", "grid2"):
        with pytest.raises(NotFound):
            services.get_resource(db, scope_of(db, username), made.id)
        with pytest.raises(NotFound):
            services.update_resource(db, scope_of(db, username), made.id, ResourceUpdate(version=1, name="改"))
        with pytest.raises(NotFound):
            services.retire_resource(db, scope_of(db, username), made.id)


@pytest.fixture
def other_secretary(db: Session, world: World) -> None:
    from linli.accounts.services import create_user
    from tests.factories import PASSWORD

    create_user(db, "other_secretary", PASSWORD, roles=[("secretary", world.other_community.code)])


def test_it_lets_a_grid_worker_see_but_not_keep_resources(db: Session, world: World, other_secretary: None) -> None:
    made = make_resource(db, world.grid1.id)
    with pytest.raises(Forbidden):
        make_resource(db, world.grid1.id, username="grid1")
    with pytest.raises(Forbidden):
        services.update_resource(db, scope_of(db, "grid1"), made.id, ResourceUpdate(version=1, name="改"))
    with pytest.raises(NotFound):  # a secretary of another community does not see it at all
        make_resource(db, world.grid1.id, username="other_secretary")


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"categories": ["no_such_category"]}, "resource.unknown_category", "category_ids"),
        ({"category_ids": [99999]}, "resource.unknown_category", "category_ids"),
        ({"opening_hours": [{"weekday": 7, "start": 540, "end": 600}]}, "resource.bad_hours", "opening_hours.0"),
        ({"opening_hours": [{"weekday": 1, "start": 600, "end": 540}]}, "resource.bad_hours", "opening_hours.0"),
        ({"opening_hours": [{"weekday": 1, "start": 0, "end": 1441}]}, "resource.bad_hours", "opening_hours.0"),
        (
            {"opening_hours": [{"weekday": 1, "start": 540, "end": 720}, {"weekday": 1, "start": 700, "end": 800}]},
            "resource.hours_overlap",
            "opening_hours",
        ),
        ({"kind": "spaceship"}, "resource.unknown_kind", "kind"),
        ({"capacity": 0}, "resource.bad_capacity", "capacity"),
        ({"capacity_unit": "month"}, "resource.unknown_unit", "capacity_unit"),
        ({"contact_phone": "12345"}, "resource.phone_invalid", "contact_phone"),
        ({"name": "  "}, "resource.name_required", "name"),
        ({"handler_user_id": 99999}, "resource.unknown_handler", "handler_user_id"),
        ({"description": "a\x00b"}, "resource.text_unprintable", "description"),
    ],
)
def test_it_refuses_bad_values_with_a_code(
    db: Session, world: World, overrides: dict[str, Any], code: str, field: str
) -> None:
    with pytest.raises(ValidationErrors) as refused:
        make_resource(db, world.grid1.id, **overrides)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert refused.value.text("zh") != refused.value.text("en")  # translated
    assert db.scalar(select(Resource.id)) is None


def test_it_gives_every_problem_at_once(db: Session, world: World) -> None:
    with pytest.raises(ValidationErrors) as refused:
        make_resource(db, world.grid1.id, kind="x", capacity=0, categories=["nope"])
    assert [e.code for e in refused.value.errors] == [
        "resource.unknown_kind",
        "resource.bad_capacity",
        "resource.unknown_category",
    ]


def test_it_changes_a_resource_and_refuses_a_stale_version(db: Session, world: World) -> None:
    made = make_resource(db, world.grid1.id)
    secretary = scope_of(db, "secretary")
    changed = services.update_resource(
        db, secretary, made.id, ResourceUpdate(version=1, name="党群服务站", capacity=5, categories=["legal_advice"])
    )
    assert changed.name == "党群服务站" and changed.capacity == 5 and changed.version == 2
    assert [c.code for c in changed.categories] == ["legal_advice"] and changed.contact_phone == "*******5678"
    with pytest.raises(Conflict) as stale:
        services.update_resource(db, secretary, made.id, ResourceUpdate(version=1, name="晚到的修改"))
    assert stale.value.code == "resource.stale" and stale.value.status == 409
    assert services.get_resource(db, secretary, made.id).name == "党群服务站"
    only_categories = services.update_resource(db, secretary, made.id, ResourceUpdate(version=2, category_ids=[]))
    assert only_categories.categories == [] and only_categories.version == 3  # the version moves on all the same
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "resource.update").order_by(AuditEvent.id)).first()
    assert event is not None and event.changes["name"] == ["图强小区党群服务站", "党群服务站"]


def test_it_removes_the_phone_when_given_none_and_keeps_it_when_left_out(db: Session, world: World) -> None:
    made = make_resource(db, world.grid1.id)
    secretary = scope_of(db, "secretary")
    kept = services.update_resource(db, secretary, made.id, ResourceUpdate(version=1, owner="业委会"))
    assert kept.contact_phone == "*******5678"
    removed = services.update_resource(db, secretary, made.id, ResourceUpdate(version=2, contact_phone=None))
    assert removed.contact_phone is None
    assert db.scalar(select(Resource.contact_phone_hash).where(Resource.id == made.id)) is None


def test_it_retires_a_resource_once_and_audits_it(db: Session, world: World) -> None:
    made = make_resource(db, world.grid1.id)
    secretary = scope_of(db, "secretary")
    with pytest.raises(Conflict):
        services.retire_resource(db, secretary, made.id, version=7)
    retired = services.retire_resource(db, secretary, made.id, version=1)
    assert not retired.active and not retired.valid
    assert services.retire_resource(db, secretary, made.id).version == retired.version  # again: nothing changes
    assert db.scalars(select(AuditEvent.action).where(AuditEvent.action == "resource.retire")).all() == [
        "resource.retire"
    ]
    assert listed(db, "secretary") == [] and listed(db, "secretary", status="retired") == [made.name]
    assert listed(db, "secretary", status=None) == [made.name]


def test_it_counts_resources_on_hand_in_an_area_and_below(db: Session, world: World) -> None:
    today = clock.today()
    make_resource(db, world.grid1.id, name="长期")
    make_resource(db, world.grid1.id, name="今天到期", valid_until=today)
    make_resource(db, world.grid2.id, name="明年到期", valid_until=today + timedelta(days=365))
    make_resource(db, world.grid2.id, name="已过期", valid_until=today - timedelta(days=1))
    retired = make_resource(db, world.grid2.id, name="已停用")
    make_resource(db, world.community.id, name="社区的")
    make_resource(db, world.other_grid.id, username="admin", name="别的社区")
    services.retire_resource(db, scope_of(db, "secretary"), retired.id)
    secretary = scope_of(db, "secretary")
    assert services.resources_on_hand(db, secretary, world.community.id) == 4
    assert services.resources_on_hand(db, secretary, world.grid2.id) == 1
    assert services.resources_on_hand(db, scope_of(db, "admin"), world.district.id) == 5
    assert listed(db, "secretary", valid_only=True) == ["长期", "今天到期", "明年到期", "社区的"]
    assert [r.valid for r in services.list_resources(db, secretary, ResourceFilter(q="过期"), 1, 10).items] == [False]
    with pytest.raises(NotFound):
        services.resources_on_hand(db, scope_of(db, "outsider"), world.community.id)
    with pytest.raises(NotFound):
        services.resources_on_hand(db, scope_of(db, "grid1"), world.community.id)  # above a grid worker's reach


def test_it_counts_the_orders_a_resource_meets_now(db: Session, world: World) -> None:
    made = make_resource(db, world.grid1.id)
    grid1 = scope_of(db, "grid1")
    orders = [
        intake.create_order(
            db, grid1, NeedIn(category="repairs", description=f"漏水{i}", household_id=world.household1)
        )
        for i in range(3)
    ]
    use(db, made.id, orders[0].id)
    use(db, made.id, orders[1].id)
    use(db, made.id, orders[2].id, ended=True)
    assert services.get_resource(db, grid1, made.id).in_use == 2


def test_it_keeps_a_resource_in_an_area_only_where_the_caller_keeps_resources(db: Session, world: World) -> None:
    with pytest.raises(NotFound):
        services.create_resource(
            db, scope_of(db, "secretary"), ResourceIn(area_id=world.other_grid.id, kind="venue", name="越界")
        )
    made = services.create_resource(db, root_scope(), ResourceIn(area_id=world.street.id, kind="business", name="超市"))
    assert made.area == "开元街道" and made.categories == [] and made.opening_hours == []
