"""Disputes built by the real services, as plain functions with overrides.

A dispute made here lies in grid 1 of 阳台山社区, registered by grid 1's worker, with two parties: the
resident of grid 1 (曾伟) and an outside person (赵大海, 13800001111). ``mediator`` is a staff account of the
community (``调解员``) the secretary names as its mediator.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.services import create_user
from linli.disputes import services
from linli.disputes.models import DisputeParty, Mediation
from linli.disputes.schemas import DisputeIn, DisputeOut, MediationIn, OutcomeIn, PartyIn
from linli.lib import clock
from tests.factories import PASSWORD, World, scope_of

OUTSIDER_NAME = "赵大海"
OUTSIDER_PHONE = "13800001111"


def make_mediator(db: Session, world: World, username: str = "mediator") -> int:
    """Return the id of a staff account of the community (made once)."""
    existing = db.scalar(select(User.id).where(User.username == username))
    if existing:
        return existing
    return create_user(db, username, PASSWORD, roles=[("staff", world.community.code)], display_name="调解员").id


def dispute_in(world: World, **overrides: Any) -> DisputeIn:
    data: dict[str, Any] = {
        "area_id": world.grid1.id,
        "kind": "neighbour",
        "summary": "楼上漏水，楼下墙面受损，双方争执",
        "found_on": clock.today() - timedelta(days=3),
        "parties": [
            PartyIn(resident_id=world.resident1.id, role="楼下住户"),
            PartyIn(name=OUTSIDER_NAME, phone=OUTSIDER_PHONE, role="楼上房东"),
        ],
    }
    data.update(overrides)
    return DisputeIn(**data)


def make_dispute(
    db: Session, world: World, username: str = "grid1", mediated: bool = True, **overrides: Any
) -> DisputeOut:
    """Return a dispute of grid 1 registered by ``username``; ``mediated``: the mediator named by the secretary."""
    made = services.register_dispute(db, scope_of(db, username), dispute_in(world, **overrides))
    if mediated:
        mediator = make_mediator(db, world)
        made = services.set_mediators(db, scope_of(db, "secretary"), made.id, [mediator])
    return made


def mediate(db: Session, dispute_id: int, username: str = "mediator", days_ago: int = 1) -> None:
    data = MediationIn(
        held_on=clock.today() - timedelta(days=days_ago), place="社区调解室", attendees="双方当事人", notes="各自陈述"
    )
    services.record_mediation(db, scope_of(db, username), dispute_id, data)


def agree(db: Session, dispute_id: int, username: str = "mediator") -> DisputeOut:
    return services.state_outcome(
        db, scope_of(db, username), dispute_id, OutcomeIn(outcome="agreed", agreement="房东负责修补墙面")
    )


def grid1_dispute(db: Session, world: World) -> int:
    """Return a grid-1 dispute with a party and a session (for the route walk)."""
    made = make_dispute(db, world)
    mediate(db, made.id)
    return made.id


def grid1_party(db: Session, world: World) -> int:
    dispute_id = grid1_dispute(db, world)
    return db.scalars(select(DisputeParty.id).where(DisputeParty.dispute_id == dispute_id)).first() or 0


def grid1_mediation(db: Session, world: World) -> int:
    dispute_id = grid1_dispute(db, world)
    return db.scalars(select(Mediation.id).where(Mediation.dispute_id == dispute_id)).first() or 0
