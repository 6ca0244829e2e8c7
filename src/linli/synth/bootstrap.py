"""What every new database holds: the default tags, the first district and its administrator."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.services import create_user
from linli.areas.models import Area, code_fits
from linli.db.engine import transaction
from linli.errors import Invalid
from linli.registry.models import Tag

# code, name, English, kind, care weight, close care (contact every 3 days, visit every 5)
DEFAULT_TAGS = [
    ("living_alone", "独居老人", "elderly living alone", "care", 5, True),
    ("very_old", "高龄老人", "very old (80+)", "care", 4, True),
    ("empty_nest", "空巢老人", "empty-nest elderly", "care", 3, False),
    ("disabled", "残疾人", "disabled", "care", 3, False),
    ("low_income", "低保户", "minimum-income household", "care", 3, False),
    ("extreme_hardship", "特困人员", "extreme hardship", "care", 5, True),
    ("left_behind_child", "留守儿童", "left-behind child", "care", 3, False),
    ("veteran", "退役军人", "veteran", "care", 1, False),
    ("serious_illness", "重病患者", "serious illness", "care", 4, True),
    ("released_prisoner", "刑满释放人员", "released prisoner", "key", 2, False),
    ("community_correction", "社区矫正对象", "under community correction", "key", 2, False),
    ("mental_disorder", "严重精神障碍患者", "severe mental disorder", "key", 4, True),
    ("drug_user", "吸毒人员", "drug user", "key", 2, False),
]


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
