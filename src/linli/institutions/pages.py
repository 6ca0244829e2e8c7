"""Institution pages (托教机构): the list with search, filters and paging; the card with its inspections, open
findings and complaints; the form to add or change an institution; the licence warnings, the findings, the
checklists and the figures. The inspection form and an inspection's page are in ``inspection_pages``.

Each route parses what the browser sent, calls the same service as the API, and renders; a refusal tied to
a field is shown beside that field.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from linli.accounts.permissions import INSPECT, INSTITUTION_MANAGE, Scope
from linli.errors import Conflict, DomainError, Invalid, NotFound, ValidationErrors
from linli.institutions import card, checklists, complaints, figures, findings, services, validation
from linli.institutions.labels import KIND_LABELS, STATE_LABELS, STATUS_LABELS, labels, options, show
from linli.institutions.models import KINDS, STATUSES
from linli.institutions.schemas import InstitutionIn, InstitutionOut, InstitutionUpdate
from linli.lib import clock
from linli.resources import services as resources
from linli.web.deps import Access, SessionDep, current_scope, get_locale, get_runtime
from linli.web.forms import as_int, field_errors
from linli.web.render import is_htmx, pager_url, render

router = APIRouter(dependencies=[Depends(current_scope)])

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
    "licence_no",
    "licence_valid_until",
    "status",
)
SHOWN = {*INPUTS, "resource_id"}
OPTIONAL = ("area_id", "handler_user_id", "capacity", "licence_valid_until", "contact_phone", "kind", "status")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


async def form_data(request: Request) -> dict[str, Any]:
    """Return the posted form as a dict of strings."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


FormData = Annotated[dict[str, Any], Depends(form_data)]


def institution_fields(form: dict[str, Any]) -> dict[str, Any]:
    """Return the fields of a posted institution form; empty optional fields are left out."""
    fields: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in INPUTS}
    for key in OPTIONAL:
        if not fields[key]:
            del fields[key]
    return fields


def refusal(error: ValidationError | DomainError, fields: dict[str, Any], locale: str) -> dict[str, list[str]]:
    """Return the field errors of a refused form, all at once.

    When a value cannot even be read (a capacity that is not a number), the rest is still checked the way the
    service would, so the clerk sees every problem in one go.
    """
    errors = field_errors(error, locale, SHOWN)
    if isinstance(error, ValidationError):
        unread = {str(p["loc"][0]) for p in error.errors() if p["loc"]}
        readable = {k: v for k, v in fields.items() if k not in unread and k not in ("capacity", "area_id")}
        more = validation.check_institution(readable)[1]
        if more:
            for field, messages in field_errors(ValidationErrors(more), locale, SHOWN).items():
                errors.setdefault(field, []).extend(m for m in messages if m not in errors.get(field, []))
    return errors


def _form(
    request: Request,
    session: Any,
    scope: Scope,
    values: dict[str, Any],
    institution: InstitutionOut | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Response:
    locale = get_locale(request)
    area_id = institution.area_id if institution else None
    context = {
        "scope": scope,
        "institution": institution,
        "values": values,
        "errors": errors or {},
        "area_options": [(str(i), name) for i, name in services.area_choices(session, scope, INSTITUTION_MANAGE)],
        "kind_options": options(KIND_LABELS, locale),
        "status_options": options(STATUS_LABELS, locale),
        "handler_options": [(str(uid), name) for uid, name, _ in resources.handler_choices(session, scope, area_id)],
    }
    return show(request, "form.html", context, status=422 if errors else 200)


def _values_of(i: InstitutionOut) -> dict[str, Any]:
    """Return an institution as its form shows it; the phone stays empty (only its mask is known)."""
    values: dict[str, Any] = i.model_dump(
        include={"kind", "name", "owner", "description", "address", "contact_name", "licence_no", "status", "version"}
    )
    values["area_id"], values["capacity"] = str(i.area_id), str(i.capacity)
    values["handler_user_id"] = str(i.handler_user_id) if i.handler_user_id else ""
    values["licence_valid_until"] = i.licence_valid_until.isoformat() if i.licence_valid_until else ""
    return values


def _sub(scope: Scope) -> dict[str, Any]:
    """Return what the pages' own menu needs: who may add institutions."""
    return {"scope": scope, "can_manage": scope.can(INSTITUTION_MANAGE), "can_inspect": scope.can(INSPECT)}


# ---- the list ---------------------------------------------------------------------------------


@router.get("/institutions", include_in_schema=False)
def list_page(
    request: Request,
    scope: Access,
    session: SessionDep,
    q: str = "",
    area_id: str = "",
    kind: str = "",
    status: str = "",
    expiring: str = "",
    open_findings: str = "",
    page: str = "1",
) -> Response:
    """Return the institutions of the user's areas; an htmx request (typing in the box) gets only the results."""
    f = services.InstitutionFilter(
        q=q[:40],
        area_id=as_int(area_id, 1),
        kind=kind if kind in KINDS else None,
        status=status if status in STATUSES else None,
        expiring=expiring == "1",
        open_findings=open_findings == "1",
    )
    size = get_runtime(request).settings.page_size
    results = services.list_institutions(session, scope, f, as_int(page, 1, 100000) or 1, size)
    context: dict[str, Any] = {
        **_sub(scope),
        "q": q,
        "filters": {
            "area_id": area_id,
            "kind": kind,
            "status": status,
            "expiring": expiring,
            "open_findings": open_findings,
        },
        "results": results,
        "page_url": pager_url(request),
        "tab": "list",
    }
    if is_htmx(request):
        return render(request, "institutions/list.html", {**labels(request), **context}, block="results")
    locale = get_locale(request)
    context["area_options"] = [(str(i), name) for i, name in services.area_choices(session, scope)]
    context["kind_options"] = options(KIND_LABELS, locale)
    context["status_options"] = options(STATUS_LABELS, locale)
    return show(request, "list.html", context)


@router.get("/institutions/licences", include_in_schema=False)
def licences_page(request: Request, scope: Access, session: SessionDep, area_id: str = "", page: str = "1") -> Response:
    """Return the licences expired or running out within 30 days, soonest first."""
    results = services.licence_warnings(session, scope, as_int(area_id, 1), as_int(page, 1, 100000) or 1)
    context = {**_sub(scope), "results": results, "page_url": pager_url(request), "tab": "licences"}
    return show(request, "licences.html", context)


@router.get("/institutions/findings", include_in_schema=False)
def findings_page(
    request: Request, scope: Access, session: SessionDep, state: str = "open", area_id: str = "", page: str = "1"
) -> Response:
    """Return the findings of the user's areas: open (soonest due first), overdue, put right, or all."""
    state = state if state in STATE_LABELS else "open"
    f = findings.FindingFilter(state=None if state == "all" else state, area_id=as_int(area_id, 1))
    size = get_runtime(request).settings.page_size
    results = findings.list_findings(session, scope, f, as_int(page, 1, 100000) or 1, size)
    context = {
        **_sub(scope),
        "results": results,
        "page_url": pager_url(request),
        "filters": {"state": state, "area_id": area_id},
        "state_options": options(STATE_LABELS, get_locale(request)),
        "area_options": [(str(i), name) for i, name in services.area_choices(session, scope)],
        "tab": "findings",
    }
    return show(request, "findings.html", context)


@router.get("/institutions/figures", include_in_schema=False)
def figures_page(
    request: Request, scope: Access, session: SessionDep, area_id: str = "", date_from: str = "", date_to: str = ""
) -> Response:
    """Return the figures of an area for a period (this year so far by default), by grid."""
    today = clock.today()
    areas = services.area_choices(session, scope)
    chosen = as_int(area_id, 1) or (areas[0][0] if areas else None)
    start = date.fromisoformat(date_from) if DAY.match(date_from) else today.replace(month=1, day=1)
    end = date.fromisoformat(date_to) if DAY.match(date_to) else today
    context: dict[str, Any] = {
        **_sub(scope),
        "areas": areas,
        "area_id": chosen,
        "date_from": start,
        "date_to": end,
        "tab": "figures",
        "problem": "",
    }
    try:
        context["figures"] = figures.figures(session, scope, chosen, start, end) if chosen else None
    except Invalid as error:
        context["figures"], context["problem"] = None, error.text(get_locale(request))
        return show(request, "figures.html", context, status=error.status)
    return show(request, "figures.html", context)


@router.get("/institutions/templates", include_in_schema=False)
def templates_page(request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the inspection checklists with their items and weights."""
    context = {**_sub(scope), "templates": checklists.list_templates(session, scope, True), "tab": "templates"}
    return show(request, "templates.html", context)


@router.post("/institutions/templates/defaults", include_in_schema=False)
def defaults_page(request: Request, scope: Access, session: SessionDep) -> Response:
    """Add the default checklist (and the complaint category) and show the checklists again."""
    checklists.install_defaults(session, scope)
    return RedirectResponse("/institutions/templates", status_code=303)


# ---- adding and changing ----------------------------------------------------------------------


@router.get("/institutions/new", include_in_schema=False)
def new_page(request: Request, scope: Access, session: SessionDep, area_id: str = "") -> Response:
    """Return an empty institution form (for an area, when one is named)."""
    scope.require(INSTITUTION_MANAGE)
    values = {"area_id": area_id, "kind": "tutoring", "status": "operating", "capacity": "20"}
    return _form(request, session, scope, values)


@router.post("/institutions/new", include_in_schema=False)
def create_page(request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Add the institution and open its card; a refusal shows the form again with each error beside its field."""
    scope.require(INSTITUTION_MANAGE)
    fields = institution_fields(form)
    try:
        created = services.create_institution(session, scope, InstitutionIn(**fields))
    except (ValidationError, Invalid, Conflict) as error:
        return _form(request, session, scope, form, errors=refusal(error, fields, get_locale(request)))
    return RedirectResponse(f"/institutions/{created.id}", status_code=303)


@router.get("/institutions/{institution_id}/edit", include_in_schema=False)
def edit_page(institution_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the form filled in with the institution (the phone stays empty: only its mask is known)."""
    i = services.get_institution(session, scope, institution_id)
    scope.require(INSTITUTION_MANAGE)
    return _form(request, session, scope, _values_of(i), i)


@router.post("/institutions/{institution_id}/edit", include_in_schema=False)
def update_page(institution_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Save the changes and open the card. An empty phone keeps the one on file unless removal is ticked."""
    i = services.get_institution(session, scope, institution_id)
    fields = institution_fields(form)
    fields.update({k: None for k in ("handler_user_id", "licence_valid_until") if k not in fields})
    if form.get("remove_phone") == "1":
        fields["contact_phone"] = None
    try:
        data = InstitutionUpdate(**fields, version=as_int(form.get("version")) or 0)
        services.update_institution(session, scope, institution_id, data)
    except (ValidationError, Invalid, Conflict) as error:
        return _form(request, session, scope, form, i, refusal(error, fields, get_locale(request)))
    return RedirectResponse(f"/institutions/{institution_id}", status_code=303)


# ---- the card ---------------------------------------------------------------------------------


def _card(
    request: Request, scope: Scope, session: Any, institution_id: int, status: int = 200, **extra: Any
) -> Response:
    detail = card.institution_detail(session, scope, institution_id)
    context = {**_sub(scope), "d": detail, "i": detail.institution, "errors": {}, **extra}
    return show(request, "detail.html", context, status=status)


@router.get("/institutions/{institution_id}", include_in_schema=False)
def detail_page(institution_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the institution's card: licence, status, inspections, open findings with due dates, complaints."""
    return _card(request, scope, session, institution_id)


@router.post("/institutions/{institution_id}/complaints", include_in_schema=False)
def complaint_page(
    institution_id: int, request: Request, scope: Access, session: SessionDep, form: FormData
) -> Response:
    """Link a work order (by its number) to the institution as a complaint, and show the card again."""
    order_id = as_int(form.get("order_id"), 1, 2**31 - 1)
    locale = get_locale(request)
    try:
        if order_id is None:
            raise Invalid("institution.order_number", "Enter the number of a work order.", "order_id")
        complaints.link_complaint(session, scope, institution_id, order_id)
    except (Invalid, Conflict) as error:
        errors = field_errors(error, locale, {"order_id"})
        return _card(request, scope, session, institution_id, status=error.status, errors=errors, order=form)
    except NotFound as error:
        services.get_institution(session, scope, institution_id)  # the institution itself: a 404 page
        errors = {"order_id": [error.text(locale)]}
        return _card(request, scope, session, institution_id, status=404, errors=errors, order=form)
    return RedirectResponse(f"/institutions/{institution_id}#complaints", status_code=303)
