"""Standing services (常态服务): the doctor's monthly clinic, households signing up, hours credited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.errors import Conflict, Invalid, NotFound
from linli.volunteers import standing
from linli.volunteers.models import ServiceHours, Volunteer
from linli.volunteers.schemas import SessionHoursIn, SignupIn
from tests.factories import World, scope_of
from tests.matching.helpers import grid1_standing


def test_it_lists_the_sessions_a_schedule_names() -> None:
    assert standing.sessions_between("monthly:15", date(2026, 12, 1), date(2027, 1, 31)) == [
        date(2026, 12, 15),
        date(2027, 1, 15),
    ]
    assert standing.sessions_between("weekly:5", date(2026, 12, 1), date(2026, 12, 13)) == [
        date(2026, 12, 5),
        date(2026, 12, 12),
    ]


def test_households_sign_up_until_the_session_is_full(db: Session, world: World) -> None:
    service_id = grid1_standing(db, world)
    secretary = scope_of(db, "secretary")
    on = date(2027, 1, 15)
    standing.sign_up(db, secretary, service_id, SignupIn(household_id=world.household1, session_on=on))
    with pytest.raises(Conflict) as twice:
        standing.sign_up(db, secretary, service_id, SignupIn(household_id=world.household1, session_on=on))
    assert twice.value.code == "standing.signed_up"
    after = standing.sign_up(db, secretary, service_id, SignupIn(household_id=world.household2, session_on=on))
    assert after.signups == 2
    with pytest.raises(Conflict) as full:
        standing.sign_up(db, secretary, service_id, SignupIn(household_id=world.other_household, session_on=on))
    assert full.value.code == "standing.full"
    with pytest.raises(Invalid) as no_session:
        standing.sign_up(
            db, secretary, service_id, SignupIn(household_id=world.household1, session_on=date(2027, 1, 16))
        )
    assert no_session.value.code == "standing.no_session"


def test_a_session_credits_its_hours_to_the_volunteers_who_served(db: Session, world: World) -> None:
    service_id = grid1_standing(db, world)
    volunteer_id = db.scalar(select(Volunteer.id))
    assert volunteer_id is not None
    data = SessionHoursIn(session_on=date(2027, 1, 15), volunteer_ids=[volunteer_id])
    assert standing.credit_session(db, scope_of(db, "secretary"), service_id, data) == 1
    hours = db.scalar(select(ServiceHours).where(ServiceHours.service_id == service_id))
    assert hours is not None and hours.served_hours == 2.5 and hours.scheduled_hours == 2.5
    assert db.scalar(select(Volunteer.hours_served).where(Volunteer.id == volunteer_id)) == 2.5


def test_an_outsider_cannot_reach_a_standing_service(db: Session, world: World) -> None:
    service_id = grid1_standing(db, world)
    with pytest.raises(NotFound):
        standing.sign_up(
            db,
            scope_of(db, "outsider"),
            service_id,
            SignupIn(household_id=world.other_household, session_on=date(2027, 1, 15)),
        )
    assert standing.list_services(db, scope_of(db, "outsider")) == []
