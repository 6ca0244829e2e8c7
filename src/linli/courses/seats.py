"""A course's seats: taken and freed by conditional UPDATEs under the course row's lock, given to the waitlist
in order (at once, or offered for ``hold_hours``), offers lapsed by the SLA tick, and families told.

Seats count enrolled and offered places, never the waitlist. Callers hold the course's lock (``lock``:
``FOR UPDATE`` on PostgreSQL; on SQLite the write transaction is ``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from linli.accounts.permissions import Scope
from linli.audit import services as audit
from linli.courses.models import ACTIVE, Course, Enrolment
from linli.db.base import utcnow
from linli.i18n import translate
from linli.needs.models import Notification

FAMILY_PAGE = "/courses/family"

# What a family is told, by kind (English msgids; the Chinese in courses.po). ``courses/__init__`` adds
# them to the notifications' table so each reader sees them in their language.
MESSAGES = {
    "course_promoted": "A place is yours: {title}",
    "course_offered": "A place is offered, confirm it in time: {title}",
    "course_cancelled": "Course cancelled: {title}",
}


def take_seat(session: Session, course_id: int) -> bool:
    """Take a seat if one is free (one conditional UPDATE); return whether it was taken."""
    result = session.execute(
        update(Course)
        .where(Course.id == course_id, Course.taken < Course.capacity)
        .values(taken=Course.taken + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def free_seat(session: Session, course_id: int) -> None:
    session.execute(
        update(Course)
        .where(Course.id == course_id, Course.taken > 0)
        .values(taken=Course.taken - 1)
        .execution_options(synchronize_session=False)
    )


def next_queue(session: Session, course_id: int) -> int:
    """Return the next waitlist number of a course, raising the counter (under the course's lock)."""
    raised = session.execute(
        update(Course)
        .where(Course.id == course_id)
        .values(next_queue=Course.next_queue + 1)
        .returning(Course.next_queue)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return int(raised) - 1


def lock(session: Session, course_id: int) -> Course:
    course = session.scalars(select(Course).where(Course.id == course_id).with_for_update()).one()
    session.refresh(course)
    return course


def fill_seats(session: Session, scope: Scope | None, course: Course, now: datetime | None = None) -> list[int]:
    """Give the free seats of a course (its row locked) to the first waiting, in order; return their ids.

    With ``hold_hours`` the seat is offered and held until the family confirms or the hold lapses.
    """
    if course.status != "open":
        return []
    now = now or utcnow()
    promoted: list[int] = []
    while True:
        first = session.scalars(
            select(Enrolment)
            .where(Enrolment.course_id == course.id, Enrolment.status == "waitlisted")
            .order_by(Enrolment.queue_seq, Enrolment.id)
            .limit(1)
        ).first()
        if first is None or not take_seat(session, course.id):
            break
        held = course.hold_hours > 0
        first.status = "offered" if held else "enrolled"
        first.offered_until = now + timedelta(hours=course.hold_hours) if held else None
        first.changed_at = now
        session.flush()
        _tell(session, first.guardian_user_id, "course_offered" if held else "course_promoted", course)
        changes = {"status": ["waitlisted", first.status], "course_id": [None, course.id]}
        if scope is None:
            audit.record(session, "course.promote", username="system", entity="enrolment", entity_id=first.id,
                         area_id=course.area_id, changes=changes)  # fmt: skip
        else:
            audit.record_by(session, scope, "course.promote", entity="enrolment", entity_id=first.id,
                            area_id=course.area_id, changes=changes)  # fmt: skip
        promoted.append(first.id)
    session.expire(course, ["taken", "next_queue"])
    return promoted


def lapse_offers(session: Session, now: datetime) -> dict[str, int]:
    """Lapse the offers not confirmed in time and pass their seats on (the SLA tick calls it)."""
    lapsed = promoted = 0
    due = session.execute(
        select(Enrolment.id, Enrolment.course_id)
        .where(Enrolment.status == "offered", Enrolment.offered_until < now)
        .order_by(Enrolment.course_id, Enrolment.id)
    ).all()
    for enrolment_id, course_id in due:
        course = lock(session, course_id)
        # Afresh under the lock (as ``cancel`` and ``confirm`` do): a copy the session holds may predate a
        # confirmation made meanwhile, and lapsing it would fail on its version and stop the tick.
        row = session.get(Enrolment, enrolment_id, populate_existing=True)
        if row is None or row.status != "offered":
            continue
        row.status, row.offered_until, row.changed_at = "lapsed", None, now
        session.flush()
        audit.record(session, "course.lapse", username="system", entity="enrolment", entity_id=row.id,
                     area_id=course.area_id, changes={"status": ["offered", "lapsed"]})  # fmt: skip
        free_seat(session, course.id)
        lapsed += 1
        promoted += len(fill_seats(session, None, course, now))
    return {"course.lapsed": lapsed, "course.promoted": promoted}


def tell_families(session: Session, course: Course, kind: str) -> int:
    """Tell every family with an active sign-up to ``course``; return how many accounts were told."""
    users: set[int] = set(
        session.scalars(
            select(Enrolment.guardian_user_id).where(
                Enrolment.course_id == course.id,
                Enrolment.status.in_(ACTIVE),
                Enrolment.guardian_user_id.is_not(None),
            )
        )
    )
    for user_id in sorted(users):
        _tell(session, user_id, kind, course)
    return len(users)


def _tell(session: Session, user_id: int | None, kind: str, course: Course) -> None:
    if user_id is None:
        return
    subject = course.title[:200]
    text = translate(MESSAGES[kind], "zh").format(title=subject)[:300]
    session.add(Notification(user_id=user_id, kind=kind, subject=subject, text=text, link=FAMILY_PAGE))
