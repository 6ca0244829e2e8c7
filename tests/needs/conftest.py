"""The needs world: the personas' world with the catalogue seeded, and the people orders involve.

Extra users (password ``PASSWORD``): ``staff`` (community staff of 阳台山社区, dispatches), ``volunteer``
(a volunteer of 阳台山社区), ``volunteer2`` (another), ``resident`` (a resident account linked to 曾伟 of
grid 1), ``other_secretary`` (厦禾社区).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.services import create_user
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.needs import catalogue, intake, lifecycle
from linli.needs.models import ServiceCategory, WorkOrder
from linli.needs.schemas import NeedIn, TransitionIn
from tests.factories import PASSWORD, World, make_world, scope_of


@dataclass
class NeedsWorld:
    world: World
    repairs: int
    meals: int
    staff: int
    volunteer: int
    volunteer2: int
    resident: int


def user_id(session: Session, username: str) -> int:
    return session.scalars(select(User.id).where(User.username == username)).one()


def make_needs_world(session: Session, world: World | None = None) -> NeedsWorld:
    world = world or make_world(session)
    catalogue.seed(session)
    for username, role, code in (
        ("staff", "staff", world.community.code),
        ("volunteer", "volunteer", world.community.code),
        ("volunteer2", "volunteer", world.community.code),
        ("resident", "resident", world.grid1.code),
        ("other_secretary", "secretary", world.other_community.code),
    ):
        create_user(session, username, PASSWORD, roles=[(role, code)])
    with transaction(session):
        session.scalars(select(User).where(User.username == "resident")).one().resident_id = world.resident1.id
    codes = dict(session.execute(select(ServiceCategory.code, ServiceCategory.id)).all())
    return NeedsWorld(
        world,
        codes["repairs"],
        codes["meals_bathing"],
        user_id(session, "staff"),
        user_id(session, "volunteer"),
        user_id(session, "volunteer2"),
        user_id(session, "resident"),
    )


@pytest.fixture
def nw(db: Session) -> NeedsWorld:
    return make_needs_world(db)


def new_order(session: Session, nw: NeedsWorld, username: str = "grid1", **overrides: object) -> WorkOrder:
    """Return a received order of grid 1's household, filed by ``username``."""
    data: dict[str, object] = {
        "category_id": nw.repairs,
        "description": "水龙头漏水，老人独居",
        "household_id": nw.world.household1,
    }
    data.update(overrides)
    return intake.create_order(session, scope_of(session, username), NeedIn(**data))


def move(session: Session, username: str, order_id: int, action: str, **fields: object) -> WorkOrder:
    """Return the order after ``username`` makes the move ``action``."""
    return lifecycle.transition(session, scope_of(session, username), order_id, TransitionIn(action=action, **fields))


def dispatched(session: Session, nw: NeedsWorld, **overrides: object) -> WorkOrder:
    """Return an order registered and dispatched to the volunteer."""
    order = new_order(session, nw, "grid1", **overrides)
    move(session, "grid1", order.id, "register")
    return move(session, "staff", order.id, "dispatch", assignee_user_id=nw.volunteer)


def slipped(session: Session, order_id: int, hours: float) -> None:
    """Move an order's deadline ``hours`` into the past."""
    with transaction(session):
        session.get(WorkOrder, order_id).due_at = utcnow() - timedelta(hours=hours)  # type: ignore[union-attr]


def closed(session: Session, nw: NeedsWorld, **overrides: object) -> WorkOrder:
    """Return an order handled by the volunteer, checked and closed by staff."""
    order = dispatched(session, nw, **overrides)
    move(session, "volunteer", order.id, "accept")
    move(session, "volunteer", order.id, "report_done", note="已更换水龙头")
    move(session, "staff", order.id, "check")
    return move(session, "staff", order.id, "close")
