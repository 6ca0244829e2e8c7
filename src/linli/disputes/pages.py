"""The disputes: pages. The register with filters and counts, the form to register one (a phone page), the
dispute's page (parties shown or hidden by ``disputes.access``, mediators, sessions, outcome, follow-up,
closing after a confirmation); the grid's public notice (``notice_pages``) is mounted here too.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from linli.accounts.permissions import Scope
from linli.disputes import notice, notice_pages, services
from linli.disputes.access import can_register
from linli.disputes.models import KINDS, REFERRALS, STATES
from linli.disputes.schemas import (
    CloseIn,
    DisputeIn,
    FollowUpIn,
    MediationIn,
    OutcomeIn,
    PartyIn,
)
from linli.errors import Conflict, DomainError, Forbidden, Invalid
from linli.i18n import translate
from linli.lib import clock
from linli.web.deps import Access, SessionDep, current_scope, get_locale, get_runtime
from linli.web.forms import as_int, field_errors
from linli.web.render import pager_url, render

router = APIRouter(dependencies=[Depends(current_scope)])

# English msgids (translated in disputes.po).
KIND_LABELS = {
    "neighbour": "Neighbours",
    "family": "Family",
    "property": "Property management",
    "tenancy": "Tenancy",
    "labour": "Labour and wages",
    "other": "Other",
}
STATE_LABELS = {
    "open": "Open (no outcome yet)",
    "registered": "Registered",
    "mediating": "Mediating",
    "agreed": "Agreement reached",
    "referred": "Referred",
    "closed": "Case closed",
}
REFERRAL_LABELS = {
    "mediation_committee": "People's mediation committee",
    "police": "Police station",
    "court": "Court",
}
SOURCE_LABELS = {"visit": "Found on a visit", "report": "Reported"}
PARTY_SLOTS = (1, 2, 3)
FORM_FIELDS = {"area_id", "kind", "summary", "found_on", "grid_log_id", "parties", "mediator_ids"}


def labels(request: Request) -> dict[str, Any]:
    """Return the label functions the dispute templates use, in the request's language."""
    locale = get_locale(request)

    def of(table: dict[str, str]) -> Any:
        return lambda code: translate(table[code], locale) if code in table else (code or "")

    return {
        "kind_label": of(KIND_LABELS),
        "state_label": of(STATE_LABELS),
        "referral_label": of(REFERRAL_LABELS),
        "source_label": of(SOURCE_LABELS),
    }


def show(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return render(request, f"disputes/{template}", {**labels(request), "nav": "disputes", **context}, status=status)


async def form_data(request: Request) -> dict[str, Any]:
    """Return the posted form as a dict of strings, with ``mediator_ids`` as a list."""
    form = await request.form()
    data: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    data["mediator_ids"] = [v for v in form.getlist("mediator_ids") if isinstance(v, str)]
    return data


FormData = Annotated[dict[str, Any], Depends(form_data)]


def _options(table: dict[str, str], codes: tuple[str, ...], locale: str) -> list[tuple[str, str]]:
    return [(c, translate(table[c], locale)) for c in codes]


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


# ---- the register -------------------------------------------------------------------------------


@router.get("/disputes", include_in_schema=False)
def list_page(
    request: Request,
    scope: Access,
    session: SessionDep,
    state: str = "",
    kind: str = "",
    area_id: str = "",
    page: str = "1",
) -> Response:
    """Return the register the user sees, with counts by state; no row names a party."""
    if not can_register(scope):
        raise Forbidden()
    state = state if state in (*STATES, "open") else ""
    kind = kind if kind in KINDS else ""
    f = services.DisputeFilter(state=state or None, kind=kind or None, area_id=as_int(area_id, 1))
    size = get_runtime(request).settings.page_size
    results = services.list_disputes(session, scope, f, as_int(page, 1, 100000) or 1, size)
    locale = get_locale(request)
    context = {
        "scope": scope,
        "results": results,
        "filters": {"state": state, "kind": kind, "area_id": area_id},
        "page_url": pager_url(request),
        "state_options": _options(STATE_LABELS, ("open", *STATES), locale),
        "kind_options": _options(KIND_LABELS, KINDS, locale),
        "area_options": [(str(i), n) for i, n in services.area_choices(session, scope)],
        "count_states": ("open", *STATES),
        "notice_grids": notice.grid_choices(session, scope),
    }
    return show(request, "list.html", context)


def _form(
    request: Request, session: Any, scope: Scope, values: dict[str, Any], errors: dict[str, list[str]] | None = None
) -> Response:
    locale = get_locale(request)
    context = {
        "scope": scope,
        "values": values,
        "errors": errors or {},
        "area_options": [(str(i), n) for i, n in services.area_choices(session, scope)],
        "kind_options": _options(KIND_LABELS, KINDS, locale),
        "slots": PARTY_SLOTS,
    }
    return show(request, "form.html", context, status=422 if errors else 200)


@router.get("/disputes/new", include_in_schema=False)
def new_page(
    request: Request, scope: Access, session: SessionDep, area_id: str = "", log_id: str = "", resident_id: str = ""
) -> Response:
    """Return the form to register a dispute (from a visit: ``?log_id=``; about a resident: ``?resident_id=``)."""
    if not can_register(scope):
        raise Forbidden()
    values = {
        "area_id": area_id,
        "grid_log_id": log_id,
        "resident_id": resident_id,
        "kind": "neighbour",
        "found_on": clock.today().isoformat(),
    }
    return _form(request, session, scope, values)


def _parties_of(form: dict[str, Any]) -> list[PartyIn]:
    parties = []
    resident = as_int(form.get("resident_id"), 1, 2**62)
    if resident:
        parties.append(PartyIn(resident_id=resident, role=str(form.get("resident_role", ""))))
    for n in PARTY_SLOTS:
        name = str(form.get(f"party_name_{n}", "")).strip()
        if name:
            parties.append(
                PartyIn(
                    name=name,
                    phone=str(form.get(f"party_phone_{n}", "")).strip() or None,
                    role=str(form.get(f"party_role_{n}", "")).strip(),
                )
            )
    return parties


@router.post("/disputes/new", include_in_schema=False)
def create_page(request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Register the dispute and open its page; a refusal shows the form again with each error beside its field."""
    if not can_register(scope):
        raise Forbidden()
    try:
        data = DisputeIn(
            area_id=as_int(form.get("area_id"), 1, 2**62) or 0,
            kind=form.get("kind", ""),
            summary=str(form.get("summary", "")).strip(),
            grid_log_id=as_int(form.get("grid_log_id"), 1, 2**62),
            found_on=_date(form.get("found_on")),
            parties=_parties_of(form),
        )
        created = services.register_dispute(session, scope, data)
    except (ValidationError, Invalid) as error:
        return _form(request, session, scope, form, field_errors(error, get_locale(request), FORM_FIELDS))
    return RedirectResponse(f"/disputes/{created.id}", status_code=303)


# ---- one dispute --------------------------------------------------------------------------------


def _page(request: Request, scope: Scope, session: Any, dispute_id: int, status: int = 200, **extra: Any) -> Response:
    d = services.get_dispute(session, scope, dispute_id)
    locale = get_locale(request)
    context = {
        "scope": scope,
        "d": d,
        "errors": {},
        "today": clock.today().isoformat(),
        "referral_options": _options(REFERRAL_LABELS, REFERRALS, locale),
        "mediator_options": services.mediator_choices(session, scope, d.area_id) if d.may_manage else [],
        "mediator_ids": {m.user_id for m in d.mediators},
        **extra,
    }
    return show(request, "detail.html", context, status=status)


@router.get("/disputes/{dispute_id}", include_in_schema=False)
def detail_page(dispute_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the dispute's page: the parties for those who may read them, the sessions, outcome, follow-up."""
    return _page(request, scope, session, dispute_id)


def _refused(request: Request, scope: Scope, session: Any, dispute_id: int, error: Exception, **extra: Any) -> Response:
    locale = get_locale(request)
    if isinstance(error, ValidationError):
        messages = {"": [translate("Please check the values entered.", locale)]}
        status = 422
    else:
        assert isinstance(error, DomainError)
        messages = {"": [error.text(locale)]}
        status = error.status
    return _page(request, scope, session, dispute_id, status=status, errors=messages, **extra)


@router.post("/disputes/{dispute_id}/parties", include_in_schema=False)
def add_party_page(dispute_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Add an outside person (or a resident, by id) as a party."""
    try:
        resident = as_int(form.get("resident_id"), 1, 2**62)
        data = PartyIn(
            resident_id=resident,
            name="" if resident else str(form.get("name", "")).strip(),
            phone=str(form.get("phone", "")).strip() or None,
            role=str(form.get("role", "")).strip(),
        )
        services.add_party(session, scope, dispute_id, data)
    except (ValidationError, Invalid, Conflict) as error:
        return _refused(request, scope, session, dispute_id, error)
    return RedirectResponse(f"/disputes/{dispute_id}#parties", status_code=303)


@router.post("/disputes/{dispute_id}/parties/{party_id}/remove", include_in_schema=False)
def remove_party_page(
    dispute_id: int, party_id: int, request: Request, scope: Access, session: SessionDep, form: FormData
) -> Response:
    """Ask first, then remove a party entered by mistake (``confirm=yes``)."""
    if form.get("confirm") != "yes":
        return _page(request, scope, session, dispute_id, removing=party_id)
    try:
        services.remove_party(session, scope, dispute_id, party_id)
    except Conflict as error:
        return _refused(request, scope, session, dispute_id, error)
    return RedirectResponse(f"/disputes/{dispute_id}#parties", status_code=303)


@router.post("/disputes/{dispute_id}/mediators", include_in_schema=False)
def mediators_page(dispute_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Name the mediators (those who keep the register)."""
    ids = [n for n in (as_int(v, 1, 2**62) for v in form.get("mediator_ids", [])) if n is not None]
    try:
        services.set_mediators(session, scope, dispute_id, ids)
    except (Invalid, Conflict) as error:
        return _refused(request, scope, session, dispute_id, error)
    return RedirectResponse(f"/disputes/{dispute_id}#mediators", status_code=303)


@router.post("/disputes/{dispute_id}/mediations", include_in_schema=False)
def mediation_page(dispute_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Record a mediation session."""
    try:
        held_on = _date(form.get("held_on"))
        if held_on is None:
            raise Invalid("dispute.date_missing", "Give the date.", "held_on")
        data = MediationIn(
            held_on=held_on,
            place=str(form.get("place", "")),
            attendees=str(form.get("attendees", "")),
            notes=str(form.get("notes", "")),
            result=str(form.get("result", "")),
        )
        services.record_mediation(session, scope, dispute_id, data)
    except (ValidationError, Invalid, Conflict) as error:
        return _refused(request, scope, session, dispute_id, error)
    return RedirectResponse(f"/disputes/{dispute_id}#mediations", status_code=303)


def _outcome_of(form: dict[str, Any]) -> OutcomeIn | None:
    outcome = str(form.get("outcome", ""))
    if outcome not in ("agreed", "referred"):
        return None
    referral = str(form.get("referred_to", ""))
    return OutcomeIn(
        outcome=outcome,
        agreement=str(form.get("agreement", "")) if outcome == "agreed" else "",
        referred_to=referral if outcome == "referred" and referral in REFERRALS else None,
        note=str(form.get("note", "")),
        version=as_int(form.get("version")),
    )


@router.post("/disputes/{dispute_id}/outcome", include_in_schema=False)
def outcome_page(dispute_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """State the outcome: an agreement reached, or a referral."""
    try:
        data = _outcome_of(form)
        if data is None:
            raise Invalid("dispute.outcome_missing", "Choose the outcome.", "outcome")
        services.state_outcome(session, scope, dispute_id, data)
    except (ValidationError, Invalid, Conflict) as error:
        return _refused(request, scope, session, dispute_id, error)
    return RedirectResponse(f"/disputes/{dispute_id}#outcome", status_code=303)


@router.post("/disputes/{dispute_id}/follow-up", include_in_schema=False)
def follow_up_page(dispute_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Record the follow-up visit."""
    try:
        visited_on = _date(form.get("visited_on"))
        if visited_on is None:
            raise Invalid("dispute.date_missing", "Give the date.", "visited_on")
        data = FollowUpIn(visited_on=visited_on, note=str(form.get("note", "")))
        services.record_follow_up(session, scope, dispute_id, data)
    except (ValidationError, Invalid, Conflict) as error:
        return _refused(request, scope, session, dispute_id, error)
    return RedirectResponse(f"/disputes/{dispute_id}#follow-up", status_code=303)


@router.post("/disputes/{dispute_id}/close", include_in_schema=False)
def close_page(dispute_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Ask for confirmation (and the outcome, when none is stated yet), then close (``confirm=yes``)."""
    if form.get("confirm") != "yes":
        return _page(request, scope, session, dispute_id, closing=True)
    try:
        data = CloseIn(outcome=_outcome_of(form), version=as_int(form.get("version")))
        services.close_dispute(session, scope, dispute_id, data)
    except (ValidationError, Invalid, Conflict) as error:
        return _refused(request, scope, session, dispute_id, error, closing=True)
    return RedirectResponse(f"/disputes/{dispute_id}", status_code=303)


router.include_router(notice_pages.router)
