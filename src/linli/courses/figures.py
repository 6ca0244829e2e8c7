"""Course figures of an area: courses, places, sign-ups, waitlist and attendance rate, by grid and by category.

A course counts for each child area its own area or one of its organising grids lies in (a course that
grids 3 and 5 organise together counts for both); one run by the area itself counts as "the whole area".
The total counts each course once. Five queries whatever the number of courses.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from linli.accounts.permissions import COURSE_READ, Scope
from linli.areas.models import Area
from linli.courses.models import Attendance, Course, CourseArea, Enrolment
from linli.courses.schemas import FigureRow, FiguresOut
from linli.courses.services import MAX_ID, area_path, within
from linli.errors import NotFound
from linli.i18n import translate

WHOLE = "Whole area"
CATEGORY_LABELS = {
    "language": "Language",
    "culture": "Culture",
    "art": "Art",
    "calligraphy": "Calligraphy",
    "craft": "Craft",
    "science": "Science",
    "sport": "Sport",
    "other": "Other",
}


@dataclass
class _Sum:
    courses: int = 0
    places: int = 0
    enrolled: int = 0
    waitlisted: int = 0
    present: int = 0
    marks: int = 0
    seen: set[int] = field(default_factory=set)

    def add(self, course_id: int, capacity: int, taken: int, waiting: int, present: int, marks: int) -> None:
        if course_id in self.seen:
            return
        self.seen.add(course_id)
        self.courses += 1
        self.places += capacity
        self.enrolled += taken
        self.waitlisted += waiting
        self.present += present
        self.marks += marks

    def row(self, key: str, label: str) -> FigureRow:
        rate = round(self.present / self.marks, 3) if self.marks else None
        return FigureRow(
            key=key,
            label=label,
            courses=self.courses,
            places=self.places,
            enrolled=self.enrolled,
            waitlisted=self.waitlisted,
            attendance_rate=rate,
        )


def course_figures(session: Session, scope: Scope, area_id: int, locale: str = "zh") -> FiguresOut:
    """Return the course figures of an area the caller reads courses of, by child area and by category."""
    if not 0 < area_id < MAX_ID:
        raise NotFound("area")
    path = area_path(session, area_id)
    scope.check(COURSE_READ, path, "area")
    children = session.execute(
        select(Area.id, Area.name, Area.path).where(Area.parent_id == area_id).order_by(Area.code)
    ).all()
    courses = session.execute(
        select(Course.id, Area.path, Course.category, Course.capacity, Course.taken)
        .join(Area, Area.id == Course.area_id)
        .where(
            Course.status == "open",
            within(path),
        )
    ).all()
    ids = [c.id for c in courses] or [0]
    organisers: dict[int, list[str]] = defaultdict(list)
    for course_id, organiser_path in session.execute(
        select(CourseArea.course_id, Area.path)
        .join(Area, Area.id == CourseArea.area_id)
        .where(CourseArea.course_id.in_(ids))
    ):
        organisers[course_id].append(organiser_path)
    waiting = dict(
        session.execute(
            select(Enrolment.course_id, func.count())
            .where(Enrolment.course_id.in_(ids), Enrolment.status == "waitlisted")
            .group_by(Enrolment.course_id)
        ).all()
    )
    attendance = {
        course_id: (int(present or 0), int(marks))
        for course_id, present, marks in session.execute(
            select(Enrolment.course_id, func.sum(case((Attendance.present.is_(True), 1), else_=0)), func.count())
            .join(Attendance, Attendance.enrolment_id == Enrolment.id)
            .where(Enrolment.course_id.in_(ids))
            .group_by(Enrolment.course_id)
        )
    }
    by_child: dict[int | None, _Sum] = defaultdict(_Sum)
    by_category: dict[str, _Sum] = defaultdict(_Sum)
    total = _Sum()
    for c in courses:
        values = (c.id, c.capacity, c.taken, waiting.get(c.id, 0), *attendance.get(c.id, (0, 0)))
        total.add(*values)
        by_category[c.category].add(*values)
        places = [c.path, *organisers[c.id]]
        hits = [child.id for child in children if any(p.startswith(child.path) for p in places)]
        for hit in hits or [None]:
            by_child[hit].add(*values)
    rows = [by_child[child.id].row(str(child.id), child.name) for child in children]
    if None in by_child:
        rows.append(by_child[None].row("", translate(WHOLE, locale)))
    categories = [
        by_category[code].row(code, translate(label, locale))
        for code, label in CATEGORY_LABELS.items()
        if code in by_category
    ]
    return FiguresOut(area_id=area_id, by_grid=rows, by_category=categories, total=total.row("total", ""))
