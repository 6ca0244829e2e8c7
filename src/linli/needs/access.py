"""Who someone is to one order: the parts they may play, decided from their scope and the order itself.

Staff parts come from capabilities held at the order's area (``accounts.permissions``); the handler
and the requester are who the order names. Someone with no part does not see the order (404).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.permissions import (
    NEEDS_DISPATCH,
    NEEDS_READ,
    NEEDS_SUPERVISE,
    NEEDS_WRITE,
    Scope,
)
from linli.areas.models import Area
from linli.errors import NotFound
from linli.needs.models import WorkOrder
from linli.needs.teams import teams_of
from linli.registry.models import Resident

READER = "reader"
INTAKE = "intake"  # takes needs in, registers or dismisses them, rates on a resident's behalf
DISPATCHER = "dispatcher"  # assigns, approves extensions, suspends, checks and closes
SUPERVISOR = "supervisor"  # places an order under supervision (督办)
HANDLER = "handler"  # the assignee, or a member of the assigned team
REQUESTER = "requester"  # the resident who asked, or whose household it is (or who holds the tracking code)

CAPABILITY_PARTS = (
    (NEEDS_READ, READER),
    (NEEDS_WRITE, INTAKE),
    (NEEDS_DISPATCH, DISPATCHER),
    (NEEDS_SUPERVISE, SUPERVISOR),
)


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in user (with their scope and teams), or the anonymous holder of a tracking code."""

    user_id: int | None
    name: str
    client: str = ""
    scope: Scope | None = None
    teams: frozenset[int] = frozenset()
    # A resident account: the resident it belongs to and their household, whose orders are theirs to follow.
    resident_id: int | None = None
    household_id: int | None = None

    @classmethod
    def of(cls, session: Session, scope: Scope) -> Actor:
        """Return the actor for a signed-in ``scope``."""
        home = session.execute(
            select(Resident.id, Resident.household_id)
            .join(User, User.resident_id == Resident.id)
            .where(User.id == scope.user_id)
        ).first()
        resident_id, household_id = home if home else (None, None)
        teams = frozenset(teams_of(session, scope.user_id))
        return cls(scope.user_id, scope.display_name, scope.client, scope, teams, resident_id, household_id)

    def parts(self, order: WorkOrder, area_path: str) -> frozenset[str]:
        """Return the parts this actor plays on ``order``, whose area has ``area_path``."""
        held: set[str] = set()
        if self.scope is not None:
            held.update(part for capability, part in CAPABILITY_PARTS if self.scope.reaches(capability, area_path))
        if self.user_id is not None:
            if order.assignee_user_id == self.user_id or (
                order.assignee_team_id is not None and order.assignee_team_id in self.teams
            ):
                held.add(HANDLER)
            if order.requester_user_id == self.user_id or self._lives_there(order):
                held.add(REQUESTER)
        return frozenset(held)

    def _lives_there(self, order: WorkOrder) -> bool:
        if self.resident_id is None:
            return False
        return order.resident_id == self.resident_id or (
            order.household_id is not None and order.household_id == self.household_id
        )


def load(session: Session, actor: Actor, need_id: int, lock: bool = False) -> tuple[WorkOrder, str, frozenset[str]]:
    """Return the order, its area's path and the actor's parts, or raise ``NotFound`` when they have none.

    ``lock`` reads it afresh and locks its row (PostgreSQL) for a change; SQLite's writer already holds
    the database.
    """
    query = select(WorkOrder, Area.path).join(Area, Area.id == WorkOrder.area_id).where(WorkOrder.id == need_id)
    if lock:
        query = query.with_for_update(of=WorkOrder).execution_options(populate_existing=True)
    row = session.execute(query).first()
    if row is None:
        raise NotFound("need")
    order, path = row
    parts = actor.parts(order, path)
    if not parts:
        raise NotFound("need")
    return order, path, parts
