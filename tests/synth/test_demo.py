"""The demo generator at a small size, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from linli.accounts.models import Assignment, User
from linli.areas.models import Area
from linli.errors import Conflict
from linli.events.models import GridEvent
from linli.lib import idcard, phone
from linli.lib.pinyin import initials, name_keys
from linli.migrations.models import Base
from linli.registry.models import Building, Household, Resident, ResidentEvent, ResidentKey, ResidentTag, Tag
from linli.runtime import cipher_of
from linli.synth.councils import LIFT_DAYS
from linli.synth.demo import DEMO_PASSWORD, build_demo, demo_accounts
from linli.synth.layout import COMMUNITY
from tests.factories import make_resident

SMALL = 400  # residents of 阳台山社区 (9,100 at full size)


def snapshot(session: Session) -> list[tuple[Any, ...]]:
    """Return every resident as plain values: place, person, decrypted ID number and phone, tags."""
    cipher = cipher_of(session)
    tags = Counter[int]()
    for (rid,) in session.execute(select(ResidentTag.resident_id)):
        tags[rid] += 1
    rows = session.execute(
        select(Resident, Area.code, Building.compound, Building.name, Household.room)
        .join(Area, Area.id == Resident.area_id)
        .join(Household, Household.id == Resident.household_id)
        .join(Building, Building.id == Household.building_id)
        .order_by(Resident.id)
    ).all()
    people = []
    for r, code, compound, building, room in rows:
        secret = (cipher.decrypt(r.id_number_enc or ""), r.phone_enc and cipher.decrypt(r.phone_enc))
        people.append((code, compound, building, room, r.name, r.gender, r.birth_date, r.relation, r.skills, *secret))
    return people


def wipe(session: Session) -> None:
    """Delete every row (the household ↔ head cycle broken first)."""
    session.execute(update(Household).values(head_id=None))
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(table.delete())
    session.commit()
    # The rows went behind the ORM's back: forget the objects it still holds (the demo's accounts, read by
    # the self-governance demo), or a new row reusing an id would meet its stale twin in the identity map.
    session.expunge_all()


def test_it_builds_the_same_demo_from_the_same_seed(db: Session) -> None:
    build_demo(db, seed=7, residents=SMALL)
    first = snapshot(db)
    wipe(db)
    build_demo(db, seed=7, residents=SMALL)
    assert snapshot(db) == first
    wipe(db)
    build_demo(db, seed=8, residents=SMALL)
    assert snapshot(db) != first


def test_it_refuses_a_database_that_has_data(db: Session) -> None:
    build_demo(db, residents=50)
    with pytest.raises(Conflict) as refused:
        build_demo(db, residents=50)
    assert refused.value.code == "demo.has_data"


def test_it_gives_every_resident_valid_derived_fields(db: Session) -> None:
    build_demo(db, residents=SMALL)
    cipher = cipher_of(db)
    residents = db.scalars(select(Resident)).all()
    assert len(residents) >= SMALL
    for r in residents:
        number = cipher.decrypt(r.id_number_enc or "")
        assert idcard.validate(number) == number
        assert (idcard.birth_date(number), idcard.sex(number)) == (r.birth_date, r.gender)
        assert (r.id_number_hash, r.id_tail) == (cipher.blind_index(number), number[-4:])
        if r.phone_enc:
            mobile = cipher.decrypt(r.phone_enc)
            assert phone.validate(mobile) == mobile
            assert (r.phone_hash, r.phone_tail) == (cipher.blind_index(mobile), mobile[-4:])
        assert (r.status, r.version) == ("active", 1)
        assert r.birth_date is not None and r.registered_on >= r.birth_date
    events = Counter(db.scalars(select(ResidentEvent.kind)))
    assert events == {"registered": len(residents)}


def test_it_indexes_every_resident_by_the_keys_of_their_name(db: Session) -> None:
    build_demo(db, residents=SMALL)
    stored: dict[int, set[str]] = {}
    for key, rid in db.execute(select(ResidentKey.key, ResidentKey.resident_id)):
        stored.setdefault(rid, set()).add(key)
    for r in db.scalars(select(Resident)):
        assert stored[r.id] == name_keys(r.name)
    assert (
        db.scalar(
            select(func.count())
            .select_from(ResidentKey)
            .join(Resident, Resident.id == ResidentKey.resident_id)
            .where(ResidentKey.area_id != Resident.area_id)
        )
        == 0
    )


def test_it_makes_households_of_one_to_six_around_a_head(db: Session) -> None:
    build_demo(db, residents=SMALL)
    members: dict[int, list[Resident]] = {}
    for r in db.scalars(select(Resident)):
        members.setdefault(r.household_id or 0, []).append(r)
    households = db.scalars(select(Household)).all()
    assert len(households) == len(members)
    for h in households:
        people = members[h.id]
        assert 1 <= len(people) <= 6
        heads = [p for p in people if p.relation == "02"]
        assert [h.head_id] == [p.id for p in heads]
        assert {p.relation for p in people} <= {"02", "10", "20", "30", "50"}
        assert all(p.area_id == h.area_id for p in people)
    sizes = Counter(len(m) for m in members.values())
    assert set(sizes) == {1, 2, 3, 4, 5, 6}


def test_it_gives_each_grid_of_yangtaishan_its_character(db: Session) -> None:
    build_demo(db, residents=2000)
    grids = db.scalars(select(Area).where(Area.path.startswith("/350203/002/011/"), Area.level == "grid")).all()
    assert [g.name for g in sorted(grids, key=lambda g: g.code)] == [f"第{n}网格" for n in "一二三四五"]
    assert all(g.character for g in grids)
    by_grid: dict[str, list[Resident]] = {}
    for r, code in db.execute(select(Resident, Area.code).join(Area, Area.id == Resident.area_id)):
        by_grid.setdefault(code[-3:] if code.startswith(COMMUNITY[0]) else "other", []).append(r)
    yangtaishan = [r for k, v in by_grid.items() if k != "other" for r in v]
    assert 2000 <= len(yangtaishan) <= 2100

    def share(grid: str, test: Any) -> float:
        return sum(1 for r in by_grid[grid] if test(r)) / len(by_grid[grid])

    def child(r: Resident) -> bool:
        assert r.birth_date is not None  # every demo resident's comes from their ID number
        return r.birth_date.year >= 2012

    def medical(r: Resident) -> bool:
        return any(s in r.skills for s in ("医生", "护士", "药剂师", "康复治疗师", "中医"))

    def patrol(r: Resident) -> bool:
        return "巡逻" in r.skills and r.willing_to_help

    others = ("001", "002", "003", "004", "005")
    assert share("003", child) > max(share(g, child) for g in others if g != "003")
    assert share("004", medical) > 3 * max(share(g, medical) for g in others if g != "004")
    assert share("005", patrol) > 0.05 and all(share(g, patrol) == 0 for g in others if g != "005")
    cared = db.scalar(
        select(func.count(func.distinct(ResidentTag.resident_id)))
        .join(Tag)
        .join(Resident)
        .join(Area, Area.id == Resident.area_id)
        .where(Tag.kind == "care", Area.code.startswith(COMMUNITY[0]))
    )
    assert cared == round(len(yangtaishan) * 416 / 9100)


def test_it_creates_the_demo_accounts_who_can_log_in(db: Session, client: TestClient) -> None:
    build_demo(db, residents=SMALL)
    for account in demo_accounts():
        response = client.post("/api/v1/auth/login", json={"username": account.username, "password": DEMO_PASSWORD})
        assert response.status_code == 200, (account.username, response.text)
        roles = response.json()["user"]["roles"]
        assert [r["role"] for r in roles] == [account.role]
    rows = (
        select(User.username, Area.code)
        .join(Assignment, Assignment.user_id == User.id)
        .join(Area, Area.id == Assignment.area_id)
    )
    codes = {username: code for username, code in db.execute(rows)}
    assert codes["wangge3"] == COMMUNITY[0] + "003"
    jumin = db.scalar(select(User).where(User.username == "jumin"))
    assert jumin is not None and jumin.resident_id is not None


def test_it_lets_a_grid_worker_find_a_resident_by_initials(db: Session, client: TestClient) -> None:
    build_demo(db, residents=SMALL)
    grid1 = db.scalar(select(Area.id).where(Area.code == COMMUNITY[0] + "001"))
    someone = db.scalar(select(Resident).where(Resident.area_id == grid1).order_by(Resident.id).limit(1))
    assert someone is not None
    token = client.post("/api/v1/auth/login", json={"username": "wangge1", "password": DEMO_PASSWORD}).json()["token"]
    found = client.get(
        "/api/v1/residents",
        params={"q": initials(someone.name)[0], "page_size": 200},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert found.status_code == 200
    assert someone.id in {r["id"] for r in found.json()["items"]}


def test_it_builds_a_whole_district_and_leaves_ids_free_for_new_rows(db: Session) -> None:
    summary = build_demo(db, scale="district", residents=300)
    levels = Counter(db.scalars(select(Area.level)))
    assert levels == {"district": 1, "street": 10, "community": 100, "grid": 1500}
    assert summary.residents == db.execute(select(func.count()).select_from(Resident)).scalar_one() >= 300
    community = db.scalar(select(Area).where(Area.code == COMMUNITY[0]))
    assert community is not None and community.name == "阳台山社区"
    # The bulk load allotted ids itself; the database's own sequences must have moved past them.
    household = db.scalar(select(Household.id).order_by(Household.id.desc()).limit(1))
    assert household is not None
    created = make_resident(db, household, name="新居民", relation="10")
    assert created.id > summary.residents
    assert db.execute(text("SELECT 1")).scalar() == 1


def test_the_community_demo_opens_on_a_year_of_work(db: Session) -> None:
    from linli.lib import clock
    from linli.needs.models import Notification, WorkOrder
    from linli.synth.activity import LIVE_DAYS, PATHS
    from linli.visits.models import GridLog, HouseholdRhythm

    summary = build_demo(db, residents=SMALL)
    assert summary.logs == db.execute(select(func.count()).select_from(GridLog)).scalar_one() > 0
    oldest = db.scalar(select(func.min(GridLog.started_at)))
    assert oldest is not None and (db.scalar(select(func.max(GridLog.started_at))) - oldest).days >= LIVE_DAYS - 7
    # Households came onto linli a year ago (their members' 户籍 dates go back decades): nobody on a
    # worker's list is years overdue, only the few let slip at the end of the year.
    taken_on = clock.today() - timedelta(days=LIVE_DAYS)
    assert set(db.scalars(select(Household.registered_on))) == {taken_on}
    earliest = db.scalar(select(func.min(Resident.registered_on)))
    assert earliest is not None and earliest < taken_on - timedelta(days=3 * 365)
    due = db.scalar(select(func.min(HouseholdRhythm.visit_due_on)).where(HouseholdRhythm.active.is_(True)))
    assert due is not None and (clock.today() - due).days < 60
    states = Counter(db.scalars(select(WorkOrder.state)))
    # The activity's orders, the council's lift orders its decided topic came from, the events reported up.
    reported_up = db.scalar(select(func.count()).where(GridEvent.order_id.is_not(None))) or 0
    assert reported_up > 0
    assert summary.orders == sum(states.values()) == len(PATHS) + 1 + len(LIFT_DAYS) + reported_up
    assert {"received", "registered", "dispatched", "handling", "reported", "rated"} <= set(states), states
    # The activity's two overdue orders, and the events' red case (past its handling stage).
    late_events = select(GridEvent.order_id).where(GridEvent.order_id.is_not(None))
    assert (
        summary.overdue
        == 2
        == db.scalar(select(func.count()).where(WorkOrder.overdue.is_(True), WorkOrder.id.not_in(late_events)))
    )
    # Each handler was told of the order given to them, and of the one gone past its deadline.
    told = {(u, k, o) for u, k, o in db.execute(select(Notification.user_id, Notification.kind, Notification.order_id))}
    given = db.scalars(select(WorkOrder).where(WorkOrder.assignee_user_id.is_not(None))).all()
    assert given and all((o.assignee_user_id, "assigned", o.id) in told for o in given)
    late = [o for o in given if o.overdue]
    assert late and all((o.assignee_user_id, "overdue", o.id) in told for o in late)
    assert states["registered"] >= 2  # left for a secretary to match with a proposal
    assert db.scalar(select(func.count()).where(WorkOrder.source == "resident")) == 1
