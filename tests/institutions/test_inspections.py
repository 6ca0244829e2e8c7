"""Inspections on both databases: scored, findings opened, closed by a follow-up, marked overdue by the SLA tick."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.audit.models import AuditEvent
from linli.errors import Conflict, Invalid, NotFound, ValidationErrors
from linli.institutions import card, complaints, figures, findings, inspections, services
from linli.institutions.findings import FindingFilter
from linli.institutions.models import Finding
from linli.institutions.schemas import InstitutionUpdate
from linli.lib import clock
from linli.needs import escalation, intake
from linli.needs.models import Notification
from linli.needs.schemas import NeedIn
from linli.runtime import Runtime
from tests.factories import World, scope_of
from tests.institutions.helpers import inspect, make_institution, results
from tests.matching.helpers import make_volunteer

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def open_items(db: Session, institution_id: int) -> list[str]:
    rows = db.scalars(
        select(Finding.item_code).where(Finding.institution_id == institution_id, Finding.status == "open")
    )
    return sorted(rows)


def test_it_scores_an_inspection_and_opens_a_finding_for_each_failed_item(db: Session, world: World) -> None:
    institution = make_institution(db, world.grid1.id)
    day = clock.today() - timedelta(days=3)
    done = inspect(
        db,
        institution.id,
        on=day,
        results=results(fire_exits=("fail", "安全出口堆放杂物"), food_hygiene="na", pupil_teacher_ratio=4.0),
        rectify_days=10,
    )
    # exits 0 of 3, food na, staff 2, ratio 0.8 of 2, licence 1, insurance 1: 4.8 of 9
    assert done.score == 53.3
    assert [(f.item_code, f.due_on, f.text) for f in done.findings] == [
        ("fire_exits", day + timedelta(days=10), "安全出口堆放杂物"),
        ("pupil_teacher_ratio", day + timedelta(days=10), ""),
    ]
    assert done.findings[0].item_text.startswith("消防通道") and not done.findings[0].overdue
    assert [r.outcome for r in done.results if r.item_code in ("food_hygiene", "pupil_teacher_ratio")] == ["na", "fail"]
    assert done.inspectors[0].name and done.recorded_by
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "inspection.record")).one()
    assert event.changes["score"] == [None, 53.3] and len(event.changes["findings_opened"][1]) == 2


def test_a_follow_up_closes_what_passes_and_keeps_what_fails_again(db: Session, world: World) -> None:
    institution = make_institution(db, world.grid1.id)
    first = inspect(
        db, institution.id, on=clock.today() - timedelta(days=20), results=results(fire_exits="fail", insurance="fail")
    )
    assert open_items(db, institution.id) == ["fire_exits", "insurance"]
    # A routine inspection failing the same item makes no second finding.
    inspect(
        db, institution.id, on=clock.today() - timedelta(days=10), results=results(fire_exits="fail", insurance="fail")
    )
    assert len(db.scalars(select(Finding.id)).all()) == 2
    follow = inspect(db, institution.id, results=results(insurance="fail"), follow_up_of_id=first.id)
    assert open_items(db, institution.id) == ["insurance"]
    closed = db.scalars(select(Finding).where(Finding.item_code == "fire_exits")).one()
    assert closed.status == "closed" and closed.closed_by_id == follow.id and closed.closed_at is not None
    assert [(f.item_code, f.status) for f in follow.findings] == [("fire_exits", "closed")]
    assert len(db.scalars(select(Finding.id)).all()) == 2  # insurance failed again: still the one finding
    inspect(db, institution.id, follow_up_of_id=follow.id)
    assert open_items(db, institution.id) == []


def test_a_routine_inspection_does_not_close_a_finding(db: Session, world: World) -> None:
    institution = make_institution(db, world.grid1.id)
    inspect(db, institution.id, results=results(insurance="fail"))
    inspect(db, institution.id)
    assert open_items(db, institution.id) == ["insurance"]


def test_an_item_may_give_its_own_days_to_put_it_right(db: Session, world: World) -> None:
    from linli.institutions import checklists
    from linli.institutions.schemas import TemplateIn

    item = {"code": "exits", "text": "消防通道", "type": "pass_fail", "weight": 1, "rectify_days": 3}
    made = checklists.create_template(db, scope_of(db, "secretary"), TemplateIn(code="fire", name="消防", items=[item]))
    institution = make_institution(db, world.grid1.id)
    done = inspect(db, institution.id, template_id=made.id, results=[{"item_code": "exits", "outcome": "fail"}])
    assert done.findings[0].due_on == clock.today() + timedelta(days=3) and done.score == 0.0


def test_the_sla_tick_marks_overdue_findings_once_and_tells_the_secretary(db: Session, world: World) -> None:
    institution = make_institution(db, world.grid1.id)
    inspect(db, institution.id, on=clock.today() - timedelta(days=15), results=results(insurance="fail"))
    inspect(db, institution.id, results=results(fire_exits="fail"))  # due in 14 days
    first = escalation.tick(db)
    assert first.others["institution.findings_overdue"] == 1
    assert escalation.tick(db).others["institution.findings_overdue"] == 0
    late = db.scalars(select(Finding).where(Finding.overdue.is_(True))).all()
    assert [f.item_code for f in late] == ["insurance"]
    told = db.scalars(select(Notification).where(Notification.kind == "finding_overdue")).all()
    assert [n.user_id for n in told] == [scope_of(db, "secretary").user_id]
    assert told[0].link == f"/institutions/{institution.id}" and "阳光托管中心整改逾期" in told[0].text
    page = findings.list_findings(db, scope_of(db, "grid1"), FindingFilter(state="overdue"))
    assert [f.item_code for f in page.items] == ["insurance"] and page.items[0].overdue


def test_the_tick_tells_the_handler_when_the_institution_has_one(db: Session, world: World) -> None:
    handler = scope_of(db, "grid1").user_id
    institution = make_institution(db, world.grid1.id, handler_user_id=handler)
    inspect(db, institution.id, on=clock.today() - timedelta(days=30), results=results(insurance="fail"))
    # Due 16 days ago: late whatever the hour, the day counted in Asia/Shanghai.
    assert escalation.tick(db, datetime.now(UTC)).others["institution.findings_overdue"] == 1
    told = db.scalars(select(Notification.user_id).where(Notification.kind == "finding_overdue")).all()
    assert told == [handler]


def test_it_lists_findings_by_state_within_reach(db: Session, world: World) -> None:
    one = make_institution(db, world.grid1.id, name="一网格托管")
    two = make_institution(db, world.grid2.id, name="二网格托管")
    first = inspect(db, one.id, results=results(insurance="fail", fire_exits="fail"))
    inspect(db, two.id, "grid2", results=results(insurance="fail"))
    inspect(db, one.id, follow_up_of_id=first.id, results=results(fire_exits="fail"))

    def states(username: str, **f: Any) -> list[tuple[str, str]]:
        page = findings.list_findings(db, scope_of(db, username), FindingFilter(**f))
        return [(x.institution, x.item_code) for x in page.items]

    assert states("grid1") == [("一网格托管", "fire_exits")]
    assert states("grid1", state="closed") == [("一网格托管", "insurance")]
    assert sorted(states("secretary", state=None)) == sorted(
        [("一网格托管", "fire_exits"), ("一网格托管", "insurance"), ("二网格托管", "insurance")]
    )
    assert states("secretary", area_id=world.grid2.id) == [("二网格托管", "insurance")]
    assert states("outsider") == []
    finding = db.scalars(select(Finding.id).where(Finding.institution_id == two.id)).one()
    assert findings.get_finding(db, scope_of(db, "secretary"), finding).institution == "二网格托管"
    with pytest.raises(NotFound):
        findings.get_finding(db, scope_of(db, "grid1"), finding)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"results": results()[:-1]}, "inspection.missing_result"),
        ({"results": [*results(), {"item_code": "ghost", "outcome": "pass"}]}, "inspection.unknown_item"),
        ({"results": [*results(), {"item_code": "insurance", "outcome": "pass"}]}, "inspection.duplicate_result"),
        ({"results": results(pupil_teacher_ratio=11.0)}, "inspection.score_range"),
        ({"results": results(insurance="maybe")}, "inspection.outcome"),
        ({"inspector_user_ids": []}, "inspection.inspector_required"),
        ({"inspected_on": clock.today() + timedelta(days=1)}, "inspection.future"),
        ({"order_id": 1}, "inspection.not_a_complaint"),
    ],
)
def test_it_refuses_an_inspection_that_does_not_fit(
    db: Session, world: World, fields: dict[str, Any], code: str
) -> None:
    institution = make_institution(db, world.grid1.id)
    with pytest.raises(ValidationErrors) as refused:
        inspect(db, institution.id, **fields)
    assert refused.value.code == code and refused.value.text("zh") != refused.value.text("en")
    assert db.scalar(select(Finding.id)) is None


def test_it_takes_inspectors_only_from_the_institutions_community(db: Session, world: World) -> None:
    institution = make_institution(db, world.grid1.id)
    elsewhere = make_institution(db, world.grid2.id, name="二网格托管")
    volunteer = make_volunteer(db, world.resident1.id)
    done = inspect(
        db, institution.id, inspector_user_ids=[scope_of(db, "grid2").user_id], inspector_volunteer_ids=[volunteer]
    )
    assert sorted(p.volunteer_id or 0 for p in done.inspectors) == [0, volunteer]
    with pytest.raises(ValidationErrors) as refused:
        inspect(db, institution.id, inspector_user_ids=[scope_of(db, "outsider").user_id, 2**40])
    assert refused.value.code == "inspection.unknown_inspector"
    with pytest.raises(ValidationErrors) as other:
        inspect(db, elsewhere.id, "secretary", follow_up_of_id=done.id)
    assert other.value.code == "inspection.follow_up_other"
    users, volunteers = inspections.inspector_choices(db, scope_of(db, "grid1"), institution.id)
    assert {name for _, name, _ in users} >= {"grid1", "grid2", "secretary"} and volunteers[0][0] == volunteer


def test_it_hides_inspections_outside_the_area(db: Session, world: World) -> None:
    institution = make_institution(db, world.grid1.id)
    done = inspect(db, institution.id)
    for username in ("outsider", "grid2"):
        with pytest.raises(NotFound):
            inspections.get_inspection(db, scope_of(db, username), done.id)
        with pytest.raises(NotFound):
            inspect(db, institution.id, username)
    assert inspections.get_inspection(db, scope_of(db, "supervisor"), done.id).score == 100.0


def test_a_complaint_starts_an_inspection(db: Session, world: World) -> None:
    institution = make_institution(db, world.grid1.id)
    grid1 = scope_of(db, "grid1")
    order = intake.create_order(
        db, grid1, NeedIn(category="repairs", description="家长反映托管班人数过多", area_id=world.grid1.id)
    )
    linked = complaints.link_complaint(db, grid1, institution.id, order.id)
    assert linked.order_id == order.id and linked.title
    with pytest.raises(Conflict):
        complaints.link_complaint(db, grid1, institution.id, order.id)
    done = inspect(db, institution.id, order_id=order.id, results=results(pupil_teacher_ratio=3.0))
    assert done.order_id == order.id
    shown = card.institution_detail(db, grid1, institution.id)
    assert [c.inspection_ids for c in shown.complaints] == [[done.id]]
    assert [f.item_code for f in shown.findings] == ["pupil_teacher_ratio"] and shown.inspections[0].failed == 1
    other = intake.create_order(
        db, scope_of(db, "grid2"), NeedIn(category="repairs", description="别处", area_id=world.grid2.id)
    )
    with pytest.raises(NotFound):  # an order grid 1 does not see
        complaints.link_complaint(db, grid1, institution.id, other.id)
    with pytest.raises(NotFound):
        complaints.complaints_of(db, scope_of(db, "outsider"), institution.id)


def test_it_keeps_photos_in_the_inspections_folder(db: Session, world: World, runtime: Runtime, tmp_path: Path) -> None:
    runtime.settings.upload_dir = tmp_path
    institution = make_institution(db, world.grid1.id)
    done = inspect(db, institution.id)
    added = inspections.add_photo(db, scope_of(db, "grid1"), done.id, PNG)
    name = added.photos[0]
    path, media = inspections.photo_of(db, scope_of(db, "secretary"), done.id, name)
    assert path == tmp_path / "inspections" / str(done.id) / name and media == "image/png" and path.read_bytes() == PNG
    with pytest.raises(Invalid) as wrong:
        inspections.add_photo(db, scope_of(db, "grid1"), done.id, b"<svg/>")
    assert wrong.value.code == "inspection.photo_type"
    with pytest.raises(NotFound):
        inspections.photo_of(db, scope_of(db, "outsider"), done.id, name)
    with pytest.raises(NotFound):
        inspections.add_photo(db, scope_of(db, "outsider"), done.id, PNG)
    with pytest.raises(NotFound):
        inspections.photo_of(db, scope_of(db, "grid1"), done.id, "../../etc/passwd")
    assert len(list((tmp_path / "inspections" / str(done.id)).iterdir())) == 1


def test_it_counts_figures_by_grid(db: Session, world: World) -> None:
    today = clock.today()
    one = make_institution(db, world.grid1.id, name="一网格托管", licence_valid_until=today + timedelta(days=5))
    make_institution(db, world.grid1.id, name="没检查的")
    two = make_institution(db, world.grid2.id, name="二网格托管")
    make_institution(db, world.grid2.id, name="关停的", status="closed")
    inspect(db, one.id, on=today - timedelta(days=20), results=results(insurance="fail"))
    inspect(db, one.id, on=today - timedelta(days=2))
    inspect(db, two.id, "grid2", on=today - timedelta(days=400), results=results(fire_exits="fail"))
    shown = figures.figures(db, scope_of(db, "secretary"), world.community.id, today - timedelta(days=30), today)
    rows = {r.name: r for r in shown.by_area}
    assert (rows["第一网格"].institutions, rows["第一网格"].inspected, rows["第一网格"].inspections) == (2, 1, 2)
    assert rows["第一网格"].average_score == 95.5 and rows["第一网格"].expiring_licences == 1
    assert (rows["第一网格"].open_findings, rows["第一网格"].overdue_findings) == (1, 1)
    assert (rows["第二网格"].institutions, rows["第二网格"].inspected, rows["第二网格"].open_findings) == (1, 0, 1)
    assert rows["第二网格"].overdue_findings == 1
    assert (shown.total.institutions, shown.total.inspections, shown.total.open_findings) == (3, 2, 2)
    grid = figures.figures(db, scope_of(db, "grid1"), world.grid1.id, today - timedelta(days=30), today)
    assert [r.name for r in grid.by_area] == ["第一网格"]
    with pytest.raises(NotFound):
        figures.figures(db, scope_of(db, "grid1"), world.community.id, today, today)
    with pytest.raises(Invalid):
        figures.figures(db, scope_of(db, "secretary"), world.community.id, today, today - timedelta(days=1))


def test_closing_an_institution_keeps_its_record(db: Session, world: World) -> None:
    institution = make_institution(db, world.grid1.id)
    inspect(db, institution.id, results=results(insurance="fail"))
    closed = services.update_institution(
        db, scope_of(db, "secretary"), institution.id, InstitutionUpdate(version=1, status="closed")
    )
    assert closed.status == "closed" and closed.open_findings == 1
