"""Courses (阳光小课堂): free community courses for children, their sessions, sign-ups, waitlist and attendance.

A course's ``taken`` counts the seats held (enrolled, and offered to a promoted family within its hold
period), never the waitlist; it is raised by one conditional UPDATE (``taken < capacity``) under a lock
of the course row, and a CHECK keeps it within the capacity as the final guard. A child is signed up to
a course once (a unique constraint); a cancelled sign-up is reused when the family signs up again.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from linli.db.base import Base, Timestamped, UTCDateTime, utcnow

CATEGORIES = ("language", "culture", "art", "calligraphy", "craft", "science", "sport", "other")
STATUSES = ("open", "cancelled")
# A sign-up: enrolled (a seat), offered (promoted from the waitlist, the seat held until ``offered_until``),
# waitlisted (in ``queue_seq`` order), cancelled (by the family or staff), lapsed (an offer not confirmed).
ENROLMENT_STATES = ("enrolled", "offered", "waitlisted", "cancelled", "lapsed")
SEATED = ("enrolled", "offered")
ACTIVE = ("enrolled", "offered", "waitlisted")


class Course(Timestamped, Base):
    """One course of an area (the community that runs it); ``CourseArea`` names the organising grids."""

    __tablename__ = "course"
    __table_args__ = (
        Index("ix_course_area_status", "area_id", "status"),
        CheckConstraint("taken >= 0 AND taken <= capacity", name="taken_within_capacity"),
        CheckConstraint("age_min <= age_max", name="age_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    title: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    age_min: Mapped[int] = mapped_column(Integer)
    age_max: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    taken: Mapped[int] = mapped_column(Integer, default=0)
    # The next waitlist number; raised under the course's lock, so places in the queue never collide.
    next_queue: Mapped[int] = mapped_column(Integer, default=1)
    # The teacher: a volunteer of the registry, or an institution's teacher (the institution is a resource).
    teacher_volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer.id"))
    teacher_resource_id: Mapped[int | None] = mapped_column(ForeignKey("resource.id"))
    teacher_name: Mapped[str] = mapped_column(String(60), default="")
    signup_opens_on: Mapped[date] = mapped_column(Date)
    signup_closes_on: Mapped[date] = mapped_column(Date)
    helpers_wanted: Mapped[int] = mapped_column(Integer, default=0)
    # 0: the first on the waitlist takes a freed seat at once; N: they are offered it and have N hours to confirm.
    hold_hours: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class CourseArea(Base):
    """A grid that organises a course (recruits the pupils, brings the teachers)."""

    __tablename__ = "course_area"

    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), primary_key=True, index=True)


class CourseSession(Base):
    """One meeting of a course: when, and where (a venue of the resources, or a place in words)."""

    __tablename__ = "course_session"
    __table_args__ = (Index("ix_course_session_course_starts", "course_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    venue_resource_id: Mapped[int | None] = mapped_column(ForeignKey("resource.id"))
    venue: Mapped[str] = mapped_column(String(100), default="")


class Enrolment(Base):
    """A child signed up to a course by a guardian (or by staff for the family)."""

    __tablename__ = "enrolment"
    __table_args__ = (
        UniqueConstraint("course_id", "resident_id"),
        Index("ix_enrolment_course_status_queue", "course_id", "status", "queue_seq"),
        Index("ix_enrolment_household", "household_id"),
        Index("ix_enrolment_offered", "status", "offered_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    status: Mapped[str] = mapped_column(String(12))
    queue_seq: Mapped[int | None] = mapped_column(Integer)
    offered_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Who is told of a promotion: the guardian's account (the one who signed up, or the household's).
    guardian_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Attendance(Base):
    """Whether an enrolled child came to one session."""

    __tablename__ = "attendance"

    session_id: Mapped[int] = mapped_column(ForeignKey("course_session.id"), primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), primary_key=True, index=True)
    present: Mapped[bool] = mapped_column(Boolean)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class HelperSignup(Base):
    """A parent (or any resident) helping at one session (家长助教)."""

    __tablename__ = "course_helper"
    __table_args__ = (UniqueConstraint("session_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_session.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
