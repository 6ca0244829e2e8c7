"""The demo's stories: three published with consent given in person before a witness, one in review, one draft
collected from a grid log; ``jumin`` reads the published ones of grid 1 and the community."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.civic.stories import services
from linli.civic.stories.models import Story, StoryPerson
from linli.synth.demo import build_demo
from linli.synth.stories import grow_stories
from tests.factories import scope_of


def test_the_demo_grows_stories_of_yangtaishan(db: Session) -> None:
    assert build_demo(db, seed=7, residents=300).stories == 5
    assert grow_stories(db, 7) == 0  # once per database
    states = dict(db.execute(select(Story.title, Story.state)).all())
    assert states["老邻居帮忙照看独居老人"] == states["一碗饺子"] == states["楼道里的共享雨伞"] == "published"
    assert states["小喇叭巡逻队的夜晚"] == "review"
    collected = db.scalars(select(Story).where(Story.source == "log")).one()
    assert collected.state == "draft" and collected.grid_log_id is not None
    published = select(Story.id).where(Story.state == "published")
    people = db.scalars(select(StoryPerson).where(StoryPerson.story_id.in_(published))).all()
    assert people and all(p.consent == "given" and p.consent_way == "in_person" and p.witness for p in people)
    seen = services.list_stories(db, scope_of(db, "jumin"), services.StoryFilter(), 1, 20).items
    assert {s.title for s in seen} == {"老邻居帮忙照看独居老人", "一碗饺子", "楼道里的共享雨伞"}
