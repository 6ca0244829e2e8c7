"""The demo's institutions: four in 阳台山社区 (three of grid 5), inspected by staff and the patrol."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.institutions import findings, services
from linli.institutions.models import Finding, InspectionInspector
from linli.institutions.services import InstitutionFilter
from linli.needs import escalation
from linli.needs.models import Notification
from linli.synth.demo import build_demo
from linli.synth.supply import PATROL
from linli.volunteers.models import Volunteer
from tests.factories import scope_of


def test_the_demo_has_tutoring_institutions_inspected_by_the_patrol(db: Session) -> None:
    build_demo(db, residents=400)
    shequ = scope_of(db, "shequ")
    listed = services.list_institutions(db, shequ, InstitutionFilter(), 1, 100).items
    assert [i.name for i in listed] == ["小书虫托教中心", "启航四点半课堂", "阳光托管中心", "彩虹艺术培训"]
    assert sum(i.area.endswith("第五网格") for i in listed) == 3
    assert [i.name for i in services.licence_warnings(db, shequ).items] == ["启航四点半课堂"]
    assert [(i.name, i.open_findings) for i in listed if i.open_findings] == [("阳光托管中心", 1)]
    wangge5 = scope_of(db, "wangge5")
    assert [i.name for i in services.list_institutions(db, wangge5, InstitutionFilter(), 1, 100).items] == [
        "小书虫托教中心",
        "阳光托管中心",
        "彩虹艺术培训",
    ]
    patrol = set(db.scalars(select(Volunteer.id).where(Volunteer.notes.startswith(PATROL))))
    volunteers = set(
        db.scalars(select(InspectionInspector.volunteer_id).where(InspectionInspector.volunteer_id.is_not(None)))
    )
    staff = set(db.scalars(select(User.username).join(InspectionInspector, InspectionInspector.user_id == User.id)))
    assert volunteers and volunteers <= patrol and {"wangge5", "shequ"} <= staff
    # The demo's year of work ends with the SLA tick, which marked the finding and told grid 5's worker.
    assert escalation.tick(db).others["institution.findings_overdue"] == 0
    late = findings.list_findings(db, shequ, findings.FindingFilter(state="overdue")).items
    assert [(f.institution, f.item_code) for f in late] == [("阳光托管中心", "fire_exits")]
    marked = db.scalar(select(Finding.overdue).where(Finding.id == late[0].id))
    told = db.scalars(select(Notification.user_id).where(Notification.kind == "finding_overdue")).all()
    assert marked is True and told == [wangge5.user_id]
