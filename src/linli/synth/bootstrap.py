"""What every new database holds: the default tags, the first district and its administrator."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.services import create_user
from linli.areas.models import Area, code_fits
from linli.db.engine import transaction
from linli.errors import Invalid
from linli.lib.codes import DEFAULT_TAGS
from linli.registry.models import Tag

# code, name, English, kind, care weight, close care (contact every 3 days, visit every 5)


def seed_tags(session: Session) -> None:
    """Add the default tags that are missing (idempotent); call inside a transaction."""
    have = set(session.scalars(select(Tag.code)))
    session.add_all(
        Tag(code=c, name=n, name_en=e, kind=k, care_weight=w, close_care=cc)
        for c, n, e, k, w, cc in DEFAULT_TAGS
        if c not in have
    )


def seed_catalogues(session: Session) -> None:
    """Add the default need categories, urgency levels and the shipped working-day calendars (idempotent)."""
    from linli.needs import catalogue

    catalogue.seed(session)


def has_users(session: Session) -> bool:
    return session.scalar(select(User.id).limit(1)) is not None


def first_admin(session: Session, username: str, password: str, code: str, name: str) -> User:
    """Create the district area, the default tags and its administrator on an empty database."""
    if not code_fits("district", code, None, None):
        raise Invalid("area.code_shape", "A district code has 6 digits.", "code")
    if len(password) < 10:
        raise Invalid("user.password_short", "The password needs at least 10 characters.", "password")
    with transaction(session):
        session.add(Area(level="district", code=code, name=name, path=f"/{code}/"))
        seed_tags(session)
    seed_catalogues(session)
    return create_user(session, username, password, display_name=username, roles=[("admin", code)])
