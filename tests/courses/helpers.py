"""Courses, children and guardians built by the real services, as plain functions with overrides.

A course made here is the community's (阳台山社区), kept by its secretary, open for sign-ups since yesterday
until the day before its first session, which is ``AHEAD`` days ahead at 09:00 Asia/Shanghai; three weekly
sessions of 90 minutes, ages 5 to 8, two seats.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.services import create_user
from linli.areas.models import Area
from linli.courses import enrolment, services
from linli.courses.models import CourseArea, CourseSession, Enrolment
from linli.courses.schemas import CourseIn, CourseOut, EnrolmentIn, EnrolmentOut, SessionIn
from linli.db.engine import transaction
from linli.lib import clock
from linli.registry.models import Household, Resident
from tests.factories import PASSWORD, World, make_resident, scope_of

AHEAD = 10  # days from today to the first session


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Return ``day`` at ``hour:minute`` on the community's clock (Asia/Shanghai), aware."""
    return datetime.combine(day, time(hour, minute), clock.LOCAL)


def han(number: int) -> str:
    """Return ``number`` in Chinese digits (a name may hold no Arabic digits): 12 → 一二."""
    return "".join("零一二三四五六七八九"[int(d)] for d in str(number))


def first_day(ahead: int = AHEAD) -> date:
    return clock.today() + timedelta(days=ahead)


def years_before(day: date, years: int) -> date:
    """Return the date ``years`` before ``day`` (28 February for a 29 February in a year that has none)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def sessions_from(start: date, count: int = 3, hour: int = 9, minutes: int = 90, every: int = 7) -> list[SessionIn]:
    """Return ``count`` sessions, ``every`` days apart from ``start``, at ``hour`` for ``minutes``."""
    out = []
    for i in range(count):
        begins = at(start + timedelta(days=every * i), hour)
        out.append(SessionIn(starts_at=begins, ends_at=begins + timedelta(minutes=minutes), venue="社区活动室"))
    return out


def course_in(world: World, *, start: date | None = None, hour: int = 9, **overrides: Any) -> CourseIn:
    """Return a new course's payload: see the module's docstring; ``start`` moves the first session."""
    begins = start or first_day()
    data: dict[str, Any] = {
        "area_id": world.community.id,
        "title": "书法入门",
        "category": "calligraphy",
        "description": "毛笔字入门，自带毛笔",
        "age_min": 5,
        "age_max": 8,
        "capacity": 2,
        "teacher_name": "陈老师",
        "signup_opens_on": clock.today() - timedelta(days=1),
        "signup_closes_on": begins - timedelta(days=1),
        "sessions": sessions_from(begins, hour=hour),
    }
    data.update(overrides)
    return CourseIn(**data)


def make_course(
    db: Session,
    world: World,
    username: str = "secretary",
    *,
    start: date | None = None,
    hour: int = 9,
    **overrides: Any,
) -> CourseOut:
    """Return a new course of the community, made by ``username`` (the secretary); overrides as ``CourseIn``."""
    return services.create_course(db, scope_of(db, username), course_in(world, start=start, hour=hour, **overrides))


def make_child(
    db: Session,
    household_id: int,
    age_on_first_day: int | None = None,
    *,
    born: date | None = None,
    name: str = "小明",
    on: date | None = None,
    **overrides: Any,
) -> int:
    """Return the resident id of a child of the household.

    ``age_on_first_day``: born a month before the first session's day (``on``, the default course's) that
    many years before, so they are that age on the day. ``born`` gives the date itself; neither: no birth date.
    """
    if born is None and age_on_first_day is not None:
        born = years_before((on or first_day()) - timedelta(days=30), age_on_first_day)
    return make_resident(db, household_id, name=name, relation="20", birth_date=born, **overrides).id


def user_id(db: Session, username: str) -> int:
    return db.scalars(select(User.id).where(User.username == username)).one()


def guardian(db: Session, world: World, username: str, household_id: int, name: str = "") -> str:
    """Return ``username``: a resident account of the household's grid linked to an adult of the household.

    An adult of the household not yet linked to an account is used (曾伟 in household 1, 李娜 in 2); else a
    new one is registered (``name``, a phone ending in the household id).
    """
    household = db.get(Household, household_id)
    assert household is not None
    grid = db.get(Area, household.area_id)
    assert grid is not None
    linked = select(User.resident_id).where(User.resident_id.is_not(None))
    cutoff = years_before(clock.today(), 18)
    adult = db.scalar(
        select(Resident.id)
        .where(
            Resident.household_id == household_id,
            Resident.status == "active",
            Resident.birth_date <= cutoff,
            Resident.id.not_in(linked),
        )
        .order_by(Resident.id)
        .limit(1)
    )
    if adult is None or name:
        relation = "10" if household.head_id is not None else "02"
        adult = make_resident(
            db,
            household_id,
            name=name or "家长",
            relation=relation,
            birth_date=date(1988, 5, 6),
            phone=f"1380000{household_id % 10000:04d}",
        ).id
    create_user(db, username, PASSWORD, roles=[("resident", grid.code)])
    with transaction(db):
        db.scalars(select(User).where(User.username == username)).one().resident_id = adult
    return username


def enrol(db: Session, username: str, course_id: int, child_id: int) -> EnrolmentOut:
    """Return the sign-up of ``child_id`` to the course, made by ``username``."""
    return enrolment.enrol(db, scope_of(db, username), course_id, EnrolmentIn(child_resident_id=child_id))


# ---- the route walk: grid 1's objects --------------------------------------------------------------


def grid1_course(db: Session, world: World) -> int:
    """Return a course of the community that grid 1 organises (made by the secretary, once)."""
    existing = db.scalar(
        select(CourseArea.course_id).where(CourseArea.area_id == world.grid1.id).order_by(CourseArea.course_id)
    )
    if existing:
        return existing
    return make_course(
        db, world, title="第一网格国学小课堂", category="culture", organising_area_ids=[world.grid1.id]
    ).id


def grid1_enrolment(db: Session, world: World) -> int:
    """Return the sign-up of a child of grid 1's household to grid 1's course (signed up by grid 1's worker)."""
    course_id = grid1_course(db, world)
    existing = db.scalar(select(Enrolment.id).where(Enrolment.course_id == course_id).order_by(Enrolment.id))
    if existing:
        return existing
    child = make_child(db, world.household1, 6, name="曾小宝")
    return enrol(db, "grid1", course_id, child).id


def grid1_session(db: Session, world: World) -> int:
    """Return the first session of grid 1's course."""
    course_id = grid1_course(db, world)
    found = db.scalar(
        select(CourseSession.id).where(CourseSession.course_id == course_id).order_by(CourseSession.starts_at)
    )
    assert found is not None
    return found
