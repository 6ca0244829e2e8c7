"""The demo's tutoring institutions (托教机构) of 阳台山社区 and their inspections, written through the services.

Grid 5's 小喇叭巡逻队 assesses the tutoring centres with the grid worker, as the source tells of
小书虫托教中心. Two of the four are resources the supply side already made (小书虫托教中心 of grid 5 and
启航四点半课堂 of grid 3: the community's 56 resources on hand stay 56); 阳光托管中心 is suspended until it
clears its fire exits, and 彩虹艺术培训 closed last year. One licence runs out within 30 days; exactly one
finding is open (overdue, so the first SLA tick marks it). Deterministic from the seed; dates count from today.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.services import load_scope
from linli.areas.models import Area
from linli.institutions import checklists, inspections, services
from linli.institutions.models import InspectionTemplate
from linli.institutions.schemas import InspectionIn, InstitutionIn
from linli.lib import clock
from linli.resources.models import Resource
from linli.synth import layout
from linli.synth.supply import PATROL
from linli.synth.supply_table import contact
from linli.volunteers.models import Volunteer

# Every item passed, the ratio at 9 of 10; a result given here replaces the item's.
PASSED: dict[str, Any] = {
    "fire_exits": "pass",
    "food_hygiene": "pass",
    "staff_qualifications": "pass",
    "pupil_teacher_ratio": 9.0,
    "licence_displayed": "pass",
    "insurance": "pass",
}


@dataclass
class InstitutionsSummary:
    institutions: int = 0
    resources: int = 0  # resources made for institutions not yet on file (not on hand: suspended, closed)
    inspections: int = 0
    open_findings: int = 0


def _results(**changes: Any) -> list[dict[str, Any]]:
    out = []
    for code, value in {**PASSED, **changes}.items():
        if isinstance(value, float):
            out.append({"item_code": code, "score": value})
        elif isinstance(value, tuple):
            out.append({"item_code": code, "outcome": value[0], "note": value[1]})
        else:
            out.append({"item_code": code, "outcome": value})
    return out


def grow_institutions(session: Session, seed: int) -> InstitutionsSummary:
    """Return what was added: 阳台山社区's four institutions, their inspections and findings.

    Call after ``grow_supply`` (it oversees two of its resources), in no transaction. A demo without the
    grid workers' accounts or the community gets nothing.
    """
    summary = InstitutionsSummary()
    code = layout.COMMUNITY[0]
    areas = dict(session.execute(select(Area.code, Area.id).where(Area.code.startswith(code))).all())
    grids = {n: areas[f"{code}{n:03d}"] for n in range(1, 6) if f"{code}{n:03d}" in areas}
    users = {
        u.username: u for u in session.scalars(select(User).where(User.username.in_(["shequ", "wangge3", "wangge5"])))
    }
    if code not in areas or 5 not in grids or len(users) < 3:
        return summary
    scopes = {name: load_scope(session, u.id, u.session_version) for name, u in users.items()}
    rng = random.Random(f"{seed}/institutions/{code}")
    today = clock.today()
    checklists.seed_templates(session)
    template = session.scalar(select(InspectionTemplate.id).where(InspectionTemplate.code == "tutoring_safety"))
    assert template is not None
    patrol = list(
        session.scalars(
            select(Volunteer.id)
            .where(Volunteer.notes.startswith(PATROL), Volunteer.status == "active")
            .order_by(Volunteer.id)
        )
    )
    shequ = scopes["shequ"]

    def existing(name: str) -> int | None:
        return session.scalar(select(Resource.id).where(Resource.name == name, Resource.kind == "institution"))

    def licence(year: int) -> str:
        return f"思教民 350203{year}{rng.randrange(1000, 9999)}"

    def inspect(institution: int, by: str, on: date, *, team: int = 2, **fields: Any) -> Any:
        chosen = rng.sample(patrol, min(team, len(patrol)))
        data = InspectionIn(
            institution_id=institution,
            template_id=template,
            inspected_on=on,
            inspector_user_ids=[scopes[by].user_id or 0],
            inspector_volunteer_ids=sorted(chosen),
            **fields,
        )
        summary.inspections += 1
        return inspections.record_inspection(session, scopes[by], data)

    made: list[int] = []
    bookworm = existing("小书虫托教中心")
    if bookworm is not None:
        centre = services.create_institution(
            session,
            shequ,
            InstitutionIn(
                resource_id=bookworm,
                kind="tutoring",
                licence_no=licence(2019),
                licence_valid_until=today + timedelta(days=rng.randint(150, 300)),
            ),
        )
        made.append(centre.id)
        first = inspect(
            centre.id,
            "wangge5",
            today - timedelta(days=120),
            results=_results(licence_displayed=("fail", "办学许可证未在前台公示")),
            notes="巡逻队与网格员联合检查",
        )
        inspect(centre.id, "wangge5", today - timedelta(days=100), results=_results(), follow_up_of_id=first.id)
    qihang = existing("启航四点半课堂")
    if qihang is not None:
        centre = services.create_institution(
            session,
            shequ,
            InstitutionIn(
                resource_id=qihang,
                kind="tutoring",
                licence_no=licence(2021),
                licence_valid_until=today + timedelta(days=18),  # the licence warning
            ),
        )
        made.append(centre.id)
        inspect(centre.id, "wangge3", today - timedelta(days=45), results=_results(pupil_teacher_ratio=10.0), team=0)
    name, phone = contact(rng)
    sunshine = services.create_institution(
        session,
        shequ,
        InstitutionIn(
            area_id=grids[5],
            name="阳光托管中心",
            owner="厦门阳光教育咨询有限公司",
            address="图强路 38 号二楼",
            contact_name=name,
            contact_phone=phone,
            handler_user_id=scopes["wangge5"].user_id,
            capacity=45,
            kind="tutoring",
            licence_no=licence(2022),
            licence_valid_until=today + timedelta(days=rng.randint(300, 500)),
            status="suspended",  # until its fire exits are clear: not offered to needs meanwhile
        ),
    )
    made.append(sunshine.id)
    summary.resources += 1
    first = inspect(
        sunshine.id,
        "shequ",
        today - timedelta(days=30),
        team=3,
        results=_results(
            fire_exits=("fail", "安全出口堆放桌椅，灭火器过期"),
            insurance=("fail", "学生意外伤害险已于上月到期"),
            pupil_teacher_ratio=7.0,
        ),
        rectify_days=14,
        notes="家长反映后联合检查，责令停业整改",
    )
    inspect(
        sunshine.id,
        "wangge5",
        today - timedelta(days=10),
        results=_results(fire_exits=("fail", "灭火器已更换，安全出口仍有杂物")),
        follow_up_of_id=first.id,
    )
    name, phone = contact(rng)
    rainbow = services.create_institution(
        session,
        shequ,
        InstitutionIn(
            area_id=grids[5],
            name="彩虹艺术培训",
            owner="彩虹文化艺术工作室",
            address="阳台山路 6 号",
            contact_name=name,
            contact_phone=phone,
            capacity=20,
            kind="training",
            licence_no=licence(2018),
            licence_valid_until=today - timedelta(days=90),
            status="closed",
        ),
    )
    made.append(rainbow.id)
    summary.resources += 1
    summary.institutions = len(made)
    summary.open_findings = sum(services.get_institution(session, shequ, i).open_findings for i in made)
    return summary
