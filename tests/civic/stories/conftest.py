"""The stories' world: the personas' world with staff and two resident accounts (see ``helpers``)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.civic.stories.helpers import story_world
from tests.factories import World


@pytest.fixture
def sw(db: Session, world: World) -> World:
    return story_world(db, world)
