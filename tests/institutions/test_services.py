"""Institution use cases on both databases: kept with their resource, found, changed, their licences warned of."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.audit.models import AuditEvent
from linli.errors import Conflict, Forbidden, Invalid, NotFound, ValidationErrors
from linli.institutions import checklists, services
from linli.institutions.models import Institution
from linli.institutions.schemas import InstitutionIn, InstitutionUpdate, TemplateIn, TemplateUpdate
from linli.institutions.services import InstitutionFilter
from linli.lib import clock
from linli.needs.models import ServiceCategory
from linli.resources import services as resources
from linli.resources.models import Resource
from tests.factories import World, scope_of
from tests.institutions.helpers import inspect, make_institution, results, template_id
from tests.resources.helpers import make_resource


def listed(db: Session, username: str, **filters: Any) -> list[str]:
    page = services.list_institutions(db, scope_of(db, username), InstitutionFilter(**filters), 1, 100)
    return [i.name for i in page.items]


def test_it_keeps_an_institution_as_a_resource_of_kind_institution(db: Session, world: World) -> None:
    made = make_institution(db, world.grid1.id)
    assert made.area == "第一网格" and made.kind == "tutoring" and made.status == "operating" and made.version == 1
    assert made.contact_phone == "*******5678" and made.licence == "valid" and made.open_findings == 0
    resource = db.scalars(select(Resource).where(Resource.id == made.resource_id)).one()
    assert resource.kind == "institution" and resource.name == "阳光托管中心" and resource.capacity == 40
    assert resource.contact_phone_enc and "13912345678" not in resource.contact_phone_enc
    assert resources.get_resource(db, scope_of(db, "grid1"), made.resource_id).kind == "institution"
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "institution.create")).one()
    assert event.changes["contact_phone"] == [None, "****5678"] and "13912345678" not in str(event.changes)
    assert services.get_institution(db, scope_of(db, "grid1"), made.id) == made


def test_it_oversees_an_existing_resource_of_kind_institution(db: Session, world: World) -> None:
    venue = make_resource(db, world.grid1.id, kind="venue", name="活动室")
    centre = make_resource(db, world.grid1.id, kind="institution", name="小书虫托教中心")
    secretary = scope_of(db, "secretary")
    made = services.create_institution(
        db, secretary, InstitutionIn(resource_id=centre.id, kind="tutoring", licence_no="思教民 1")
    )
    assert made.resource_id == centre.id and made.name == "小书虫托教中心" and made.contact_phone == "*******5678"
    with pytest.raises(Conflict) as twice:
        services.create_institution(db, secretary, InstitutionIn(resource_id=centre.id))
    assert twice.value.code == "institution.exists"
    with pytest.raises(Invalid) as not_one:
        services.create_institution(db, secretary, InstitutionIn(resource_id=venue.id))
    assert not_one.value.code == "institution.not_an_institution"
    with pytest.raises(NotFound):
        services.create_institution(db, scope_of(db, "admin"), InstitutionIn(resource_id=2**40))


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"kind": "casino"}, "institution.unknown_kind", "kind"),
        ({"status": "asleep"}, "institution.unknown_status", "status"),
        ({"licence_no": ""}, "institution.licence", "licence_no"),
        ({"contact_phone": "12345"}, "resource.phone_invalid", "contact_phone"),
        ({"capacity": 0}, "resource.bad_capacity", "capacity"),
        ({"name": " "}, "resource.name_required", "name"),
        ({"handler_user_id": 99999}, "resource.unknown_handler", "handler_user_id"),
        ({"licence_no": "a\x00b"}, "institution.licence_unprintable", "licence_no"),
    ],
)
def test_it_refuses_bad_values_with_a_code(
    db: Session, world: World, overrides: dict[str, Any], code: str, field: str
) -> None:
    with pytest.raises(ValidationErrors) as refused:
        make_institution(db, world.grid1.id, **overrides)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert refused.value.text("zh") != refused.value.text("en")  # translated
    assert db.scalar(select(Resource.id)) is None and db.scalar(select(Institution.id)) is None


def test_it_gives_every_problem_at_once(db: Session, world: World) -> None:
    with pytest.raises(ValidationErrors) as refused:
        make_institution(db, world.grid1.id, kind="x", capacity=0, contact_phone="1", licence_no="")
    assert [e.code for e in refused.value.errors] == [
        "resource.bad_capacity",
        "resource.phone_invalid",
        "institution.unknown_kind",
        "institution.licence",
    ]


def test_it_searches_filters_and_pages(db: Session, world: World) -> None:
    make_institution(db, world.grid1.id, name="阳光托管中心")
    make_institution(db, world.grid2.id, name="小书虫课后托管", kind="childcare", licence_no="托育 77")
    make_institution(db, world.grid2.id, name="启航艺术培训", kind="training", status="suspended")
    make_institution(db, world.other_grid.id, username="admin", name="厦禾托管")
    assert listed(db, "secretary") == ["阳光托管中心", "小书虫课后托管", "启航艺术培训"]
    assert listed(db, "secretary", q="托育 77") == ["小书虫课后托管"]  # the licence number
    assert listed(db, "secretary", q="阳光教育") == listed(db, "secretary")  # the operator
    assert listed(db, "secretary", kind="training") == ["启航艺术培训"]
    assert listed(db, "secretary", status="suspended") == ["启航艺术培训"]
    assert listed(db, "secretary", area_id=world.grid2.id) == ["小书虫课后托管", "启航艺术培训"]
    assert listed(db, "admin", area_id=world.street.id)[-1] == "厦禾托管"
    paged = services.list_institutions(db, scope_of(db, "secretary"), InstitutionFilter(), 2, 2)
    assert [i.name for i in paged.items] == ["启航艺术培训"] and paged.total == 3


def test_a_grid_worker_sees_only_the_institutions_of_their_grid(db: Session, world: World) -> None:
    mine = make_institution(db, world.grid1.id, name="一网格托管")
    theirs = make_institution(db, world.grid2.id, name="二网格托管")
    assert listed(db, "grid1") == ["一网格托管"]
    assert listed(db, "grid1", area_id=world.community.id) == ["一网格托管"]
    assert listed(db, "outsider") == []
    assert listed(db, "supervisor") == ["一网格托管", "二网格托管"]
    with pytest.raises(NotFound):
        listed(db, "outsider", area_id=world.grid1.id)
    for username, institution in (("grid1", theirs), ("outsider", mine), ("grid2", mine)):
        with pytest.raises(NotFound):
            services.get_institution(db, scope_of(db, username), institution.id)
        with pytest.raises(NotFound):
            services.update_institution(db, scope_of(db, username), institution.id, InstitutionUpdate(version=1))


def test_a_grid_worker_inspects_but_does_not_keep_institutions(db: Session, world: World) -> None:
    made = make_institution(db, world.grid1.id)
    with pytest.raises(Forbidden):
        make_institution(db, world.grid1.id, username="grid1")
    with pytest.raises(Forbidden):
        services.update_institution(db, scope_of(db, "grid1"), made.id, InstitutionUpdate(version=1, name="改"))
    assert inspect(db, made.id, "grid1").score == 100.0
    with pytest.raises(Forbidden):  # a supervisor reads, and does not inspect
        inspect(db, made.id, "supervisor")


def test_it_changes_an_institution_and_its_resource_and_refuses_a_stale_version(db: Session, world: World) -> None:
    made = make_institution(db, world.grid1.id)
    secretary = scope_of(db, "secretary")
    changed = services.update_institution(
        db, secretary, made.id, InstitutionUpdate(version=1, name="阳光托育中心", kind="childcare", capacity=30)
    )
    assert (changed.name, changed.kind, changed.capacity, changed.version) == ("阳光托育中心", "childcare", 30, 2)
    assert changed.contact_phone == "*******5678"  # left out: kept
    assert db.scalar(select(Resource.name).where(Resource.id == made.resource_id)) == "阳光托育中心"
    with pytest.raises(Conflict) as stale:
        services.update_institution(db, secretary, made.id, InstitutionUpdate(version=1, name="晚到的修改"))
    assert stale.value.code == "institution.stale"
    removed = services.update_institution(db, secretary, made.id, InstitutionUpdate(version=2, contact_phone=None))
    assert removed.contact_phone is None and removed.version == 3  # a change of the resource alone moves it on
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "institution.update").order_by(AuditEvent.id)
    ).first()
    assert event is not None and event.changes["name"] == ["阳光托管中心", "阳光托育中心"]


def test_a_suspended_institution_is_not_on_hand_until_it_reopens(db: Session, world: World) -> None:
    made = make_institution(db, world.grid1.id)
    secretary = scope_of(db, "secretary")
    assert resources.resources_on_hand(db, secretary, world.grid1.id) == 1
    services.update_institution(db, secretary, made.id, InstitutionUpdate(version=1, status="suspended"))
    assert resources.resources_on_hand(db, secretary, world.grid1.id) == 0
    services.update_institution(db, secretary, made.id, InstitutionUpdate(version=2, status="operating"))
    assert resources.resources_on_hand(db, secretary, world.grid1.id) == 1


def test_it_warns_of_licences_expired_or_running_out_within_30_days(db: Session, world: World) -> None:
    today = clock.today()
    for name, days in (("一月后", 31), ("今天", 0), ("三十天", 30), ("上月过期", -20), ("明年", 400)):
        make_institution(db, world.grid1.id, name=name, licence_valid_until=today + timedelta(days=days))
    make_institution(db, world.grid1.id, name="已关停", status="closed", licence_valid_until=today)
    make_institution(db, world.grid1.id, name="无证照", licence_no="", licence_valid_until=None)
    warned = services.licence_warnings(db, scope_of(db, "grid1"))
    assert [i.name for i in warned.items] == ["上月过期", "今天", "三十天"]
    assert [i.licence for i in warned.items] == ["expired", "expiring", "expiring"]
    assert listed(db, "grid1", expiring=True) == ["上月过期", "今天", "三十天"]
    assert services.licence_warnings(db, scope_of(db, "outsider")).items == []


def test_it_lists_the_institutions_with_open_findings(db: Session, world: World) -> None:
    clean = make_institution(db, world.grid1.id, name="合格的")
    failing = make_institution(db, world.grid1.id, name="有整改的")
    inspect(db, clean.id)
    inspect(db, failing.id, results=results(insurance="fail"))
    assert listed(db, "grid1", open_findings=True) == ["有整改的"]
    shown = services.get_institution(db, scope_of(db, "grid1"), failing.id)
    assert shown.open_findings == 1 and shown.last_inspected_on == clock.today() and shown.last_score == 90.9


# ---- checklists ---------------------------------------------------------------------------------


def test_it_seeds_the_default_checklist_once(db: Session, world: World) -> None:
    assert checklists.seed_templates(db) == ["tutoring_safety"]
    assert checklists.seed_templates(db) == []
    shown = checklists.list_templates(db, scope_of(db, "grid1"))
    assert [t.code for t in shown] == ["tutoring_safety"] and len(shown[0].items) == 7


def test_it_adds_the_defaults_with_the_complaint_category(db: Session, world: World) -> None:
    added = checklists.install_defaults(db, scope_of(db, "secretary"))
    assert added.templates == ["tutoring_safety"] and added.category == "institution_complaint"
    assert (
        db.scalar(select(ServiceCategory.name).where(ServiceCategory.code == "institution_complaint")) == "托教机构投诉"
    )
    again = checklists.install_defaults(db, scope_of(db, "secretary"))
    assert again.templates == [] and again.category is None
    with pytest.raises(Forbidden):
        checklists.install_defaults(db, scope_of(db, "grid1"))


ITEM = {"code": "exits", "text": "消防通道", "type": "pass_fail", "weight": 1}


@pytest.mark.parametrize(
    ("items", "code", "field"),
    [
        ([], "template.items_required", "items"),
        ([ITEM, ITEM], "template.item_duplicate", "items.1.code"),
        ([{**ITEM, "code": "Exits!"}], "template.item_code", "items.0.code"),
        ([{**ITEM, "type": "stars"}], "template.item_type", "items.0.type"),
        ([{**ITEM, "weight": 0}], "template.item_weight", "items.0.weight"),
        ([{**ITEM, "weight": float("nan")}], "template.item_weight", "items.0.weight"),
        ([{**ITEM, "type": "score"}], "template.item_max_score", "items.0.max_score"),
        ([{**ITEM, "type": "score", "max_score": -1}], "template.item_max_score", "items.0.max_score"),
        ([{**ITEM, "text": " "}], "template.item_text", "items.0.text"),
        ([{**ITEM, "rectify_days": 0}], "template.item_rectify_days", "items.0.rectify_days"),
    ],
)
def test_it_refuses_bad_checklist_items(
    db: Session, world: World, items: list[dict[str, Any]], code: str, field: str
) -> None:
    with pytest.raises(ValidationErrors) as refused:
        checklists.create_template(db, scope_of(db, "secretary"), TemplateIn(code="fire", name="消防", items=items))
    assert (refused.value.code, refused.value.field) == (code, field)


def test_a_note_item_needs_no_weight_and_an_item_in_use_stays(db: Session, world: World) -> None:
    secretary = scope_of(db, "secretary")
    note = {"code": "remarks", "text": "备注", "type": "note", "weight": 0}
    made = checklists.create_template(db, secretary, TemplateIn(code="fire", name="消防检查", items=[ITEM, note]))
    assert [i.weight for i in made.items] == [1.0, 0.0]
    with pytest.raises(Conflict):
        checklists.create_template(db, secretary, TemplateIn(code="fire", name="又一个", items=[ITEM]))
    institution = make_institution(db, world.grid1.id)
    inspect(db, institution.id, template_id=made.id, results=[{"item_code": "exits", "outcome": "pass"}])
    with pytest.raises(Conflict) as in_use:
        checklists.update_template(db, secretary, made.id, TemplateUpdate(version=1, items=[note]))
    assert in_use.value.code == "template.item_in_use"
    reworded = checklists.update_template(
        db, secretary, made.id, TemplateUpdate(version=1, items=[{**ITEM, "text": "消防通道畅通"}])
    )
    assert reworded.items[0].text == "消防通道畅通" and reworded.version == 2
    with pytest.raises(Conflict):
        checklists.update_template(db, secretary, made.id, TemplateUpdate(version=1, name="旧"))
    retired = checklists.update_template(db, secretary, made.id, TemplateUpdate(version=2, active=False))
    assert not retired.active and template_id(db) != made.id
