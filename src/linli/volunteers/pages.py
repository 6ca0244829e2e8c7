"""Volunteer pages (志愿者): the list, residents willing to help, enrolling one who said yes, the profile with
its staff forms, the printable service record (志愿服务记录证明), and a volunteer's own phone page.

Each route parses what the browser sent, calls the service the API calls, and renders; a refusal tied to a
field is shown beside it, with everything typed kept.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from linli.accounts.permissions import SUPPLY_MANAGE, Scope
from linli.areas.services import area_labels
from linli.errors import Conflict, DomainError, Invalid, ValidationErrors
from linli.i18n import translate
from linli.lib import clock, skills
from linli.needs import teams
from linli.registry import services as registry
from linli.volunteers import record, services
from linli.volunteers.choices import area_options, category_options
from linli.volunteers.models import OPEN_TASK_STATES
from linli.volunteers.schemas import AwayIn, HoursIn, QualificationIn, SlotIn, VolunteerDetail, VolunteerIn
from linli.web.deps import Access, SessionDep, current_scope, get_locale, get_runtime
from linli.web.forms import as_int, field_errors
from linli.web.render import is_htmx, pager_url, render

router = APIRouter(dependencies=[Depends(current_scope)])

# English msgids (translated in volunteers.po) for the codes a volunteer's record keeps.
STATUS_LABELS = {"active": "Active", "paused": "Paused", "left": "Left", "all": "All"}
TASK_LABELS = {
    "invited": "Invited",
    "accepted": "Accepted",
    "declined": "Declined",
    "done": "Done",
    "withdrawn": "Withdrawn",
    "no_show": "Did not turn up",
}
QUALIFICATION_LABELS = {
    "medical_licence": "Medical practitioner's licence",
    "nurse_licence": "Nurse's licence",
    "first_aid": "First-aid certificate",
    "teacher": "Teacher's certificate",
    "legal": "Legal qualification",
    "electrician": "Electrician's certificate",
    "other": "Other certificate",
}
WEEKDAY_LABELS = {
    0: "Monday",
    1: "Tuesday",
    2: "Wednesday",
    3: "Thursday",
    4: "Friday",
    5: "Saturday",
    6: "Sunday",
}
FORM_MESSAGES = {
    "slot": "Give the weekday, the start and the end, such as 09:00 and 11:30.",
    "slot_order": "A slot ends after it starts.",
    "away_order": "The time away ends on or after the day it starts.",
}
SLOT_ROWS = 4
POSSIBLE_MOST = 500  # services.possible_volunteers stops there
TIME = re.compile(r"^(\d{1,2})[:：](\d{2})$")
FIELDS = {
    "resident_id",
    "consent",
    "user_id",
    "profession",
    "skills_text",
    "category_ids",
    "load_limit",
    "slots",
    "notes",
    *(f"slots.{i}" for i in range(SLOT_ROWS)),
}
PROFILE_FIELDS = {"starts_on", "ends_on", "reason", "kind", "name", "number", "expires_on", "day", "hours", "note"}


# ---- helpers ----------------------------------------------------------------------------------


def labels(request: Request) -> dict[str, Any]:
    """Return the label functions the volunteer templates use, in the request's language."""
    locale = get_locale(request)

    def of(table: dict[Any, str]) -> Any:
        return lambda code: translate(table[code], locale) if code in table else code

    sep = "、" if locale == "zh" else ", "  # 水电维修、家电维修 / Plumbing and wiring, Appliance repair

    def skill_label(code: str) -> str:
        return skills.skill_name(code, locale) if code in skills.CODES else code

    return {
        "status_label": of(STATUS_LABELS),
        "task_label": of(TASK_LABELS),
        "qualification_label": of(QUALIFICATION_LABELS),
        "weekday_label": of(WEEKDAY_LABELS),
        "skill_label": skill_label,
        "skill_list": lambda codes: sep.join(skill_label(c) for c in codes),
        "category_list": lambda refs: sep.join(c.name_en if locale == "en" and c.name_en else c.name for c in refs),
        "joined": lambda names: sep.join(str(n) for n in names),
        "colon": "：" if locale == "zh" else ": ",
        "clock_text": clock_text,
        "percent": lambda value: "—" if value is None else f"{round(value * 100)}",
        "hours_text": hours_text,
    }


def show(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return render(request, f"volunteers/{template}", {**labels(request), "nav": "volunteers", **context}, status=status)


def clock_text(minutes: int) -> str:
    """Return minutes after midnight as a clock reads them: 540 → 09:00."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def hours_text(value: float) -> str:
    """Return hours without a needless decimal: 3.0 → 3, 1.5 → 1.5."""
    return f"{value:.1f}".removesuffix(".0")


def minutes_of(text: str) -> int | None:
    """Return ``HH:MM`` (a time input, or typed with a full-width colon) as minutes after midnight, or None."""
    found = TIME.match(text.strip())
    if not found:
        return None
    hours, minutes = int(found.group(1)), int(found.group(2))
    return hours * 60 + minutes if hours <= 24 and minutes < 60 and hours * 60 + minutes <= 24 * 60 else None


def parse_slots(form: dict[str, Any]) -> tuple[list[SlotIn], dict[str, list[str]]]:
    """Return the weekly slots of the form's rows (``slot_day_<i>``, ``slot_start_<i>``, ``slot_end_<i>``).

    A row left empty is skipped; a row half filled, or with a time that does not read, is refused beside it.
    """
    slots: list[SlotIn] = []
    bad: dict[str, list[str]] = {}
    for i in range(SLOT_ROWS):
        day, start, end = (str(form.get(f"slot_{part}_{i}") or "").strip() for part in ("day", "start", "end"))
        if not (day or start or end):
            continue
        weekday, starts, ends = as_int(day, 0, 6), minutes_of(start), minutes_of(end)
        if weekday is None or starts is None or ends is None:
            bad[f"slots.{i}"] = [FORM_MESSAGES["slot"]]
        elif starts >= ends:
            bad[f"slots.{i}"] = [FORM_MESSAGES["slot_order"]]
        else:
            slots.append(SlotIn(weekday=weekday, start=starts, end=ends))
    return slots, bad


async def form_of(request: Request) -> dict[str, Any]:
    """Return the posted form as strings, with ``category_ids`` as a list."""
    form = await request.form()
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    values["category_ids"] = [c for c in form.getlist("category_ids") if isinstance(c, str)]
    return values


def refusal(error: DomainError | ValidationError, locale: str, fields: set[str]) -> dict[str, list[str]]:
    """Return a refusal's messages by field; a schema's own check across fields goes to the field it names."""
    errors = field_errors(error, locale, fields)
    if isinstance(error, ValidationError) and any(not p["loc"] for p in error.errors()) and "ends_on" in fields:
        errors.pop("", None)
        errors.setdefault("ends_on", []).append(translate(FORM_MESSAGES["away_order"], locale))
    return {k: list(dict.fromkeys(v)) for k, v in errors.items()}


# ---- the list and residents to invite ---------------------------------------------------------


@router.get("/volunteers", include_in_schema=False)
def list_page(
    request: Request,
    scope: Access,
    session: SessionDep,
    q: str = "",
    area_id: str = "",
    category: str = "",
    status: str = "active",
    page: str = "1",
) -> Response:
    """Return the volunteers of the user's areas; an htmx request (typing in the box) gets only the results."""
    status = status if status in STATUS_LABELS else "active"
    where = services.VolunteerFilter(
        q=q.strip()[:40],
        area_id=as_int(area_id, 1),
        category_id=as_int(category, 1),
        status=None if status == "all" else status,
    )
    size = get_runtime(request).settings.page_size
    found = services.list_volunteers(session, scope, where, as_int(page, 1, 100_000) or 1, size)
    results = {"items": found.items, "total": found.total, "page": found.page, "page_size": size}
    results["total_capped"] = found.more

    page_url = pager_url(request)

    context: dict[str, Any] = {
        "scope": scope,
        "q": q,
        "filters": {"area_id": area_id, "category": category, "status": status},
        "results": results,
        "page_url": page_url,
        "can_manage": scope.can(SUPPLY_MANAGE),
    }
    if is_htmx(request):
        return render(request, "volunteers/list.html", {**labels(request), **context}, block="results")
    context["area_options"] = area_options(session, scope)
    context["category_options"] = category_options(request, session)
    return show(request, "list.html", context)


@router.get("/volunteers/possible", include_in_schema=False)
def possible_page(request: Request, scope: Access, session: SessionDep, area_id: str = "", page: str = "1") -> Response:
    """Return residents found willing to help who have no profile yet: to ask, never to enrol unasked.

    The service returns at most ``POSSIBLE_MOST`` of them; the page shows them a screenful at a time.
    """
    found = services.possible_volunteers(session, scope, as_int(area_id, 1))
    size = get_runtime(request).settings.page_size
    number = min(as_int(page, 1, 100_000) or 1, max(1, -(-len(found) // size)))
    results = {"items": found[(number - 1) * size : number * size], "total": len(found), "page": number}
    results |= {"page_size": size, "total_capped": False}  # every page is known: the pager needs no guess

    page_url = pager_url(request)

    context = {"scope": scope, "results": results, "page_url": page_url, "area_id": area_id}
    context["capped"] = len(found) >= POSSIBLE_MOST
    context["area_options"] = area_options(session, scope)
    return show(request, "possible.html", context)


# ---- enrolling --------------------------------------------------------------------------------


def _form(
    request: Request, session: Session, scope: Scope, values: dict[str, Any], errors: dict[str, list[str]] | None = None
) -> Response:
    resident = None
    number = as_int(values.get("resident_id"), 1, 2**31 - 1)
    if number is not None:
        try:
            resident = registry.get_resident(session, scope, number)
        except DomainError:
            resident = None
    if resident is not None and "skills_text" not in values:
        values = {**values, "skills_text": resident.skills}
    accounts: dict[int, str] = {}
    for path in scope.paths(SUPPLY_MANAGE):
        for user_id, name, role in teams.assignable(session, path):
            if role == "volunteer":
                accounts.setdefault(user_id, name)
    context = {
        "scope": scope,
        "values": values,
        "errors": errors or {},
        "resident": resident,
        "account_options": [(str(i), f"{name} (#{i})") for i, name in accounts.items()],
        "categories": category_options(request, session),
        "weekdays": [(str(d), translate(WEEKDAY_LABELS[d], get_locale(request))) for d in WEEKDAY_LABELS],
        "slot_rows": range(SLOT_ROWS),
    }
    return show(request, "form.html", context, status=422 if errors else 200)


@router.get("/volunteers/new", include_in_schema=False)
def new_page(request: Request, scope: Access, session: SessionDep, resident_id: str = "") -> Response:
    """Return the enrolment form for a resident who said yes (their registered skills filled in)."""
    scope.require(SUPPLY_MANAGE)
    values: dict[str, Any] = {"resident_id": resident_id, "load_limit": "2", "category_ids": []}
    return _form(request, session, scope, values)


@router.post("/volunteers/new", include_in_schema=False)
async def create_page(request: Request, scope: Access, session: SessionDep) -> Response:
    """Enrol the volunteer and open the profile; a refusal shows the form again, filled in, errors beside fields."""
    scope.require(SUPPLY_MANAGE)
    values = await form_of(request)
    locale = get_locale(request)
    slots, bad = parse_slots(values)
    try:
        data = VolunteerIn(
            resident_id=values.get("resident_id") or None,  # pydantic reads the text
            consent=values.get("consent") == "1",
            consent_note=values.get("consent_note", ""),
            user_id=values.get("user_id") or None,
            profession=values.get("profession", ""),
            skills_text=values.get("skills_text", ""),
            category_ids=[n for n in (as_int(c, 1) for c in values["category_ids"]) if n is not None] or None,
            load_limit=values.get("load_limit") or 2,
            slots=slots,
            notes=values.get("notes", ""),
        )
        if bad:
            raise ValidationErrors([Invalid("volunteer.slot", m[0], k) for k, m in bad.items()])
        created = services.create_volunteer(session, scope, data)
    except (ValidationError, Invalid, Conflict) as error:
        errors = refusal(error, locale, FIELDS)
        for key, messages in bad.items():  # a slot that does not read, beside what pydantic found
            errors.setdefault(key, [translate(m, locale) for m in messages])
        return _form(request, session, scope, values, errors)
    return RedirectResponse(f"/volunteers/{created.id}", status_code=303)


# ---- a volunteer's own page -------------------------------------------------------------------


@router.get("/volunteers/me", include_in_schema=False)
def me_page(request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the signed-in volunteer's own record for the phone: hours this year, tasks, the record link."""
    mine = record.mine(session, scope)
    context = {"scope": scope, "v": mine, "nav": "my_record", "open_states": OPEN_TASK_STATES}
    return show(request, "me.html", context)


# ---- the profile and its forms ----------------------------------------------------------------


def _profile(
    request: Request,
    session: Session,
    scope: Scope,
    volunteer_id: int,
    status: int = 200,
    **extra: Any,
) -> Response:
    v = record.detail(session, scope, volunteer_id)
    today = clock.today()
    context: dict[str, Any] = {
        "scope": scope,
        "v": v,
        "can_manage": scope.can(SUPPLY_MANAGE),
        "served": area_labels(session, v.area_ids),
        "confirmers": services.user_names(session, [q.confirmed_by_id for q in v.qualifications]),
        "open_states": OPEN_TASK_STATES,
        "values": {"starts_on": today.isoformat(), "ends_on": today.isoformat(), "day": today.isoformat()},
        "errors": {},
        "opened": "",
        "qualification_options": [(k, translate(t, get_locale(request))) for k, t in QUALIFICATION_LABELS.items()],
        "today": today,
        **extra,
    }
    return show(request, "detail.html", context, status=status)


@router.get("/volunteers/{volunteer_id}", include_in_schema=False)
def detail_page(volunteer_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the profile: what they offer and when, time away, qualifications, tasks and hours."""
    return _profile(request, session, scope, volunteer_id)


async def _profile_form(
    request: Request, session: Session, scope: Scope, volunteer_id: int, which: str, save: Any
) -> Response:
    """Run one of the profile's forms: ``save(values)`` calls the service; a refusal reopens that form."""
    values = await form_of(request)
    try:
        save(values)
    except (ValidationError, Invalid, Conflict) as error:
        errors = refusal(error, get_locale(request), PROFILE_FIELDS)
        status = error.status if isinstance(error, DomainError) else 422
        return _profile(request, session, scope, volunteer_id, status, values=values, errors=errors, opened=which)
    return RedirectResponse(f"/volunteers/{volunteer_id}#{which}", status_code=303)


@router.post("/volunteers/{volunteer_id}/away", include_in_schema=False)
async def away_page(volunteer_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Record dates the volunteer is away."""

    def save(f: dict[str, Any]) -> None:
        data = AwayIn(
            starts_on=f.get("starts_on") or None, ends_on=f.get("ends_on") or None, reason=f.get("reason", "")
        )
        services.add_away(session, scope, volunteer_id, data)

    return await _profile_form(request, session, scope, volunteer_id, "away", save)


@router.post("/volunteers/{volunteer_id}/qualifications", include_in_schema=False)
async def qualification_page(volunteer_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Record a qualification, confirmed by the user when they saw the certificate."""

    def save(f: dict[str, Any]) -> None:
        data = QualificationIn(
            kind=f.get("kind", ""),
            name=f.get("name", ""),
            number=f.get("number", ""),
            expires_on=f.get("expires_on") or None,
            confirmed=f.get("confirmed") == "1",
        )
        services.add_qualification(session, scope, volunteer_id, data)

    return await _profile_form(request, session, scope, volunteer_id, "qualifications", save)


@router.post("/volunteers/{volunteer_id}/hours", include_in_schema=False)
async def hours_page(volunteer_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Add hours of service by hand (marked as added by staff)."""

    def save(f: dict[str, Any]) -> None:
        data = HoursIn(day=f.get("day") or None, hours=f.get("hours") or None, note=f.get("note", ""))
        services.add_hours(session, scope, volunteer_id, data)

    return await _profile_form(request, session, scope, volunteer_id, "hours", save)


@router.post("/volunteers/{volunteer_id}/tasks/{task_id}/no-show", include_in_schema=False)
async def no_show_page(
    volunteer_id: int, task_id: int, request: Request, scope: Access, session: SessionDep
) -> Response:
    """Ask for confirmation, then record that the volunteer did not turn up (``confirm=yes``)."""
    values = await form_of(request)
    if values.get("confirm") != "yes":
        return _profile(request, session, scope, volunteer_id, confirming=task_id)
    try:
        record.mark_no_show(session, scope, task_id)
    except Conflict as error:
        errors = {"": [error.text(get_locale(request))]}
        return _profile(request, session, scope, volunteer_id, error.status, errors=errors)
    return RedirectResponse(f"/volunteers/{volunteer_id}#tasks", status_code=303)


# ---- the service record -----------------------------------------------------------------------


@router.get("/volunteers/{volunteer_id}/record", include_in_schema=False)
def record_page(volunteer_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the service record (志愿服务记录证明) to print: no ID number, no phone, so it can be shared."""
    v: VolunteerDetail = record.detail(session, scope, volunteer_id)
    served = record.hours(session, scope, volunteer_id)
    titles = {t.order_id: t.title for t in v.tasks}
    context = {
        "scope": scope,
        "v": v,
        "served": served,
        "titles": titles,
        "total": sum(h.served_hours for h in served),
        "community": record.community_name(session, v.area_id),
        "printed_on": clock.today(),
        "nav": "my_record" if v.user_id is not None and v.user_id == scope.user_id else "volunteers",
    }
    return show(request, "record.html", context)
