"""Courses (阳光小课堂) through the API: courses, sign-ups with the waitlist, class lists, attendance, helpers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from linli.courses import classes, enrolment, services
from linli.courses.figures import course_figures
from linli.courses.schemas import (
    AttendanceIn,
    AttendanceOut,
    CancelCourseIn,
    ChildOut,
    CourseIn,
    CourseOut,
    CoursePage,
    CourseUpdate,
    EnrolmentIn,
    EnrolmentOut,
    FiguresOut,
    HelperIn,
    HelperOut,
    RosterOut,
)
from linli.web.deps import Access, Locale, SessionDep, current_scope

router = APIRouter(prefix="/api/v1", tags=["courses"], dependencies=[Depends(current_scope)])
CATEGORY = "^(language|culture|art|calligraphy|craft|science|sport|other)$"


@router.get("/courses", response_model=CoursePage)
def courses(
    scope: Access,
    session: SessionDep,
    area_id: Annotated[int | None, Query(ge=1, description="That area and below, and what its grids organise")] = None,
    open: Annotated[bool, Query(description="Only courses taking sign-ups today")] = False,
    category: Annotated[str | None, Query(pattern=CATEGORY)] = None,
    q: Annotated[str, Query(max_length=40, description="Part of the title, description or teacher")] = "",
    status: Annotated[str, Query(pattern="^(open|cancelled|all)$")] = "open",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> CoursePage:
    """List the courses the caller sees, soonest first."""
    f = services.CourseFilter(
        area_id=area_id, open_only=open, category=category, q=q, status=None if status == "all" else status
    )
    return services.list_courses(session, scope, f, page, page_size)


@router.post("/courses", response_model=CourseOut, status_code=201)
def create_course(data: CourseIn, scope: Access, session: SessionDep) -> CourseOut:
    """Add a course with its sessions to an area the caller keeps courses of."""
    return services.create_course(session, scope, data)


@router.get("/courses/figures", response_model=FiguresOut)
def figures(area_id: Annotated[int, Query(ge=1)], scope: Access, session: SessionDep, locale: Locale) -> FiguresOut:
    """Return courses, places, sign-ups, waitlist and attendance rate of an area, by grid and by category."""
    return course_figures(session, scope, area_id, locale)


@router.get("/courses/family", response_model=list[ChildOut])
def family(scope: Access, session: SessionDep) -> list[ChildOut]:
    """Return the children of the caller's household and their sign-ups."""
    return enrolment.family(session, scope)


@router.get("/courses/{course_id}", response_model=CourseOut)
def course(course_id: int, scope: Access, session: SessionDep) -> CourseOut:
    """Return one course with its sessions."""
    return services.get_course(session, scope, course_id)


@router.patch("/courses/{course_id}", response_model=CourseOut)
def update_course(course_id: int, data: CourseUpdate, scope: Access, session: SessionDep) -> CourseOut:
    """Change a course; send the ``version`` you read. More seats promote the waitlist."""
    return services.update_course(session, scope, course_id, data)


@router.post("/courses/{course_id}/cancel", response_model=CourseOut)
def cancel_course(course_id: int, data: CancelCourseIn, scope: Access, session: SessionDep) -> CourseOut:
    """Cancel a course; the families signed up are told."""
    return services.cancel_course(session, scope, course_id, data)


@router.get("/courses/{course_id}/roster", response_model=RosterOut)
def roster(course_id: int, scope: Access, session: SessionDep) -> RosterOut:
    """Return the class list: each child's age, guardian and masked phone, attendance; then the waitlist."""
    return classes.roster(session, scope, course_id)


@router.post(
    "/courses/{course_id}/enrolments",
    response_model=EnrolmentOut,
    status_code=201,
    responses={409: {"description": "course.closed, course.clash, course.already"}, 422: {"description": "course.age"}},
)
def enrol(course_id: int, data: EnrolmentIn, scope: Access, session: SessionDep) -> EnrolmentOut:
    """Sign a child up: ``enrolled`` with a seat, or ``waitlisted`` at ``position`` (a full course never refuses)."""
    return enrolment.enrol(session, scope, course_id, data)


@router.get("/enrolments/{enrolment_id}", response_model=EnrolmentOut)
def get_enrolment(enrolment_id: int, scope: Access, session: SessionDep) -> EnrolmentOut:
    """Return one sign-up of the caller's household, or of their area (staff)."""
    return enrolment.get_enrolment(session, scope, enrolment_id)


@router.delete("/enrolments/{enrolment_id}", response_model=EnrolmentOut)
def cancel_enrolment(enrolment_id: int, scope: Access, session: SessionDep) -> EnrolmentOut:
    """Cancel a sign-up; its seat goes to the first on the waitlist at once."""
    return enrolment.cancel(session, scope, enrolment_id)


@router.post("/enrolments/{enrolment_id}/confirm", response_model=EnrolmentOut)
def confirm(enrolment_id: int, scope: Access, session: SessionDep) -> EnrolmentOut:
    """Take up a seat offered from the waitlist, within its hold period."""
    return enrolment.confirm(session, scope, enrolment_id)


@router.put("/course-sessions/{session_id}/attendance", response_model=AttendanceOut)
def attendance(session_id: int, data: AttendanceIn, scope: Access, session: SessionDep) -> AttendanceOut:
    """Record who came to a session; the other enrolled children are marked absent."""
    return classes.record_attendance(session, scope, session_id, data)


@router.post("/course-sessions/{session_id}/helpers", response_model=HelperOut, status_code=201)
def add_helper(session_id: int, scope: Access, session: SessionDep, data: HelperIn | None = None) -> HelperOut:
    """Sign up as a parent helper for a session (staff: name a resident)."""
    return classes.add_helper(session, scope, session_id, data or HelperIn())
