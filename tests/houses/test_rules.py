"""Care grades and house statuses as conditions of visit rules, kept as data like tags."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from linli.errors import ValidationErrors
from linli.registry import houses, tenancies
from linli.registry.house_schemas import CareGradeIn, HouseUpdate
from linli.visits import policy
from linli.visits.schemas import RuleIn
from tests.factories import World, scope_of
from tests.houses.helpers import house_of
from tests.visits.helpers import rhythm


def rule(db: Session, world: World, condition: str, value: str, visit: int, contact: int | None = None) -> int:
    data = RuleIn(
        community_id=world.community.id,
        name=f"{condition} {value}",
        condition=condition,
        value=value,
        contact_every_days=contact,
        visit_every_days=visit,
    )
    return policy.create_rule(db, scope_of(db, "secretary"), data).id


def test_a_rule_on_the_red_grade_picks_the_household_once_it_is_graded(db: Session, world: World) -> None:
    red = rule(db, world, "care_grade", "red", 7, contact=2)
    before = rhythm(db, world.household2)
    assert before.rule_id != red and before.visit_every == 90

    tenancies.set_care_grade(db, scope_of(db, "grid2"), world.household2, CareGradeIn(grade="red", reason="失业"))
    after = rhythm(db, world.household2)
    assert after.rule_id == red and after.visit_every == 7 and after.contact_every == 2
    assert after.basis == "rule:care_grade red"

    tenancies.set_care_grade(db, scope_of(db, "grid2"), world.household2, CareGradeIn(grade="blue", reason="好转"))
    assert rhythm(db, world.household2).visit_every == 90


def test_a_vacant_house_gets_its_own_check(db: Session, world: World) -> None:
    vacant = rule(db, world, "house_status", "vacant", 20)
    assert rhythm(db, world.household2).rule_id != vacant
    houses.update_house(db, scope_of(db, "grid2"), house_of(db, world.household2), HouseUpdate(status="vacant"))
    checked = rhythm(db, world.household2)
    assert checked.rule_id == vacant and checked.visit_every == 20
    houses.update_house(db, scope_of(db, "grid2"), house_of(db, world.household2), HouseUpdate(status="rented"))
    assert rhythm(db, world.household2).visit_every == 90


def test_it_refuses_an_unknown_status_or_grade_in_a_rule(db: Session, world: World) -> None:
    with pytest.raises(ValidationErrors):
        rule(db, world, "house_status", "haunted", 30)
    with pytest.raises(ValidationErrors):
        rule(db, world, "care_grade", "green", 30)
