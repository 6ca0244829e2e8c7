"""千户访 pages, phone first: today's worklist, the one-minute log form, a household's timeline,
the alert list, coverage figures and the policy editor.

Each route parses what the browser sent, calls the same service as the API, and renders; a refusal
tied to a field is shown beside that field.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from starlette.datastructures import FormData

from linli.accounts.permissions import READ, WRITE
from linli.areas.models import Area
from linli.errors import DomainError, Invalid, NotFound
from linli.i18n import translate
from linli.lib import clock
from linli.registry import places
from linli.registry import services as registry
from linli.visits import alerts, coverage, logs, policy, present, worklist
from linli.visits.forms import NEED_CATEGORIES, as_date, log_input, log_values
from linli.visits.permissions import worker_paths
from linli.visits.rules import DEFAULT_NAMES_EN
from linli.visits.schemas import GridLogUpdate, NoteIn, ResolveIn, RuleIn, RuleUpdate
from linli.visits.words import ALERT_LABELS, CHANNEL_LABELS, CONDITION_LABELS, KIND_LABELS, URGENCY_LABELS
from linli.web.deps import Access, SessionDep, current_scope, get_locale
from linli.web.forms import as_int, field_errors
from linli.web.render import render

router = APIRouter(dependencies=[Depends(current_scope)])

LOG_FIELDS = {"channel", "started_at", "duration_minutes", "narrative", "problem", "action", "result", "urgency"}
LOG_FIELDS |= {"story", "needs", "skills", "close_item_ids", "household_id"}
RULE_FIELDS = {"name", "condition", "value", "contact_every_days", "visit_every_days", "position"}


async def posted(request: Request) -> FormData:
    return await request.form()


Posted = Annotated[FormData, Depends(posted)]


def _labels() -> dict[str, Any]:
    return {
        "channels": CHANNEL_LABELS,
        "urgencies": URGENCY_LABELS,
        "conditions": CONDITION_LABELS,
        "kinds": KIND_LABELS,
        "alert_labels": ALERT_LABELS,
        "default_names_en": DEFAULT_NAMES_EN,
    }


# ---- the worklist ---------------------------------------------------------------------------


@router.get("/visits", include_in_schema=False)
def visits_home() -> Response:
    """Send a grid worker (or anyone) to today's worklist."""
    return RedirectResponse("/visits/worklist", status_code=303)


@router.get("/visits/worklist", include_in_schema=False)
def worklist_page(
    request: Request,
    scope: Access,
    session: SessionDep,
    date: str = "",
    user_id: str = "",
    area_id: str = "",
    logged: str = "",
) -> Response:
    """Return the day's list: today's door visits by building, today's contacts, then later this week.

    Someone who owns no grid (a secretary, a supervisor) sees the grid workers in reach instead, and
    can open any of their lists.
    """
    day = as_date(date) or clock.today()
    locale = get_locale(request)
    who, where = as_int(user_id, 1), as_int(area_id, 1)
    context: dict[str, Any] = {"scope": scope, "nav": "visits", "day": day, "logged": as_int(logged, 1)}
    if who is None and where is None and not worker_paths(scope):
        context["overview"] = worklist.workers(session, scope, day)
        return render(request, "visits/worklist.html", context)
    listed = worklist.worklist(session, scope, day, user_id=who, area_id=where, locale=locale)
    context.update(
        listed=listed,
        today_visits=[i for i in listed.items if i.slot == "today" and i.kind == "visit"],
        today_contacts=[i for i in listed.items if i.slot == "today" and i.kind == "contact"],
        later=[i for i in listed.items if i.slot == "later"],
        can_log=scope.can(WRITE),
        previous=day - timedelta(days=1),
        next=day + timedelta(days=1),
        query=f"&user_id={who}" if who else f"&area_id={where}" if where else "",
    )
    return render(request, "visits/worklist.html", context)


# ---- writing a log --------------------------------------------------------------------------


def _log_form(
    request: Request, session: Any, scope: Any, household_id: int, values: dict[str, Any], errors: dict[str, Any]
) -> Response:
    household = places.get_household(session, scope, household_id)
    context = {
        "scope": scope,
        "nav": "visits",
        "household": household,
        "open_items": present.open_items(session, household_id),
        "values": values,
        "errors": errors,
        "categories": NEED_CATEGORIES,
        "need_rows": max(1, len(values.get("needs", []))),
        **_labels(),
    }
    return render(request, "visits/log_form.html", context, status=422 if errors else 200)


@router.get("/visits/log", include_in_schema=False)
def log_form(request: Request, scope: Access, session: SessionDep, household_id: str = "") -> Response:
    """Return the log form for a household: channel, time and duration filled in, a door visit first."""
    household = as_int(household_id, 1)
    if household is None:
        raise NotFound("household")
    now = datetime.now(clock.LOCAL).replace(second=0, microsecond=0, tzinfo=None)
    values = {"channel": "door", "duration_minutes": "30", "started_at": now.isoformat(timespec="minutes")}
    return _log_form(request, session, scope, household, values, {})


@router.get("/visits/log/need-row", include_in_schema=False)
def need_row(request: Request, scope: Access, session: SessionDep, household_id: str = "") -> Response:
    """Return one more empty need row for the log form (htmx adds it; without script the form has one)."""
    household = places.get_household(session, scope, as_int(household_id, 1) or 0)
    context = {"household": household, "categories": NEED_CATEGORIES, "need": {}, "errors": {}}
    return render(request, "visits/_need_row.html", context)


@router.post("/visits/log", include_in_schema=False)
def write_log(request: Request, scope: Access, session: SessionDep, form: Posted) -> Response:
    """Write the log and go back to the worklist, which no longer shows the household when it is done."""
    values = log_values(form)
    household_id = as_int(values.get("household_id"), 1) or 0
    members = [m.id for m in places.get_household(session, scope, household_id).members]
    try:
        written = logs.create_log(session, scope, log_input(values, members))
    except (ValidationError, DomainError) as error:
        if isinstance(error, DomainError) and not isinstance(error, Invalid):
            raise
        errors = field_errors(error, get_locale(request), LOG_FIELDS)
        return _log_form(request, session, scope, household_id, values, errors)
    back = values.get("back") or ""
    if back.startswith("/visits/households/"):
        return RedirectResponse(back, status_code=303)
    return RedirectResponse(f"/visits/worklist?logged={written.household_id}", status_code=303)


# ---- the household timeline, corrections and notes ------------------------------------------


@router.get("/visits/households/{household_id}", include_in_schema=False)
def timeline_page(household_id: int, request: Request, scope: Access, session: SessionDep, page: str = "1") -> Response:
    """Return a household's rhythm, open items and every log, newest first."""
    number = as_int(page, 1, 100000) or 1
    timeline = present.timeline(session, scope, household_id, number, 20, get_locale(request))
    household = places.get_household(session, scope, household_id)
    context = {
        "scope": scope,
        "nav": "visits",
        "household": household,
        "timeline": timeline,
        "now": datetime.now(clock.LOCAL),
        "can_write": scope.can(WRITE),
        "pages": (timeline.total + timeline.page_size - 1) // timeline.page_size or 1,
        **_labels(),
    }
    return render(request, "visits/timeline.html", context)


@router.get("/visits/logs/{log_id}/edit", include_in_schema=False)
def correction_form(log_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the correction form of a log (its author, within 24 hours; the service decides)."""
    log = logs.get_log(session, scope, log_id)
    values = log.model_dump()
    values["started_at"] = log.started_at.astimezone(clock.LOCAL).replace(tzinfo=None).isoformat(timespec="minutes")
    context = {"scope": scope, "nav": "visits", "log": log, "values": values, "errors": {}, **_labels()}
    return render(request, "visits/correct.html", context)


@router.post("/visits/logs/{log_id}/edit", include_in_schema=False)
def correct(log_id: int, request: Request, scope: Access, session: SessionDep, form: Posted) -> Response:
    """Save the correction and go back to the timeline; a refusal is shown on the form."""
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        fields: dict[str, Any] = {k: values[k] for k in GridLogUpdate.model_fields if values.get(k) not in (None, "")}
        fields["urgency"] = values.get("urgency", "")
        data = GridLogUpdate.model_validate({**fields, "version": as_int(values.get("version")) or 0})
        log = logs.correct_log(session, scope, log_id, data)
    except (ValidationError, DomainError) as error:
        if isinstance(error, DomainError) and error.status not in (409, 422):
            raise
        log = logs.get_log(session, scope, log_id)
        errors = field_errors(error, get_locale(request), LOG_FIELDS)
        context = {"scope": scope, "nav": "visits", "log": log, "values": values, "errors": errors, **_labels()}
        return render(
            request, "visits/correct.html", context, status=error.status if isinstance(error, DomainError) else 422
        )
    return RedirectResponse(f"/visits/households/{log.household_id}", status_code=303)


@router.post("/visits/logs/{log_id}/notes", include_in_schema=False)
def note(log_id: int, scope: Access, session: SessionDep, form: Posted) -> Response:
    """Append a note to a log and go back to the household's timeline."""
    text = str(form.get("text") or "").strip()
    log = logs.get_log(session, scope, log_id)
    if text:
        logs.add_note(session, scope, log_id, NoteIn(text=text[:2000]))
    return RedirectResponse(f"/visits/households/{log.household_id}#log-{log_id}", status_code=303)


# ---- alerts ---------------------------------------------------------------------------------


@router.get("/visits/alerts", include_in_schema=False)
def alerts_page(request: Request, scope: Access, session: SessionDep, resolved: str = "") -> Response:
    """Return the open alerts of the communities in reach (close care overdue, urgent logs)."""
    found = alerts.list_alerts(session, scope, None, resolved == "1")
    context = {
        "scope": scope,
        "nav": "visits",
        "alerts": found,
        "resolved": resolved == "1",
        "can_write": scope.can(WRITE),
        **_labels(),
    }
    return render(request, "visits/alerts.html", context)


@router.post("/visits/alerts/{alert_id}/resolve", include_in_schema=False)
def resolve(alert_id: int, scope: Access, session: SessionDep, form: Posted) -> Response:
    """Resolve an alert with what was done and go back to the list."""
    alerts.get_alert(session, scope, alert_id)
    text = str(form.get("resolution") or "").strip()
    if text:
        alerts.resolve_alert(session, scope, alert_id, ResolveIn(resolution=text[:2000]))
    return RedirectResponse("/visits/alerts", status_code=303)


# ---- coverage -------------------------------------------------------------------------------


@router.get("/visits/coverage", include_in_schema=False)
def coverage_page(
    request: Request, scope: Access, session: SessionDep, start: str = "", end: str = "", area_id: str = ""
) -> Response:
    """Return the coverage figures per grid and per worker; this month so far unless a period is given."""
    today = clock.today()
    first, last = as_date(start) or today.replace(day=1), as_date(end) or today
    scope.require(READ)
    try:
        figures = coverage.coverage(session, scope, first, last, as_int(area_id, 1))
        error = None
    except Invalid as refused:
        figures, error = None, refused.text(get_locale(request))
    context = {"scope": scope, "nav": "visits", "figures": figures, "start": first, "end": last, "error": error}
    return render(request, "visits/coverage.html", context, status=422 if error else 200)


# ---- the policy editor ----------------------------------------------------------------------


def _communities(session: Any, scope: Any) -> list[tuple[int, str]]:
    """Return the communities whose policy the caller may read: those in reach, and those of their grids."""
    condition = scope.area_ids(READ)
    if condition is None:
        return []
    ids = {i for (i,) in session.execute(select(Area.parent_id).where(condition, Area.level == "grid")) if i}
    ids |= {i for (i,) in session.execute(select(Area.id).where(condition, Area.level == "community"))}
    rows = session.execute(select(Area.id, Area.name).where(Area.id.in_(ids)).order_by(Area.code)).all()
    return [(i, n) for i, n in rows]


def _policy_page(
    request: Request, session: Any, scope: Any, community_id: int | None, errors: dict[str, Any], values: dict[str, Any]
) -> Response:
    communities = _communities(session, scope)
    chosen = community_id or (communities[0][0] if communities else None)
    context: dict[str, Any] = {
        "scope": scope,
        "nav": "visits",
        "communities": communities,
        "policy": policy.get_policy(session, scope, chosen) if chosen else None,
        "tags": registry.list_tags(session, scope),
        "errors": errors,
        "values": values,
        "conditions_list": [(code, translate(text, get_locale(request))) for code, text in CONDITION_LABELS.items()],
        **_labels(),
    }
    return render(request, "visits/policy.html", context, status=422 if errors else 200)


@router.get("/visits/policy", include_in_schema=False)
def policy_page(request: Request, scope: Access, session: SessionDep, community_id: str = "") -> Response:
    """Return a community's visit rules in order, with forms to add, change and disable them (staff)."""
    return _policy_page(request, session, scope, as_int(community_id, 1), {}, {})


def _rule_fields(values: dict[str, str]) -> dict[str, Any]:
    fields: dict[str, Any] = {k: values.get(k, "").strip() for k in ("name", "condition", "value")}
    for key in ("contact_every_days", "visit_every_days", "position"):
        text = values.get(key, "").strip()
        fields[key] = as_int(text, -(10**6), 10**6) if text else None
        if text and fields[key] is None:
            fields[key] = text  # pydantic refuses it, beside the field
    return fields


@router.post("/visits/policy/rules", include_in_schema=False)
def add_rule(request: Request, scope: Access, session: SessionDep, form: Posted) -> Response:
    """Add a rule and show the policy again."""
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    community = as_int(values.get("community_id"), 1)
    try:
        data = RuleIn.model_validate({**_rule_fields(values), "community_id": community or 0})
        policy.create_rule(session, scope, data)
    except (ValidationError, Invalid) as error:
        errors = {"new": field_errors(error, get_locale(request), RULE_FIELDS)}
        return _policy_page(request, session, scope, community, errors, {"new": values})
    return RedirectResponse(f"/visits/policy?community_id={community}", status_code=303)


@router.post("/visits/policy/rules/{rule_id}", include_in_schema=False)
def change_rule(rule_id: int, request: Request, scope: Access, session: SessionDep, form: Posted) -> Response:
    """Change, disable or enable a rule and show the policy again."""
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    community = as_int(values.get("community_id"), 1)
    try:
        if values.get("toggle") in ("on", "off"):
            data = RuleUpdate.model_validate({"active": values["toggle"] == "on"})
        else:
            data = RuleUpdate.model_validate(_rule_fields(values))
        policy.update_rule(session, scope, rule_id, data)
    except (ValidationError, Invalid) as error:
        errors = {str(rule_id): field_errors(error, get_locale(request), RULE_FIELDS)}
        return _policy_page(request, session, scope, community, errors, {str(rule_id): values})
    return RedirectResponse(f"/visits/policy?community_id={community}", status_code=303)
