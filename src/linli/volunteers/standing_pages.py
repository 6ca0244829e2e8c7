"""Staff pages for service teams (服务队) and standing services (常态服务): the lists, a form to add each, and a
service's next sessions with signing a household up and crediting a session's hours.

Teams live in ``needs`` (below volunteers); the pages call ``linli.needs.teams`` as the API does. Each form
shows a refusal beside its field and keeps everything typed.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from linli.accounts.permissions import NEEDS_MANAGE, SUPPLY_MANAGE, Scope
from linli.areas.services import area_labels
from linli.errors import DomainError, NotFound
from linli.i18n import translate
from linli.lib import clock
from linli.needs import teams
from linli.needs.schemas import TeamIn
from linli.volunteers import services, standing
from linli.volunteers.choices import area_options, category_options
from linli.volunteers.schemas import SessionHoursIn, SignupIn, StandingServiceIn, StandingServiceOut
from linli.web.deps import Access, SessionDep, current_scope, get_locale
from linli.web.forms import as_int, field_errors
from linli.web.render import render

router = APIRouter(dependencies=[Depends(current_scope)])

# Another package's routes may not be imported (the import contracts), so the few helpers these pages share
# with pages.py are repeated here, small.
WEEKDAY_LABELS = {0: "Monday", 1: "Tuesday", 2: "Wednesday", 3: "Thursday", 4: "Friday", 5: "Saturday", 6: "Sunday"}
SCHEDULE_LABELS = {"weekly": "Every {weekday}", "monthly": "Monthly on day {day}"}
KIND_LABELS = {"weekly": "Weekly", "monthly": "Monthly"}
FORM_MESSAGES = {
    "ids": "Enter ids as whole numbers separated by commas.",
    "time": "Enter a time such as 09:00.",
    "order": "A session ends after it starts.",
    "day": "Weekly: 1 (Monday) to 7 (Sunday); monthly: 1 to 28.",
}
AHEAD_DAYS = 60  # how far ahead a service page lists its sessions
TIME = re.compile(r"^(\d{1,2})[:：](\d{2})$")
IDS = re.compile(r"[\s,，、;；]+")
TEAM_FIELDS = {"name", "area_id", "category_ids", "covers_area_ids", "member_ids", "leader_id"}
SERVICE_FIELDS = {"area_id", "category_id", "title", "volunteer_id", "schedule", "start", "end", "capacity", "place"}
SESSION_FIELDS = {"household_id", "session_on", "volunteer_ids", "hours"}
# A NotFound of what a form names belongs beside that field, not on a 404 page.
FIELD_OF = {"area": "area_id", "volunteer": "volunteer_id", "team": "volunteer_id", "household": "household_id"}


def show(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    sep = "、" if get_locale(request) == "zh" else ", "
    words = {"colon": "：" if get_locale(request) == "zh" else ": ", "joined": lambda names: sep.join(map(str, names))}
    return render(request, f"volunteers/{template}", {**words, "nav": "volunteers", **context}, status=status)


def clock_text(minutes: int) -> str:
    """Return minutes after midnight as a clock reads them: 540 → 09:00."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def minutes_of(text: str) -> int | None:
    """Return ``HH:MM`` (a time input, or typed with a full-width colon) as minutes after midnight, or None."""
    found = TIME.match(text.strip())
    if not found:
        return None
    total = int(found.group(1)) * 60 + int(found.group(2))
    return total if int(found.group(2)) < 60 and total <= 24 * 60 else None


async def form_of(request: Request) -> dict[str, Any]:
    """Return the posted form as strings, with the lists (``category_ids``, ``covers_area_ids``) as lists."""
    form = await request.form()
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    for key in ("category_ids", "covers_area_ids"):
        values[key] = [c for c in form.getlist(key) if isinstance(c, str)]
    return values


def id_list(text: str) -> list[int] | None:
    """Return ids typed as ``3, 5，7`` (any comma or space between), or None when one does not read."""
    parts = [p for p in IDS.split(text.strip()) if p]
    numbers = [as_int(p, 1, 2**31 - 1) for p in parts]
    return None if None in numbers else [n for n in numbers if n is not None]


def refused(error: DomainError | ValidationError, locale: str, fields: set[str]) -> dict[str, list[str]]:
    """Return a refusal's messages by field; a record not found goes beside the field that named it."""
    if isinstance(error, NotFound):
        field = FIELD_OF.get(error.code.split(".")[0], "")
        return {field if field in fields else "": [error.text(locale)]}
    errors = field_errors(error, locale, fields)
    if "" in errors and "end" in fields and isinstance(error, ValidationError):  # the schema's start < end
        errors.setdefault("end", []).extend(errors.pop(""))
    return {k: list(dict.fromkeys(v)) for k, v in errors.items()}


def schedule_text(request: Request, service: StandingServiceOut) -> str:
    """Return a schedule in words with its hours: 每月15日 09:00–11:30, Every Saturday 14:00–16:00."""
    locale = get_locale(request)
    kind, _, value = service.schedule.partition(":")
    number = int(value) if value.isdigit() else -1
    if kind == "weekly" and number in WEEKDAY_LABELS:
        words = translate(SCHEDULE_LABELS["weekly"], locale).format(weekday=translate(WEEKDAY_LABELS[number], locale))
    elif kind == "monthly":
        words = translate(SCHEDULE_LABELS["monthly"], locale).format(day=number)
    else:
        words = service.schedule
    return f"{words} {clock_text(service.start_minute)}–{clock_text(service.end_minute)}"


# ---- teams ------------------------------------------------------------------------------------


def _teams(
    request: Request, session: Session, scope: Scope, values: dict[str, Any], errors: dict[str, list[str]] | None = None
) -> Response:
    found = teams.list_teams(session, scope)
    categories = dict(category_options(request, session))
    areas = area_labels(session, [t.area_id for t in found] + [a for t in found for a in t.covers_area_ids])
    context = {
        "scope": scope,
        "teams": found,
        "areas": areas,
        "covered": {t.id: [areas.get(a, str(a)) for a in t.covers_area_ids] for t in found},
        "leaders": services.user_names(session, [t.leader_id for t in found]),
        "category_names": categories,
        "can_manage": scope.can(NEEDS_MANAGE),
        "area_options": area_options(session, scope),
        "categories": list(categories.items()),
        "values": values,
        "errors": errors or {},
    }
    return show(request, "teams.html", context, status=422 if errors else 200)


@router.get("/volunteers/teams", include_in_schema=False)
def teams_page(request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the teams of the caller's areas and, for those who manage needs, the form to add one."""
    return _teams(request, session, scope, {"category_ids": [], "covers_area_ids": []})


@router.post("/volunteers/teams", include_in_schema=False)
async def create_team_page(request: Request, scope: Access, session: SessionDep) -> Response:
    """Add a team and show the list; a refusal shows the form again, filled in, errors beside fields."""
    scope.require(NEEDS_MANAGE)
    values = await form_of(request)
    locale = get_locale(request)
    members = id_list(values.get("member_ids", ""))
    try:
        data = TeamIn(
            area_id=values.get("area_id") or None,  # pydantic reads the text
            name=values.get("name", ""),
            member_ids=members or [],
            leader_id=values.get("leader_id") or None,
            category_ids=[n for n in (as_int(c, 1) for c in values["category_ids"]) if n is not None],
            covers_area_ids=[n for n in (as_int(a, 1) for a in values["covers_area_ids"]) if n is not None],
        )
        if members is None:
            return _teams(request, session, scope, values, {"member_ids": [translate(FORM_MESSAGES["ids"], locale)]})
        teams.create_team(session, scope, data)
    except (ValidationError, DomainError) as error:
        if isinstance(error, DomainError) and error.status == 403:
            raise
        errors = refused(error, locale, TEAM_FIELDS)
        if members is None:  # an id that does not read, beside what pydantic found
            errors.setdefault("member_ids", [translate(FORM_MESSAGES["ids"], locale)])
        return _teams(request, session, scope, values, errors)
    return RedirectResponse("/volunteers/teams", status_code=303)


# ---- standing services ------------------------------------------------------------------------


def _services(
    request: Request, session: Session, scope: Scope, values: dict[str, Any], errors: dict[str, list[str]] | None = None
) -> Response:
    found = standing.list_services(session, scope)
    team_list = teams.list_teams(session, scope)
    locale = get_locale(request)
    context = {
        "scope": scope,
        "services": found,
        "schedules": {s.id: schedule_text(request, s) for s in found},
        "areas": area_labels(session, [s.area_id for s in found]),
        "volunteers": services.volunteer_names(session, [s.volunteer_id for s in found]),
        "team_names": {t.id: t.name for t in team_list},
        "can_manage": scope.can(SUPPLY_MANAGE),
        "area_options": area_options(session, scope),
        "categories": category_options(request, session),
        "team_options": [(str(t.id), t.name) for t in team_list],
        "kind_options": [(k, translate(t, locale)) for k, t in KIND_LABELS.items()],
        "values": values,
        "errors": errors or {},
    }
    return show(request, "services.html", context, status=422 if errors else 200)


@router.get("/volunteers/services", include_in_schema=False)
def services_page(request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the standing services of the caller's areas and the form to add one."""
    values = {"schedule_kind": "weekly", "start": "09:00", "end": "11:00", "capacity": "10"}
    return _services(request, session, scope, values)


def _schedule(values: dict[str, Any]) -> str | None:
    """Return the schedule the form names (``weekly:5`` for day 6, Saturday; ``monthly:15``), or None."""
    kind = values.get("schedule_kind", "")
    if kind == "weekly":
        day = as_int(values.get("schedule_day"), 1, 7)
        return None if day is None else f"weekly:{day - 1}"
    day = as_int(values.get("schedule_day"), 1, 28)
    return None if day is None or kind != "monthly" else f"monthly:{day}"


@router.post("/volunteers/services", include_in_schema=False)
async def create_service_page(request: Request, scope: Access, session: SessionDep) -> Response:
    """Add a standing service and open it; a refusal shows the form again, filled in, errors beside fields."""
    scope.require(SUPPLY_MANAGE)
    values = await form_of(request)
    locale = get_locale(request)
    bad: dict[str, list[str]] = {}
    schedule, start, end = _schedule(values), minutes_of(values.get("start", "")), minutes_of(values.get("end", ""))
    if schedule is None:
        bad["schedule"] = [translate(FORM_MESSAGES["day"], locale)]
    for key, minutes in (("start", start), ("end", end)):
        if minutes is None:
            bad[key] = [translate(FORM_MESSAGES["time"], locale)]
    if start is not None and end is not None and start >= end:
        bad["end"] = [translate(FORM_MESSAGES["order"], locale)]
    if bad:
        return _services(request, session, scope, values, bad)
    try:
        data = StandingServiceIn(
            area_id=values.get("area_id") or None,
            category_id=values.get("category_id") or None,
            title=values.get("title", ""),
            description=values.get("description", ""),
            volunteer_id=values.get("volunteer_id") or None,
            team_id=values.get("team_id") or None,
            schedule=schedule or "",
            start_minute=start or 0,
            end_minute=end or 0,
            capacity=values.get("capacity") or 10,
            place=values.get("place", ""),
        )
        created = standing.create_service(session, scope, data)
    except (ValidationError, DomainError) as error:
        if isinstance(error, DomainError) and error.status == 403:
            raise
        return _services(request, session, scope, values, refused(error, locale, SERVICE_FIELDS))
    return RedirectResponse(f"/volunteers/services/{created.id}", status_code=303)


def _service(
    request: Request,
    session: Session,
    scope: Scope,
    service_id: int,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    opened: str = "",
) -> Response:
    service = next((s for s in standing.list_services(session, scope) if s.id == service_id), None)
    if service is None:
        raise NotFound("standing_service")
    today = clock.today()

    def weekday(day: date) -> str:
        return translate(WEEKDAY_LABELS[day.weekday()], get_locale(request))

    days = standing.sessions_between(service.schedule, today, today + timedelta(days=AHEAD_DAYS))
    taken = standing.taken_by_session(session, service.id, days)
    team = next((t.name for t in teams.list_teams(session, scope) if t.id == service.team_id), "")
    last = standing.sessions_between(service.schedule, today - timedelta(days=31), today)
    defaults = {
        "session_on": days[0].isoformat() if days else "",
        "credit_on": last[-1].isoformat() if last else "",
        "volunteer_ids": str(service.volunteer_id or ""),
    }
    context = {
        "scope": scope,
        "s": service,
        "schedule": schedule_text(request, service),
        "area": area_labels(session, [service.area_id]).get(service.area_id, ""),
        "giver": services.volunteer_names(session, [service.volunteer_id]).get(service.volunteer_id or 0, "") or team,
        "sessions": [(d, taken.get(d, 0)) for d in days],
        "session_options": [(d.isoformat(), f"{d.isoformat()} {weekday(d)}") for d in days],
        "weekday_of": weekday,
        "can_manage": scope.can(SUPPLY_MANAGE),
        "credited": as_int(request.query_params.get("credited"), 1),
        "values": {**defaults, **(values or {})},
        "errors": errors or {},
        "opened": opened,
    }
    return show(request, "service.html", context, status=422 if errors else 200)


@router.get("/volunteers/services/{service_id}", include_in_schema=False)
def service_page(service_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return a standing service: its next sessions (60 days) with their sign-ups, and the staff forms."""
    return _service(request, session, scope, service_id)


@router.post("/volunteers/services/{service_id}/signups", include_in_schema=False)
async def sign_up_page(service_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Sign a household up for a session; a full session or a day it does not meet is refused beside it."""
    values = await form_of(request)
    try:
        data = SignupIn(
            household_id=values.get("household_id") or None,
            session_on=values.get("session_on") or None,
            note=values.get("note", ""),
        )
        standing.sign_up(session, scope, service_id, data)
    except (ValidationError, DomainError) as error:
        if isinstance(error, NotFound) and error.code.startswith("standing_service"):
            raise
        if isinstance(error, DomainError) and error.status == 403:
            raise
        errors = refused(error, get_locale(request), SESSION_FIELDS)
        return _service(request, session, scope, service_id, values, errors, "signup")
    return RedirectResponse(f"/volunteers/services/{service_id}#sessions", status_code=303)


@router.post("/volunteers/services/{service_id}/hours", include_in_schema=False)
async def credit_page(service_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Credit one session's hours to the volunteers who served it."""
    values = await form_of(request)
    locale = get_locale(request)
    volunteers = id_list(values.get("volunteer_ids", ""))
    if not volunteers:
        errors = {"volunteer_ids": [translate(FORM_MESSAGES["ids"], locale)]}
        return _service(request, session, scope, service_id, values, errors, "hours")
    try:
        data = SessionHoursIn(
            session_on=values.get("credit_on") or None,
            volunteer_ids=volunteers,
            hours=values.get("hours") or None,
        )
        credited = standing.credit_session(session, scope, service_id, data)
    except (ValidationError, DomainError) as error:
        if isinstance(error, NotFound) and error.code.startswith("standing_service"):
            raise
        if isinstance(error, DomainError) and error.status == 403:
            raise
        fields = SESSION_FIELDS | {"volunteer_id"}
        errors = refused(error, locale, fields)
        if "volunteer_id" in errors:  # a volunteer not found is one of those typed
            errors.setdefault("volunteer_ids", []).extend(errors.pop("volunteer_id"))
        if "session_on" in errors:
            errors["credit_on"] = errors.pop("session_on")
        return _service(request, session, scope, service_id, values, errors, "hours")
    return RedirectResponse(f"/volunteers/services/{service_id}?credited={credited}#hours", status_code=303)
