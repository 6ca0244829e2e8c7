"""A handler's progress note with a photo, and reading the photo back."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from linli.accounts.permissions import Scope
from linli.needs import lifecycle, uploads
from linli.needs.access import Actor, load
from linli.needs.models import WorkOrder
from linli.needs.schemas import TransitionIn
from linli.runtime import settings_of


def report_progress(
    session: Session, scope: Scope, need_id: int, note: str, version: int | None, photo: bytes | None
) -> WorkOrder:
    """Return the order after the handler's progress note, with a photo stored beside it when given.

    The move is checked before the photo is written, and the photo removed again if the move fails.
    """
    data = TransitionIn(action="progress", note=note, version=version)
    if not photo:
        return lifecycle.transition(session, scope, need_id, data)
    order, _, parts = load(session, Actor.of(session, scope), need_id)
    if "progress" not in lifecycle.allowed_actions(order.state, parts):
        return lifecycle.transition(session, scope, need_id, data)  # refused there, with the reason
    settings = settings_of(session)
    stored = uploads.save_photo(settings, need_id, photo)
    try:
        return lifecycle.transition(session, scope, need_id, data, lifecycle.Photo(stored))
    except BaseException:
        uploads.remove(settings, stored)
        raise


def photo_of(session: Session, scope: Scope, need_id: int, name: str) -> tuple[Path, str]:
    """Return the file and media type of a photo on an order the caller plays a part in."""
    load(session, Actor.of(session, scope), need_id)
    return uploads.photo_file(settings_of(session), need_id, name)
