"""The printable booklet 《远亲不如近邻》微故事集: an area's published stories, in the order they were published.

Only what is published at the moment of printing is in it: a story whose consent was withdrawn is gone
from the next printing. The booklet of an area holds its stories and those of the areas below it that the
reader sees (a resident of grid 1 printing the community's booklet gets the community's and grid 1's).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.permissions import Scope, path_under
from linli.areas.models import Area
from linli.areas.services import ancestry
from linli.civic.stories.access import area_path, held_paths, sees_published, visible
from linli.civic.stories.models import Story
from linli.civic.stories.schemas import StoryOut
from linli.civic.stories.services import outs
from linli.errors import NotFound

MOST = 300


@dataclass(frozen=True)
class Booklet:
    area_id: int
    area: str
    stories: list[StoryOut]


def default_area(session: Session, scope: Scope) -> int:
    """Return the area a booklet is of when none is chosen: the community of the reader's first held area."""
    paths = sorted(held_paths(scope))
    if not paths:
        raise NotFound("area")
    # A community's path has four slashes (/district/street/community/); a grid's is below it.
    chain = ancestry(paths[0])
    wanted = next((p for p in chain if p.count("/") == 4), paths[0])
    area_id = session.scalar(select(Area.id).where(Area.path == wanted))
    if area_id is None:
        raise NotFound("area")
    return area_id


def booklet(session: Session, scope: Scope, area_id: int | None = None) -> Booklet:
    """Return the booklet of an area the caller sees: its published stories and those below, oldest first."""
    chosen = area_id if area_id is not None else default_area(session, scope)
    path = area_path(session, chosen)
    if not sees_published(scope, path):
        raise NotFound("area")
    name = session.scalar(select(Area.name).where(Area.id == chosen)) or ""
    stories = list(
        session.scalars(
            select(Story)
            .where(
                Story.state == "published",
                visible(session, scope),
                Story.area_id.in_(select(Area.id).where(path_under(Area.path, path))),
            )
            .order_by(Story.published_at, Story.id)
            .limit(MOST)
        )
    )
    return Booklet(area_id=chosen, area=name, stories=outs(session, scope, stories))
