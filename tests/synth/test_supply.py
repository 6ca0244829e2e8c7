"""The demo's supply side: teams, volunteers, resources and standing services, on SQLite and PostgreSQL.

One community demo is built per database kind for the module (building it is most of the time); the
tests that need a build of their own (the same seed twice, a district) take the ``db`` fixture.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from linli import migrations
from linli.accounts.models import User
from linli.accounts.services import authenticate
from linli.areas.models import Area
from linli.lib import clock, phone
from linli.lib.skills import CODES, categories_for
from linli.matching.models import Proposal
from linli.needs.models import ServiceCategory, Team, TeamCategory, TeamMember, WorkOrder, WorkOrderEvent
from linli.registry.models import Building, Household, Resident
from linli.resources.models import Resource
from linli.runtime import Runtime, cipher_of
from linli.synth import supply_bulk
from linli.synth.demo import DEMO_PASSWORD, build_demo
from linli.synth.layout import COMMUNITY
from linli.synth.supply import ANGELS, BAISHIBANG, PATROL, VOLUNTEER_ACCOUNTS
from linli.volunteers.models import (
    OPEN_TASK_STATES,
    Availability,
    Qualification,
    ServiceHours,
    ServiceSignup,
    StandingService,
    Volunteer,
    VolunteerArea,
    VolunteerCategory,
    VolunteerTask,
)
from tests.conftest import PG_ADMIN_URL, make_settings
from tests.synth.test_demo import wipe

RESIDENTS = 1000  # 阳台山社区 at a ninth of its size: enough people in 图强小区 for the 16 places


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """Yield a session on a community demo built once for this module, on each kind of database.

    PostgreSQL gets a database of its own: the run's shared one is emptied after every test that uses it.
    """
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("supply") / "linli.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url, admin = f"sqlite:///{path}", None
    else:
        request.getfixturevalue("pg_url")  # skips (or fails in CI) when PostgreSQL is missing
        name = f"linli_test_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    runtime = Runtime(make_settings(url))
    try:
        migrations.upgrade(runtime.engine)
        with runtime.sessions() as session:
            build_demo(session, residents=RESIDENTS)
            yield session
    finally:
        runtime.engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def team_members(session: Session, team: str) -> list[tuple[Volunteer, str, str]]:
    """Return the volunteers of ``team`` (named in their notes) with their grid's code and their compound."""
    rows = session.execute(
        select(Volunteer, Area.code, Building.compound)
        .join(Area, Area.id == Volunteer.area_id)
        .join(Resident, Resident.id == Volunteer.resident_id)
        .join(Household, Household.id == Resident.household_id)
        .join(Building, Building.id == Household.building_id)
        .where(Volunteer.notes.startswith(team))
        .order_by(Volunteer.id)
    )
    return list(rows)


def test_it_founds_the_baishibang_team_with_16_residents_of_tuqiang(demo: Session) -> None:
    members = team_members(demo, BAISHIBANG)
    assert len(members) == 16
    assert {compound for _, _, compound in members} == {"图强小区"}
    assert {code for _, code, _ in members} == {COMMUNITY[0] + "001"}
    professions = {v.profession for v, _, _ in members}
    assert {"厨师", "骨科医生", "社工", "消防员", "律师", "电工", "教师", "程序员", "护士", "退休干部"} <= professions
    team = demo.scalar(select(Team).where(Team.name == BAISHIBANG))
    assert team is not None
    offered = set(demo.scalars(select(TeamCategory.category_id).where(TeamCategory.team_id == team.id)))
    # Every kind of help residents can ask for (the retired grid_event category only files reported events).
    active = set(demo.scalars(select(ServiceCategory.id).where(ServiceCategory.active.is_(True))))
    assert offered == active and len(offered) == 12
    # The members with an account are the team's listed members; the leader is one of them.
    rows = demo.execute(select(TeamMember.user_id, TeamMember.leader).where(TeamMember.team_id == team.id))
    listed = {user: leader for user, leader in rows}
    assert listed == {v.user_id: "队长" in v.notes for v, _, _ in members if v.user_id is not None}
    assert sum(listed.values()) == 1 and len(listed) == 5
    for volunteer, _, _ in members:
        assert volunteer.consent_note == "本人签字的志愿者登记表"


def test_the_angel_team_sits_in_grid_4_and_the_patrol_in_grid_5(demo: Session) -> None:
    where = {
        name: code for name, code in demo.execute(select(Team.name, Area.code).join(Area, Area.id == Team.area_id))
    }
    assert where[ANGELS] == COMMUNITY[0] + "004" and where[PATROL] == COMMUNITY[0] + "005"
    angels = team_members(demo, ANGELS)
    assert 8 <= len(angels) <= 12
    assert {code for _, code, _ in angels} == {COMMUNITY[0] + "004"}
    trades = Counter(v.profession for v, _, _ in angels)
    assert trades["护士"] >= 1 and trades["药剂师"] >= 1 and any(t.endswith("医生") for t in trades)
    patrol = team_members(demo, PATROL)
    assert 10 <= len(patrol) <= 15
    assert {code for _, code, _ in patrol} == {COMMUNITY[0] + "005"}
    assert all("patrol" in v.skills and "mediation" in v.skills for v, _, _ in patrol)
    zhiyuan = demo.scalar(select(User).where(User.username == "zhiyuan"))
    assert zhiyuan is not None
    assert zhiyuan.id in {v.user_id for v, _, _ in patrol}


def test_it_has_exactly_56_resources_on_hand_in_yangtaishan(demo: Session) -> None:
    today = clock.today()
    rows = demo.execute(
        select(Resource.active, Resource.valid_until, Resource.kind)
        .join(Area, Area.id == Resource.area_id)
        .where(Area.path.startswith("/350203/002/011/"))
    ).all()
    on_hand = [kind for active, until, kind in rows if active and (until is None or until >= today)]
    assert len(on_hand) == 56
    assert set(on_hand) == {"skill", "venue", "institution", "equipment", "business", "member_unit"}
    assert len(rows) > 56  # some ran out or were withdrawn
    assert any(until is not None and until < today for _, until, _ in rows)


def test_every_resource_phone_is_stored_encrypted_and_is_a_valid_mobile(demo: Session) -> None:
    cipher = cipher_of(demo)
    resources = demo.scalars(select(Resource)).all()
    assert resources
    for r in resources:
        assert r.contact_phone_enc is not None and not re.search(r"1\d{10}", r.contact_phone_enc)
        mobile = cipher.decrypt(r.contact_phone_enc)
        assert phone.validate(mobile) == mobile and mobile.startswith("+861") and len(mobile) == 14
        assert (r.contact_phone_hash, r.contact_phone_tail) == (cipher.blind_index(mobile), mobile[-4:])
        assert r.opening_hours == sorted(r.opening_hours, key=lambda h: (h["weekday"], h["start"]))


def test_every_volunteer_said_yes_and_offers_known_skills(demo: Session) -> None:
    volunteers = demo.scalars(select(Volunteer)).all()
    assert len(volunteers) >= 16 + 8 + 10 + 30
    categories = {id_: code for id_, code in demo.execute(select(ServiceCategory.id, ServiceCategory.code))}
    offered: dict[int, set[str]] = {}
    for vid, cid in demo.execute(select(VolunteerCategory.volunteer_id, VolunteerCategory.category_id)):
        offered.setdefault(vid, set()).add(categories[cid])
    community = demo.scalar(select(Area.id).where(Area.code == COMMUNITY[0]))
    served = Counter(demo.scalars(select(VolunteerArea.area_id)))
    slots = Counter(demo.scalars(select(Availability.volunteer_id)))
    for v in volunteers:
        assert v.consent_at is not None and v.consent_at <= clock.local(v.created_at) and v.consent_note
        assert v.skills and set(v.skills) <= CODES
        assert offered.get(v.id, set()) == categories_for(v.skills)
        assert 1 <= v.load_limit <= 3 and slots[v.id] >= 1
    assert served == {community: len(volunteers)}
    today = clock.today()
    kinds = {(q.kind, q.expires_on is not None and q.expires_on < today) for q in demo.scalars(select(Qualification))}
    assert {("medical_licence", False), ("first_aid", True), ("first_aid", False)} <= kinds


def test_the_volunteers_counters_agree_with_their_tasks_and_hours(demo: Session) -> None:
    served = select(ServiceHours.volunteer_id, func.sum(ServiceHours.served_hours)).group_by(ServiceHours.volunteer_id)
    hours = {vid: total for vid, total in demo.execute(served)}
    done = Counter(demo.scalars(select(VolunteerTask.volunteer_id).where(VolunteerTask.state == "done")))
    for v in demo.scalars(select(Volunteer)):
        assert v.hours_served == pytest.approx(hours.get(v.id, 0.0))
        assert v.done == done[v.id]
        assert (v.last_task_at is not None) == (v.done > 0)
    # Every order a volunteer reported done put its hours on their record; several volunteers did some.
    by_order = demo.execute(select(ServiceHours.volunteer_id, ServiceHours.served_hours, ServiceHours.order_id)).all()
    on_orders = [(vid, hours) for vid, hours, order in by_order if order is not None]
    assert len(on_orders) == sum(done.values()) and {hours for _, hours in on_orders} <= {1.0, 1.5, 2.0}
    assert len({vid for vid, _ in on_orders}) >= 2
    assert (demo.scalar(select(func.count()).where(Volunteer.rating_count > 0)) or 0) >= 2
    tasks = demo.execute(select(VolunteerTask.volunteer_id, VolunteerTask.state)).all()
    invited = Counter(vid for vid, _ in tasks)
    still_open = Counter(vid for vid, state in tasks if state in OPEN_TASK_STATES)
    for v in demo.scalars(select(Volunteer)):
        assert (v.invited, v.open_tasks) == (invited[v.id], still_open[v.id])
        assert v.accepted >= v.done


def dispatched_orders(session: Session) -> list[tuple[WorkOrder, str]]:
    """Return the orders for help given to someone (a person or a team), each with its category's code.

    Grid events reported up are dispatched to a department or team by their kind, not by the help offered.
    """
    rows = session.execute(
        select(WorkOrder, ServiceCategory.code)
        .join(ServiceCategory, ServiceCategory.id == WorkOrder.category_id)
        .where(WorkOrder.assignee_user_id.is_not(None) | WorkOrder.assignee_team_id.is_not(None))
        .where(WorkOrder.source != "event")
        .order_by(WorkOrder.id)
    )
    return [(order, code) for order, code in rows]


def test_the_demo_dispatches_each_order_to_someone_who_offers_its_kind_of_help(demo: Session) -> None:
    orders = dispatched_orders(demo)
    assert len(orders) >= 15
    assignees = {(o.assignee_user_id, o.assignee_team_id) for o, _ in orders}
    assert len(assignees) >= 3
    offered_by_user: dict[int, set[int]] = {}
    for user_id, category_id in demo.execute(
        select(User.id, VolunteerCategory.category_id)
        .join(Volunteer, Volunteer.user_id == User.id)
        .join(VolunteerCategory, VolunteerCategory.volunteer_id == Volunteer.id)
    ):
        offered_by_user.setdefault(user_id, set()).add(category_id)
    offered_by_team: dict[int, set[int]] = {}
    for team_id, category_id in demo.execute(select(TeamCategory.team_id, TeamCategory.category_id)):
        offered_by_team.setdefault(team_id, set()).add(category_id)
    for order, code in orders:
        if order.assignee_user_id is not None:
            assert order.category_id in offered_by_user.get(order.assignee_user_id, set()), (order.id, code)
        else:
            assert order.assignee_team_id is not None
            assert order.category_id in offered_by_team.get(order.assignee_team_id, set()), (order.id, code)
    # The free clinic needs a licence: its orders go to a doctor or nurse, or to a team that offers it.
    licensed = set(
        demo.scalars(
            select(Volunteer.user_id)
            .join(Qualification, Qualification.volunteer_id == Volunteer.id)
            .where(Qualification.kind.in_(["medical_licence", "nurse_licence"]))
        )
    )
    clinic = [o for o, code in orders if code == "free_clinic"]
    assert clinic and all(o.assignee_team_id is not None or o.assignee_user_id in licensed for o in clinic)


def test_whoever_an_order_went_to_accepts_it_and_reports_it_done(demo: Session) -> None:
    members: dict[int, set[int]] = {}
    for team_id, user_id in demo.execute(select(TeamMember.team_id, TeamMember.user_id)):
        members.setdefault(team_id, set()).add(user_id)
    handled = 0
    for order, _ in dispatched_orders(demo):
        moves = demo.execute(
            select(WorkOrderEvent.action, WorkOrderEvent.user_id).where(
                WorkOrderEvent.order_id == order.id, WorkOrderEvent.action.in_(["accept", "report_done"])
            )
        ).all()
        allowed = {order.assignee_user_id} if order.assignee_user_id else members[order.assignee_team_id or 0]
        assert all(user_id in allowed for _, user_id in moves), order.id
        handled += bool(moves)
    assert handled >= 10


def test_the_orders_waiting_for_dispatch_are_left_for_a_proposal(demo: Session) -> None:
    waiting = demo.scalars(select(WorkOrder).where(WorkOrder.state == "registered")).all()
    assert len(waiting) >= 2
    assert all(o.assignee_user_id is None and o.assignee_team_id is None for o in waiting)
    assert demo.scalar(select(func.count()).select_from(Proposal)) == 0
    late = demo.scalars(select(WorkOrder).where(WorkOrder.overdue.is_(True))).all()
    assert len(late) == 2 and any(o.assignee_user_id is not None for o in late)


def test_the_standing_services_keep_their_schedules_and_sign_ups(demo: Session) -> None:
    services = {s.title: s for s in demo.scalars(select(StandingService))}
    clinic = services["骨科义诊"]
    assert (clinic.schedule, clinic.start_minute, clinic.end_minute) == ("monthly:15", 9 * 60, 11 * 60 + 30)
    doctor = demo.get(Volunteer, clinic.volunteer_id)
    assert doctor is not None and doctor.profession == "骨科医生"
    assert services["独居老人生日宴"].schedule.startswith("monthly:")
    assert services["智能手机和电脑课堂"].schedule.startswith("weekly:")
    signups = demo.scalars(select(ServiceSignup)).all()
    assert signups and all(s.session_on >= clock.today() for s in signups)
    past = demo.scalars(select(ServiceHours.day).where(ServiceHours.service_id == clinic.id)).all()
    assert past and all(day.day == 15 and day < clock.today() for day in past)


def test_the_volunteer_accounts_sign_in_as_their_volunteers(demo: Session) -> None:
    for username in ("zhiyuan", *(u for u, _ in VOLUNTEER_ACCOUNTS)):
        user = authenticate(demo, username, DEMO_PASSWORD)
        volunteer = demo.scalar(select(Volunteer).where(Volunteer.user_id == user.id))
        assert volunteer is not None, username
        assert user.resident_id == volunteer.resident_id


def fingerprint(session: Session) -> dict[str, Any]:
    """Return what the seed decides: who volunteers for what, the resources and their categories."""
    return {
        "volunteers": session.execute(
            select(
                Volunteer.resident_id, Volunteer.profession, Volunteer.skills, Volunteer.load_limit, Volunteer.notes
            ).order_by(Volunteer.resident_id)
        ).all(),
        "slots": session.execute(
            select(Availability.weekday, Availability.start_minute, Availability.end_minute).order_by(Availability.id)
        ).all(),
        "resources": session.execute(
            select(Resource.name, Resource.area_id, Resource.contact_name, Resource.capacity).order_by(Resource.id)
        ).all(),
        "phones": sorted(
            cipher_of(session).decrypt(p or "") for p in session.scalars(select(Resource.contact_phone_enc))
        ),
        "orders": session.execute(
            select(WorkOrder.state, ServiceCategory.code, User.username, Team.name)
            .join(ServiceCategory, ServiceCategory.id == WorkOrder.category_id)
            .outerjoin(User, User.id == WorkOrder.assignee_user_id)
            .outerjoin(Team, Team.id == WorkOrder.assignee_team_id)
            .order_by(WorkOrder.id)
        ).all(),
    }


def test_it_grows_the_same_supply_from_the_same_seed(db: Session) -> None:
    build_demo(db, seed=7, residents=400)
    first = fingerprint(db)
    assert first["volunteers"] and len(first["resources"]) > 56
    assert len({(user, team) for _, _, user, team in first["orders"] if user or team}) >= 3
    wipe(db)
    build_demo(db, seed=7, residents=400)
    assert fingerprint(db) == first


def test_a_district_gets_resources_in_proportion_and_volunteers_from_the_willing(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A tenth of the residents' 5% would leave a small district with next to no volunteers: take half.
    monkeypatch.setattr(supply_bulk, "VOLUNTEER_SHARE", 0.5)
    summary = build_demo(db, scale="district", residents=3000)
    volunteers = db.scalars(select(Volunteer)).all()
    resources = db.scalar(select(func.count()).select_from(Resource)) or 0
    assert (summary.volunteers, summary.resources) == (len(volunteers), resources)
    assert summary.volunteers > 100 and summary.teams == 3 + 10  # 阳台山社区's three, one more in each street
    # ~3.3 resources a grid, 56 of 阳台山社区's 61 on hand and most of the others'.
    assert 4900 <= resources <= 5100
    on_hand = (
        db.scalar(
            select(func.count())
            .select_from(Resource)
            .where(
                Resource.active.is_(True), (Resource.valid_until.is_(None)) | (Resource.valid_until >= clock.today())
            )
        )
        or 0
    )
    assert 0.85 * resources <= on_hand < resources
    willing = set(db.scalars(select(Resident.id).where(Resident.willing_to_help.is_(True))))
    outside = [v for v in volunteers if not v.notes]  # not a member of 阳台山社区's teams
    assert {v.resident_id for v in outside} <= willing
    assert all(v.consent_at is not None and v.consent_note and set(v.skills) <= CODES for v in volunteers)
    assert {v.load_limit for v in volunteers} == {1, 2, 3}
    # The loader allotted ids itself: the database's sequences must have moved past them.
    newest = db.scalar(select(func.max(Resource.id)))
    area = db.scalar(select(Area.id).where(Area.code == COMMUNITY[0]))
    created = Resource(area_id=area, kind="venue", name="新场地")
    db.add(created)
    db.flush()
    assert newest is not None and created.id > newest
    db.rollback()
