"""Sign-ups (报名): a child enrolled or put on the waitlist, cancellations that promote the first waiting,
offers held for a set time and lapsing, and the family's own page.

The last seat goes to exactly one family: the course row is locked (``FOR UPDATE`` on PostgreSQL; on
SQLite the write transaction is ``BEGIN IMMEDIATE``) and the seat is taken by a conditional UPDATE
(``taken < capacity``) whose row count decides enrolled or waitlisted; a CHECK on the table and the
unique (course, child) pair are the final guards. Seats count enrolled and offered places, never the
waitlist. A freed seat goes at once to the first waiting (``hold_hours`` 0), or is offered to them for
``hold_hours`` and passes on if they do not confirm (the SLA tick lapses the offer).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from linli.accounts.models import User
from linli.accounts.permissions import COURSE_ENROL, COURSE_JOIN, COURSE_MANAGE, Scope
from linli.areas.models import Area
from linli.audit import services as audit
from linli.courses import seats
from linli.courses.models import ACTIVE, SEATED, Course, CourseSession, Enrolment
from linli.courses.schemas import ChildOut, EnrolmentIn, EnrolmentOut
from linli.courses.services import MAX_ID, area_path, first_days, load, open_for_signup
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import Conflict, Invalid, NotFound
from linli.lib import clock
from linli.registry.models import Resident

CHILD_AGE = 18  # the family page lists the household's members under this age

# ---- who may act for a child ------------------------------------------------------------------------


def own_household(session: Session, scope: Scope) -> int | None:
    """Return the household of the caller's own resident record, if their account has one."""
    if scope.user_id is None or not scope.can(COURSE_JOIN):
        return None
    return session.scalar(
        select(Resident.household_id).join(User, User.resident_id == Resident.id).where(User.id == scope.user_id)
    )


def child_for(session: Session, scope: Scope, resident_id: int) -> tuple[Resident, bool]:
    """Return a child the caller may sign up and whether they act as its guardian; else ``NotFound``.

    Staff and grid workers act for any family of their area (``COURSE_ENROL``); a resident for the
    children of their own household.
    """
    child = session.get(Resident, resident_id) if 0 < resident_id < MAX_ID else None
    if child is None or child.status != "active":
        raise NotFound("resident")
    household = own_household(session, scope)
    if household is not None and child.household_id == household:
        return child, True
    if scope.reaches(COURSE_ENROL, area_path(session, child.area_id)):
        return child, False
    raise NotFound("resident")


def _guardian_account(session: Session, household_id: int | None) -> int | None:
    """Return an account of the child's household to tell of a promotion (when staff signed the child up)."""
    if household_id is None:
        return None
    return session.scalar(
        select(User.id)
        .join(Resident, Resident.id == User.resident_id)
        .where(Resident.household_id == household_id, User.active.is_(True))
        .order_by(User.id)
        .limit(1)
    )


def _load(session: Session, scope: Scope, enrolment_id: int) -> Enrolment:
    """Return a sign-up the caller may act on: their household's, or one of their area's (staff)."""
    row = session.get(Enrolment, enrolment_id) if 0 < enrolment_id < MAX_ID else None
    if row is None:
        raise NotFound("enrolment")
    household = own_household(session, scope)
    if household is not None and row.household_id == household:
        return row
    child_area = session.scalar(select(Resident.area_id).where(Resident.id == row.resident_id))
    course_area = session.scalar(select(Course.area_id).where(Course.id == row.course_id))
    if (child_area and scope.reaches(COURSE_ENROL, area_path(session, child_area))) or (
        course_area and scope.reaches(COURSE_MANAGE, area_path(session, course_area))
    ):
        return row
    raise NotFound("enrolment")


def _age(child: Resident, first_day: date | None) -> int | None:
    if child.birth_date is None or first_day is None:
        return None
    return clock.age_on(child.birth_date, first_day)


def _clash(session: Session, course_id: int, resident_id: int) -> tuple[str, datetime] | None:
    """Return the first other course of the child whose sessions overlap this one's: its title and session."""
    mine, theirs = aliased(CourseSession), aliased(CourseSession)
    row = session.execute(
        select(Course.title, theirs.starts_at)
        .select_from(Enrolment)
        .join(Course, Course.id == Enrolment.course_id)
        .join(theirs, theirs.course_id == Enrolment.course_id)
        .join(
            mine,
            and_(mine.course_id == course_id, mine.starts_at < theirs.ends_at, theirs.starts_at < mine.ends_at),
        )
        .where(
            Enrolment.resident_id == resident_id,
            Enrolment.status.in_(ACTIVE),
            Enrolment.course_id != course_id,
            Course.status == "open",
        )
        .order_by(theirs.starts_at)
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


# ---- use cases ----------------------------------------------------------------------------------------


def enrol(session: Session, scope: Scope, course_id: int, data: EnrolmentIn) -> EnrolmentOut:
    """Sign a child up: a seat if one is free, else the next place on the waitlist."""
    with transaction(session):
        course = load(session, scope, course_id, lock=True)
        child, as_guardian = child_for(session, scope, data.child_resident_id)
        first = first_days(session, [course.id]).get(course.id)
        if not open_for_signup(course, first):
            raise Conflict("course.closed", "Sign-ups for this course are closed.")
        age = _age(child, first)
        if age is None:
            raise Invalid(
                "course.age", "The child's birth date is not on record; ask your grid worker.", "child_resident_id"
            )
        if not course.age_min <= age <= course.age_max:
            raise Invalid(
                "course.age",
                "This course is for ages {low} to {high}; the child will be {age} on the first day.",
                "child_resident_id",
                low=course.age_min,
                high=course.age_max,
                age=age,
            )
        held = session.scalars(
            select(Enrolment).where(Enrolment.course_id == course.id, Enrolment.resident_id == child.id)
        ).first()
        if held is not None and held.status in ACTIVE:
            raise Conflict("course.already", "The child is already signed up to this course.")
        clash = _clash(session, course.id, child.id)
        if clash is not None:
            raise Conflict(
                "course.clash",
                "The sessions overlap with {other} ({when}), which the child is signed up to.",
                other=clash[0],
                when=clock.local(clash[1]).strftime("%Y-%m-%d %H:%M"),
            )
        seated = seats.take_seat(session, course.id)
        now = utcnow()
        row = held or Enrolment(course_id=course.id, resident_id=child.id, created_at=now)
        row.status = "enrolled" if seated else "waitlisted"
        row.queue_seq = None if seated else seats.next_queue(session, course.id)
        row.offered_until = None
        row.household_id = child.household_id
        row.guardian_user_id = scope.user_id if as_guardian else _guardian_account(session, child.household_id)
        row.created_by_id = scope.user_id
        row.changed_at = now
        session.add(row)
        try:
            session.flush()
        except IntegrityError as error:  # the same child at the same moment from two phones
            raise Conflict("course.already", "The child is already signed up to this course.") from error
        audit.record_by(
            session, scope, "course.enrol", entity="enrolment", entity_id=row.id, area_id=child.area_id,
            changes={"course_id": [None, course.id], "resident_id": [None, child.id], "status": [None, row.status]},
        )  # fmt: skip
        return outs(session, [row])[0]


def cancel(session: Session, scope: Scope, enrolment_id: int) -> EnrolmentOut:
    """Cancel a sign-up; a seat it held goes to the first on the waitlist in the same transaction."""
    with transaction(session):
        row = _load(session, scope, enrolment_id)
        course = seats.lock(session, row.course_id)
        session.refresh(row)
        if row.status not in ACTIVE:
            raise Conflict("course.not_active", "This sign-up is no longer active.")
        was = row.status
        row.status, row.offered_until, row.changed_at = "cancelled", None, utcnow()
        try:
            session.flush()
        except StaleDataError as error:
            raise Conflict("course.not_active", "This sign-up is no longer active.") from error
        audit.record_by(
            session, scope, "course.cancel_enrolment", entity="enrolment", entity_id=row.id,
            area_id=course.area_id, changes={"status": [was, "cancelled"]},
        )  # fmt: skip
        if was in SEATED:
            seats.free_seat(session, course.id)
            seats.fill_seats(session, scope, course)
        return outs(session, [row])[0]


def confirm(session: Session, scope: Scope, enrolment_id: int) -> EnrolmentOut:
    """Take up an offered seat within its hold period."""
    with transaction(session):
        row = _load(session, scope, enrolment_id)
        course = seats.lock(session, row.course_id)
        session.refresh(row)
        if row.status != "offered":
            raise Conflict("course.not_offered", "No seat is offered on this sign-up.")
        if row.offered_until is not None and row.offered_until < utcnow():
            raise Conflict("course.offer_lapsed", "The offer has lapsed; the seat passed on.")
        row.status, row.offered_until, row.changed_at = "enrolled", None, utcnow()
        audit.record_by(
            session, scope, "course.confirm", entity="enrolment", entity_id=row.id,
            area_id=course.area_id, changes={"status": ["offered", "enrolled"]},
        )  # fmt: skip
        return outs(session, [row])[0]


# ---- reading -------------------------------------------------------------------------------------------


def get_enrolment(session: Session, scope: Scope, enrolment_id: int) -> EnrolmentOut:
    """Return one sign-up the caller may see."""
    return outs(session, [_load(session, scope, enrolment_id)])[0]


def family(session: Session, scope: Scope) -> list[ChildOut]:
    """Return the children of the caller's household and their sign-ups (newest first)."""
    household = own_household(session, scope)
    if household is None:
        return []
    today = clock.today()
    members = session.scalars(
        select(Resident)
        .where(Resident.household_id == household, Resident.status == "active")
        .order_by(Resident.birth_date.desc(), Resident.id)
    ).all()
    children = [r for r in members if r.birth_date is not None and clock.age_on(r.birth_date, today) < CHILD_AGE]
    rows = session.scalars(
        select(Enrolment)
        .where(Enrolment.resident_id.in_([c.id for c in children] or [0]))
        .order_by(Enrolment.changed_at.desc(), Enrolment.id.desc())
    ).all()
    shown = outs(session, list(rows))
    by_child: dict[int, list[EnrolmentOut]] = defaultdict(list)
    for out in shown:
        by_child[out.resident_id].append(out)
    return [
        ChildOut(resident_id=c.id, name=c.name, birth_date=c.birth_date, enrolments=by_child[c.id]) for c in children
    ]


def positions(session: Session, course_ids: list[int]) -> dict[int, int]:
    """Return each waiting sign-up's place on its course's waitlist, 1 first (one query)."""
    rank: dict[int, int] = {}
    counters: dict[int, int] = defaultdict(int)
    for enrolment_id, course_id in session.execute(
        select(Enrolment.id, Enrolment.course_id)
        .where(Enrolment.course_id.in_(course_ids or [0]), Enrolment.status == "waitlisted")
        .order_by(Enrolment.course_id, Enrolment.queue_seq, Enrolment.id)
    ):
        counters[course_id] += 1
        rank[enrolment_id] = counters[course_id]
    return rank


def outs(session: Session, rows: list[Enrolment]) -> list[EnrolmentOut]:
    """Return sign-ups as the API gives them, in a fixed number of queries."""
    if not rows:
        return []
    course_ids = sorted({r.course_id for r in rows})
    titles = dict(session.execute(select(Course.id, Course.title).where(Course.id.in_(course_ids))).all())
    firsts = first_days(session, course_ids)
    people: dict[int, Any] = {
        p.id: p
        for p in session.execute(
            select(Resident.id, Resident.name, Resident.birth_date).where(
                Resident.id.in_({r.resident_id for r in rows})
            )
        )
    }
    places = positions(session, course_ids)
    out = []
    for r in rows:
        person = people.get(r.resident_id)
        first = firsts.get(r.course_id)
        birth = person.birth_date if person else None
        out.append(
            EnrolmentOut(
                id=r.id,
                course_id=r.course_id,
                course_title=titles.get(r.course_id, ""),
                resident_id=r.resident_id,
                child_name=person.name if person else "",
                age=clock.age_on(birth, first) if birth and first else None,
                status=r.status,
                position=places.get(r.id),
                offered_until=r.offered_until,
                created_at=r.created_at,
            )
        )
    return out


def candidates(session: Session, scope: Scope, course_id: int, q: str, limit: int = 20) -> list[tuple[int, str, int]]:
    """Return ``(resident id, name, age on the first day)`` of children of the caller's area a name matches,
    in the course's age range, for staff signing a child up for the family.
    """
    course = load(session, scope, course_id)
    text = q.strip()
    condition = scope.area_ids(COURSE_ENROL)
    first = first_days(session, [course.id]).get(course.id)
    if not text or condition is None or first is None:
        return []
    earliest, latest = clock.birth_range(course.age_min, course.age_max, first)
    rows = session.execute(
        select(Resident.id, Resident.name, Resident.birth_date)
        .where(
            Resident.status == "active",
            Resident.name.icontains(text, autoescape=True),
            Resident.birth_date.between(earliest, latest),
            Resident.area_id.in_(select(Area.id).where(condition)),
        )
        .order_by(Resident.name, Resident.id)
        .limit(limit)
    ).all()
    return [(i, name, clock.age_on(born, first)) for i, name, born in rows if born is not None]
