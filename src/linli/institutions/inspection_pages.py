"""Inspection pages (检查): the form, one row per checklist item (pass or fail, a score, a note), with the
inspectors chosen from the area's staff and volunteers; an inspection's page with its score, results,
findings and photos, where more photos are added from the phone.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from linli.accounts.permissions import INSPECT, INSTITUTION_MANAGE, Scope
from linli.errors import DomainError, Invalid, ValidationErrors
from linli.institutions import card, inspections
from linli.institutions.labels import show
from linli.institutions.schemas import InspectionIn, TemplateOut
from linli.lib import clock
from linli.needs import uploads
from linli.web.deps import Access, SessionDep, current_scope, get_locale
from linli.web.forms import as_int, field_errors

router = APIRouter(dependencies=[Depends(current_scope)])

SHOWN_FIELDS = {
    "template_id",
    "inspected_on",
    "inspectors",
    "results",
    "rectify_days",
    "follow_up_of_id",
    "order_id",
    "notes",
}


def _chosen(templates: list[TemplateOut], kind: str, wanted: int | None) -> TemplateOut | None:
    """Return the checklist asked for, else the first for the institution's kind, else the first one."""
    by_id = {t.id: t for t in templates}
    if wanted in by_id:
        return by_id[wanted]
    return next((t for t in templates if t.kind == kind), templates[0] if templates else None)


def _form(
    request: Request,
    scope: Scope,
    session: Any,
    institution_id: int,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Response:
    form = card.inspection_form(session, scope, institution_id)
    template = _chosen(form.templates, form.institution.kind, as_int(values.get("template_id"), 1))
    shown = SHOWN_FIELDS | ({f"results.{item.code}" for item in template.items} if template else set())
    context = {
        "scope": scope,
        "f": form,
        "i": form.institution,
        "template": template,
        "values": values,
        "errors": errors or {},
        "shown": shown,
        "can_manage": scope.can(INSTITUTION_MANAGE),
    }
    return show(request, "inspect.html", context, status=422 if errors and status == 200 else status)


@router.get("/institutions/{institution_id}/inspect", include_in_schema=False)
def inspect_page(
    institution_id: int,
    request: Request,
    scope: Access,
    session: SessionDep,
    template_id: str = "",
    order_id: str = "",
    follow_up_of_id: str = "",
) -> Response:
    """Return the inspection form: today, the caller as inspector, a complaint or a follow-up when named."""
    values: dict[str, Any] = {
        "template_id": template_id,
        "inspected_on": clock.today().isoformat(),
        "inspector_user_ids": [str(scope.user_id)] if scope.user_id else [],
        "inspector_volunteer_ids": [],
        "rectify_days": "14",
        "order_id": order_id if as_int(order_id, 1) else "",
        "follow_up_of_id": follow_up_of_id if as_int(follow_up_of_id, 1) else "",
    }
    return _form(request, scope, session, institution_id, values)


def _results(template: TemplateOut, form: FormData) -> tuple[list[dict[str, Any]], list[DomainError]]:
    """Return the results typed in the form's rows, and the scores that do not read as numbers."""
    results: list[dict[str, Any]] = []
    unread: list[DomainError] = []
    for item in template.items:
        code = item.code
        note = str(form.get(f"note_{code}") or "").strip()
        if item.type == "pass_fail":
            results.append({"item_code": code, "outcome": str(form.get(f"outcome_{code}") or "") or None, "note": note})
        elif item.type == "score":
            if form.get(f"na_{code}") == "1":
                results.append({"item_code": code, "outcome": "na", "note": note})
                continue
            raw = str(form.get(f"score_{code}") or "").strip().replace("，", ".")
            try:
                score = float(raw) if raw else None
            except ValueError:
                score = None
            if raw and (score is None or not math.isfinite(score)):
                unread.append(Invalid("inspection.score_number", "Enter the score as a number.", f"results.{code}"))
                continue
            results.append({"item_code": code, "score": score, "note": note})
        elif note:
            results.append({"item_code": code, "note": note})
    return results, unread


@router.post("/institutions/{institution_id}/inspect", include_in_schema=False)
async def record_page(institution_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Record the inspection and open its page; a refusal shows the form again with each error beside its row."""
    form = await request.form()
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    users = [str(v) for v in form.getlist("inspector_user_ids") if isinstance(v, str)]
    volunteers = [str(v) for v in form.getlist("inspector_volunteer_ids") if isinstance(v, str)]
    values["inspector_user_ids"], values["inspector_volunteer_ids"] = users, volunteers
    choices = card.inspection_form(session, scope, institution_id)
    template = _chosen(choices.templates, choices.institution.kind, as_int(values.get("template_id"), 1))
    locale = get_locale(request)
    if template is None:
        error = Invalid(
            "inspection.no_checklist", "There is no checklist yet; add the default one first.", "template_id"
        )
        return _form(request, scope, session, institution_id, values, field_errors(error, locale, SHOWN_FIELDS))
    results, unread = _results(template, form)
    shown = SHOWN_FIELDS | {f"results.{item.code}" for item in template.items}
    try:
        data = InspectionIn(
            institution_id=institution_id,
            template_id=template.id,
            inspected_on=values.get("inspected_on") or "",
            inspector_user_ids=[n for n in (as_int(u, 1) for u in users) if n is not None],
            inspector_volunteer_ids=[n for n in (as_int(v, 1) for v in volunteers) if n is not None],
            results=results,
            notes=values.get("notes", ""),
            rectify_days=days if (days := as_int(values.get("rectify_days"), -(10**6))) is not None else 14,
            follow_up_of_id=as_int(values.get("follow_up_of_id"), 1),
            order_id=as_int(values.get("order_id"), 1),
        )
        # A score that does not read is left out: the service then says what else is wrong, all at once.
        made = inspections.record_inspection(session, scope, data)
    except ValidationError as error:
        errors = field_errors(error, locale, shown)
        for field, messages in field_errors(ValidationErrors(unread), locale, shown).items() if unread else ():
            errors.setdefault(field, []).extend(messages)
        return _form(request, scope, session, institution_id, values, errors)
    except Invalid as error:
        problems = [*unread, *_besides(error, {e.field for e in unread})]
        return _form(
            request, scope, session, institution_id, values, field_errors(ValidationErrors(problems), locale, shown)
        )
    return RedirectResponse(f"/institutions/inspections/{made.id}", status_code=303)


def _besides(error: Invalid, unread: set[str | None]) -> list[DomainError]:
    """Return the service's problems, less the missing results of scores that did not read (said already)."""
    problems = error.errors if isinstance(error, ValidationErrors) else [error]
    codes = {field.split(".", 1)[1] for field in unread if field}
    return [
        p
        for p in problems
        if not (p.code == "inspection.missing_result" and set(str(p.params["items"]).split(", ")) <= codes)
    ]


# ---- an inspection ----------------------------------------------------------------------------


def _inspection(
    request: Request, scope: Scope, session: Any, inspection_id: int, status: int = 200, **extra: Any
) -> Response:
    shown = inspections.get_inspection(session, scope, inspection_id)
    context = {"scope": scope, "x": shown, "can_inspect": scope.can(INSPECT), "errors": {}, **extra}
    return show(request, "inspection.html", context, status=status)


@router.get("/institutions/inspections/{inspection_id}", include_in_schema=False)
def inspection_page(inspection_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return an inspection: its score, each item's result, the findings it opened or closed, its photos."""
    return _inspection(request, scope, session, inspection_id)


@router.post("/institutions/inspections/{inspection_id}/photos", include_in_schema=False)
async def photo_page(inspection_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Add a photo taken at the inspection (from the phone's camera) and show the inspection again."""
    form = await request.form()
    upload = form.get("photo")
    content = await upload.read(uploads.MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
    try:
        if not content:
            raise Invalid("inspection.photo_required", "Choose a photo to add.", "photo")
        inspections.add_photo(session, scope, inspection_id, content)
    except Invalid as error:
        errors = field_errors(error, get_locale(request), {"photo"})
        return _inspection(request, scope, session, inspection_id, status=error.status, errors=errors)
    return RedirectResponse(f"/institutions/inspections/{inspection_id}#photos", status_code=303)
