"""Course use cases (阳光小课堂): courses kept, found, changed and cancelled, and what every course page shows.

A course belongs to an area (the community that runs it) and is seen by anyone whose course rights reach
that area, an area below it, or an area above it: a grid worker sees the community's courses to recruit
families, a resident those of their community and grid, a street supervisor those of its communities.
Keeping a course needs ``COURSE_MANAGE`` at or above its area. Writes are one transaction each, audited.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, false, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from linli.accounts.permissions import COURSE_JOIN, COURSE_MANAGE, COURSE_READ, Scope, path_under
from linli.areas.models import Area
from linli.areas.services import ancestry, area_labels
from linli.audit import services as audit
from linli.courses import seats
from linli.courses.models import (
    ACTIVE,
    CATEGORIES,
    Attendance,
    Course,
    CourseArea,
    CourseSession,
    Enrolment,
    HelperSignup,
)
from linli.courses.schemas import (
    CancelCourseIn,
    CourseIn,
    CourseOut,
    CoursePage,
    CourseUpdate,
    NamedArea,
    SessionIn,
    SessionOut,
)
from linli.db.engine import transaction
from linli.db.paging import capped_count
from linli.errors import Conflict, DomainError, Invalid, NotFound, ValidationErrors
from linli.lib import clock
from linli.resources.models import Resource
from linli.volunteers.models import Volunteer
from linli.volunteers.services import volunteer_names

SEEING = (COURSE_READ, COURSE_JOIN)
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class CourseFilter:
    """What a course list is narrowed by: an area (and below), open for sign-ups today, a category, a text."""

    area_id: int | None = None
    open_only: bool = False
    category: str | None = None
    q: str = ""
    status: str | None = "open"


# ---- reach --------------------------------------------------------------------------------------


def held_paths(scope: Scope, capabilities: Iterable[str] = SEEING) -> set[str]:
    """Return the area paths where any of ``capabilities`` is held."""
    return {p for capability in capabilities for p in scope.paths(capability)}


def sees(scope: Scope, area_path: str, capabilities: Iterable[str] = SEEING) -> bool:
    """Return whether a course of the area at ``area_path`` is seen: the area is at, below or above a held one."""
    return any(area_path.startswith(p) or p.startswith(area_path) for p in held_paths(scope, capabilities))


def visible(scope: Scope, capabilities: Iterable[str] = SEEING) -> ColumnElement[bool]:
    """Return the condition on ``Course`` of the courses ``scope`` sees (``sees`` for a query)."""
    paths = held_paths(scope, capabilities)
    if not paths:
        return false()
    above = sorted({a for p in paths for a in ancestry(p)})
    areas = select(Area.id).where(or_(Area.path.in_(above), *(path_under(Area.path, p) for p in paths)))
    return Course.area_id.in_(areas)


def within(path: str) -> ColumnElement[bool]:
    """Return the condition of the courses of an area: run in it or below it, or organised by a grid in it."""
    below = select(Area.id).where(path_under(Area.path, path))
    return or_(
        Course.area_id.in_(below), Course.id.in_(select(CourseArea.course_id).where(CourseArea.area_id.in_(below)))
    )


def area_path(session: Session, area_id: int) -> str:
    """Return the path of an area, or raise ``NotFound``."""
    path = session.scalar(select(Area.path).where(Area.id == area_id))
    if path is None:
        raise NotFound("area")
    return path


def load(session: Session, scope: Scope, course_id: int, capability: str | None = None, lock: bool = False) -> Course:
    """Return a course the caller sees (and, given ``capability``, holds it at or above), else ``NotFound``.

    ``lock`` takes the course row's lock on PostgreSQL (``FOR UPDATE``); on SQLite the write transaction
    (``BEGIN IMMEDIATE``) already holds the whole database.
    """
    if not 0 < course_id < MAX_ID:
        raise NotFound("course")
    query = select(Course).where(Course.id == course_id)
    if lock:
        # Read the row afresh under the lock: a copy the session already holds (read before another
        # transaction took a seat or changed the course) would decide on stale ``taken`` and ``version``.
        query = query.with_for_update().execution_options(populate_existing=True)
    course = session.scalars(query).first()
    if course is None:
        raise NotFound("course")
    path = area_path(session, course.area_id)
    if not sees(scope, path) or (capability is not None and not scope.reaches(capability, path)):
        raise NotFound("course")
    return course


def open_for_signup(course: Course, first_day: date | None, today: date | None = None) -> bool:
    """Return whether ``course`` takes sign-ups today: open, inside its window, not yet begun."""
    day = today or clock.today()
    started = first_day is not None and first_day < day
    return course.status == "open" and course.signup_opens_on <= day <= course.signup_closes_on and not started


# ---- checking -----------------------------------------------------------------------------------


def _check(session: Session, scope: Scope, values: dict[str, Any], sessions: Sequence[SessionIn] | None) -> list[int]:
    """Check a course's values as a whole; return the organising areas' ids. Raise every problem at once."""
    problems: list[DomainError] = []
    if values["category"] not in CATEGORIES:
        problems.append(Invalid("course.category", "Choose a category from the list.", "category"))
    if values["age_min"] > values["age_max"]:
        problems.append(Invalid("course.age_range", "The youngest age is above the oldest.", "age_max"))
    if values["signup_opens_on"] > values["signup_closes_on"]:
        problems.append(Invalid("course.window", "Sign-ups close before they open.", "signup_closes_on"))
    if sessions is not None:
        for meeting in sessions:
            if meeting.starts_at.tzinfo is None or meeting.ends_at.tzinfo is None:
                problems.append(Invalid("course.session_zone", "Give session times with their time zone.", "sessions"))
            elif meeting.ends_at <= meeting.starts_at:
                problems.append(Invalid("course.session_time", "A session ends before it starts.", "sessions"))
        aware = [m for m in sessions if m.starts_at.tzinfo is not None]
        if aware and values["signup_closes_on"] > clock.local_date(min(m.starts_at for m in aware)):
            problems.append(
                Invalid("course.window_after_start", "Sign-ups must close by the first session.", "signup_closes_on")
            )
        venues = {m.venue_resource_id for m in sessions if m.venue_resource_id is not None}
        if venues and _count_resources(session, venues, ("venue", "institution")) != len(venues):
            problems.append(Invalid("course.venue", "That venue is not among the resources.", "sessions"))
    teacher = values.get("teacher_volunteer_id")
    if teacher is not None and not session.scalar(
        select(Volunteer.id).where(Volunteer.id == teacher, Volunteer.status == "active")
    ):
        problems.append(Invalid("course.teacher", "That teacher is not an active volunteer.", "teacher_volunteer_id"))
    institution = values.get("teacher_resource_id")
    if institution is not None and _count_resources(session, {institution}, ("institution",)) != 1:
        problems.append(Invalid("course.institution", "That institution is not on record.", "teacher_resource_id"))
    organisers = _organisers(session, values["area_path"], values["organising_area_ids"], problems)
    if problems:
        raise ValidationErrors(problems)
    return organisers


def _count_resources(session: Session, ids: set[int], kinds: tuple[str, ...]) -> int:
    if any(not 0 < i < MAX_ID for i in ids):
        return -1
    return session.scalar(select(func.count()).where(Resource.id.in_(ids), Resource.kind.in_(kinds))) or 0


def _organisers(session: Session, path: str, ids: list[int], problems: list[DomainError]) -> list[int]:
    wanted = sorted(set(ids))
    if any(not 0 < i < MAX_ID for i in wanted):
        found: list[int] = []
    else:
        found = list(session.scalars(select(Area.id).where(Area.id.in_(wanted), path_under(Area.path, path))))
    if len(found) != len(wanted):
        problems.append(
            Invalid("course.organiser", "Organising grids must lie in the course's area.", "organising_area_ids")
        )
    return sorted(found)


def _reached_area(session: Session, scope: Scope, area_id: int) -> str:
    if not 0 < area_id < MAX_ID:
        raise NotFound("area")
    path = area_path(session, area_id)
    scope.check(COURSE_MANAGE, path, "area")
    return path


# ---- use cases ----------------------------------------------------------------------------------


def create_course(session: Session, scope: Scope, data: CourseIn) -> CourseOut:
    """Add a course to an area the caller keeps courses of, with its sessions and organising grids."""
    scope.require(COURSE_MANAGE)
    with transaction(session):
        path = _reached_area(session, scope, data.area_id)
        values = data.model_dump(exclude={"sessions"}) | {"area_path": path}
        organisers = _check(session, scope, values, data.sessions)
        if data.teacher_volunteer_id and not data.teacher_name:
            values["teacher_name"] = volunteer_names(session, [data.teacher_volunteer_id]).get(
                data.teacher_volunteer_id, ""
            )
        fields = {k: v for k, v in values.items() if k not in ("area_path", "organising_area_ids")}
        course = Course(**fields, created_by_id=scope.user_id, taken=0, next_queue=1, status="open")
        session.add(course)
        session.flush()
        _set_sessions(session, course.id, data.sessions)
        session.add_all(CourseArea(course_id=course.id, area_id=a) for a in organisers)
        audit.record_by(
            session,
            scope,
            "course.create",
            entity="course",
            entity_id=course.id,
            area_id=course.area_id,
            changes={k: [None, str(v) if isinstance(v, date) else v] for k, v in fields.items()}
            | {"sessions": [None, len(data.sessions)]},
        )
        return outs(session, [course])[0]


def update_course(session: Session, scope: Scope, course_id: int, data: CourseUpdate) -> CourseOut:
    """Change a course; more seats promote the waitlist at once; fewer than those taken are refused."""
    scope.require(COURSE_MANAGE)
    with transaction(session):
        course = load(session, scope, course_id, COURSE_MANAGE, lock=True)
        if course.version != data.version:
            raise Conflict("course.stale", "Someone else changed this course; reload and try again.")
        path = area_path(session, course.area_id)
        given = data.model_dump(exclude_unset=True, exclude={"version", "sessions"})
        held_organisers = list(session.scalars(select(CourseArea.area_id).where(CourseArea.course_id == course.id)))
        current = {
            "category": course.category,
            "age_min": course.age_min,
            "age_max": course.age_max,
            "signup_opens_on": course.signup_opens_on,
            "signup_closes_on": course.signup_closes_on,
            "organising_area_ids": held_organisers,
        }
        values = current | {k: v for k, v in given.items() if v is not None or k.startswith("teacher_")}
        sessions = data.sessions if data.sessions is not None else _held_sessions(session, course.id)
        organisers = _check(session, scope, values | {"area_path": path}, sessions)
        if data.capacity is not None and data.capacity < course.taken:
            raise Invalid(
                "course.capacity",
                "{taken} seats are taken; the capacity cannot be less.",
                "capacity",
                taken=course.taken,
            )
        if data.sessions is not None and session.scalar(
            select(func.count()).select_from(Attendance).join(CourseSession).where(CourseSession.course_id == course.id)
        ):
            raise Conflict(
                "course.sessions_attended", "Attendance is recorded; the sessions can no longer be replaced."
            )
        changes: dict[str, list[Any]] = {}
        for key, value in given.items():
            if key == "organising_area_ids" or getattr(course, key) == value:
                continue
            changes[key] = [_plain(getattr(course, key)), _plain(value)]
            setattr(course, key, value)
        if "organising_area_ids" in given and sorted(held_organisers) != organisers:
            session.execute(delete(CourseArea).where(CourseArea.course_id == course.id))
            session.add_all(CourseArea(course_id=course.id, area_id=a) for a in organisers)
            changes["organising_area_ids"] = [held_organisers, organisers]
        if data.sessions is not None:
            session.execute(delete(HelperSignup).where(HelperSignup.session_id.in_(_session_ids(course.id))))
            session.execute(delete(CourseSession).where(CourseSession.course_id == course.id))
            _set_sessions(session, course.id, data.sessions)
            changes["sessions"] = [None, len(data.sessions)]
        if changes:
            try:
                session.flush()
            except StaleDataError as error:
                raise Conflict("course.stale", "Someone else changed this course; reload and try again.") from error
            audit.record_by(
                session, scope, "course.update", entity="course", entity_id=course.id, area_id=course.area_id,
                changes=changes,
            )  # fmt: skip
        if "capacity" in changes:
            seats.fill_seats(session, scope, course)
        return outs(session, [course])[0]


def cancel_course(session: Session, scope: Scope, course_id: int, data: CancelCourseIn) -> CourseOut:
    """Cancel a course: sign-ups stop and every family with a place or on the waitlist is told."""
    scope.require(COURSE_MANAGE)
    with transaction(session):
        course = load(session, scope, course_id, COURSE_MANAGE, lock=True)
        if course.version != data.version:
            raise Conflict("course.stale", "Someone else changed this course; reload and try again.")
        if course.status == "cancelled":
            raise Conflict("course.cancelled", "This course is already cancelled.")
        course.status = "cancelled"
        told = seats.tell_families(session, course, "course_cancelled")
        audit.record_by(
            session, scope, "course.cancel", entity="course", entity_id=course.id, area_id=course.area_id,
            changes={"status": ["open", "cancelled"], "reason": [None, data.reason], "told": [None, told]},
        )  # fmt: skip
        return outs(session, [course])[0]


def get_course(session: Session, scope: Scope, course_id: int) -> CourseOut:
    """Return one course the caller sees."""
    return outs(session, [load(session, scope, course_id)])[0]


def list_courses(session: Session, scope: Scope, f: CourseFilter, page: int = 1, page_size: int = 20) -> CoursePage:
    """Return a page of the courses the caller sees, soonest first (a fixed number of queries)."""
    query = _filtered(session, scope, f)
    total, capped = capped_count(session, query)
    first = select(func.min(CourseSession.starts_at)).where(CourseSession.course_id == Course.id).scalar_subquery()
    rows = session.scalars(
        query.order_by(first.asc().nulls_last(), Course.id).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return CoursePage(items=outs(session, list(rows)), total=total, page=page, page_size=page_size, total_capped=capped)


def _filtered(session: Session, scope: Scope, f: CourseFilter) -> Select[Any]:
    query = select(Course).where(visible(scope))
    if f.area_id is not None:
        if not 0 < f.area_id < MAX_ID:
            raise NotFound("area")
        path = area_path(session, f.area_id)
        if not sees(scope, path):
            raise NotFound("area")
        query = query.where(within(path))
    if f.status:
        query = query.where(Course.status == f.status)
    if f.category:
        query = query.where(Course.category == f.category)
    if f.q.strip():
        text = f.q.strip()
        query = query.where(
            or_(
                Course.title.icontains(text, autoescape=True),
                Course.description.icontains(text, autoescape=True),
                Course.teacher_name.icontains(text, autoescape=True),
            )
        )
    if f.open_only:
        today = clock.today()
        started = select(CourseSession.course_id).where(CourseSession.starts_at < _day_start(today))
        query = query.where(
            Course.status == "open",
            Course.signup_opens_on <= today,
            Course.signup_closes_on >= today,
            Course.id.not_in(started),
        )
    return query


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), clock.LOCAL)


# ---- sessions -----------------------------------------------------------------------------------


def _set_sessions(session: Session, course_id: int, sessions: Sequence[SessionIn]) -> None:
    for meeting in sorted(sessions, key=lambda m: m.starts_at):
        session.add(
            CourseSession(
                course_id=course_id,
                starts_at=meeting.starts_at,
                ends_at=meeting.ends_at,
                venue_resource_id=meeting.venue_resource_id,
                venue=meeting.venue,
            )
        )
    session.flush()


def _held_sessions(session: Session, course_id: int) -> list[SessionIn]:
    rows = session.scalars(select(CourseSession).where(CourseSession.course_id == course_id))
    return [
        SessionIn(starts_at=s.starts_at, ends_at=s.ends_at, venue_resource_id=s.venue_resource_id, venue=s.venue)
        for s in rows
    ]


def _session_ids(course_id: int) -> Select[Any]:
    return select(CourseSession.id).where(CourseSession.course_id == course_id)


def first_days(session: Session, course_ids: Iterable[int]) -> dict[int, date]:
    """Return each course's first session's local date (one query)."""
    ids = sorted(set(course_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(CourseSession.course_id, func.min(CourseSession.starts_at))
        .where(CourseSession.course_id.in_(ids))
        .group_by(CourseSession.course_id)
    ).all()
    return {course_id: clock.local_date(first) for course_id, first in rows if first is not None}


# ---- reading out ----------------------------------------------------------------------------------


def outs(session: Session, courses: list[Course]) -> list[CourseOut]:
    """Return courses as the API gives them, in a fixed number of queries however many."""
    if not courses:
        return []
    ids = [c.id for c in courses]
    meetings: dict[int, list[CourseSession]] = defaultdict(list)
    for s in session.scalars(
        select(CourseSession).where(CourseSession.course_id.in_(ids)).order_by(CourseSession.starts_at)
    ):
        meetings[s.course_id].append(s)
    helpers = dict(
        session.execute(
            select(HelperSignup.session_id, func.count())
            .where(HelperSignup.session_id.in_([s.id for ss in meetings.values() for s in ss] or [0]))
            .group_by(HelperSignup.session_id)
        ).all()
    )
    waiting = dict(
        session.execute(
            select(Enrolment.course_id, func.count())
            .where(Enrolment.course_id.in_(ids), Enrolment.status == "waitlisted")
            .group_by(Enrolment.course_id)
        ).all()
    )
    organisers: dict[int, list[int]] = defaultdict(list)
    for course_id, area_id in session.execute(
        select(CourseArea.course_id, CourseArea.area_id).where(CourseArea.course_id.in_(ids))
    ):
        organisers[course_id].append(area_id)
    names = area_labels(session, {c.area_id for c in courses})
    grids = area_labels(session, {a for v in organisers.values() for a in v})
    today = clock.today()
    out = []
    for c in courses:
        sessions = meetings[c.id]
        first = clock.local_date(sessions[0].starts_at) if sessions else None
        out.append(
            CourseOut(
                id=c.id,
                area_id=c.area_id,
                area=names.get(c.area_id, ""),
                title=c.title,
                category=c.category,
                description=c.description,
                age_min=c.age_min,
                age_max=c.age_max,
                capacity=c.capacity,
                taken=c.taken,
                waitlisted=waiting.get(c.id, 0),
                teacher=c.teacher_name,
                teacher_volunteer_id=c.teacher_volunteer_id,
                teacher_resource_id=c.teacher_resource_id,
                signup_opens_on=c.signup_opens_on,
                signup_closes_on=c.signup_closes_on,
                open_now=open_for_signup(c, first, today),
                helpers_wanted=c.helpers_wanted,
                hold_hours=c.hold_hours,
                status=c.status,
                organising_areas=[NamedArea(id=a, name=grids.get(a, "")) for a in sorted(organisers[c.id])],
                sessions=[
                    SessionOut(
                        id=s.id,
                        starts_at=s.starts_at,
                        ends_at=s.ends_at,
                        venue_resource_id=s.venue_resource_id,
                        venue=s.venue,
                        helpers=helpers.get(s.id, 0),
                    )
                    for s in sessions
                ],
                version=c.version,
            )
        )
    return out


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, date) else value


def active_count(session: Session, course_id: int) -> int:
    """Return how many sign-ups of a course are active (seated or waiting)."""
    return (
        session.scalar(select(func.count()).where(Enrolment.course_id == course_id, Enrolment.status.in_(ACTIVE))) or 0
    )
