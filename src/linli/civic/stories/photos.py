"""A story's photos: ``settings.upload_dir/stories/<story id>/<name>``, checked and stored by ``needs.uploads``.

A photo is served only to those who may read its story (``access``): a resident sees the photos of the
published stories of their area, nothing of a draft. Adding or removing one changes a published story, so
it goes back to review (``services.back_to_review``).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.accounts.permissions import CIVIC_WRITE, Scope
from linli.audit import services as audit
from linli.civic.stories.access import MAX_ID, load
from linli.civic.stories.models import StoryPhoto
from linli.civic.stories.schemas import StoryOut
from linli.civic.stories.services import back_to_review, flush, outs
from linli.db.engine import transaction
from linli.errors import Invalid, NotFound
from linli.needs import uploads
from linli.runtime import settings_of

FOLDER = "stories"
MAX_PHOTOS = 12


def add_photo(session: Session, scope: Scope, story_id: int, content: bytes, caption: str = "") -> StoryOut:
    """Return the story with a photo added; checked before the file is written, removed if the record fails."""
    scope.require(CIVIC_WRITE)
    story, _ = load(session, scope, story_id, CIVIC_WRITE)
    settings = settings_of(session)
    name = uploads.store(settings, FOLDER, story.id, content, "story")
    try:
        with transaction(session):
            story, _ = load(session, scope, story_id, CIVIC_WRITE, lock=True)
            held = session.scalar(select(func.count()).where(StoryPhoto.story_id == story.id)) or 0
            if held >= MAX_PHOTOS:
                raise Invalid("story.too_many_photos", "A story keeps at most {most} photos.", "photo", most=MAX_PHOTOS)
            photo = StoryPhoto(
                story_id=story.id, stored_name=name, content_type=uploads.TYPES[name.rsplit(".", 1)[1]],
                size=len(content), caption=caption[:200], uploaded_by_id=scope.user_id,
            )  # fmt: skip
            session.add(photo)
            changes = {"photo": [None, name]} | back_to_review(story, "photo_added")
            flush(session)
            audit.record_by(
                session, scope, "story.photo_add", entity="story", entity_id=story.id, area_id=story.area_id,
                changes=changes,
            )  # fmt: skip
            return outs(session, scope, [story])[0]
    except BaseException:
        uploads.remove(settings, f"{FOLDER}/{story_id}/{name}")
        raise


def remove_photo(session: Session, scope: Scope, story_id: int, photo_id: int) -> StoryOut:
    """Take a photo off a story (the file too, once the record is gone)."""
    scope.require(CIVIC_WRITE)
    with transaction(session):
        story, _ = load(session, scope, story_id, CIVIC_WRITE, lock=True)
        photo = _photo(session, story.id, photo_id)
        session.delete(photo)
        changes = {"photo": [photo.stored_name, None]} | back_to_review(story, "photo_removed")
        flush(session)
        audit.record_by(
            session, scope, "story.photo_remove", entity="story", entity_id=story.id, area_id=story.area_id,
            changes=changes,
        )  # fmt: skip
        shown = outs(session, scope, [story])[0]
    uploads.remove(settings_of(session), f"{FOLDER}/{story.id}/{photo.stored_name}")
    return shown


def photo_file(session: Session, scope: Scope, story_id: int, photo_id: int) -> tuple[Path, str]:
    """Return the file and media type of a photo of a story the caller may read, or raise ``NotFound``."""
    story, _ = load(session, scope, story_id)
    photo = _photo(session, story.id, photo_id)
    return uploads.stored_file(settings_of(session), FOLDER, story.id, photo.stored_name)


def _photo(session: Session, story_id: int, photo_id: int) -> StoryPhoto:
    photo = session.get(StoryPhoto, photo_id) if 0 < photo_id < MAX_ID else None
    if photo is None or photo.story_id != story_id:
        raise NotFound("photo")
    return photo
