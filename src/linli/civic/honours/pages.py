"""Selection pages (评选): the list; a selection's page, where a resident nominates a neighbour and votes on a
phone; staff's pages to keep a selection, check nominations, enter and correct paper votes; the results
page with the publish switches (each asks first).

Each route parses what the browser sent, calls the same service as the API, and renders; a refusal is
shown at the top of the page or beside its field.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from linli.accounts.permissions import CIVIC_JOIN, CIVIC_MANAGE, CIVIC_READ, Scope
from linli.areas.models import Area
from linli.civic.honours import nominations, results, services, voting
from linli.civic.honours.models import Nomination
from linli.civic.honours.schemas import (
    CheckIn,
    CorrectionIn,
    NominationIn,
    PaperVoteIn,
    SelectionDetail,
    SelectionIn,
    SelectionUpdate,
    VoteIn,
)
from linli.errors import DomainError, NotFound
from linli.i18n import translate
from linli.lib import clock
from linli.web.deps import Access, SessionDep, current_scope, get_locale, get_runtime
from linli.web.forms import as_int, field_errors
from linli.web.render import is_htmx, pager_url, render

router = APIRouter(dependencies=[Depends(current_scope)])

RULE_LABELS = {"household": "One vote per household", "resident": "One vote per resident"}
CHECK_LABELS = {
    "pending": "Waiting for a check",
    "eligible": "Eligible",
    "ineligible": "Not eligible",
    "withdrawn": "Withdrawn",
}
KIND_LABELS = {"resident": "Resident", "household": "Household", "user": "Staff account"}
FIELDS = {"area_id", "title", "description", "rule", *services.DATES, "category", "display_name", "place", "reason"}
FIELDS |= {"note", "nominee_id", "household_id", "resident_id", "user_id", "choice"}


def show(
    request: Request, template: str, context: dict[str, Any], status: int = 200, block: str | None = None
) -> Response:
    locale = get_locale(request)

    def of(table: dict[str, str]) -> Any:
        return lambda code: translate(table[code], locale) if code in table else code

    extra = {
        "state_label": of(services.STATE_LABELS),
        "rule_label": of(RULE_LABELS),
        "check_label": of(CHECK_LABELS),
        "kind_label": of(KIND_LABELS),
        "when": lambda moment: clock.local(moment).strftime("%Y-%m-%d %H:%M"),
        "nav": "selections",
    }
    if block:
        return render(request, f"honours/{template}", {**extra, **context}, block=block)
    return render(request, f"honours/{template}", {**extra, **context}, status=status)


async def form_data(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v.strip() for k, v in form.items() if isinstance(v, str)}


FormData = Annotated[dict[str, str], Depends(form_data)]


def _errors(error: ValidationError | DomainError, request: Request) -> dict[str, list[str]]:
    return field_errors(error, get_locale(request), FIELDS)


def _areas(session: Any, scope: Scope) -> list[tuple[str, str]]:
    """Return the areas where the caller keeps selections, in tree order (one query)."""
    condition = scope.area_ids(CIVIC_MANAGE)
    if condition is None:
        return []
    rows = session.execute(select(Area.id, Area.name, Area.path).where(condition).order_by(Area.path)).all()
    top = min((p.count("/") for _, _, p in rows), default=0)
    return [(str(i), "\u3000" * (p.count("/") - top) + name) for i, name, p in rows]


# ---- the list ---------------------------------------------------------------------------------------


@router.get("/selections", include_in_schema=False)
def list_page(
    request: Request, scope: Access, session: SessionDep, q: str = "", state: str = "", page: str = "1"
) -> Response:
    """Return the selections the user sees; an htmx request (typing in the box) gets only the results."""
    if not (scope.can(CIVIC_READ) or scope.can(CIVIC_JOIN)):
        raise NotFound("selection")
    state = state if state in services.STATES else ""
    f = services.SelectionFilter(state=state or None, q=q[:40])
    size = get_runtime(request).settings.page_size
    found = services.list_selections(session, scope, f, as_int(page, 1, 100000) or 1, size)
    context: dict[str, Any] = {
        "scope": scope,
        "q": q,
        "state": state,
        "results": found,
        "page_url": pager_url(request),
        "can_keep": scope.can(CIVIC_MANAGE),
    }
    if is_htmx(request):
        return show(request, "list.html", context, block="results")
    locale = get_locale(request)
    context["state_options"] = [(s, translate(services.STATE_LABELS[s], locale)) for s in services.STATES]
    return show(request, "list.html", context)


# ---- keeping a selection ------------------------------------------------------------------------------


def _form(
    request: Request, session: Any, scope: Scope, values: dict[str, Any], selection: Any = None, errors: Any = None
) -> Response:
    locale = get_locale(request)
    context = {
        "scope": scope,
        "selection": selection,
        "values": values,
        "errors": errors or {},
        "area_options": _areas(session, scope),
        "rule_options": [(k, translate(v, locale)) for k, v in RULE_LABELS.items()],
    }
    return show(request, "form.html", context, status=422 if errors else 200)


@router.get("/selections/new", include_in_schema=False)
def new_page(request: Request, scope: Access, session: SessionDep) -> Response:
    """Return an empty selection form (the 五好先锋 categories come with it)."""
    scope.require(CIVIC_MANAGE)
    return _form(request, session, scope, {"rule": "household", "title": "五好先锋评选"})


@router.post("/selections/new", include_in_schema=False)
def create_page(request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Add the selection and open its page; a refusal shows the form again with each error beside its field."""
    scope.require(CIVIC_MANAGE)
    try:
        fields = {k: form.get(k, "") for k in ("area_id", "title", "description", "rule", *services.DATES)}
        made = services.create_selection(session, scope, SelectionIn(**fields))
    except (ValidationError, DomainError) as error:
        return _form(request, session, scope, form, errors=_errors(error, request))
    return RedirectResponse(f"/selections/{made.id}", status_code=303)


@router.get("/selections/{selection_id}/edit", include_in_schema=False)
def edit_page(selection_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the form filled in with the selection."""
    scope.require(CIVIC_MANAGE)
    selection = services.get_selection(session, scope, selection_id)
    if not selection.can_keep:
        raise NotFound("selection")
    values = {k: str(v) for k, v in selection.model_dump().items() if k in FIELDS or k == "version"}
    return _form(request, session, scope, values, selection)


@router.post("/selections/{selection_id}/edit", include_in_schema=False)
def update_page(selection_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Save the changes and open the selection."""
    scope.require(CIVIC_MANAGE)
    selection = services.get_selection(session, scope, selection_id)
    try:
        fields = {k: form.get(k) or None for k in ("title", "description", "rule", *services.DATES)}
        data = SelectionUpdate(version=as_int(form.get("version")) or 0, **fields)
        services.update_selection(session, scope, selection_id, data)
    except (ValidationError, DomainError) as error:
        return _form(request, session, scope, form, selection, _errors(error, request))
    return RedirectResponse(f"/selections/{selection_id}", status_code=303)


# ---- a selection's page: nominate, vote ---------------------------------------------------------------


def _page(request: Request, scope: Scope, session: Any, selection_id: int, status: int = 200, **extra: Any) -> Response:
    selection = services.get_selection(session, scope, selection_id)
    context = {"scope": scope, "s": selection, "errors": {}, "values": {}, **extra}
    return show(request, "detail.html", context, status=status)


@router.get("/selections/{selection_id}", include_in_schema=False)
def detail_page(selection_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return a selection: its windows, the nominate form while open, the ballot while voting, the results link."""
    return _page(request, scope, session, selection_id)


@router.post("/selections/{selection_id}/nominate", include_in_schema=False)
def nominate_page(selection_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Nominate a neighbour and show the page again with a thank-you."""
    try:
        data = NominationIn(
            category=form.get("category", ""),
            display_name=form.get("display_name", ""),
            place=form.get("place", ""),
            reason=form.get("reason", ""),
        )
        nominations.nominate(session, scope, selection_id, data)
    except (ValidationError, DomainError) as error:
        status = error.status if isinstance(error, DomainError) else 422
        return _page(request, scope, session, selection_id, status, errors=_errors(error, request), values=form)
    return RedirectResponse(f"/selections/{selection_id}?nominated=1#nominate", status_code=303)


@router.post("/selections/{selection_id}/vote", include_in_schema=False)
def vote_page(selection_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Cast the vote of one category and show the ballot again with the vote marked."""
    try:
        data = VoteIn(category=form.get("category", ""), nominee_id=as_int(form.get("nominee_id"), 1) or 0)
        voting.vote(session, scope, selection_id, data)
    except (ValidationError, DomainError) as error:
        status = error.status if isinstance(error, DomainError) else 422
        return _page(request, scope, session, selection_id, status, errors=_errors(error, request))
    return RedirectResponse(f"/selections/{selection_id}?voted={form.get('category', '')}#ballot", status_code=303)


# ---- staff: checks ---------------------------------------------------------------------------------------


def _nominations(
    request: Request,
    scope: Scope,
    session: Any,
    selection_id: int,
    show_state: str = "",
    status: int = 200,
    **extra: Any,
) -> Response:
    selection = services.get_selection(session, scope, selection_id)
    if not selection.can_keep:
        raise NotFound("selection")
    rows = [(c, n) for c in selection.categories for n in c.nominees if not show_state or n.state == show_state]
    locale = get_locale(request)
    context = {
        "scope": scope,
        "s": selection,
        "rows": rows,
        "show_state": show_state,
        "state_options": [(k, translate(v, locale)) for k, v in CHECK_LABELS.items() if k != "withdrawn"],
        "errors": {},
        **extra,
    }
    return show(request, "nominations.html", context, status=status)


@router.get("/selections/{selection_id}/nominations", include_in_schema=False)
def nominations_page(
    selection_id: int, request: Request, scope: Access, session: SessionDep, state: str = "pending"
) -> Response:
    """Return the nominations to check (pending first by default), each with its check form."""
    scope.require(CIVIC_MANAGE)
    return _nominations(request, scope, session, selection_id, state if state in CHECK_LABELS else "")


@router.post("/nominations/{nomination_id}/check", include_in_schema=False)
def check_page(nomination_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Record a check (eligible, or ineligible with a note; a link to a record if given) and go back."""
    scope.require(CIVIC_MANAGE)
    nominee = nominations.get_nomination(session, scope, nomination_id)
    selection_id = _selection_of(session, nomination_id)
    link = as_int(form.get("link"), 1)
    kind = form.get("kind", "")
    try:
        data = CheckIn(
            state=form.get("state", ""),
            note=form.get("note", ""),
            **({f"{kind}_id": link} if link and kind in KIND_LABELS else {}),
        )
        nominations.check_nomination(session, scope, nomination_id, data)
    except (ValidationError, DomainError) as error:
        status = error.status if isinstance(error, DomainError) else 422
        errors = {"": [m for ms in _errors(error, request).values() for m in ms]}
        return _nominations(request, scope, session, selection_id, "", status, errors=errors, failed=nominee.id)
    back = form.get("back", "pending")
    return RedirectResponse(f"/selections/{selection_id}/nominations?state={back}#n{nomination_id}", status_code=303)


def _selection_of(session: Any, nomination_id: int) -> int:
    found = session.scalar(select(Nomination.selection_id).where(Nomination.id == nomination_id))
    if found is None:
        raise NotFound("nomination")
    return int(found)


# ---- staff: paper votes and the recount -------------------------------------------------------------


def _paper(
    request: Request, scope: Scope, session: Any, selection_id: int, q: str = "", status: int = 200, **extra: Any
) -> Response:
    selection = services.get_selection(session, scope, selection_id)
    if not selection.can_enter_paper and not selection.can_keep:
        raise NotFound("selection")
    context = {
        "scope": scope,
        "s": selection,
        "q": q,
        "found": voting.find_voters(session, scope, selection_id, q) if q else [],
        "votes": voting.paper_votes(session, scope, selection_id),
        "ballot": _ballot(selection),
        "errors": {},
        **extra,
    }
    return show(request, "paper.html", context, status=status)


def _ballot(selection: SelectionDetail) -> list[tuple[str, str, list[tuple[int, str]]]]:
    """Return each category's (code, name, eligible nominees) for the paper-vote forms."""
    return [
        (c.code, c.name, [(n.id, n.display_name) for n in c.nominees if n.state == "eligible"])
        for c in selection.categories
    ]


@router.get("/selections/{selection_id}/paper", include_in_schema=False)
def paper_page(selection_id: int, request: Request, scope: Access, session: SessionDep, q: str = "") -> Response:
    """Return the paper-vote desk: find a household, enter its vote per category; the paper votes to correct."""
    return _paper(request, scope, session, selection_id, q[:40])


@router.post("/selections/{selection_id}/paper", include_in_schema=False)
def paper_vote_page(
    selection_id: int, request: Request, scope: Access, session: SessionDep, form: FormData
) -> Response:
    """Enter one paper vote (``choice`` is ``category:nominee``) and show the desk again."""
    category, _, nominee = form.get("choice", "").partition(":")
    q = form.get("q", "")[:40]
    try:
        data = PaperVoteIn(
            category=category or "-",
            nominee_id=as_int(nominee, 1) or 0,
            household_id=as_int(form.get("household_id"), 1),
            resident_id=as_int(form.get("resident_id"), 1),
        )
        voting.paper_vote(session, scope, selection_id, data)
    except (ValidationError, DomainError) as error:
        status = error.status if isinstance(error, DomainError) else 422
        errors = {"": [m for ms in _errors(error, request).values() for m in ms]}
        return _paper(request, scope, session, selection_id, q, status, errors=errors)
    return RedirectResponse(f"/selections/{selection_id}/paper?q={q}&entered=1", status_code=303)


@router.post("/votes/{vote_id}/correct", include_in_schema=False)
def correct_page(vote_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Correct a paper vote (another nominee) or, after a confirmation, strike it; then back to the desk."""
    selection_id = as_int(form.get("selection_id"), 1) or 0
    choice = form.get("nominee_id", "")
    strike = choice == "strike"
    if strike and form.get("confirm") != "yes":
        votes = {v.id: v for v in voting.paper_votes(session, scope, selection_id)}
        if vote_id not in votes:
            raise NotFound("vote")
        context = {"scope": scope, "vote": votes[vote_id], "note": form.get("note", ""), "selection_id": selection_id}
        return show(request, "confirm_strike.html", context)
    try:
        data = CorrectionIn(nominee_id=None if strike else as_int(choice, 1) or 0, note=form.get("note", ""))
        voting.correct_paper_vote(session, scope, vote_id, data)
    except (ValidationError, DomainError) as error:
        status = error.status if isinstance(error, DomainError) else 422
        errors = {"": [m for ms in _errors(error, request).values() for m in ms]}
        return _paper(request, scope, session, selection_id, "", status, errors=errors)
    return RedirectResponse(f"/selections/{selection_id}/paper?corrected={vote_id}#recount", status_code=303)


# ---- results and the switches ---------------------------------------------------------------------------


@router.get("/selections/{selection_id}/results", include_in_schema=False)
def results_page(selection_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the results with counts and, once published, the statistics; keepers see the switches."""
    selection = services.get_selection(session, scope, selection_id)
    shown = results.results(session, scope, selection_id) if selection.results_published_at else None
    return show(request, "results.html", {"scope": scope, "s": selection, "r": shown, "errors": {}})


@router.post("/selections/{selection_id}/publish", include_in_schema=False)
def publish_page(selection_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Ask first, then pull a switch: ``what`` results or stats, ``published`` 1 or 0."""
    scope.require(CIVIC_MANAGE)
    what = "stats" if form.get("what") == "stats" else "results"
    on = form.get("published") != "0"
    selection = services.get_selection(session, scope, selection_id)
    if not selection.can_keep:
        raise NotFound("selection")
    if form.get("confirm") != "yes":
        return show(request, "confirm_publish.html", {"scope": scope, "s": selection, "what": what, "on": on})
    try:
        if what == "results":
            results.publish_results(session, scope, selection_id, on)
        else:
            results.publish_stats(session, scope, selection_id, on)
    except DomainError as error:
        context = {"scope": scope, "s": selection, "what": what, "on": on, "error": error.text(get_locale(request))}
        return show(request, "confirm_publish.html", context, status=error.status)
    return RedirectResponse(f"/selections/{selection_id}/results", status_code=303)
