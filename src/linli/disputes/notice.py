"""The grid's public notice (网格公示): a printable A4 page per grid.

It shows the grid's name and boundary in words, its grid workers with their WORK phones (never a personal
one), the community's supervision phone (监督电话), and a QR code to the public request form
(``/ask?community=<code>``), drawn here as SVG by segno (no network, no image files).

Who keeps what: a grid's boundary — registry writers of the grid (staff); a community's supervision phone —
those who keep its areas (the secretary, administrators); a work phone — its holder, and user managers
where the holder works.
"""

from __future__ import annotations

from typing import Any

import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import Assignment, User
from linli.accounts.permissions import AREA_WRITE, READ, USER_MANAGE, WRITE, Scope
from linli.areas.models import Area
from linli.audit import services as audit
from linli.db.engine import transaction
from linli.disputes.schemas import AreaNoticeIn, NoticeOut, NoticeWorker, WorkPhoneOut
from linli.errors import Forbidden, Invalid, NotFound
from linli.lib import phone


def _printable(e164: str | None) -> str | None:
    return phone.national(e164) if e164 else None


def _phone_or_none(value: str | None, field: str) -> str | None:
    """Return ``value`` in E.164, None when empty, or raise ``Invalid`` for a number that cannot be one."""
    if value is None or not value.strip():
        return None
    try:
        return phone.validate(value)
    except phone.PhoneProblem:
        raise Invalid("notice.phone", "This is not a phone number we can call.", field) from None


def ask_path(community_code: str) -> str:
    """Return the public request form's address for a community (the QR code's target, host excluded)."""
    return f"/ask?community={community_code}"


def qr_svg(url: str) -> str:
    """Return the QR code of ``url`` as inline SVG markup (no styles, no scripts: the CSP holds)."""
    return str(segno.make(url, error="m").svg_inline(scale=6, dark="#000000", light="#ffffff"))


def grid_notice(session: Session, scope: Scope, grid_id: int) -> NoticeOut:
    """Return a grid's notice, or ``NotFound`` for an area that is not a grid in the caller's reach."""
    grid = session.get(Area, grid_id)
    if grid is None or grid.level != "grid" or not scope.reaches(READ, grid.path):
        raise NotFound("grid")
    community = session.get(Area, grid.parent_id) if grid.parent_id else None
    if community is None:
        raise NotFound("grid")
    workers = session.execute(
        select(User.id, User.display_name, User.work_phone)
        .join(Assignment, Assignment.user_id == User.id)
        .where(Assignment.area_id == grid.id, Assignment.role == "grid_worker", User.active.is_(True))
        .order_by(User.display_name, User.id)
    ).all()
    return NoticeOut(
        grid_id=grid.id,
        grid=grid.name,
        grid_code=grid.code,
        community_id=community.id,
        community=community.name,
        community_code=community.code,
        boundary=grid.boundary,
        workers=[NoticeWorker(user_id=u, name=n, work_phone=_printable(p)) for u, n, p in workers],
        supervision_phone=_printable(community.supervision_phone),
        ask_path=ask_path(community.code),
    )


def grid_choices(session: Session, scope: Scope, limit: int = 50) -> list[tuple[int, str]]:
    """Return the grids whose notice the caller may print, by name (the first ``limit``)."""
    condition = scope.area_ids(READ)
    if condition is None:
        return []
    rows = session.execute(
        select(Area.id, Area.name).where(condition, Area.level == "grid").order_by(Area.path).limit(limit)
    ).all()
    return [(i, n) for i, n in rows]


def may_edit(scope: Scope, area: Area | None) -> dict[str, bool]:
    """Return which notice fields of ``area`` the caller may change."""
    if area is None:
        return {"boundary": False, "supervision_phone": False}
    return {
        "boundary": area.level == "grid" and scope.reaches(WRITE, area.path),
        "supervision_phone": area.level == "community" and scope.reaches(AREA_WRITE, area.path),
    }


def set_area_notice(session: Session, scope: Scope, area_id: int, data: AreaNoticeIn) -> dict[str, Any]:
    """Return the area's notice fields after changing those given (a grid's boundary, a community's phone).

    An area outside reach is ``NotFound``; a field the caller may not change there, or that the area's
    level does not have, is ``Forbidden``.
    """
    with transaction(session):
        area = session.get(Area, area_id)
        if area is None or not scope.reaches(READ, area.path):
            raise NotFound("area")
        allowed = may_edit(scope, area)
        changes: dict[str, list[Any]] = {}
        if data.boundary is not None:
            if not allowed["boundary"]:
                raise Forbidden()
            text = data.boundary.strip()
            if text != area.boundary:
                changes["boundary"] = [area.boundary, text]
                area.boundary = text
        if data.supervision_phone is not None:
            if not allowed["supervision_phone"]:
                raise Forbidden()
            value = _phone_or_none(data.supervision_phone, "supervision_phone")
            if value != area.supervision_phone:
                changes["supervision_phone"] = [area.supervision_phone, value]
                area.supervision_phone = value
        if changes:
            session.flush()
            audit.record_by(
                session, scope, "area.notice", entity="area", entity_id=area.id, area_id=area.id, changes=changes
            )
        return {
            "area_id": area.id,
            "boundary": area.boundary,
            "supervision_phone": _printable(area.supervision_phone),
        }


def _may_set_work_phone(session: Session, scope: Scope, user_id: int) -> bool:
    if scope.user_id == user_id:
        return True
    paths = session.scalars(
        select(Area.path).join(Assignment, Assignment.area_id == Area.id).where(Assignment.user_id == user_id)
    ).all()
    return any(scope.reaches(USER_MANAGE, p) for p in paths)


def get_work_phone(session: Session, scope: Scope, user_id: int) -> WorkPhoneOut:
    """Return an account's work phone, for its holder and the user managers where they work."""
    user = session.get(User, user_id)
    if user is None or not _may_set_work_phone(session, scope, user_id):
        raise NotFound("user")
    return WorkPhoneOut(user_id=user.id, work_phone=_printable(user.work_phone))


def set_work_phone(session: Session, scope: Scope, user_id: int, value: str | None) -> WorkPhoneOut:
    """Return the account's work phone after setting it (empty removes it); the holder or a user manager."""
    with transaction(session):
        user = session.get(User, user_id)
        if user is None or not _may_set_work_phone(session, scope, user_id):
            raise NotFound("user")
        e164 = _phone_or_none(value, "work_phone")
        if e164 != user.work_phone:
            audit.record_by(
                session,
                scope,
                "user.work_phone",
                entity="user",
                entity_id=user.id,
                changes={"work_phone": [user.work_phone, e164]},
            )
            user.work_phone = e164
        return WorkPhoneOut(user_id=user.id, work_phone=_printable(e164))
