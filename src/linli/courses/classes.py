"""A course's class: the class list and sign-in sheet, attendance per session, parent helpers per session.

The class list shows each child's name, age on the first day, guardian and the guardian's phone masked;
it is for those who keep or read courses where the course or one of its organising grids lies.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.permissions import COURSE_MANAGE, COURSE_READ, Scope
from linli.areas.models import Area
from linli.areas.services import area_labels
from linli.audit import services as audit
from linli.courses import enrolment
from linli.courses.models import ACTIVE, Attendance, Course, CourseArea, CourseSession, Enrolment, HelperSignup
from linli.courses.schemas import AttendanceIn, AttendanceOut, HelperIn, HelperOut, RosterOut, RosterRow
from linli.courses.services import MAX_ID, first_days, load, outs
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import Conflict, Invalid, NotFound
from linli.lib import clock
from linli.registry.models import Resident

HEAD = "01"  # GB/T 4761: the household head, the guardian shown when the one who signed up has no record


def _may_read(session: Session, scope: Scope, course: Course) -> None:
    """Raise ``NotFound`` unless ``COURSE_READ`` reaches the course's area or one of its organising grids."""
    organisers = select(CourseArea.area_id).where(CourseArea.course_id == course.id)
    paths = session.scalars(select(Area.path).where(or_(Area.id == course.area_id, Area.id.in_(organisers)))).all()
    if not any(scope.reaches(COURSE_READ, p) for p in paths):
        raise NotFound("course")


def roster(session: Session, scope: Scope, course_id: int) -> RosterOut:
    """Return the class list: enrolled and offered first (by name), then the waitlist in order."""
    course = load(session, scope, course_id)
    _may_read(session, scope, course)
    rows = session.scalars(
        select(Enrolment).where(Enrolment.course_id == course.id, Enrolment.status.in_(ACTIVE))
    ).all()
    children = {
        r.id: r for r in session.scalars(select(Resident).where(Resident.id.in_([e.resident_id for e in rows] or [0])))
    }
    households = {c.household_id for c in children.values() if c.household_id}
    guardians: dict[int, Resident] = {}
    for adult in session.scalars(
        select(Resident)
        .where(Resident.household_id.in_(households or {0}), Resident.status == "active")
        .order_by(Resident.relation, Resident.id)
    ):
        if adult.id in children or adult.household_id is None:
            continue
        born = adult.birth_date
        if born is None or clock.age_on(born, clock.today()) >= enrolment.CHILD_AGE:
            guardians.setdefault(adult.household_id, adult)
    grids = area_labels(session, {c.area_id for c in children.values()})
    first = first_days(session, [course.id]).get(course.id)
    places = enrolment.positions(session, [course.id])
    marks: dict[int, dict[int, bool]] = defaultdict(dict)
    for session_id, enrolment_id, present in session.execute(
        select(Attendance.session_id, Attendance.enrolment_id, Attendance.present).where(
            Attendance.enrolment_id.in_([e.id for e in rows] or [0])
        )
    ):
        marks[enrolment_id][session_id] = present
    out: list[RosterRow] = []
    for e in rows:
        child = children[e.resident_id]
        guardian = guardians.get(child.household_id or 0)
        out.append(
            RosterRow(
                enrolment_id=e.id,
                child_name=child.name,
                gender=child.gender,
                age=clock.age_on(child.birth_date, first) if child.birth_date and first else None,
                guardian=guardian.name if guardian else "",
                guardian_phone=f"*******{guardian.phone_tail}" if guardian and guardian.phone_tail else "",
                grid=grids.get(child.area_id, ""),
                status=e.status,
                position=places.get(e.id),
                attended=marks[e.id],
            )
        )
    out.sort(key=lambda r: (r.status == "waitlisted", r.position or 0, r.child_name))
    helpers: dict[int, list[str]] = defaultdict(list)
    for session_id, name in session.execute(
        select(HelperSignup.session_id, Resident.name)
        .join(Resident, Resident.id == HelperSignup.resident_id)
        .join(CourseSession, CourseSession.id == HelperSignup.session_id)
        .where(CourseSession.course_id == course.id)
        .order_by(HelperSignup.id)
    ):
        helpers[session_id].append(name)
    return RosterOut(course=outs(session, [course])[0], rows=out, helpers=dict(helpers))


def _session(session: Session, session_id: int) -> CourseSession:
    found = session.get(CourseSession, session_id) if 0 < session_id < MAX_ID else None
    if found is None:
        raise NotFound("course_session")
    return found


def record_attendance(session: Session, scope: Scope, session_id: int, data: AttendanceIn) -> AttendanceOut:
    """Mark who came to a session: the enrolments named present, every other enrolled child absent."""
    scope.require(COURSE_MANAGE)
    with transaction(session):
        meeting = _session(session, session_id)
        course = load(session, scope, meeting.course_id, COURSE_MANAGE)
        enrolled = set(
            session.scalars(
                select(Enrolment.id).where(Enrolment.course_id == course.id, Enrolment.status == "enrolled")
            )
        )
        strangers = set(data.present) - enrolled
        if strangers:
            raise Invalid(
                "course.attendance", "Only children enrolled in this course can be marked present.", "present"
            )
        session.execute(delete(Attendance).where(Attendance.session_id == meeting.id))
        if enrolled:
            session.execute(
                insert(Attendance),
                [
                    {
                        "session_id": meeting.id,
                        "enrolment_id": e,
                        "present": e in data.present,
                        "recorded_by_id": scope.user_id,
                    }
                    for e in sorted(enrolled)
                ],
            )
        present = len(set(data.present))
        audit.record_by(
            session, scope, "course.attendance", entity="course_session", entity_id=meeting.id,
            area_id=course.area_id, changes={"present": [None, present], "absent": [None, len(enrolled) - present]},
        )  # fmt: skip
        return AttendanceOut(session_id=meeting.id, present=present, absent=len(enrolled) - present)


def add_helper(session: Session, scope: Scope, session_id: int, data: HelperIn) -> HelperOut:
    """Sign a parent helper up for a session: the caller themselves, or (staff) a resident of the area."""
    with transaction(session):
        meeting = _session(session, session_id)
        # The course row's lock keeps two helpers signing up at once from passing ``helpers_wanted``.
        course = load(session, scope, meeting.course_id, lock=True)
        if data.resident_id is None:
            resident_id = session.scalar(
                select(Resident.id).join(User, User.resident_id == Resident.id).where(User.id == scope.user_id)
            )
            if resident_id is None:
                raise Invalid("course.helper", "Your account has no resident record; ask the community.", "resident_id")
        else:
            helper, _ = enrolment.child_for(session, scope, data.resident_id)
            resident_id = helper.id
        if course.status != "open":
            raise Conflict("course.closed", "Sign-ups for this course are closed.")
        if meeting.starts_at < utcnow():
            raise Conflict("course.session_past", "This session has already taken place.")
        helping = select(HelperSignup.id).where(
            HelperSignup.session_id == meeting.id, HelperSignup.resident_id == resident_id
        )
        if session.scalar(helping):  # told so even when the session is full
            raise Conflict("course.helper_already", "Already helping at this session.")
        taken = session.scalar(select(func.count()).where(HelperSignup.session_id == meeting.id)) or 0
        if taken >= course.helpers_wanted:
            raise Conflict("course.helpers_full", "This session has all the helpers it wants.")
        row = HelperSignup(session_id=meeting.id, resident_id=resident_id, user_id=scope.user_id)
        session.add(row)
        try:
            session.flush()
        except IntegrityError as error:
            raise Conflict("course.helper_already", "Already helping at this session.") from error
        audit.record_by(
            session, scope, "course.helper", entity="course_session", entity_id=meeting.id, area_id=course.area_id,
            changes={"resident_id": [None, resident_id]},
        )  # fmt: skip
        name = session.scalar(select(Resident.name).where(Resident.id == resident_id)) or ""
        return HelperOut(id=row.id, session_id=meeting.id, resident_id=resident_id, name=name)
