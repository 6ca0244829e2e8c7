"""The grid's public notice (网格公示): the printable A4 page, the form for its boundary and supervision
phone, and the form where a staff member sets their own work phone."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError

from linli.accounts.permissions import USER_MANAGE
from linli.areas.models import Area
from linli.disputes import notice
from linli.disputes.schemas import AreaNoticeIn
from linli.errors import Forbidden, Invalid, NotFound
from linli.web.deps import Access, SessionDep, current_scope, get_locale
from linli.web.forms import field_errors
from linli.web.render import render

router = APIRouter(dependencies=[Depends(current_scope)])


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _show(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return render(request, f"disputes/{template}", {"nav": "", **context}, status=status)


def _work_phone_page(
    request: Request,
    scope: Any,
    session: Any,
    value: str,
    errors: dict[str, list[str]] | None = None,
    saved: bool = False,
) -> Response:
    return _show(
        request,
        "work_phone.html",
        {"scope": scope, "value": value, "errors": errors or {}, "saved": saved},
        status=422 if errors else 200,
    )


@router.get("/notice/work-phone", include_in_schema=False)
def work_phone_page(request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the form where a staff member sets the work phone printed on their grid's notice."""
    if scope.user_id is None:
        raise NotFound("user")
    current = notice.get_work_phone(session, scope, scope.user_id)
    return _work_phone_page(request, scope, session, current.work_phone or "")


@router.post("/notice/work-phone", include_in_schema=False)
async def save_work_phone(request: Request, scope: Access, session: SessionDep) -> Response:
    """Save the caller's work phone (empty removes it)."""
    if scope.user_id is None:
        raise NotFound("user")
    form = await _form(request)
    value = form.get("work_phone", "")
    try:
        saved = notice.set_work_phone(session, scope, scope.user_id, value)
    except Invalid as error:
        return _work_phone_page(
            request, scope, session, value, field_errors(error, get_locale(request), {"work_phone"})
        )
    return _work_phone_page(request, scope, session, saved.work_phone or "", saved=True)


@router.get("/notice/{grid_id}", include_in_schema=False)
def notice_page(grid_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the grid's public notice, laid out for A4 paper, with a QR code to the public request form."""
    data = notice.grid_notice(session, scope, grid_id)
    url = str(request.base_url).rstrip("/") + data.ask_path
    grid = session.get(Area, grid_id)
    community = session.get(Area, data.community_id)
    can_edit = any(notice.may_edit(scope, grid).values()) or any(notice.may_edit(scope, community).values())
    context = {
        "scope": scope,
        "n": data,
        "ask_url": url,
        "qr": Markup(notice.qr_svg(url)),
        "can_edit": can_edit,
    }
    return _show(request, "notice.html", context)


def _edit_page(
    request: Request, scope: Any, session: Any, grid_id: int, values: dict[str, Any], errors: dict[str, list[str]]
) -> Response:
    data = notice.grid_notice(session, scope, grid_id)
    grid, community = session.get(Area, grid_id), session.get(Area, data.community_id)
    context = {
        "scope": scope,
        "n": data,
        "values": values,
        "errors": errors,
        "edit_boundary": notice.may_edit(scope, grid)["boundary"],
        "edit_phone": notice.may_edit(scope, community)["supervision_phone"],
        "manage_users": scope.can(USER_MANAGE),
    }
    return _show(request, "notice_edit.html", context, status=422 if errors else 200)


@router.get("/notice/{grid_id}/edit", include_in_schema=False)
def notice_edit_page(grid_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the form for the grid's boundary (staff) and the community's supervision phone (secretary)."""
    data = notice.grid_notice(session, scope, grid_id)
    values = {"boundary": data.boundary, "supervision_phone": data.supervision_phone or ""}
    return _edit_page(request, scope, session, grid_id, values, {})


@router.post("/notice/{grid_id}/edit", include_in_schema=False)
async def notice_save(grid_id: int, request: Request, scope: Access, session: SessionDep) -> Response:
    """Save what the caller may change, then show the notice."""
    data = notice.grid_notice(session, scope, grid_id)
    form = await _form(request)
    grid, community = session.get(Area, grid_id), session.get(Area, data.community_id)
    edit_boundary = notice.may_edit(scope, grid)["boundary"]
    edit_phone = notice.may_edit(scope, community)["supervision_phone"]
    if not (edit_boundary or edit_phone):
        raise Forbidden()
    try:
        if edit_boundary:
            notice.set_area_notice(session, scope, grid_id, AreaNoticeIn(boundary=form.get("boundary", "")))
        if edit_phone:
            notice.set_area_notice(
                session, scope, data.community_id, AreaNoticeIn(supervision_phone=form.get("supervision_phone", ""))
            )
    except (Invalid, ValidationError) as error:
        errors = field_errors(error, get_locale(request), {"boundary", "supervision_phone"})
        return _edit_page(request, scope, session, grid_id, form, errors)
    return RedirectResponse(f"/notice/{grid_id}", status_code=303)
