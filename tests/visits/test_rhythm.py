"""The rhythm projection follows the registry, the policy and the logs (both databases)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from linli.db.engine import transaction
from linli.lib import clock
from linli.registry import services as registry
from linli.registry.models import Tag
from linli.registry.schemas import DeregisterIn, MoveIn, ResidentUpdate
from linli.visits import policy, worklist
from linli.visits.models import VisitRule
from linli.visits.rhythm import recompute_rhythm
from linli.visits.schemas import CadenceIn, RuleUpdate
from tests.factories import World, make_household, make_resident, root_scope, scope_of
from tests.visits.helpers import days_ago, log, registered, rhythm


def test_it_starts_a_new_household_on_its_registration_day(db: Session, world: World) -> None:
    row = rhythm(db, world.household1)
    today = clock.today()
    assert (row.contact_every, row.visit_every, row.basis) == (3, 5, "tags:living_alone")
    assert row.contact_due_on == row.visit_due_on == row.next_due_on == today
    assert rhythm(db, world.household2).visit_every == 90


def test_it_seeds_the_default_policy_once_per_community(db: Session, world: World) -> None:
    rules = db.scalars(select(VisitRule.name).where(VisitRule.community_id == world.community.id)).all()
    assert sorted(rules) == sorted(["重点关爱对象", "其他关爱对象", "所有住户"])
    recompute_rhythm_in(db, None)
    assert db.scalar(select(func.count()).select_from(VisitRule)) == 6  # two communities, three rules each


def recompute_rhythm_in(db: Session, ids: list[int] | None) -> None:
    with transaction(db):
        recompute_rhythm(db, ids)


def test_a_door_visit_counts_as_a_contact(db: Session, world: World) -> None:
    registered(db, world.household1, days_ago(20))
    log(db, world.household1, "door", days_ago(2))
    row = rhythm(db, world.household1)
    assert row.contact_due_on == days_ago(2) + timedelta(days=3)
    assert row.visit_due_on == days_ago(2) + timedelta(days=5)
    log(db, world.household1, "phone", days_ago(1))
    assert rhythm(db, world.household1).contact_due_on == days_ago(1) + timedelta(days=3)
    assert rhythm(db, world.household1).visit_due_on == days_ago(2) + timedelta(days=5)


def test_an_older_log_written_late_does_not_move_the_rhythm_back(db: Session, world: World) -> None:
    registered(db, world.household1, days_ago(20))
    log(db, world.household1, "door", days_ago(1))
    log(db, world.household1, "door", days_ago(6))
    assert rhythm(db, world.household1).visit_due_on == days_ago(1) + timedelta(days=5)


def test_a_rule_change_moves_every_household_of_the_community(db: Session, world: World) -> None:
    registered(db, world.household1, days_ago(20))
    log(db, world.household1, "phone", days_ago(2))
    rule = db.scalar(select(VisitRule).where(VisitRule.community_id == world.community.id, VisitRule.position == 10))
    assert rule is not None
    secretary = scope_of(db, "secretary")
    policy.update_rule(db, secretary, rule.id, RuleUpdate(contact_every_days=1))
    assert rhythm(db, world.household1).contact_due_on == days_ago(1)
    policy.update_rule(db, secretary, rule.id, RuleUpdate(active=False))
    row = rhythm(db, world.household1)
    assert (row.contact_every, row.visit_every, row.contact_due_on) == (None, 30, None)


def test_an_override_wins_and_clearing_it_gives_the_rules_back(db: Session, world: World) -> None:
    secretary = scope_of(db, "secretary")
    policy.set_cadence(db, secretary, world.household1, CadenceIn(contact_every_days=7, reason="子女同住照顾"))
    row = rhythm(db, world.household1)
    assert (row.contact_every, row.visit_every, row.basis) == (7, None, "override:子女同住照顾")
    policy.clear_cadence(db, secretary, world.household1)
    assert (rhythm(db, world.household1).contact_every, rhythm(db, world.household1).visit_every) == (3, 5)


def test_a_tag_removed_in_the_registry_loosens_the_rhythm(db: Session, world: World) -> None:
    registry.update_resident(
        db, root_scope(), world.resident1.id, ResidentUpdate(version=world.resident1.version, tags=[])
    )
    row = rhythm(db, world.household1)
    assert (row.contact_every, row.visit_every, row.close_care) == (None, 90, False)
    registry.update_resident(
        db, root_scope(), world.resident1.id, ResidentUpdate(version=world.resident1.version + 0, tags=["very_old"])
    )
    assert rhythm(db, world.household1).contact_every == 3


def test_a_tags_care_weight_change_reaches_its_households(db: Session, world: World) -> None:
    with transaction(db):
        db.execute(update(Tag).where(Tag.code == "living_alone").values(care_weight=2))
    # A bulk UPDATE on tags is not tracked (only resident, household and resident_tag statements are):
    # an ORM change is.
    with transaction(db):
        tag = db.scalar(select(Tag).where(Tag.code == "living_alone"))
        assert tag is not None
        tag.care_weight = 9
    assert rhythm(db, world.household1).care_weight == 9


def test_moving_out_stops_the_rhythm_and_a_new_member_starts_it_again(db: Session, world: World) -> None:
    registered(db, world.household1, days_ago(30))
    registry.deregister_resident(db, root_scope(), world.resident1.id, DeregisterIn(reason="moved_out"))
    row = rhythm(db, world.household1)
    assert not row.active and row.next_due_on is None and row.stopped_on == clock.today()
    lines = worklist.worklist(db, scope_of(db, "grid1")).items
    assert world.household1 not in [line.household_id for line in lines]
    make_resident(db, world.household1, name="新住户", relation="02")
    row = rhythm(db, world.household1)
    assert row.active and row.registered_on == clock.today() and row.next_due_on == clock.today()


def test_a_move_between_households_moves_the_rhythm_with_the_person(db: Session, world: World) -> None:
    target = make_household(db, world.grid1, "302", "4号楼")
    assert not rhythm(db, target).active
    registry.move_resident(db, root_scope(), world.resident1.id, MoveIn(household_id=target))
    assert rhythm(db, target).close_care and rhythm(db, target).active
    assert not rhythm(db, world.household1).active


def test_a_birthday_brings_a_household_under_an_age_rule(db: Session, world: World) -> None:
    young = make_household(db, world.grid1, "501", "8号楼")
    born = clock.today().replace(year=clock.today().year - 80) + timedelta(days=1)
    make_resident(db, young, name="王老伯", relation="02", birth_date=born)
    secretary = scope_of(db, "secretary")
    from linli.visits.schemas import RuleIn

    policy.create_rule(
        db,
        secretary,
        RuleIn(
            community_id=world.community.id, name="八十岁以上", condition="min_age", value="80", visit_every_days=14
        ),
    )
    row = rhythm(db, young)
    assert row.visit_every == 90 and row.recheck_on == born.replace(year=born.year + 80)
    # On the birthday the worklist finds the recheck due and recomputes.
    with transaction(db):
        recompute_rhythm(db, [young], today=born.replace(year=born.year + 80))
    assert rhythm(db, young).visit_every == 14
