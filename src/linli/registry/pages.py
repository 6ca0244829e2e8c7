"""Registry pages: the home page (the areas a user holds, with their counts), the area tree, a grid's
buildings and households, household and resident cards, search as you type, and the resident forms
(create, edit, move and deregister with a confirmation).

Each route parses what the browser sent, calls the same service functions as the API, and renders;
a refusal tied to a field is shown beside that field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from linli.accounts.permissions import CAPABILITIES, READ, UNMASK, WRITE, Scope
from linli.areas.schemas import AreaNode, AreaOut
from linli.errors import Conflict, DomainError, Invalid, ValidationErrors
from linli.i18n import translate
from linli.lib import clock, codes
from linli.registry import areas, house_pages, places, services, unmask
from linli.registry.schemas import DeregisterIn, MoveIn, ResidentIn, ResidentOut, ResidentUpdate
from linli.registry.validation import check_person
from linli.web.deps import Access, SessionDep, current_scope, get_locale, get_runtime
from linli.web.forms import as_int, field_errors
from linli.web.render import is_htmx, pager_url, render

router = APIRouter(dependencies=[Depends(current_scope)])
# The walk 楼栋 → 单元 → 房屋 and the house, tenancy and care-grade forms share this router's access dependency.
router.include_router(house_pages.router)

PERSON_INPUTS = ("name", "id_number", "gender", "birth_date", "phone", "relation", "kind", "skills", "notes")
OPTIONAL_INPUTS = ("id_number", "gender", "birth_date", "phone", "relation", "kind")


@dataclass(frozen=True)
class HeldArea:
    role: str
    area: AreaOut


@router.get("/", include_in_schema=False)
def home(request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the home page: a search box and the areas the user holds, with their counts."""
    held = scope.paths(READ)
    shown: dict[int, HeldArea] = {}
    for h in scope.holdings:
        if h.area_path in held and READ in CAPABILITIES[h.role] and h.area_id not in shown:
            shown[h.area_id] = HeldArea(h.role, areas.get_area(session, scope, h.area_id))
    areas_ = list(shown.values())
    return render(request, "home.html", {"scope": scope, "nav": "home", "areas": areas_, "can_read": bool(held)})


def _page_size(request: Request) -> int:
    return get_runtime(request).settings.page_size


def _flatten(nodes: list[AreaNode]) -> list[AreaNode]:
    out: list[AreaNode] = []
    for node in nodes:
        out.append(node)
        out.extend(_flatten(node.children))
    return out


def _options(table: dict[str, tuple[str, str]], locale: str) -> list[tuple[str, str]]:
    return [(code, codes.label(table, code, locale)) for code in table]


# ---- reading --------------------------------------------------------------------------------


@router.get("/areas", include_in_schema=False)
def area_tree(request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the tree of the areas the user holds, with counts."""
    roots = areas.area_tree(session, scope)
    nodes = _flatten(roots)
    by_path = areas.counts_many(session, [n.path for n in nodes])
    counts = {n.id: by_path[n.path] for n in nodes}
    return render(request, "registry/areas.html", {"scope": scope, "nav": "areas", "roots": roots, "counts": counts})


@router.get("/areas/{area_id}", include_in_schema=False)
def area_page(
    area_id: int, request: Request, scope: Access, session: SessionDep, page: str = "1", building_id: str = ""
) -> Response:
    """Return one area with its counts and children; a grid also lists its buildings and households."""
    area = areas.get_area(session, scope, area_id)
    context: dict[str, Any] = {"scope": scope, "nav": "areas", "area": area, "child_counts": area.child_counts}
    if area.level == "grid":
        building = as_int(building_id, 1)
        context["buildings"] = places.list_buildings(session, scope, area_id)
        context["building_id"] = building
        context["households"] = places.list_households(
            session,
            scope,
            area_id=area_id,
            building_id=building,
            page=as_int(page, 1) or 1,
            page_size=_page_size(request),
        )
        context["page_url"] = pager_url(request)
    return render(request, "registry/area.html", context)


@router.get("/households/{household_id}", include_in_schema=False)
def household_page(household_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the household card: its place, its head and its current members."""
    household = places.get_household(session, scope, household_id)
    area = areas.get_area(session, scope, household.area_id)
    context = {"scope": scope, "nav": "areas", "household": household, "area": area, "can_write": scope.can(WRITE)}
    context["house_status_label"] = house_pages.STATUS_LABELS.get(household.house_status or "", "")
    context["grade_label"] = house_pages.CARE_GRADE_LABELS.get(household.care_grade or "", "")
    return render(request, "registry/household.html", context)


@router.get("/residents", include_in_schema=False)
def search_page(
    request: Request,
    scope: Access,
    session: SessionDep,
    q: str = "",
    tag: str = "",
    min_age: str = "",
    max_age: str = "",
    kind: str = "",
    status: str = "active",
    area_id: str = "",
    page: str = "1",
) -> Response:
    """Return the resident search; an htmx request (typing in the box) gets only the results block."""
    status = status if status in (*codes.STATUSES, "all") else "active"
    f = services.ResidentFilter(
        q=q[:40],
        area_id=as_int(area_id, 1),
        tag=tag or None,
        min_age=as_int(min_age, 0, 150),
        max_age=as_int(max_age, 0, 150),
        kind=kind if kind in codes.KINDS else None,
        status=None if status == "all" else status,
    )
    results = services.list_residents(session, scope, f, as_int(page, 1, 100000) or 1, _page_size(request))
    context: dict[str, Any] = {
        "scope": scope,
        "nav": "residents",
        "q": q,
        "filters": {"tag": tag, "min_age": min_age, "max_age": max_age, "kind": kind, "status": status},
        "area_id": f.area_id,
        "results": results,
        "page_url": pager_url(request),
    }
    if is_htmx(request):
        return render(request, "registry/residents.html", context, block="results")
    locale = get_locale(request)
    context["tags"] = services.list_tags(session, scope)
    context["kinds"] = _options(codes.KINDS, locale)
    context["statuses"] = [*_options(codes.STATUSES, locale), ("all", translate("All", locale))]
    return render(request, "registry/residents.html", context)


@router.get("/residents/new", include_in_schema=False)
def new_resident(
    request: Request, scope: Access, session: SessionDep, household_id: str = "", area_id: str = ""
) -> Response:
    """Return an empty resident form for a household (or a grid)."""
    place = _place(session, scope, as_int(household_id, 1), as_int(area_id, 1))
    head_missing = place.get("household") is not None and place["household"].head_id is None
    values: dict[str, Any] = {"relation": "02" if head_missing else "99", "kind": "01", "tags": []}
    return _resident_form(request, session, scope, {**place, "values": values})


@router.get("/residents/{resident_id}", include_in_schema=False)
def resident_page(resident_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the resident card with the dated history of their registration."""
    return _resident_card(request, scope, session, resident_id)


def _resident_card(
    request: Request, scope: Scope, session: Any, resident_id: int, status: int = 200, **extra: Any
) -> Response:
    resident = services.get_resident(session, scope, resident_id)
    history = services.resident_history(session, scope, resident_id)
    context = {
        "scope": scope,
        "nav": "residents",
        "r": resident,
        "history": history,
        "can_write": scope.can(WRITE),
        "can_unmask": scope.can(UNMASK),
        **extra,
    }
    return render(request, "registry/resident.html", context, status=status)


@router.post("/residents/{resident_id}/unmask", include_in_schema=False)
def unmask_resident(resident_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Show the resident card with the ID and phone number in full, once a reason is given (audited)."""
    try:
        shown = unmask.unmask_resident(session, scope, resident_id, str(form.get("reason", "")))
    except Invalid as error:
        errors = field_errors(error, get_locale(request), {"reason"})
        return _resident_card(request, scope, session, resident_id, status=error.status, errors=errors)
    return _resident_card(request, scope, session, resident_id, unmasked=shown)


@router.get("/residents/{resident_id}/edit", include_in_schema=False)
def edit_resident(resident_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the resident form filled in; ID number and phone stay empty (only their masks are known)."""
    r = services.get_resident(session, scope, resident_id)
    values = {
        **r.model_dump(include={"name", "gender", "relation", "kind", "skills", "notes", "willing_to_help", "version"}),
        "birth_date": r.birth_date.isoformat() if r.birth_date else "",
        "tags": [t.code for t in r.tags],
    }
    return _resident_form(request, session, scope, {"resident": r, "values": values})


# ---- forms ----------------------------------------------------------------------------------


async def form_data(request: Request) -> dict[str, Any]:
    """Return the posted form as a dict of strings, with ``tags`` as a list."""
    form = await request.form()
    data: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    data["tags"] = [t for t in form.getlist("tags") if isinstance(t, str)]
    return data


FormData = Annotated[dict[str, Any], Depends(form_data)]


def person_errors(error: DomainError | ValidationError, fields: dict[str, Any], locale: str) -> dict[str, list[str]]:
    """Return the field errors of a refused resident form, all at once.

    When a value cannot even be read (a date that is not one), the rest is still checked the way
    the service would (``check_person``), so the clerk sees every problem in one go.
    """
    shown = {*PERSON_INPUTS, "tags", "willing_to_help"}
    errors = field_errors(error, locale, shown)
    if isinstance(error, ValidationError):
        unread = {str(p["loc"][0]) for p in error.errors() if p["loc"]}
        readable = {k: v for k, v in fields.items() if k not in unread and k != "tags"}
        if isinstance(readable.get("birth_date"), str):
            readable["birth_date"] = date.fromisoformat(readable["birth_date"])  # pydantic read it, so it is ISO
        try:
            check_person(readable)
        except ValidationErrors as more:
            for field, messages in field_errors(more, locale, shown).items():
                errors.setdefault(field, []).extend(messages)
    return errors


def _place(session: Any, scope: Scope, household_id: int | None, area_id: int | None) -> dict[str, Any]:
    if household_id is not None:
        household = places.get_household(session, scope, household_id)
        return {"household": household, "area": areas.get_area(session, scope, household.area_id)}
    if area_id is not None:
        return {"household": None, "area": areas.get_area(session, scope, area_id)}
    raise Invalid("resident.place_required", "Choose a household or a grid.", "household_id")


def _resident_form(
    request: Request, session: Any, scope: Scope, context: dict[str, Any], status: int = 200
) -> Response:
    locale = get_locale(request)
    context = {
        "scope": scope,
        "nav": "residents",
        "errors": {},
        "tags": services.list_tags(session, scope),
        "genders": _options(codes.GENDERS, locale),
        "relations": _options(codes.RELATIONS, locale),
        "kinds": _options(codes.KINDS, locale),
        "resident": None,
        "household": None,
        **context,
    }
    return render(request, "registry/resident_form.html", context, status=status)


def person_fields(form: dict[str, Any]) -> dict[str, Any]:
    """Return the person fields of a posted resident form; an empty optional field is None."""
    fields: dict[str, Any] = {k: (form.get(k) or "").strip() for k in PERSON_INPUTS}
    for key in OPTIONAL_INPUTS:
        fields[key] = fields[key] or None
    fields["willing_to_help"] = form.get("willing_to_help") == "on"
    fields["tags"] = form.get("tags", [])
    return fields


@router.post("/residents/new", include_in_schema=False)
def create_resident(request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Register the resident and open their card; a refusal shows the form again with each error."""
    household_id, area_id = as_int(form.get("household_id"), 1), as_int(form.get("area_id"), 1)
    fields = person_fields(form)
    try:
        given = {k: v for k, v in fields.items() if v is not None}
        data = ResidentIn(**given, household_id=household_id, area_id=None if household_id else area_id)
        created = services.create_resident(session, scope, data)
    except (ValidationError, ValidationErrors, Invalid, Conflict) as error:
        context = {
            **_place(session, scope, household_id, area_id),
            "values": form,
            "errors": person_errors(error, fields, get_locale(request)),
        }
        return _resident_form(request, session, scope, context, status=422)
    return RedirectResponse(f"/residents/{created.id}", status_code=303)


@router.post("/residents/{resident_id}/edit", include_in_schema=False)
def update_resident(resident_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Save the changes and open the card. An empty ID number or phone keeps the one on file."""
    fields = {k: v for k, v in person_fields(form).items() if v is not None}
    try:
        data = ResidentUpdate(**fields, version=as_int(form.get("version")) or 0)
        services.update_resident(session, scope, resident_id, data)
    except (ValidationError, ValidationErrors, Invalid, Conflict) as error:
        resident = services.get_resident(session, scope, resident_id)
        context = {
            "resident": resident,
            "values": form,
            "errors": person_errors(error, fields, get_locale(request)),
        }
        return _resident_form(request, session, scope, context, status=422)
    return RedirectResponse(f"/residents/{resident_id}", status_code=303)


def _grids(session: Any, scope: Scope) -> list[AreaNode]:
    return [n for n in _flatten(areas.area_tree(session, scope)) if n.level == "grid"]


def _move_form(
    request: Request, session: Any, scope: Scope, r: ResidentOut, values: dict[str, Any], errors: dict[str, list[str]]
) -> Response:
    grid = as_int(values.get("area_id"), 1) or r.area_id
    households = places.list_households(session, scope, area_id=grid, page_size=2000).items
    context = {
        "scope": scope,
        "nav": "residents",
        "r": r,
        "grids": _grids(session, scope),
        "grid_id": grid,
        "households": [h for h in households if h.id != r.household_id],
        "relations": _options(codes.RELATIONS, get_locale(request)),
        "values": {"on": clock.today().isoformat(), **values},
        "errors": errors,
    }
    return render(request, "registry/move.html", context, status=422 if errors else 200)


@router.get("/residents/{resident_id}/move", include_in_schema=False)
def move_form(resident_id: int, request: Request, scope: Access, session: SessionDep, area_id: str = "") -> Response:
    """Return the move form: a grid, a household in it, the relation to its head and the date."""
    r = services.get_resident(session, scope, resident_id)
    return _move_form(request, session, scope, r, {"area_id": area_id}, {})


@router.post("/residents/{resident_id}/move", include_in_schema=False)
def move(resident_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Ask for confirmation, then move the resident (``confirm=yes``) and open their card.

    ``confirm=edit`` goes back to the form with the choices kept.
    """
    r = services.get_resident(session, scope, resident_id)
    locale, choice = get_locale(request), form.get("confirm")
    household_id = as_int(form.get("household_id"), 1)
    if choice == "edit" or household_id is None:
        errors = {} if choice == "edit" else {"household_id": [translate("Choose a household.", locale)]}
        return _move_form(request, session, scope, r, form, errors)
    try:
        data = MoveIn(
            household_id=household_id,
            relation=form.get("relation") or None,
            on=form.get("on") or None,
            note=(form.get("note") or "").strip(),
        )
        if choice != "yes":
            target = places.get_household(session, scope, data.household_id)
            context = {"scope": scope, "nav": "residents", "r": r, "data": data, "target": target, "form": form}
            return render(request, "registry/move.html", {**context, "confirming": True})
        services.move_resident(session, scope, resident_id, data)
    except (ValidationError, Invalid, Conflict) as error:
        errors = field_errors(error, locale, {"household_id", "relation", "on", "note"})
        return _move_form(request, session, scope, r, form, errors)
    return RedirectResponse(f"/residents/{resident_id}", status_code=303)


@router.get("/residents/{resident_id}/deregister", include_in_schema=False)
def deregister_form(resident_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the form recording a move out of the community or a death."""
    r = services.get_resident(session, scope, resident_id)
    context = {"scope": scope, "nav": "residents", "r": r, "errors": {}, "values": {"on": clock.today().isoformat()}}
    return render(request, "registry/deregister.html", context)


@router.post("/residents/{resident_id}/deregister", include_in_schema=False)
def deregister(resident_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Ask for confirmation, then record the departure (``confirm=yes``); the record and history stay.

    ``confirm=edit`` goes back to the form with the choices kept.
    """
    r = services.get_resident(session, scope, resident_id)
    locale, choice = get_locale(request), form.get("confirm")
    context: dict[str, Any] = {"scope": scope, "nav": "residents", "r": r, "values": form, "errors": {}}
    if choice == "edit":
        return render(request, "registry/deregister.html", context)
    if form.get("reason") not in ("moved_out", "deceased"):
        context["errors"] = {"reason": [translate("Choose a reason.", locale)]}
        return render(request, "registry/deregister.html", context, status=422)
    try:
        data = DeregisterIn(reason=form["reason"], on=form.get("on") or None, note=(form.get("note") or "").strip())
        if choice != "yes":
            return render(request, "registry/deregister.html", {**context, "data": data, "confirming": True})
        services.deregister_resident(session, scope, resident_id, data)
    except (ValidationError, Invalid, Conflict) as error:
        context["errors"] = field_errors(error, locale, {"reason", "on", "note"})
        return render(request, "registry/deregister.html", context, status=422)
    return RedirectResponse(f"/residents/{resident_id}", status_code=303)
