"""Stories, the people they name and their consent, built by the real services as plain functions.

``story_world`` adds to the personas' world: ``staff`` (community staff of 阳台山社区, reviews), ``jumin``
(a resident account of grid 1 linked to 曾伟) and ``jumin2`` (a resident account of grid 2 linked to 李娜).
A story made here is grid 1's, written by its grid worker, as a draft.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.services import create_user
from linli.civic.stories import consent, services, workflow
from linli.civic.stories.models import Story, StoryPerson, StoryPhoto
from linli.civic.stories.schemas import ConsentIn, PersonIn, StoryIn, StoryOut
from linli.db.engine import transaction
from linli.lib import clock
from linli.visits import logs
from linli.visits.schemas import GridLogIn
from tests.factories import PASSWORD, World, scope_of

# The smallest PNG: a photo's first bytes are what the store checks.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def story_world(db: Session, world: World) -> World:
    """Return ``world`` with the accounts of the module's docstring added."""
    create_user(db, "staff", PASSWORD, roles=[("staff", world.community.code)])
    for username, grid, resident in (
        ("jumin", world.grid1, world.resident1.id),
        ("jumin2", world.grid2, world.resident2.id),
    ):
        create_user(db, username, PASSWORD, roles=[("resident", grid.code)])
        with transaction(db):
            db.scalars(select(User).where(User.username == username)).one().resident_id = resident
    return world


def make_story(
    db: Session, world: World, username: str = "grid1", area_id: int | None = None, **overrides: Any
) -> StoryOut:
    """Return a new draft of grid 1 (or ``area_id``), written by ``username``."""
    data: dict[str, Any] = {
        "area_id": area_id or world.grid1.id,
        "title": "楼道里的共享雨伞",
        "body": "下雨天，楼道口多了一排雨伞。",
    }
    data.update(overrides)
    return services.create_story(db, scope_of(db, username), StoryIn(**data))


def name(
    db: Session, story_id: int, who: str = "陈阿婆", resident_id: int | None = None, username: str = "grid1"
) -> int:
    """Return the id of a person named in the story (consent pending)."""
    shown = consent.add_person(db, scope_of(db, username), story_id, PersonIn(name=who, resident_id=resident_id))
    return shown.people[-1].id


def consent_of(
    db: Session, story_id: int, person_id: int, state: str = "given", username: str = "grid1", **overrides: Any
) -> StoryOut:
    """Return the story after a consent recorded by ``username``: in person before 王主任 unless overridden."""
    data: dict[str, Any] = {"consent": state, "way": "in_person", "witness": "王主任", "on": clock.today()}
    data.update(overrides)
    return consent.record_consent(db, scope_of(db, username), story_id, person_id, ConsentIn(**data))


def published(
    db: Session,
    world: World,
    who: str = "陈阿婆",
    resident_id: int | None = None,
    author: str = "grid1",
    **overrides: Any,
) -> tuple[StoryOut, int]:
    """Return a published story of grid 1 (or ``area_id``, written by ``author``) naming one person (consent given
    in person) and that person's id."""
    story = make_story(db, world, author, **overrides)
    person = name(db, story.id, who, resident_id, author)
    consent_of(db, story.id, person, username=author)
    workflow.submit(db, scope_of(db, author), story.id)
    return workflow.publish(db, scope_of(db, "secretary"), story.id), person


def log_with_story(
    db: Session, world: World, story: str = "曾伯年轻时是渔民，常给孩子们讲出海的故事。", username: str = "grid1"
) -> int:
    """Return the id of a grid log of household 1 whose 值得留存的故事 is ``story``."""
    data = GridLogIn(household_id=world.household1, channel="door", narrative="入户走访", story=story)
    return logs.create_log(db, scope_of(db, username), data).id


# ---- the route walk: grid 1's objects --------------------------------------------------------------


def grid1_story(db: Session, world: World) -> int:
    """Return a published story of grid 1 naming 曾伟 of grid 1 (made once)."""
    existing = db.scalar(select(Story.id).where(Story.area_id == world.grid1.id).order_by(Story.id).limit(1))
    if existing:
        return existing
    return published(db, world, who=world.resident1.name, resident_id=world.resident1.id)[0].id


def grid1_person(db: Session, world: World) -> int:
    found = db.scalar(select(StoryPerson.id).where(StoryPerson.story_id == grid1_story(db, world)).limit(1))
    assert found is not None
    return found


def grid1_story_photo(db: Session, world: World) -> int:
    """Return a photo row of grid 1's story (no file: a refusal never reaches the disk)."""
    story_id = grid1_story(db, world)
    existing = db.scalar(select(StoryPhoto.id).where(StoryPhoto.story_id == story_id).limit(1))
    if existing:
        return existing
    with transaction(db):
        photo = StoryPhoto(story_id=story_id, stored_name="0" * 32 + ".png", content_type="image/png", size=1)
        db.add(photo)
    return photo.id


def today() -> date:
    return clock.today()
