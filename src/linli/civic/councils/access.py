"""Who reaches a council, and so its topics, meetings, resolutions and follow-ups: the one place it is decided.

A council speaks for an area. Staff see it (drafts, counts and votes included) when ``CIVIC_READ`` is held
at, above or below that area: a grid worker sees the community's council, a street supervisor every
council of its communities. A resident account (``CIVIC_JOIN``, held at the resident's grid) sees the
active councils at, above or below their grid, and of those only what is public: topics past the
proposed stage (and the proposed ones, to co-sign), published resolutions, the follow-ups of decisions
published. Keeping a council (members, meetings, votes, publication) needs ``CIVIC_MANAGE`` at or above
its area; raising topics as staff and reporting progress need ``CIVIC_WRITE`` where it is seen.
A record out of reach is ``NotFound``, so its existence stays hidden; a missing right is ``Forbidden``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, SQLColumnExpression, false, or_, select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.permissions import CIVIC_JOIN, CIVIC_MANAGE, CIVIC_READ, CIVIC_WRITE, Scope, path_under
from linli.areas.models import Area
from linli.areas.services import ancestry
from linli.civic.councils.models import Council, CouncilMember, Topic
from linli.errors import Forbidden, NotFound

MAX_ID = 2**31 - 1


def sees(scope: Scope, path: str, capability: str) -> bool:
    """Return whether ``capability`` is held at, above or below the area at ``path``."""
    return any(path.startswith(p) or p.startswith(path) for p in scope.paths(capability))


def visible(scope: Scope, capability: str, column: SQLColumnExpression[int]) -> ColumnElement[bool]:
    """Return the condition on an area-id column of the rows ``sees`` lets through (for a query)."""
    paths = scope.paths(capability)
    if not paths:
        return false()
    above = sorted({a for p in paths for a in ancestry(p)})
    areas = select(Area.id).where(or_(Area.path.in_(above), *(path_under(Area.path, p) for p in paths)))
    return column.in_(areas)


def area_path(session: Session, area_id: int) -> str:
    """Return the path of an area, or raise ``NotFound``."""
    path = session.scalar(select(Area.path).where(Area.id == area_id)) if 0 < area_id < MAX_ID else None
    if path is None:
        raise NotFound("area")
    return path


@dataclass(frozen=True)
class Reach:
    """A council the caller sees, the path of its area, and how: as staff, or as a resident of the area."""

    council: Council
    path: str
    staff: bool

    def require(self, scope: Scope, capability: str) -> None:
        """Raise ``Forbidden`` unless ``capability`` is held where this council lies (managing: at or above)."""
        held = (
            scope.reaches(capability, self.path) if capability == CIVIC_MANAGE else sees(scope, self.path, capability)
        )
        if not held:
            raise Forbidden()


def reach(session: Session, scope: Scope, council_id: int, what: str = "council") -> Reach:
    """Return the council ``council_id`` as the caller reaches it, or raise ``NotFound`` (as ``what``)."""
    council = session.get(Council, council_id) if 0 < council_id < MAX_ID else None
    if council is None:
        raise NotFound(what)
    path = area_path(session, council.area_id)
    if sees(scope, path, CIVIC_READ):
        return Reach(council, path, staff=True)
    if council.active and sees(scope, path, CIVIC_JOIN):
        return Reach(council, path, staff=False)
    raise NotFound(what)


def can_write(scope: Scope, path: str) -> bool:
    return sees(scope, path, CIVIC_WRITE)


def my_resident(session: Session, scope: Scope) -> int | None:
    """Return the resident record of the caller's own account, if it is a resident account linked to one."""
    if scope.user_id is None or not scope.can(CIVIC_JOIN):
        return None
    return session.scalar(select(User.resident_id).where(User.id == scope.user_id))


def my_membership(session: Session, scope: Scope, council_id: int) -> CouncilMember | None:
    """Return the caller's current membership of a council (by account, or by their resident record)."""
    resident = my_resident(session, scope)
    who = [CouncilMember.user_id == scope.user_id] if scope.user_id is not None else []
    if resident is not None:
        who.append(CouncilMember.resident_id == resident)
    if not who:
        return None
    return session.scalars(
        select(CouncilMember).where(CouncilMember.council_id == council_id, CouncilMember.left_on.is_(None), or_(*who))
    ).first()


def load_topic(session: Session, scope: Scope, topic_id: int, lock: bool = False) -> tuple[Topic, Reach]:
    """Return a topic the caller sees and its council's reach, or raise ``NotFound``.

    Residents do not see a rejected topic unless they raised it. ``lock`` reads the row afresh under
    ``FOR UPDATE`` (PostgreSQL; SQLite's write transaction already holds the database).
    """
    query = select(Topic).where(Topic.id == topic_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    topic = session.scalars(query).first() if 0 < topic_id < MAX_ID else None
    if topic is None:
        raise NotFound("topic")
    reached = reach(session, scope, topic.council_id, "topic")
    if not reached.staff and topic.state == "rejected" and topic.raised_by_id != scope.user_id:
        raise NotFound("topic")
    return topic, reached
