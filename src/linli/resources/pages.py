"""Resource pages (资源): the list with search, filters and paging; the card, with the contact phone shown in
full once a reason is given and retiring after a confirmation; the form to add or change a resource.

Each route parses what the browser sent, calls the same service as the API, and renders; a refusal tied to
a field is shown beside that field.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from linli.accounts.permissions import SUPPLY_MANAGE, UNMASK, Scope
from linli.errors import Conflict, DomainError, Invalid, ValidationErrors
from linli.i18n import translate
from linli.needs import catalogue
from linli.resources import services, validation
from linli.resources.models import CAPACITY_UNITS, KINDS
from linli.resources.schemas import OpeningHours, ResourceIn, ResourceOut, ResourceUpdate
from linli.web.deps import Access, SessionDep, current_scope, get_locale, get_runtime
from linli.web.forms import as_int, field_errors
from linli.web.render import is_htmx, pager_url, render

router = APIRouter(dependencies=[Depends(current_scope)])

# English msgids (translated in resources.po) for the codes a resource keeps.
KIND_LABELS = {
    "skill": "Skill",
    "venue": "Venue",
    "institution": "Institution",
    "equipment": "Equipment",
    "business": "Business",
    "member_unit": "Member unit",
}
UNIT_LABELS = {"week": "Per week", "once": "At the same time"}
CAPACITY_LABELS = {"week": "{n} a week", "once": "{n} at the same time"}
WEEKDAY_LABELS = {
    0: "Monday",
    1: "Tuesday",
    2: "Wednesday",
    3: "Thursday",
    4: "Friday",
    5: "Saturday",
    6: "Sunday",
}
HOURS_MESSAGES = {"syntax": "Write times as 09:00-12:00; separate several with commas."}
INPUTS = (
    "area_id",
    "kind",
    "name",
    "owner",
    "description",
    "address",
    "contact_name",
    "contact_phone",
    "handler_user_id",
    "capacity",
    "capacity_unit",
    "valid_until",
)
SHOWN = {*INPUTS, "opening_hours", "category_ids", *(f"hours_{d}" for d in WEEKDAY_LABELS)}
# The fields of a form the service can check without the database, as typed (strings).
CHECKABLE = (*validation.TEXT_FIELDS, "kind", "capacity_unit", "contact_phone")
TIME = re.compile(r"^(\d{1,2})[:：](\d{2})$")
RANGE_SEPARATORS = re.compile(r"\s*[-–—~～至到]\s*")


# ---- helpers ----------------------------------------------------------------------------------


def labels(request: Request) -> dict[str, Any]:
    """Return the label functions the resource templates use, in the request's language."""
    locale = get_locale(request)

    def of(table: dict[Any, str]) -> Any:
        return lambda code: translate(table[code], locale) if code in table else code

    return {
        "kind_label": of(KIND_LABELS),
        "unit_label": of(UNIT_LABELS),
        "weekday_label": of(WEEKDAY_LABELS),
        "hours_of": hours_by_day,
        "capacity_text": lambda r: translate(CAPACITY_LABELS.get(r.capacity_unit, "{n}"), locale).format(n=r.capacity),
    }


def show(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return render(request, f"resources/{template}", {**labels(request), "nav": "resources", **context}, status=status)


def clock_text(minutes: int) -> str:
    """Return minutes after midnight as a clock reads them: 540 → 09:00, 1440 → 24:00."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def hours_by_day(hours: list[OpeningHours]) -> dict[int, str]:
    """Return each weekday's opening times as one line: ``{0: "09:00-12:00, 14:00-17:00"}``."""
    days: dict[int, list[str]] = {}
    for h in sorted(hours, key=lambda h: (h.weekday, h.start)):
        days.setdefault(h.weekday, []).append(f"{clock_text(h.start)}-{clock_text(h.end)}")
    return {day: ", ".join(times) for day, times in days.items()}


def parse_hours(form: dict[str, Any]) -> tuple[list[dict[str, int]], dict[str, str]]:
    """Return the opening hours typed per weekday (``hours_0`` … ``hours_6``), and the fields that do not read.

    Each field holds ranges such as ``09:00-12:00, 14:00-17:00``; the service checks their order.
    """
    hours: list[dict[str, int]] = []
    bad: dict[str, str] = {}
    for day in WEEKDAY_LABELS:
        text = str(form.get(f"hours_{day}") or "").strip()
        for part in filter(None, (p.strip() for p in re.split(r"[,，;；、]", text))):
            ends = RANGE_SEPARATORS.split(part)
            matched = [TIME.match(e) for e in ends]
            if len(ends) != 2 or not all(matched):
                bad[f"hours_{day}"] = HOURS_MESSAGES["syntax"]
                break
            start, end = (int(m.group(1)) * 60 + int(m.group(2)) for m in matched if m)
            hours.append({"weekday": day, "start": start, "end": end})
    return hours, bad


async def form_data(request: Request) -> dict[str, Any]:
    """Return the posted form as a dict of strings, with ``category_ids`` as a list."""
    form = await request.form()
    data: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    data["category_ids"] = [c for c in form.getlist("category_ids") if isinstance(c, str)]
    return data


FormData = Annotated[dict[str, Any], Depends(form_data)]


def resource_fields(form: dict[str, Any]) -> dict[str, Any]:
    """Return the fields of a posted resource form; empty optional fields are left out."""
    fields: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in INPUTS}
    for key in ("area_id", "handler_user_id", "capacity", "valid_until", "contact_phone", "kind", "capacity_unit"):
        if not fields[key]:
            del fields[key]
    fields["category_ids"] = [n for n in (as_int(c, 1) for c in form.get("category_ids", [])) if n is not None]
    return fields


def checkable(fields: dict[str, Any], hours: list[dict[str, int]], unread: set[str] | None = None) -> dict[str, Any]:
    """Return the fields of a form the service can check without the database, those that read at all."""
    readable = {k: v for k, v in fields.items() if k in CHECKABLE and k not in (unread or set())}
    capacity = str(fields.get("capacity", "")).strip()
    if "capacity" not in (unread or set()) and re.fullmatch(r"-?\d{1,9}", capacity):
        readable["capacity"] = int(capacity)
    return {**readable, "opening_hours": hours}


def problems_of(fields: dict[str, Any], hours: list[dict[str, int]], bad_hours: dict[str, str]) -> list[DomainError]:
    """Return every problem of a form whose hours do not read: those, and what the service would say of the rest."""
    if not bad_hours:
        return []
    problems: list[DomainError] = [Invalid("resource.hours_syntax", m, k) for k, m in bad_hours.items()]
    return problems + validation.check_fields(checkable(fields, hours))[1]


def refusal(
    error: ValidationError | DomainError, fields: dict[str, Any], hours: list[dict[str, int]], locale: str
) -> dict[str, list[str]]:
    """Return the field errors of a refused form, all at once.

    When a value cannot even be read (a number that is not one), the rest is still checked the way the
    service would, so the clerk sees every problem in one go.
    """
    errors = field_errors(error, locale, SHOWN)
    if isinstance(error, ValidationError):
        unread = {str(p["loc"][0]) for p in error.errors() if p["loc"]}
        more = validation.check_fields(checkable(fields, hours, unread))[1]
        if more:
            for field, messages in field_errors(ValidationErrors(more), locale, SHOWN).items():
                errors.setdefault(field, []).extend(messages)
    return errors


def _form(
    request: Request,
    session: Any,
    scope: Scope,
    values: dict[str, Any],
    resource: ResourceOut | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Response:
    locale = get_locale(request)
    english = locale == "en"
    area_id = resource.area_id if resource else None
    context = {
        "scope": scope,
        "resource": resource,
        "values": values,
        "errors": errors or {},
        "area_options": [(str(i), name) for i, name in services.area_choices(session, scope, SUPPLY_MANAGE)],
        "kind_options": [(k, translate(KIND_LABELS[k], locale)) for k in KINDS],
        "unit_options": [(u, translate(UNIT_LABELS[u], locale)) for u in CAPACITY_UNITS],
        "handler_options": [(str(uid), name) for uid, name, _ in services.handler_choices(session, scope, area_id)],
        "categories": [
            (str(c.id), c.name_en if english and c.name_en else c.name) for c in catalogue.list_categories(session)
        ],
    }
    return show(request, "form.html", context, status=422 if errors else 200)


def _values_of(r: ResourceOut) -> dict[str, Any]:
    """Return a resource as its form shows it; the phone stays empty (only its mask is known)."""
    values: dict[str, Any] = r.model_dump(
        include={"kind", "name", "owner", "description", "address", "contact_name", "capacity_unit", "version"}
    )
    values["area_id"], values["capacity"] = str(r.area_id), str(r.capacity)
    values["handler_user_id"] = str(r.handler_user_id) if r.handler_user_id else ""
    values["valid_until"] = r.valid_until.isoformat() if r.valid_until else ""
    values["category_ids"] = [str(c.id) for c in r.categories]
    values.update({f"hours_{day}": text for day, text in hours_by_day(r.opening_hours).items()})
    return values


# ---- the list ---------------------------------------------------------------------------------


@router.get("/resources", include_in_schema=False)
def list_page(
    request: Request,
    scope: Access,
    session: SessionDep,
    q: str = "",
    area_id: str = "",
    kind: str = "",
    category: str = "",
    valid: str = "",
    status: str = "active",
    page: str = "1",
) -> Response:
    """Return the resources of the user's areas; an htmx request (typing in the box) gets only the results."""
    status = status if status in ("active", "retired", "all") else "active"
    f = services.ResourceFilter(
        q=q[:40],
        area_id=as_int(area_id, 1),
        kind=kind if kind in KINDS else None,
        category=as_int(category, 1),
        valid_only=valid == "1",
        status=None if status == "all" else status,
    )
    size = get_runtime(request).settings.page_size
    results = services.list_resources(session, scope, f, as_int(page, 1, 100000) or 1, size)

    page_url = pager_url(request)

    context: dict[str, Any] = {
        "scope": scope,
        "q": q,
        "filters": {"area_id": area_id, "kind": kind, "category": category, "valid": valid, "status": status},
        "results": results,
        "page_url": page_url,
        "can_manage": scope.can(SUPPLY_MANAGE),
    }
    if is_htmx(request):
        return render(request, "resources/list.html", {**labels(request), **context}, block="results")
    locale = get_locale(request)
    context["area_options"] = [(str(i), name) for i, name in services.area_choices(session, scope)]
    context["kind_options"] = [(k, translate(KIND_LABELS[k], locale)) for k in KINDS]
    context["category_options"] = [
        (str(c.id), c.name_en if locale == "en" and c.name_en else c.name) for c in catalogue.list_categories(session)
    ]
    context["status_options"] = [
        ("active", translate("In service", locale)),
        ("retired", translate("Retired", locale)),
        ("all", translate("All", locale)),
    ]
    return show(request, "list.html", context)


# ---- adding and changing ----------------------------------------------------------------------


@router.get("/resources/new", include_in_schema=False)
def new_page(request: Request, scope: Access, session: SessionDep, area_id: str = "") -> Response:
    """Return an empty resource form (for an area, when one is named)."""
    scope.require(SUPPLY_MANAGE)
    values = {"area_id": area_id, "kind": "venue", "capacity": "1", "capacity_unit": "week", "category_ids": []}
    return _form(request, session, scope, values)


@router.post("/resources/new", include_in_schema=False)
def create_page(request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Add the resource and open its card; a refusal shows the form again with each error beside its field."""
    scope.require(SUPPLY_MANAGE)
    fields = resource_fields(form)
    hours, bad = parse_hours(form)
    try:
        data = ResourceIn(**fields, opening_hours=[OpeningHours(**h) for h in hours])
        if problems := problems_of(fields, hours, bad):
            raise ValidationErrors(problems)
        created = services.create_resource(session, scope, data)
    except (ValidationError, Invalid, Conflict) as error:
        return _form(request, session, scope, form, errors=refusal(error, fields, hours, get_locale(request)))
    return RedirectResponse(f"/resources/{created.id}", status_code=303)


@router.get("/resources/{resource_id}/edit", include_in_schema=False)
def edit_page(resource_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the form filled in with the resource (the phone stays empty: only its mask is known)."""
    r = services.get_resource(session, scope, resource_id)
    scope.require(SUPPLY_MANAGE)
    return _form(request, session, scope, _values_of(r), r)


@router.post("/resources/{resource_id}/edit", include_in_schema=False)
def update_page(resource_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Save the changes and open the card. An empty phone keeps the one on file unless removal is ticked."""
    r = services.get_resource(session, scope, resource_id)
    fields = resource_fields(form)
    fields.update({k: None for k in ("handler_user_id", "valid_until") if k not in fields})
    if form.get("remove_phone") == "1":
        fields["contact_phone"] = None
    hours, bad = parse_hours(form)
    try:
        version = as_int(form.get("version")) or 0
        data = ResourceUpdate(**fields, opening_hours=[OpeningHours(**h) for h in hours], version=version)
        if problems := problems_of(fields, hours, bad):
            raise ValidationErrors(problems)
        services.update_resource(session, scope, resource_id, data)
    except (ValidationError, Invalid, Conflict) as error:
        return _form(request, session, scope, form, r, refusal(error, fields, hours, get_locale(request)))
    return RedirectResponse(f"/resources/{resource_id}", status_code=303)


# ---- the card ---------------------------------------------------------------------------------


def _card(request: Request, scope: Scope, session: Any, resource_id: int, status: int = 200, **extra: Any) -> Response:
    r = services.get_resource(session, scope, resource_id)
    context = {
        "scope": scope,
        "r": r,
        "can_manage": scope.can(SUPPLY_MANAGE),
        "can_unmask": scope.can(UNMASK),
        "errors": {},
        **extra,
    }
    return show(request, "detail.html", context, status=status)


@router.get("/resources/{resource_id}", include_in_schema=False)
def detail_page(resource_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the resource card: what it offers, when, to whom it answers, and how busy it is."""
    return _card(request, scope, session, resource_id)


@router.post("/resources/{resource_id}/unmask", include_in_schema=False)
def unmask_page(resource_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Show the card with the contact phone in full, once a reason is given (audited)."""
    try:
        shown = services.unmask_contact(session, scope, resource_id, str(form.get("reason", "")))
    except Invalid as error:
        errors = field_errors(error, get_locale(request), {"reason"})
        return _card(request, scope, session, resource_id, status=error.status, errors=errors)
    return _card(request, scope, session, resource_id, unmasked=shown)


@router.post("/resources/{resource_id}/retire", include_in_schema=False)
def retire_page(resource_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Ask for confirmation, then retire the resource (``confirm=yes``) and show its card again."""
    r = services.get_resource(session, scope, resource_id)
    if form.get("confirm") != "yes":
        return _card(request, scope, session, resource_id, confirming=True)
    try:
        services.retire_resource(session, scope, resource_id, as_int(form.get("version")))
    except Conflict as error:
        return _card(request, scope, session, r.id, status=409, errors={"": [error.text(get_locale(request))]})
    return RedirectResponse(f"/resources/{resource_id}", status_code=303)
