"""Volunteers, teams and proposals made for the matching tests and the route walk (through the services)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.needs import catalogue
from linli.needs.models import ServiceCategory
from linli.volunteers import services as volunteers
from linli.volunteers.models import Volunteer
from linli.volunteers.schemas import VolunteerIn
from tests.factories import World, scope_of


def category_id(db: Session, code: str) -> int:
    catalogue.seed(db)
    found = db.scalar(select(ServiceCategory.id).where(ServiceCategory.code == code))
    assert found is not None
    return found


def make_volunteer(db: Session, resident_id: int, **overrides: object) -> int:
    """Return the id of a volunteer profile for ``resident_id``, enrolled by grid 1's secretary with consent."""
    existing = db.scalar(select(Volunteer.id).where(Volunteer.resident_id == resident_id))
    if existing:
        return existing
    catalogue.seed(db)
    values: dict[str, object] = {
        "resident_id": resident_id,
        "consent": True,
        "consent_note": "本人签字的志愿者登记表",
        "profession": "电工",
        "skills_text": "修水管",
    }
    values.update(overrides)
    return volunteers.create_volunteer(db, scope_of(db, "secretary"), VolunteerIn.model_validate(values)).id


def grid1_volunteer(db: Session, world: World) -> int:
    return make_volunteer(db, world.resident1.id)


def grid1_proposal(db: Session, world: World) -> int:
    from linli.matching import services as matching

    grid1_volunteer(db, world)
    return matching.propose(db, scope_of(db, "secretary"), world.grid1.id).id


def grid1_task(db: Session, world: World) -> int:
    """Return the id of a task: grid 1's order dispatched to grid 1's volunteer (given an account)."""
    from linli.accounts.services import create_user
    from linli.db.engine import transaction
    from linli.needs import lifecycle
    from linli.needs.schemas import TransitionIn
    from linli.volunteers.models import VolunteerTask
    from tests.api.walk_ids import grid1_order

    existing = db.scalar(select(VolunteerTask.id).limit(1))
    if existing:
        return existing
    with transaction(db):
        user = create_user(db, "walker", "Stairwell-Pass-2026", roles=[("volunteer", world.community.code)])
        user_id = user.id
    volunteer_id = grid1_volunteer(db, world)
    with transaction(db):
        db.get_one(Volunteer, volunteer_id).user_id = user_id
    order_id = grid1_order(db, world)
    secretary = scope_of(db, "secretary")
    lifecycle.transition(db, secretary, order_id, TransitionIn(action="register"))
    lifecycle.transition(db, secretary, order_id, TransitionIn(action="dispatch", assignee_user_id=user_id))
    task = db.scalar(select(VolunteerTask.id).where(VolunteerTask.order_id == order_id))
    assert task is not None
    return task


def grid1_standing(db: Session, world: World) -> int:
    """Return a standing service (a monthly free clinic) of grid 1's volunteer, in grid 1."""
    from linli.volunteers import standing
    from linli.volunteers.models import StandingService
    from linli.volunteers.schemas import StandingServiceIn

    existing = db.scalar(select(StandingService.id).limit(1))
    if existing:
        return existing
    data = StandingServiceIn(
        area_id=world.grid1.id,
        category_id=category_id(db, "free_clinic"),
        title="骨科义诊",
        volunteer_id=grid1_volunteer(db, world),
        schedule="monthly:15",
        start_minute=9 * 60,
        end_minute=11 * 60 + 30,
        capacity=2,
    )
    return standing.create_service(db, scope_of(db, "secretary"), data).id
