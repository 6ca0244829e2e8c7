"""Who sees which story, and loading one within reach.

Staff (``CIVIC_READ``) see every story, drafts included, of the areas they hold and below. Everyone who
reads stories (staff, and residents through ``CIVIC_JOIN``) sees the *published* stories of the areas at,
above or below the ones they hold: a resident of grid 1 reads grid 1's stories and the community's. A
resident named in a story (their account linked to the person) also reads it before it is published, so
they can see what they are asked to consent to. Anything else is ``NotFound``: its existence stays hidden.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.permissions import CIVIC_JOIN, CIVIC_READ, Scope, path_under
from linli.areas.models import Area
from linli.areas.services import ancestry
from linli.civic.stories.models import Story, StoryPerson
from linli.errors import NotFound

MAX_ID = 2**31 - 1
READERS = (CIVIC_READ, CIVIC_JOIN)


def held_paths(scope: Scope) -> set[str]:
    """Return the area paths where the caller reads stories (as staff or as a resident)."""
    return {p for capability in READERS for p in scope.paths(capability)}


def sees_published(scope: Scope, area_path: str) -> bool:
    """Return whether a published story of the area at ``area_path`` is seen: at, above or below a held area."""
    return any(area_path.startswith(p) or p.startswith(area_path) for p in held_paths(scope))


def my_resident(session: Session, scope: Scope) -> int | None:
    """Return the resident the caller's account is linked to, when they take part as a resident."""
    if scope.user_id is None or not scope.can(CIVIC_JOIN):
        return None
    return session.scalar(select(User.resident_id).where(User.id == scope.user_id))


def visible(session: Session, scope: Scope) -> ColumnElement[bool]:
    """Return the condition on ``Story`` of the stories the caller sees (the module's rule, for a query)."""
    conditions: list[ColumnElement[bool]] = []
    staff = scope.area_ids(CIVIC_READ)
    if staff is not None:
        conditions.append(Story.area_id.in_(select(Area.id).where(staff)))
    paths = held_paths(scope)
    if paths:
        above = sorted({a for p in paths for a in ancestry(p)})
        areas = select(Area.id).where(or_(Area.path.in_(above), *(path_under(Area.path, p) for p in paths)))
        conditions.append(and_(Story.state == "published", Story.area_id.in_(areas)))
    resident = my_resident(session, scope)
    if resident is not None:
        conditions.append(Story.id.in_(select(StoryPerson.story_id).where(StoryPerson.resident_id == resident)))
    return or_(*conditions) if conditions else false()


def area_path(session: Session, area_id: int) -> str:
    """Return the path of an area, or raise ``NotFound``."""
    path = session.scalar(select(Area.path).where(Area.id == area_id)) if 0 < area_id < MAX_ID else None
    if path is None:
        raise NotFound("area")
    return path


def can_see(session: Session, scope: Scope, story: Story, path: str) -> bool:
    """Return whether the caller sees ``story`` (of the area at ``path``): the rule of ``visible`` for one row."""
    if scope.reaches(CIVIC_READ, path):
        return True
    if story.state == "published" and sees_published(scope, path):
        return True
    resident = my_resident(session, scope)
    return resident is not None and (
        session.scalar(
            select(StoryPerson.id).where(StoryPerson.story_id == story.id, StoryPerson.resident_id == resident).limit(1)
        )
        is not None
    )


def load(
    session: Session, scope: Scope, story_id: int, capability: str | None = None, lock: bool = False
) -> tuple[Story, str]:
    """Return a story the caller sees and its area's path (with ``capability`` held at or above it), or ``NotFound``.

    ``lock`` reads the row afresh under its lock on PostgreSQL (``FOR UPDATE``): a publication and a
    withdrawal of consent each take it first, so one waits for the other and decides on what it left. On
    SQLite the write transaction (``BEGIN IMMEDIATE``) already holds the whole database.
    """
    if not 0 < story_id < MAX_ID:
        raise NotFound("story")
    query = select(Story).where(Story.id == story_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    story = session.scalars(query).first()
    if story is None:
        raise NotFound("story")
    path = area_path(session, story.area_id)
    if not can_see(session, scope, story, path) or (capability is not None and not scope.reaches(capability, path)):
        raise NotFound("story")
    return story, path
