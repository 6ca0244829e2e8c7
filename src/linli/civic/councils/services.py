"""Councils (议事会) and self-governance groups (自治共管小组) and their members: kept, found, read.

A council belongs to an area (a community, or the grid of a compound). Members are residents of the
registry living in that area (found by name) or staff accounts; leaving sets ``left_on`` and never deletes,
so the members of any past day can still be counted. Writes are one transaction each, audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linli.accounts.models import Assignment, User
from linli.accounts.permissions import CIVIC_JOIN, CIVIC_MANAGE, CIVIC_READ, Scope, path_under
from linli.areas.models import Area
from linli.areas.services import ancestry, area_labels
from linli.audit import services as audit
from linli.civic.councils import access
from linli.civic.councils.models import Council, CouncilMember, Topic
from linli.civic.councils.schemas import (
    CouncilDetail,
    CouncilIn,
    CouncilOut,
    CouncilPage,
    CouncilUpdate,
    LeaveIn,
    MemberIn,
    MemberOut,
    MemberUpdate,
)
from linli.db.engine import transaction
from linli.db.paging import capped_count
from linli.errors import Conflict, Invalid, NotFound
from linli.lib import clock
from linli.registry.models import Resident

DEFAULT_QUORUM = 50
STAFF_ROLES = ("admin", "supervisor", "secretary", "staff", "grid_worker")
OPEN_STATES = ("proposed", "open", "scheduled")


@dataclass(frozen=True)
class CouncilFilter:
    q: str = ""
    kind: str | None = None
    area_id: int | None = None


def seen(scope: Scope) -> Any:
    """Return the condition on ``Council`` of the councils the caller sees (staff: all; residents: active ones)."""
    return or_(
        access.visible(scope, CIVIC_READ, Council.area_id),
        and_(access.visible(scope, CIVIC_JOIN, Council.area_id), Council.active.is_(True)),
    )


# ---- councils -------------------------------------------------------------------------------------


def create_council(session: Session, scope: Scope, data: CouncilIn) -> CouncilOut:
    """Add a council or group to an area the caller keeps councils of."""
    scope.require(CIVIC_MANAGE)
    with transaction(session):
        path = access.area_path(session, data.area_id)
        scope.check(CIVIC_MANAGE, path, "area")
        values = data.model_dump()
        values["quorum_percent"] = data.quorum_percent or DEFAULT_QUORUM
        council = Council(**values, active=True, created_by_id=scope.user_id)
        session.add(council)
        session.flush()
        audit.record_by(
            session, scope, "council.create", entity="council", entity_id=council.id, area_id=council.area_id,
            changes={k: [None, v] for k, v in values.items()},
        )  # fmt: skip
        return outs(session, [council])[0]


def update_council(session: Session, scope: Scope, council_id: int, data: CouncilUpdate) -> CouncilOut:
    """Change a council's name, rules or description, or retire it (``active`` false)."""
    with transaction(session):
        reached = access.reach(session, scope, council_id)
        reached.require(scope, CIVIC_MANAGE)
        council = reached.council
        changes: dict[str, list[Any]] = {}
        for key, value in data.model_dump(exclude_unset=True).items():
            if value is None or getattr(council, key) == value:
                continue
            changes[key] = [getattr(council, key), value]
            setattr(council, key, value)
        if changes:
            audit.record_by(
                session, scope, "council.update", entity="council", entity_id=council.id, area_id=council.area_id,
                changes=changes,
            )  # fmt: skip
        return outs(session, [council])[0]


def get_council(session: Session, scope: Scope, council_id: int) -> CouncilDetail:
    """Return a council with its members (current first, then those who left)."""
    council = access.reach(session, scope, council_id).council
    out = outs(session, [council])[0]
    rows = session.scalars(
        select(CouncilMember)
        .where(CouncilMember.council_id == council.id)
        .order_by(CouncilMember.left_on.is_not(None), CouncilMember.role != "chair", CouncilMember.id)
    ).all()
    return CouncilDetail(**out.model_dump(), member_list=members_out(session, list(rows)))


def list_councils(session: Session, scope: Scope, f: CouncilFilter, page: int = 1, page_size: int = 20) -> CouncilPage:
    """Return a page of the councils the caller sees, by area then name (a fixed number of queries)."""
    if not (scope.can(CIVIC_READ) or scope.can(CIVIC_JOIN)):
        return CouncilPage(items=[], total=0, page=page, page_size=page_size)
    query = select(Council).where(seen(scope))
    if f.kind in ("council", "group"):
        query = query.where(Council.kind == f.kind)
    if f.area_id is not None:
        path = access.area_path(session, f.area_id)
        if not (access.sees(scope, path, CIVIC_READ) or access.sees(scope, path, CIVIC_JOIN)):
            raise NotFound("area")
        query = query.where(Council.area_id.in_(select(Area.id).where(path_under(Area.path, path))))
    if f.q.strip():
        text = f.q.strip()
        query = query.where(
            or_(Council.name.icontains(text, autoescape=True), Council.description.icontains(text, autoescape=True))
        )
    total, capped = capped_count(session, query)
    rows = session.scalars(
        query.order_by(Council.active.desc(), Council.area_id, Council.name, Council.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return CouncilPage(
        items=outs(session, list(rows)), total=total, page=page, page_size=page_size, total_capped=capped
    )


def outs(session: Session, councils: list[Council]) -> list[CouncilOut]:
    """Return councils as the API gives them (three queries however many)."""
    if not councils:
        return []
    ids = [c.id for c in councils]
    today = clock.today()
    members = dict(
        session.execute(
            select(CouncilMember.council_id, func.count())
            .where(CouncilMember.council_id.in_(ids), *current_on(today))
            .group_by(CouncilMember.council_id)
        ).all()
    )
    topics = dict(
        session.execute(
            select(Topic.council_id, func.count())
            .where(Topic.council_id.in_(ids), Topic.state.in_(OPEN_STATES))
            .group_by(Topic.council_id)
        ).all()
    )
    names = area_labels(session, {c.area_id for c in councils})
    return [
        CouncilOut(
            id=c.id,
            area_id=c.area_id,
            area=names.get(c.area_id, ""),
            name=c.name,
            kind=c.kind,
            description=c.description,
            quorum_percent=c.quorum_percent,
            pass_rule=c.pass_rule,
            cosigners_needed=c.cosigners_needed,
            active=c.active,
            members=members.get(c.id, 0),
            open_topics=topics.get(c.id, 0),
        )
        for c in councils
    ]


def current_on(day: date) -> tuple[Any, ...]:
    """Return the conditions of a membership that counts on ``day``: joined by then, not yet left."""
    return (
        CouncilMember.joined_on <= day,
        or_(CouncilMember.left_on.is_(None), CouncilMember.left_on > day),
    )


# ---- members -------------------------------------------------------------------------------------


def members_out(session: Session, rows: list[CouncilMember]) -> list[MemberOut]:
    """Return members with their names (residents' from the registry, staff's display names; two queries)."""
    people = dict(
        session.execute(
            select(Resident.id, Resident.name).where(Resident.id.in_({r.resident_id for r in rows if r.resident_id}))
        ).all()
    )
    users = dict(
        session.execute(
            select(User.id, User.display_name).where(User.id.in_({r.user_id for r in rows if r.user_id}))
        ).all()
    )
    return [
        MemberOut(
            id=r.id,
            council_id=r.council_id,
            resident_id=r.resident_id,
            user_id=r.user_id,
            name=people.get(r.resident_id, "") if r.resident_id else users.get(r.user_id or 0, ""),
            role=r.role,
            represents=r.represents,
            joined_on=r.joined_on,
            left_on=r.left_on,
        )
        for r in rows
    ]


def add_member(session: Session, scope: Scope, council_id: int, data: MemberIn) -> MemberOut:
    """Add a resident of the council's area, or a staff account, as a member; one who left may join again."""
    with transaction(session):
        reached = access.reach(session, scope, council_id)
        reached.require(scope, CIVIC_MANAGE)
        if (data.resident_id is None) == (data.user_id is None):
            raise Invalid("member.who", "Choose a resident or a staff account.", "resident_id")
        if data.resident_id is not None:
            _check_resident(session, reached.path, data.resident_id)
            held = CouncilMember.resident_id == data.resident_id
        else:
            check_staff(session, reached.path, data.user_id or 0)
            held = CouncilMember.user_id == data.user_id
        joined = data.joined_on or clock.today()
        row = session.scalars(select(CouncilMember).where(CouncilMember.council_id == council_id, held)).first()
        if row is not None and row.left_on is None:
            raise Conflict("member.exists", "Already a member of this council.", "resident_id")
        action = "council.member_rejoin" if row is not None else "council.member_add"
        if row is None:
            row = CouncilMember(council_id=council_id, resident_id=data.resident_id, user_id=data.user_id)
            session.add(row)
        row.role, row.represents, row.joined_on, row.left_on = data.role, data.represents, joined, None
        try:
            session.flush()
        except IntegrityError as error:  # the same person added twice at the same moment
            raise Conflict("member.exists", "Already a member of this council.", "resident_id") from error
        audit.record_by(
            session, scope, action, entity="council_member", entity_id=row.id, area_id=reached.council.area_id,
            changes={"council_id": [None, council_id], "resident_id": [None, data.resident_id],
                     "user_id": [None, data.user_id], "role": [None, data.role], "joined_on": [None, str(joined)]},
        )  # fmt: skip
        return members_out(session, [row])[0]


def _check_resident(session: Session, path: str, resident_id: int) -> None:
    row = session.execute(
        select(Resident.status, Area.path).join(Area, Area.id == Resident.area_id).where(Resident.id == resident_id)
    ).first() if 0 < resident_id < access.MAX_ID else None  # fmt: skip
    if row is None or row.status != "active" or not row.path.startswith(path):
        raise Invalid("member.outside", "Members are residents living in the council's area.", "resident_id")


def check_staff(session: Session, path: str, user_id: int) -> None:
    if not 0 < user_id < access.MAX_ID:
        raise Invalid("member.not_staff", "That is not a staff account of this area.", "user_id")
    paths = session.scalars(
        select(Area.path)
        .join(Assignment, Assignment.area_id == Area.id)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.user_id == user_id, Assignment.role.in_(STAFF_ROLES), User.active.is_(True))
    ).all()
    if not any(path.startswith(p) or p.startswith(path) for p in paths):
        raise Invalid("member.not_staff", "That is not a staff account of this area.", "user_id")


def _member(session: Session, scope: Scope, member_id: int) -> tuple[CouncilMember, access.Reach]:
    row = session.get(CouncilMember, member_id) if 0 < member_id < access.MAX_ID else None
    if row is None:
        raise NotFound("council_member")
    reached = access.reach(session, scope, row.council_id, "council_member")
    reached.require(scope, CIVIC_MANAGE)
    return row, reached


def get_member(session: Session, scope: Scope, member_id: int) -> MemberOut:
    """Return one member of a council the caller keeps."""
    return members_out(session, [_member(session, scope, member_id)[0]])[0]


def update_member(session: Session, scope: Scope, member_id: int, data: MemberUpdate) -> MemberOut:
    """Change a member's role (chair, member) or what they represent."""
    with transaction(session):
        row, reached = _member(session, scope, member_id)
        changes = {
            k: [getattr(row, k), v]
            for k, v in data.model_dump(exclude_unset=True).items()
            if v is not None and getattr(row, k) != v
        }
        for key, (_, value) in changes.items():
            setattr(row, key, value)
        if changes:
            audit.record_by(
                session, scope, "council.member_update", entity="council_member", entity_id=row.id,
                area_id=reached.council.area_id, changes=changes,
            )  # fmt: skip
        return members_out(session, [row])[0]


def leave(session: Session, scope: Scope, member_id: int, data: LeaveIn) -> MemberOut:
    """End a membership on ``left_on`` (today by default); the row stays for the meetings before it."""
    with transaction(session):
        row, reached = _member(session, scope, member_id)
        if row.left_on is not None:
            raise Conflict("member.left", "This member has already left.")
        day = data.left_on or clock.today()
        if day < row.joined_on:
            raise Invalid("member.left_before_joined", "A member cannot leave before joining.", "left_on")
        row.left_on = day
        audit.record_by(
            session, scope, "council.member_leave", entity="council_member", entity_id=row.id,
            area_id=reached.council.area_id, changes={"left_on": [None, str(day)]},
        )  # fmt: skip
        return members_out(session, [row])[0]


def member_candidates(
    session: Session, scope: Scope, council_id: int, q: str, limit: int = 20
) -> list[tuple[int, str, str]]:
    """Return ``(resident id, name, grid)`` of the area's residents a name matches who are not members now."""
    reached = access.reach(session, scope, council_id)
    reached.require(scope, CIVIC_MANAGE)
    text = q.strip()
    if not text:
        return []
    current = select(CouncilMember.resident_id).where(
        CouncilMember.council_id == council_id, CouncilMember.left_on.is_(None), CouncilMember.resident_id.is_not(None)
    )
    rows = session.execute(
        select(Resident.id, Resident.name, Resident.area_id)
        .where(
            Resident.status == "active",
            Resident.name.icontains(text, autoescape=True),
            Resident.area_id.in_(select(Area.id).where(path_under(Area.path, reached.path))),
            Resident.id.not_in(current),
        )
        .order_by(Resident.name, Resident.id)
        .limit(limit)
    ).all()
    grids = area_labels(session, {a for _, _, a in rows})
    return [(i, name, grids.get(a, "")) for i, name, a in rows]


def staff_choices(session: Session, path: str) -> list[tuple[int, str]]:
    """Return ``(user id, display name)`` of the active staff accounts at, above or below the area at ``path``."""
    areas = select(Area.id).where(or_(Area.path.in_(ancestry(path)), path_under(Area.path, path)))
    rows = session.execute(
        select(User.id, User.display_name)
        .join(Assignment, Assignment.user_id == User.id)
        .where(User.active.is_(True), Assignment.role.in_(STAFF_ROLES), Assignment.area_id.in_(areas))
        .distinct()
        .order_by(User.display_name, User.id)
        .limit(200)
    ).all()
    return [(i, n) for i, n in rows]


def area_choices(session: Session, scope: Scope, capability: str) -> list[tuple[int, str]]:
    """Return ``(id, name)`` of the areas where the caller holds ``capability``, in tree order (one query)."""
    condition = scope.area_ids(capability)
    if condition is None:
        return []
    rows = session.execute(
        select(Area.id, Area.name, Area.path).where(condition, Area.level.in_(("street", "community", "grid")))
        .order_by(Area.path)
        .limit(500)
    ).all()  # fmt: skip
    top = min((p.count("/") for _, _, p in rows), default=0)
    return [(i, "\u3000" * (path.count("/") - top) + name) for i, name, path in rows]
