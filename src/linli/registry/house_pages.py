"""The grid worker's walk 楼栋 → 单元 → 房屋 → 户 → 人 as pages, and the staff's house, tenancy and care-grade forms.

Mounted inside the registry's page router. Each route parses, calls one service function and renders;
a refusal tied to a field is shown beside it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from linli.accounts.permissions import UNMASK, WRITE
from linli.errors import Conflict, Invalid, NotFound
from linli.i18n import translate
from linli.lib import clock
from linli.registry import areas, houses, places, tenancies
from linli.registry.house_schemas import CareGradeIn, HouseUpdate, OwnerUnmaskedOut, TenancyEnd, TenancyIn
from linli.registry.models import CARE_GRADES, HOUSE_STATUSES
from linli.web.deps import Access, SessionDep, get_locale, get_runtime
from linli.web.forms import as_int, field_errors
from linli.web.render import pager_url, render

router = APIRouter()


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


FormData = Annotated[dict[str, Any], Depends(_form)]

CARE_GRADE_LABELS = {"red": "Red", "yellow": "Yellow", "blue": "Blue"}
STATUS_LABELS = houses.STATUS_LABELS
HOUSE_FIELDS = {"status", "owner_resident_id", "owner_name", "owner_phone", "floor_area", "note"}


def _words(request: Request) -> dict[str, Any]:
    locale = get_locale(request)
    return {
        "status_labels": houses.STATUS_LABELS,
        "grade_labels": CARE_GRADE_LABELS,
        "statuses_options": [(s, translate(houses.STATUS_LABELS[s], locale)) for s in HOUSE_STATUSES],
        "grade_options": [(g, translate(CARE_GRADE_LABELS[g], locale)) for g in CARE_GRADES],
    }


@router.get("/areas/{area_id}/walk", include_in_schema=False)
def walk_buildings(area_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return a grid's buildings, the first step of the walk."""
    area = areas.get_area(session, scope, area_id)
    buildings = places.list_buildings(session, scope, area_id)
    context = {"scope": scope, "nav": "areas", "area": area, "buildings": buildings, **_words(request)}
    return render(request, "houses/buildings.html", context)


@router.get("/buildings/{building_id}/units", include_in_schema=False)
def walk_units(building_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return a building's units with their counts of houses, vacant and rented."""
    building = houses.get_building(session, scope, building_id)
    units = houses.list_units(session, scope, building_id)
    area = areas.get_area(session, scope, building.area_id)
    context = {"scope": scope, "nav": "areas", "area": area, "building": building, "units": units, **_words(request)}
    return render(request, "houses/units.html", context)


@router.get("/units/{unit_id}", include_in_schema=False)
def walk_houses(
    unit_id: int, request: Request, scope: Access, session: SessionDep, status: str = "", page: str = "1"
) -> Response:
    """Return a unit's houses with each one's status, households and last visit."""
    unit, building = houses.get_unit(session, scope, unit_id)
    status = status if status in HOUSE_STATUSES else ""
    found = houses.list_houses(
        session,
        scope,
        unit_id=unit_id,
        status=status or None,
        page=as_int(page, 1) or 1,
        page_size=get_runtime(request).settings.page_size,
    )
    area = areas.get_area(session, scope, building.area_id)
    context = {
        "scope": scope,
        "nav": "areas",
        "area": area,
        "building": building,
        "unit": unit,
        "houses": found,
        "status": status,
        "page_url": pager_url(request),
        **_words(request),
    }
    return render(request, "houses/unit.html", context)


@router.get("/houses", include_in_schema=False)
def house_list(
    request: Request, scope: Access, session: SessionDep, area_id: str = "", status: str = "", page: str = "1"
) -> Response:
    """Return the houses in reach, filtered by area and status (the vacant houses of a grid, say), paged."""
    status = status if status in HOUSE_STATUSES else ""
    area = as_int(area_id, 1)
    found = houses.list_houses(
        session,
        scope,
        area_id=area,
        status=status or None,
        page=as_int(page, 1) or 1,
        page_size=get_runtime(request).settings.page_size,
    )
    context = {
        "scope": scope,
        "nav": "areas",
        "houses": found,
        "status": status,
        "area_id": area or "",
        "page_url": pager_url(request),
        **_words(request),
    }
    return render(request, "houses/list.html", context)


def _house_page(
    request: Request,
    scope: Access,
    session: SessionDep,
    house_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    tenancy_errors: dict[str, list[str]] | None = None,
    tenancy_values: dict[str, Any] | None = None,
    unmasked: OwnerUnmaskedOut | None = None,
    status: int = 200,
) -> Response:
    house = houses.get_house(session, scope, house_id)
    area = areas.get_area(session, scope, house.area_id)
    can_write = scope.reaches(WRITE, area.path)
    candidates = (
        [h for h in places.list_households(session, scope, area_id=house.area_id, page_size=500).items]
        if can_write
        else []
    )
    shown = values or {
        "status": house.status,
        "owner_name": "" if house.owner_resident_id else house.owner_name,
        "owner_resident_id": house.owner_resident_id or "",
        "floor_area": house.floor_area if house.floor_area is not None else "",
        "note": house.note,
    }
    context = {
        "scope": scope,
        "nav": "areas",
        "house": house,
        "area": area,
        "can_write": can_write,
        "can_unmask": scope.reaches(UNMASK, area.path),
        "values": shown,
        # One form's refusals at a time; the tenancy form's note and general messages have their own keys.
        "errors": {**(errors or {}), **(tenancy_errors or {})},
        "tenancy_open": bool(tenancy_errors),
        "tenancy_values": tenancy_values or {"starts_on": clock.today().isoformat()},
        "household_options": [
            (str(h.id), " ".join(p for p in (h.building, h.room, h.head_name or "") if p)) for h in candidates
        ],
        "unmasked": unmasked,
        **_words(request),
    }
    return render(request, "houses/house.html", context, status=status)


@router.get("/houses/{house_id}", include_in_schema=False)
def house_page(house_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return a house: status, owner (masked), floor area, its households and people, its tenancies."""
    return _house_page(request, scope, session, house_id)


@router.post("/houses/{house_id}", include_in_schema=False)
def update_house(house_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Change a house's status, owner or floor area; an empty phone field keeps the phone."""
    given: dict[str, Any] = {k: str(form.get(k, "")).strip() for k in HOUSE_FIELDS}
    payload: dict[str, Any] = {"status": given["status"] or None, "note": given["note"]}
    payload["owner_name"] = given["owner_name"]
    payload["owner_resident_id"] = as_int(given["owner_resident_id"], 1)
    payload["floor_area"] = given["floor_area"] or None
    if given["owner_phone"]:
        payload["owner_phone"] = given["owner_phone"]
    if form.get("clear_phone") == "yes":
        payload["owner_phone"] = ""
    try:
        houses.update_house(session, scope, house_id, HouseUpdate(**payload))
    except (ValidationError, Invalid, Conflict) as error:
        errors = field_errors(error, get_locale(request), HOUSE_FIELDS)
        return _house_page(request, scope, session, house_id, values=given, errors=errors, status=422)
    return RedirectResponse(f"/houses/{house_id}", status_code=303)


@router.post("/houses/{house_id}/unmask", include_in_schema=False)
def unmask_owner(house_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Show the house with the outside owner's phone in full, once a reason is given (audited)."""
    try:
        shown = houses.unmask_owner(session, scope, house_id, str(form.get("reason", "")))
    except Invalid as error:
        errors = field_errors(error, get_locale(request), {"reason"})
        return _house_page(request, scope, session, house_id, errors=errors, status=error.status)
    return _house_page(request, scope, session, house_id, unmasked=shown)


@router.post("/houses/{house_id}/tenancies", include_in_schema=False)
def create_tenancy(house_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Record a tenant household's tenancy; an overlapping period is refused beside the form."""
    values = {k: str(form.get(k, "")).strip() for k in ("household_id", "starts_on", "ends_on", "tenancy_note")}
    try:
        data = TenancyIn(
            household_id=as_int(values["household_id"], 1) or 0,
            starts_on=values["starts_on"] or clock.today(),
            ends_on=values["ends_on"] or None,
            note=values["tenancy_note"],
        )
        tenancies.create_tenancy(session, scope, house_id, data)
    except NotFound:
        errors = {"household_id": [_not_in_reach(request)]}
        return _house_page(request, scope, session, house_id, tenancy_errors=errors, tenancy_values=values, status=422)
    except (ValidationError, Invalid, Conflict) as error:
        found = field_errors(error, get_locale(request), {"household_id", "starts_on", "ends_on", "note"})
        errors = {{"note": "tenancy_note", "": "tenancy"}.get(k, k): v for k, v in found.items()}
        return _house_page(request, scope, session, house_id, tenancy_errors=errors, tenancy_values=values, status=422)
    return RedirectResponse(f"/houses/{house_id}#tenancies", status_code=303)


def _not_in_reach(request: Request) -> str:
    return translate("Choose a household.", get_locale(request))


@router.get("/tenancies/{tenancy_id}/end", include_in_schema=False)
def end_tenancy_form(tenancy_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Ask for the end date and confirmation before ending a tenancy."""
    house_id = tenancies.house_of_tenancy(session, scope, tenancy_id)
    house = houses.get_house(session, scope, house_id)
    tenancy = next(t for t in house.tenancies if t.id == tenancy_id)
    context = {"scope": scope, "nav": "areas", "house": house, "tenancy": tenancy, "errors": {}}
    context["values"] = {"ends_on": clock.today().isoformat()}
    return render(request, "houses/end_tenancy.html", context)


@router.post("/tenancies/{tenancy_id}/end", include_in_schema=False)
def end_tenancy(tenancy_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """End a tenancy on the date given (the form asked first); it stays in the house's history."""
    house_id = tenancies.house_of_tenancy(session, scope, tenancy_id)
    try:
        tenancies.end_tenancy(session, scope, tenancy_id, TenancyEnd(ends_on=form.get("ends_on") or date.today()))
    except (ValidationError, Invalid, Conflict) as error:
        house = houses.get_house(session, scope, house_id)
        tenancy = next(t for t in house.tenancies if t.id == tenancy_id)
        context = {"scope": scope, "nav": "areas", "house": house, "tenancy": tenancy, "values": form}
        context["errors"] = field_errors(error, get_locale(request), {"ends_on"})
        return render(request, "houses/end_tenancy.html", context, status=422)
    return RedirectResponse(f"/houses/{house_id}#tenancies", status_code=303)


def _grade_page(
    request: Request,
    scope: Access,
    session: SessionDep,
    household_id: int,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Response:
    household = places.get_household(session, scope, household_id)
    grade = tenancies.care_grade(session, scope, household_id)
    area = areas.get_area(session, scope, household.area_id)
    context = {
        "scope": scope,
        "nav": "areas",
        "household": household,
        "grade": grade,
        "grades": CARE_GRADES,
        "can_write": scope.reaches(WRITE, area.path),
        "values": values or {"grade": grade.grade or ""},
        "errors": errors or {},
        **_words(request),
    }
    return render(request, "houses/care_grade.html", context, status=status)


@router.get("/households/{household_id}/care-grade", include_in_schema=False)
def care_grade_page(household_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return a household's care grade, its history, and (for staff) the form to change it."""
    return _grade_page(request, scope, session, household_id)


@router.post("/households/{household_id}/care-grade", include_in_schema=False)
def set_care_grade(household_id: int, request: Request, scope: Access, session: SessionDep, form: FormData) -> Response:
    """Set or clear a household's care grade; a reason is required."""
    values = {"grade": str(form.get("grade", "")), "reason": str(form.get("reason", "")).strip()}
    try:
        tenancies.set_care_grade(
            session, scope, household_id, CareGradeIn(grade=values["grade"] or None, reason=values["reason"])
        )
    except (ValidationError, Invalid) as error:
        errors = field_errors(error, get_locale(request), {"grade", "reason"})
        return _grade_page(request, scope, session, household_id, values, errors, status=422)
    return RedirectResponse(f"/households/{household_id}", status_code=303)
