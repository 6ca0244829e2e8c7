"""The demo's houses: every household on one, houses of every status, tenants of rented houses, care grades."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.registry.models import HOUSE_STATUSES, CareGradeChange, House, Household, Tenancy
from linli.synth.demo import build_demo
from linli.synth.houses import grow_houses
from linli.visits.models import HouseholdRhythm, VisitRule


def test_the_demo_puts_every_household_on_a_house_of_every_status(db: Session) -> None:
    build_demo(db, seed=3, residents=1500)
    assert db.scalar(select(func.count()).where(Household.house_id.is_(None))) == 0
    statuses = Counter(db.scalars(select(House.status)))
    assert set(statuses) == set(HOUSE_STATUSES) and statuses["vacant"] >= 3
    rented = db.execute(
        select(Tenancy.house_id, Household.house_id, House.status)
        .join(Household, Household.id == Tenancy.household_id)
        .join(House, House.id == Tenancy.house_id)
    ).all()
    assert rented and all(status == "rented" for *_, status in rented)
    assert all(rents == lives for rents, lives, _ in rented)  # a tenant household lives in the house it rents
    graded = Counter(db.scalars(select(Household.care_grade).where(Household.care_grade.is_not(None))))
    assert set(graded) == {"red", "yellow", "blue"}
    assert db.scalar(select(func.count()).select_from(CareGradeChange)) == sum(graded.values())
    owners = db.scalars(select(House.owner_phone_enc).where(House.owner_phone_enc.is_not(None))).all()
    assert owners and not any((o or "").startswith("+86") for o in owners)

    # The demo added the two rules to each community (synth.demo calls grow_houses); a second call adds none.
    assert (db.scalar(select(func.count()).where(VisitRule.name == "空置房屋巡查")) or 0) >= 1
    assert grow_houses(db, 3) == 0  # once
    rule = db.scalar(select(VisitRule.id).where(VisitRule.name == "空置房屋巡查"))
    vacant = db.scalar(
        select(HouseholdRhythm.visit_every)
        .join(Household, Household.id == HouseholdRhythm.household_id)
        .join(House, House.id == Household.house_id)
        .where(House.status == "vacant", HouseholdRhythm.rule_id == rule)
        .limit(1)
    )
    assert vacant == 30
