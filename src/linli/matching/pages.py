"""Matching pages (供需对接): one order's ranked candidates (an htmx fragment on the order page) and giving the
order to one of them; a batch proposal for an area, accepting the chosen part of it, and "why not this one".

Each route parses what the browser sent, calls the service the API calls, and renders; a refusal is shown
where the request was made.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from linli.accounts.permissions import NEEDS_DISPATCH, READ, SUPPLY_READ, Scope
from linli.errors import Conflict, DomainError, Invalid
from linli.i18n import translate
from linli.matching import services
from linli.matching.schemas import ProposalOut, WhyNotOut
from linli.registry.areas import area_tree
from linli.web.deps import Access, SessionDep, current_scope, get_locale
from linli.web.forms import as_int
from linli.web.render import is_htmx, pager_url, render

router = APIRouter(dependencies=[Depends(current_scope)])

# English msgids (translated in matching.po).
KIND_LABELS = {"volunteer": "Volunteer", "team": "Service team", "resource": "Resource"}
GIVE_LABELS = {"volunteer": "Give it to this person", "team": "Give it to this team", "resource": "Use this resource"}
ITEM_LABELS = {"proposed": "Proposed", "accepted": "Dispatched as proposed", "skipped": "Skipped"}
# Why an accepted pairing was skipped: the code the dispatch was refused with.
NOTE_LABELS = {
    "dispatched meanwhile": "Dispatched meanwhile",
    "volunteer.time_clash": "It clashes with another task of theirs",
    "volunteer.declined_before": "They declined this order before",
    "match.no_account": "The volunteer has no account to receive orders",
    "need.stale": "The order changed meanwhile",
    "need.unknown_assignee": "This person cannot be assigned orders.",
}
PAGE_MESSAGES = {"choose": "Choose at least one need to accept."}
METHOD_LABELS = {"lapjvsp": "an exact assignment, Jonker–Volgenant", "empty": "nothing could be assigned"}
# A dispatch refused for these may be made anyway, on purpose.
OVERRIDABLE = {"volunteer.time_clash", "volunteer.declined_before"}
# The order page shows the best few; the candidates page all the service returns.
FRAGMENT_SIZE, PAGE_SIZE = 5, 20
# Pairings shown on one page of a proposal.
PROPOSAL_PAGE = 50
SHARE = re.compile(r" \+(\d+(?:\.\d+)?):")


def summary(reasons: list[str], locale: str, top: int = 3) -> tuple[list[str], list[str]]:
    """Return the few reasons that weigh most, and every reason.

    The first reason is the category part, which every candidate has: it is left out of the few.
    """
    every = list(reasons)

    def share(reason: str) -> float:
        found = SHARE.search(reason)
        return float(found.group(1)) if found else 0.0

    return sorted(every[1:], key=share, reverse=True)[:top], every


def labels(request: Request) -> dict[str, Any]:
    """Return the label functions the matching templates use, in the request's language."""
    locale = get_locale(request)

    def of(table: dict[str, str]) -> Any:
        return lambda code: translate(table[code], locale) if code in table else code

    return {
        "kind_label": of(KIND_LABELS),
        "give_label": of(GIVE_LABELS),
        "item_label": of(ITEM_LABELS),
        "note_label": of(NOTE_LABELS),
        "method_label": of(METHOD_LABELS),
        "reasons_of": lambda reasons: summary(reasons, locale),
        "colon": "：" if locale == "zh" else ": ",
    }


def show(
    request: Request, template: str, context: dict[str, Any], status: int = 200, block: str | None = None
) -> Response:
    context = {**labels(request), "nav": "matching", **context}
    return render(request, f"matching/{template}", context, block=block, status=status)


def reach_options(session: Session, scope: Scope) -> list[tuple[str, str]]:
    """Return the areas where the caller may both dispatch and see the supply side, indented by level."""
    if not scope.can(READ):
        return []
    options: list[tuple[str, str]] = []

    def walk(nodes: list[Any], depth: int) -> None:
        for node in nodes:
            if scope.reaches(NEEDS_DISPATCH, node.path) and scope.reaches(SUPPLY_READ, node.path):
                options.append((str(node.id), "\u3000" * depth + node.name))
            walk(node.children, depth + 1)

    walk(area_tree(session, scope, "grid"), 0)
    return options


# A proposal names its orders and suppliers by id; the page shows them by name (one query a kind, for a
# proposal already in reach).
# ---- one order's candidates -------------------------------------------------------------------


def _candidates(
    request: Request, session: Session, scope: Scope, need_id: int, status: int = 200, **extra: Any
) -> Response:
    fragment = is_htmx(request)
    size = FRAGMENT_SIZE if fragment else PAGE_SIZE
    found = services.candidates(session, scope, need_id, get_locale(request), size + 1)
    context = {"scope": scope, "need_id": need_id, "found": found[:size], "more": len(found) > size}
    context["can_dispatch"] = scope.can(NEEDS_DISPATCH)
    context.update({"problem": "", "refused": None, "overridable": False, **extra})
    if fragment:
        # htmx swaps only 2xx answers: a refusal comes back as the fragment that shows it.
        return show(request, "candidates.html", context, block="candidates")
    return show(request, "candidates.html", context, status=status)


@router.get("/needs/{need_id}/candidates", include_in_schema=False)
def candidates_page(need_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the best volunteers, teams and resources for the order, with score and reasons (a fragment for htmx)."""
    return _candidates(request, session, scope, need_id)


@router.post("/needs/{need_id}/dispatch-to", include_in_schema=False)
async def dispatch_page(need_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Give the order to the candidate chosen, then show the order; a refusal shows on the candidates."""
    form = await request.form()
    kind, supplier_id = str(form.get("kind") or ""), as_int(form.get("id"), 1)
    try:
        if supplier_id is None:
            raise Invalid("match.unknown_candidate", "Choose a candidate.", "id")
        services.dispatch_to(session, scope, need_id, kind, supplier_id, form.get("override") == "1")
    except (Invalid, Conflict) as error:
        chosen = (kind, supplier_id)
        return _candidates(
            request,
            session,
            scope,
            need_id,
            error.status,
            problem=error.text(get_locale(request)),
            refused=chosen,
            overridable=error.code in OVERRIDABLE,
        )
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": f"/needs/{need_id}"})
    return RedirectResponse(f"/needs/{need_id}", status_code=303)


# ---- proposals --------------------------------------------------------------------------------


def _start(request: Request, session: Session, scope: Scope, problem: str = "", status: int = 200) -> Response:
    scope.require(NEEDS_DISPATCH)
    options = reach_options(session, scope)
    context = {"scope": scope, "area_options": options, "problem": problem}
    return show(request, "index.html", context, status=status)


@router.get("/matching", include_in_schema=False)
def index_page(request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the choice of an area whose waiting orders to match at once."""
    return _start(request, session, scope)


@router.post("/matching/proposals", include_in_schema=False)
async def propose_page(request: Request, scope: Access, session: SessionDep) -> Response:
    """Solve the area's waiting orders and open the proposal."""
    form = await request.form()
    area_id = as_int(form.get("area_id"), 1)
    try:
        if area_id is None:
            raise Invalid("match.area_required", "Choose an area.", "area_id")
        proposal = services.propose(session, scope, area_id, get_locale(request))
    except (Invalid, Conflict) as error:
        return _start(request, session, scope, error.text(get_locale(request)), error.status)
    return RedirectResponse(f"/matching/proposals/{proposal.id}", status_code=303)


def _proposal(
    request: Request,
    session: Session,
    scope: Scope,
    proposal: ProposalOut,
    why: WhyNotOut | None = None,
    status: int = 200,
    **extra: Any,
) -> Response:
    # A street-wide proposal has thousands of pairings: they are shown a page at a time (the names are
    # read for the shown page only); "accept every proposed pairing" still means all of them.
    size = PROPOSAL_PAGE
    pages = max(1, -(-len(proposal.assignments) // size))
    number = min(as_int(request.query_params.get("page"), 1, 100_000) or 1, pages)
    shown = proposal.model_copy(
        update={
            "assignments": proposal.assignments[(number - 1) * size : number * size],
            "unmatched": proposal.unmatched[(number - 1) * size : number * size],
        }
    )
    names = services.names_of(session, shown)
    pairings = {"items": shown.assignments, "total": len(proposal.assignments), "page": number}
    pairings |= {"page_size": size, "total_capped": False}

    page_url = pager_url(request)

    context: dict[str, Any] = {
        "shown": shown,
        "pairings": pairings,
        "page_url": page_url,
        "matched": len(proposal.assignments),
        "left": len(proposal.unmatched),
        "scope": scope,
        "p": proposal,
        "names": names,
        "why": why,
        "why_answer": why.answer if why else "",
        "problem": "",
        "why_values": {},
        "why_problem": "",
        "waiting": sum(1 for a in proposal.assignments if a.state == "proposed"),
        **extra,
    }
    return show(request, "proposal.html", context, status=status)


@router.get("/matching/proposals/{proposal_id}", include_in_schema=False)
def proposal_page(
    proposal_id: int,
    request: Request,
    scope: Access,
    session: SessionDep,
    need_id: str = "",
    kind: str = "",
    supplier_id: str = "",
) -> Response:
    """Return the proposal: its totals, each pairing with its reasons, what it left unmatched; and "why not …"."""
    locale = get_locale(request)
    proposal = services.get_proposal(session, scope, proposal_id, locale)
    values = {"need_id": need_id, "kind": kind, "supplier_id": supplier_id}
    asked = as_int(need_id, 1), as_int(supplier_id, 1)
    if not (need_id or supplier_id):
        return _proposal(request, session, scope, proposal)
    if asked[0] is None or asked[1] is None or kind not in KIND_LABELS:
        problem = translate("Give the order number, the kind and the number of the candidate.", locale)
        return _proposal(request, session, scope, proposal, why_values=values, why_problem=problem, status=422)
    try:
        why = services.why_not(session, scope, proposal_id, asked[0], kind, asked[1], get_locale(request))
    except DomainError as error:
        why_problem = error.text(locale)
        return _proposal(request, session, scope, proposal, why_values=values, why_problem=why_problem, status=404)
    return _proposal(request, session, scope, proposal, why, why_values=values)


@router.post("/matching/proposals/{proposal_id}/accept", include_in_schema=False)
async def accept_page(proposal_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Dispatch the chosen pairings as proposed, then show the proposal with what was done and skipped."""
    form = await request.form()
    chosen = [n for n in (as_int(v, 1) for v in form.getlist("need_ids")) if n is not None]
    locale = get_locale(request)
    if form.get("all") == "1":
        proposal = services.get_proposal(session, scope, proposal_id, locale)
        chosen = [a.need_id for a in proposal.assignments if a.state == "proposed"]
    try:
        if not chosen:
            raise Invalid("match.nothing_chosen", PAGE_MESSAGES["choose"], "need_ids")
        services.accept(session, scope, proposal_id, chosen, locale)
    except Invalid as error:
        proposal = services.get_proposal(session, scope, proposal_id, locale)
        return _proposal(request, session, scope, proposal, status=error.status, problem=error.text(locale))
    return RedirectResponse(f"/matching/proposals/{proposal_id}", status_code=303)
