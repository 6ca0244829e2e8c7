"""A story's way to the page: draft → review (sent by its author) → published (by a reviewer, ``CIVIC_MANAGE``).

The reviewer publishes it, or returns it to its author as a draft with a note. THE CONSENT RULE: a story
naming anyone whose consent is not ``given`` is not published; the refusal (``story.consent_missing``)
names who lacks it. A story withdrawn (a consent taken back) goes through review again, and is published
only once everyone it names has consented again, or was removed from it. Each step is audited.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.permissions import CIVIC_MANAGE, CIVIC_WRITE, Scope
from linli.audit import services as audit
from linli.civic.stories.access import load
from linli.civic.stories.models import Story, StoryPerson
from linli.civic.stories.schemas import ReturnIn, StoryOut
from linli.civic.stories.services import flush, outs
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import Conflict, Forbidden


def _move(session: Session, scope: Scope, story: Story, to: str, action: str, note: str = "") -> StoryOut:
    held = story.state
    story.state = to
    changes: dict[str, list[object]] = {"state": [held, to]}
    if note:
        changes["review_note"] = [story.review_note, note]
        story.review_note = note
    flush(session)
    audit.record_by(
        session, scope, f"story.{action}", entity="story", entity_id=story.id, area_id=story.area_id, changes=changes
    )
    return outs(session, scope, [story])[0]


def submit(session: Session, scope: Scope, story_id: int) -> StoryOut:
    """Send a draft (or a story withdrawn) for review: its author does, or a reviewer of its area."""
    scope.require(CIVIC_WRITE)
    with transaction(session):
        story, path = load(session, scope, story_id, CIVIC_WRITE, lock=True)
        if story.author_id != scope.user_id and not scope.reaches(CIVIC_MANAGE, path):
            raise Forbidden("Only the story's author sends it for review.", "story.not_author")
        if story.state not in ("draft", "withdrawn"):
            raise Conflict("story.not_draft", "Only a draft is sent for review.", "state")
        return _move(session, scope, story, "review", "submit")


def publish(session: Session, scope: Scope, story_id: int) -> StoryOut:
    """Publish a story in review, when everyone it names has given consent (else ``story.consent_missing``)."""
    scope.require(CIVIC_MANAGE)
    with transaction(session):
        story, _ = load(session, scope, story_id, CIVIC_MANAGE, lock=True)
        if story.state != "review":
            raise Conflict("story.not_in_review", "Only a story in review is published or returned.", "state")
        missing = list(
            session.scalars(
                select(StoryPerson.name)
                .where(StoryPerson.story_id == story.id, StoryPerson.consent != "given")
                .order_by(StoryPerson.id)
            )
        )
        if missing:
            raise Conflict(
                "story.consent_missing",
                "Not published: {names} have not given their consent.",
                "people",
                names="、".join(missing),
            )
        story.reviewed_by_id, story.published_at, story.review_note = scope.user_id, utcnow(), ""
        return _move(session, scope, story, "published", "publish")


def return_story(session: Session, scope: Scope, story_id: int, data: ReturnIn) -> StoryOut:
    """Return a story in review to its author as a draft, with a note saying what to change."""
    scope.require(CIVIC_MANAGE)
    with transaction(session):
        story, _ = load(session, scope, story_id, CIVIC_MANAGE, lock=True)
        if story.state != "review":
            raise Conflict("story.not_in_review", "Only a story in review is published or returned.", "state")
        story.reviewed_by_id = scope.user_id
        return _move(session, scope, story, "draft", "return", data.note)
