"""Course pages (阳光小课堂): the list with search and filters; a course's page, where a parent signs a child
up on a phone (or staff sign one up for the family) and helpers offer a session; the family's page with
places, waitlist and offers; the class list and sign-in sheet to print, with attendance; the form to keep
a course; the figures.

Each route parses what the browser sent, calls the same service as the API, and renders; a refusal is
shown beside the field it concerns, or at the top of the page.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from linli.accounts.permissions import COURSE_ENROL, COURSE_JOIN, COURSE_MANAGE, COURSE_READ, Scope
from linli.courses import classes, enrolment, services
from linli.courses.figures import CATEGORY_LABELS, course_figures
from linli.courses.models import CATEGORIES
from linli.courses.schemas import (
    AttendanceIn,
    CancelCourseIn,
    CourseIn,
    CourseOut,
    CourseUpdate,
    EnrolmentIn,
    HelperIn,
    SessionIn,
)
from linli.errors import Conflict, DomainError, Invalid, NotFound, ValidationErrors
from linli.i18n import translate
from linli.lib import clock
from linli.resources import services as resource_services
from linli.resources.schemas import ResourcePage
from linli.volunteers import services as volunteer_services
from linli.web.deps import Access, SessionDep, current_scope, get_locale, get_runtime
from linli.web.forms import as_int, field_errors
from linli.web.render import is_htmx, pager_url, render

router = APIRouter(dependencies=[Depends(current_scope)])

STATUS_LABELS = {
    "enrolled": "Enrolled",
    "offered": "Seat offered",
    "waitlisted": "On the waitlist",
    "cancelled": "Cancelled",
    "lapsed": "Offer lapsed",
}
# The list's status filter: running, cancelled, or both (English msgids, in courses.po).
LIST_STATUSES = (("open", "Running"), ("cancelled", "Cancelled"), ("all", "All"))
INPUTS = (
    "area_id",
    "title",
    "category",
    "description",
    "age_min",
    "age_max",
    "capacity",
    "teacher_volunteer_id",
    "teacher_resource_id",
    "teacher_name",
    "signup_opens_on",
    "signup_closes_on",
    "helpers_wanted",
    "hold_hours",
)
SHOWN = {*INPUTS, "organising_area_ids", "sessions", "venue_resource_id", "version"}
LINE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})\s+(\d{1,2})[:：](\d{2})\s*[-–—~～至到]\s*(\d{1,2})[:：](\d{2})\s*(.*)$")
SESSIONS_SYNTAX = "Line {n} does not read: write one session a line, such as 2026-07-06 09:00-10:30 and the place."


# ---- helpers ----------------------------------------------------------------------------------


def labels(request: Request) -> dict[str, Any]:
    """Return the label functions the course templates use, in the request's language."""
    locale = get_locale(request)

    def of(table: dict[str, str]) -> Any:
        return lambda code: translate(table[code], locale) if code in table else code

    def when(moment: datetime) -> str:
        return clock.local(moment).strftime("%Y-%m-%d %H:%M")

    def until(moment: datetime) -> str:
        return clock.local(moment).strftime("%H:%M")

    return {
        "category_label": of(CATEGORY_LABELS),
        "status_label": of(STATUS_LABELS),
        "when": when,
        "until": until,
        "weekday": lambda moment: translate(
            ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[
                clock.local(moment).weekday()
            ],
            locale,
        ),
    }


def show(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return render(request, f"courses/{template}", {**labels(request), "nav": "courses", **context}, status=status)


async def form_data(request: Request) -> dict[str, Any]:
    """Return the posted form as a dict of strings, with the lists (grids, present) as lists."""
    form = await request.form()
    data: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    for name in ("organising_area_ids", "present"):
        data[name] = [v for v in form.getlist(name) if isinstance(v, str)]
    return data


FormData = Annotated[dict[str, Any], Depends(form_data)]


def parse_sessions(text: str, venue_id: int | None) -> tuple[list[SessionIn], list[DomainError]]:
    """Return the sessions typed one a line (``2026-07-06 09:00-10:30 社区活动室``) and the lines that do not read."""
    sessions: list[SessionIn] = []
    for number, line in enumerate(filter(None, (x.strip() for x in text.splitlines())), start=1):
        match = LINE.match(line)
        try:
            if match is None:
                raise ValueError(line)
            day = date.fromisoformat("-".join(p.zfill(2) for p in match.group(1).split("-")))
            start = datetime(day.year, day.month, day.day, int(match.group(2)), int(match.group(3)), tzinfo=clock.LOCAL)
            end = datetime(day.year, day.month, day.day, int(match.group(4)), int(match.group(5)), tzinfo=clock.LOCAL)
        except ValueError:
            problem = Invalid("course.session_syntax", SESSIONS_SYNTAX, "sessions", n=number)
            return [], [problem]
        sessions.append(SessionIn(starts_at=start, ends_at=end, venue=match.group(6)[:100], venue_resource_id=venue_id))
    if not sessions:
        return [], [Invalid("course.sessions", "Give at least one session.", "sessions")]
    return sessions, []


def sessions_text(course: CourseOut) -> str:
    """Return a course's sessions as the form shows them, one a line."""
    return "\n".join(
        f"{clock.local(s.starts_at):%Y-%m-%d %H:%M}-{clock.local(s.ends_at):%H:%M} {s.venue}".rstrip()
        for s in course.sessions
    )


def course_fields(form: dict[str, Any]) -> dict[str, Any]:
    """Return the fields of a posted course form; empty optional ones left out."""
    fields: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in INPUTS}
    for key in ("teacher_volunteer_id", "teacher_resource_id"):
        fields[key] = as_int(fields[key], 1) if fields[key] else None
    for key, default in (("helpers_wanted", "0"), ("hold_hours", "0"), ("description", ""), ("teacher_name", "")):
        fields[key] = fields[key] or default
    fields["organising_area_ids"] = [n for n in (as_int(v, 1) for v in form.get("organising_area_ids", [])) if n]
    return fields


def _choices(session: Any, scope: Scope, area_id: int | None, locale: str) -> dict[str, Any]:
    """Return the options of the course form: areas, grids, categories, teachers, institutions, venues."""
    areas = resource_services.area_choices(session, scope, COURSE_MANAGE)
    where = area_id or (areas[0][0] if areas else None)

    def resources_of(kind: str) -> list[tuple[str, str]]:
        if where is None:
            return []
        found: ResourcePage = resource_services.list_resources(
            session, scope, resource_services.ResourceFilter(area_id=where, kind=kind), 1, 200
        )
        return [(str(r.id), r.name) for r in found.items]

    volunteers = (
        volunteer_services.list_volunteers(
            session, scope, volunteer_services.VolunteerFilter(area_id=where), 1, 200
        ).items
        if where
        else []
    )
    return {
        "area_options": [(str(i), name) for i, name in areas],
        "category_options": [(c, translate(CATEGORY_LABELS[c], locale)) for c in CATEGORIES],
        "teacher_options": [(str(v.id), v.name) for v in volunteers],
        "institution_options": resources_of("institution"),
        "venue_options": resources_of("venue"),
    }


def _form(
    request: Request,
    session: Any,
    scope: Scope,
    values: dict[str, Any],
    course: CourseOut | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Response:
    locale = get_locale(request)
    context = {
        "scope": scope,
        "course": course,
        "values": values,
        "errors": errors or {},
        **_choices(session, scope, as_int(values.get("area_id"), 1), locale),
    }
    return show(request, "form.html", context, status=422 if errors else 200)


def _values_of(c: CourseOut) -> dict[str, Any]:
    values: dict[str, Any] = {k: str(v) if v is not None else "" for k, v in c.model_dump(include=set(INPUTS)).items()}
    values["teacher_name"] = c.teacher
    values["organising_area_ids"] = [str(a.id) for a in c.organising_areas]
    values["sessions"] = sessions_text(c)
    values["venue_resource_id"] = str(c.sessions[0].venue_resource_id or "") if c.sessions else ""
    values["version"] = str(c.version)
    return values


def _errors(error: ValidationError | DomainError, locale: str) -> dict[str, list[str]]:
    return field_errors(error, locale, SHOWN)


# ---- the list ---------------------------------------------------------------------------------


@router.get("/courses", include_in_schema=False)
def list_page(
    request: Request,
    scope: Access,
    session: SessionDep,
    q: str = "",
    area_id: str = "",
    category: str = "",
    open: str = "",
    status: str = "open",
    page: str = "1",
) -> Response:
    """Return the courses the user sees; an htmx request (typing in the box) gets only the results."""
    if not (scope.can(COURSE_READ) or scope.can(COURSE_JOIN)):
        raise NotFound("course")
    status = status if status in ("open", "cancelled", "all") else "open"
    f = services.CourseFilter(
        area_id=as_int(area_id, 1),
        open_only=open == "1",
        category=category if category in CATEGORIES else None,
        q=q[:40],
        status=None if status == "all" else status,
    )
    size = get_runtime(request).settings.page_size
    results = services.list_courses(session, scope, f, as_int(page, 1, 100000) or 1, size)
    locale = get_locale(request)
    context: dict[str, Any] = {
        "scope": scope,
        "q": q,
        "filters": {"area_id": area_id, "category": category, "open": open, "status": status},
        "results": results,
        "page_url": pager_url(request),
        "can_manage": scope.can(COURSE_MANAGE),
        "is_family": scope.can(COURSE_JOIN),
    }
    if is_htmx(request):
        return render(request, "courses/list.html", {**labels(request), **context}, block="results")
    context["area_options"] = [(str(i), n) for i, n in resource_services.area_choices(session, scope, COURSE_READ)]
    context["category_options"] = [(c, translate(CATEGORY_LABELS[c], locale)) for c in CATEGORIES]
    context["status_options"] = [(code, translate(text, locale)) for code, text in LIST_STATUSES]
    return show(request, "list.html", context)


# ---- keeping a course -------------------------------------------------------------------------


@router.get("/courses/new", include_in_schema=False)
def new_page(request: Request, scope: Access, session: SessionDep, area_id: str = "") -> Response:
    """Return an empty course form."""
    scope.require(COURSE_MANAGE)
    today = clock.today().isoformat()
    values = {
        "area_id": area_id,
        "category": "craft",
        "age_min": "6",
        "age_max": "12",
        "capacity": "20",
        "helpers_wanted": "1",
        "hold_hours": "0",
        "signup_opens_on": today,
        "organising_area_ids": [],
    }
    return _form(request, session, scope, values)


def _posted(form: dict[str, Any]) -> tuple[dict[str, Any], list[SessionIn], list[DomainError]]:
    fields = course_fields(form)
    sessions, problems = parse_sessions(str(form.get("sessions") or ""), as_int(form.get("venue_resource_id"), 1))
    return fields, sessions, problems


@router.post("/courses/new", include_in_schema=False)
def create_page(request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Add the course and open its page; a refusal shows the form again with each error beside its field."""
    scope.require(COURSE_MANAGE)
    fields, sessions, problems = _posted(form)
    try:
        if problems:
            raise ValidationErrors(problems)
        created = services.create_course(session, scope, CourseIn(**fields, sessions=sessions))
    except (ValidationError, Invalid, Conflict) as error:
        return _form(request, session, scope, form, errors=_errors(error, get_locale(request)))
    return RedirectResponse(f"/courses/{created.id}", status_code=303)


@router.get("/courses/{course_id}/edit", include_in_schema=False)
def edit_page(course_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the form filled in with the course."""
    scope.require(COURSE_MANAGE)
    course = services.get_course(session, scope, course_id)
    return _form(request, session, scope, _values_of(course), course)


@router.post("/courses/{course_id}/edit", include_in_schema=False)
def update_page(course_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Save the changes and open the course; sessions are replaced only when their text changed."""
    scope.require(COURSE_MANAGE)
    course = services.get_course(session, scope, course_id)
    fields, sessions, problems = _posted(form)
    fields.pop("area_id", None)
    try:
        if problems:
            raise ValidationErrors(problems)
        changed = str(form.get("sessions") or "").strip() != sessions_text(course).strip()
        data = CourseUpdate(**fields, version=as_int(form.get("version")) or 0, sessions=sessions if changed else None)
        services.update_course(session, scope, course_id, data)
    except (ValidationError, Invalid, Conflict) as error:
        return _form(request, session, scope, form, course, _errors(error, get_locale(request)))
    return RedirectResponse(f"/courses/{course_id}", status_code=303)


@router.post("/courses/{course_id}/cancel", include_in_schema=False)
def cancel_page(course_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Ask for a reason and confirmation, then cancel the course (the families are told)."""
    scope.require(COURSE_MANAGE)
    if form.get("confirm") != "yes":
        return _page(request, scope, session, course_id, confirm_cancel=True)
    try:
        data = CancelCourseIn(version=as_int(form.get("version")) or 0, reason=str(form.get("reason") or "").strip())
        services.cancel_course(session, scope, course_id, data)
    except (ValidationError, DomainError) as error:
        errors = _errors(error, get_locale(request))
        return _page(request, scope, session, course_id, status=422, confirm_cancel=True, errors=errors)
    return RedirectResponse(f"/courses/{course_id}", status_code=303)


# ---- a course's page, signing up ----------------------------------------------------------------


def _page(request: Request, scope: Scope, session: Any, course_id: int, status: int = 200, **extra: Any) -> Response:
    course = services.get_course(session, scope, course_id)
    first = clock.local_date(course.sessions[0].starts_at) if course.sessions else None
    children = []
    for child in enrolment.family(session, scope):
        age = clock.age_on(child.birth_date, first) if child.birth_date and first else None
        held = next(
            (
                e
                for e in child.enrolments
                if e.course_id == course.id and e.status in ("enrolled", "offered", "waitlisted")
            ),
            None,
        )
        fits = age is not None and course.age_min <= age <= course.age_max
        children.append({"id": child.resident_id, "name": child.name, "age": age, "fits": fits, "held": held})
    child_q = str(extra.pop("child_q", ""))
    context = {
        "scope": scope,
        "course": course,
        "children": children,
        "can_manage": scope.can(COURSE_MANAGE),
        "can_enrol": scope.can(COURSE_ENROL),
        "can_read": scope.can(COURSE_READ),
        "child_q": child_q,
        "candidates": enrolment.candidates(session, scope, course_id, child_q)
        if child_q and scope.can(COURSE_ENROL)
        else [],
        "errors": {},
        **extra,
    }
    return show(request, "detail.html", context, status=status)


@router.get("/courses/family", include_in_schema=False)
def family_page(request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the family's page: each child's places, waitlist positions and offers to confirm."""
    if not scope.can(COURSE_JOIN):
        raise NotFound("course")
    return show(request, "family.html", {"scope": scope, "children": enrolment.family(session, scope)})


@router.get("/courses/figures", include_in_schema=False)
def figures_page(request: Request, scope: Access, session: SessionDep, area_id: str = "") -> Response:
    """Return the course figures of an area, by grid and by category."""
    scope.require(COURSE_READ)
    areas = resource_services.area_choices(session, scope, COURSE_READ)
    chosen = as_int(area_id, 1) or (areas[0][0] if areas else None)
    if chosen is None:
        raise NotFound("area")
    figures = course_figures(session, scope, chosen, get_locale(request))
    context = {"scope": scope, "figures": figures, "area_id": chosen, "area_options": [(str(i), n) for i, n in areas]}
    return show(request, "figures.html", context)


@router.get("/courses/{course_id}", include_in_schema=False)
def detail_page(course_id: int, request: Request, scope: Access, session: SessionDep, child_q: str = "") -> Response:
    """Return a course: what, when, where, for whom, how full; sign a child up; offer help at a session."""
    return _page(request, scope, session, course_id, child_q=child_q[:20])


@router.post("/courses/{course_id}/enrol", include_in_schema=False)
def enrol_page(course_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Sign the chosen child up, then show where they stand (a seat, or their place on the waitlist)."""
    child = as_int(form.get("child_resident_id"), 1)
    try:
        if child is None:
            raise Invalid("course.child", "Choose a child.", "child_resident_id")
        done = enrolment.enrol(session, scope, course_id, EnrolmentIn(child_resident_id=child))
    except (Invalid, Conflict) as error:
        errors = _errors(error, get_locale(request))
        return _page(request, scope, session, course_id, status=error.status, errors=errors)
    back = "/courses/family" if form.get("back") == "family" else f"/courses/{course_id}"
    return RedirectResponse(f"{back}?done={done.id}", status_code=303)


@router.post("/courses/{course_id}/sessions/{session_id}/helpers", include_in_schema=False)
def helper_page(course_id: int, session_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Sign the caller up as a parent helper for a session."""
    try:
        classes.add_helper(session, scope, session_id, HelperIn())
    except (Invalid, Conflict) as error:
        return _page(
            request, scope, session, course_id, status=error.status, errors=_errors(error, get_locale(request))
        )
    return RedirectResponse(f"/courses/{course_id}?helped={session_id}", status_code=303)


@router.post("/enrolments/{enrolment_id}/cancel", include_in_schema=False)
def cancel_enrolment_page(
    enrolment_id: int, request: Request, scope: Access, session: SessionDep, form: FormData
) -> Response:
    """Ask first, then cancel a sign-up (its seat goes to the first waiting) and go back."""
    shown = enrolment.get_enrolment(session, scope, enrolment_id)
    back = str(form.get("back") or "")
    back = back if back in ("/courses/family", f"/courses/{shown.course_id}/roster") else "/courses/family"
    if form.get("confirm") != "yes":
        return show(request, "cancel.html", {"scope": scope, "e": shown, "back": back})
    try:
        enrolment.cancel(session, scope, enrolment_id)
    except Conflict as error:
        return show(
            request,
            "cancel.html",
            {"scope": scope, "e": shown, "back": back, "error": error.text(get_locale(request))},
            status=409,
        )
    return RedirectResponse(back, status_code=303)


@router.post("/enrolments/{enrolment_id}/confirm", include_in_schema=False)
def confirm_page(enrolment_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Take up an offered seat and go back to the family's page."""
    try:
        enrolment.confirm(session, scope, enrolment_id)
    except Conflict as error:
        children = enrolment.family(session, scope)
        context = {"scope": scope, "children": children, "error": error.text(get_locale(request))}
        return show(request, "family.html", context, status=409)
    return RedirectResponse("/courses/family", status_code=303)


# ---- the class ------------------------------------------------------------------------------------


@router.get("/courses/{course_id}/roster", include_in_schema=False)
def roster_page(course_id: int, request: Request, scope: Access, session: SessionDep, sheet: str = "") -> Response:
    """Return the class list (or, ``sheet=1``, the sign-in sheet) to print, with attendance per session."""
    roster = classes.roster(session, scope, course_id)
    context = {"scope": scope, "roster": roster, "sheet": sheet == "1", "can_manage": scope.can(COURSE_MANAGE)}
    return show(request, "roster.html", context)


@router.post("/courses/{course_id}/sessions/{session_id}/attendance", include_in_schema=False)
def attendance_page(
    course_id: int, session_id: int, request: Request, scope: Access, session: SessionDep, form: FormData
) -> Response:
    """Record who came to a session and show the class list again."""
    present = [n for n in (as_int(v, 1) for v in form.get("present", [])) if n]
    try:
        classes.record_attendance(session, scope, session_id, AttendanceIn(present=present))
    except Invalid as error:
        roster = classes.roster(session, scope, course_id)
        context = {
            "scope": scope,
            "roster": roster,
            "sheet": False,
            "can_manage": True,
            "error": error.text(get_locale(request)),
        }
        return show(request, "roster.html", context, status=422)
    return RedirectResponse(f"/courses/{course_id}/roster?saved={session_id}", status_code=303)
