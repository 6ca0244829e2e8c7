"""Service teams that orders can be assigned to: a name, an area, members (kept minimal; volunteers grow it)."""

from __future__ import annotations

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from linli.accounts.models import Assignment, User
from linli.accounts.permissions import CAPABILITIES, NEEDS_HANDLE, NEEDS_MANAGE, NEEDS_READ, Scope, path_under
from linli.areas.models import Area
from linli.audit import services as audit
from linli.db.engine import transaction
from linli.errors import Invalid, NotFound
from linli.needs.models import ServiceCategory, Team, TeamArea, TeamCategory, TeamMember
from linli.needs.schemas import TeamIn, TeamOut


def create_team(session: Session, scope: Scope, data: TeamIn) -> TeamOut:
    """Return a new team in an area the caller manages, with its first members."""
    with transaction(session):
        path = session.scalar(select(Area.path).where(Area.id == data.area_id))
        if path is None:
            raise NotFound("area")
        scope.check(NEEDS_MANAGE, path, "area")
        members = sorted(set(data.member_ids))
        known = set(session.scalars(select(User.id).where(User.id.in_(members), User.active.is_(True))))
        if len(known) != len(members):
            raise Invalid("team.unknown_member", "Unknown or inactive user among the members.", "member_ids")
        if data.leader_id is not None and data.leader_id not in known:
            raise Invalid("team.leader_not_member", "The leader must be one of the members.", "leader_id")
        categories = sorted(set(data.category_ids))
        if len(set(session.scalars(select(ServiceCategory.id).where(ServiceCategory.id.in_(categories))))) != len(
            categories
        ):
            raise Invalid("team.unknown_category", "Unknown service category.", "category_ids")
        covers = sorted(set(data.covers_area_ids) - {data.area_id})
        paths = dict(session.execute(select(Area.id, Area.path).where(Area.id.in_(covers))).all())
        if len(paths) != len(covers) or not all(scope.reaches(NEEDS_MANAGE, p) for p in paths.values()):
            raise NotFound("area")
        team = Team(area_id=data.area_id, name=data.name)
        session.add(team)
        session.flush()
        session.add_all(TeamMember(team_id=team.id, user_id=uid, leader=uid == data.leader_id) for uid in members)
        session.add_all(TeamCategory(team_id=team.id, category_id=c) for c in categories)
        session.add_all(TeamArea(team_id=team.id, area_id=a) for a in covers)
        audit.record(
            session,
            "team.create",
            user_id=scope.user_id,
            username=scope.username,
            client=scope.client,
            entity="team",
            entity_id=team.id,
            area_id=data.area_id,
            changes={
                "name": [None, data.name],
                "members": [None, members],
                "categories": [None, categories],
                "covers": [None, covers],
            },
        )
    return TeamOut(
        id=team.id,
        area_id=team.area_id,
        name=team.name,
        active=True,
        member_ids=members,
        leader_id=data.leader_id,
        category_ids=categories,
        covers_area_ids=covers,
    )


def list_teams(session: Session, scope: Scope) -> list[TeamOut]:
    """Return the active teams of the caller's areas, with their members."""
    teams = session.scalars(
        select(Team).where(Team.active.is_(True), scope.filter(NEEDS_READ, Team.area_id)).order_by(Team.name)
    ).all()
    ids = [t.id for t in teams]
    members: dict[int, list[int]] = {}
    leaders: dict[int, int] = {}
    for team_id, user_id, leader in session.execute(
        select(TeamMember.team_id, TeamMember.user_id, TeamMember.leader).where(TeamMember.team_id.in_(ids))
    ):
        members.setdefault(team_id, []).append(user_id)
        if leader:
            leaders[team_id] = user_id
    categories: dict[int, list[int]] = {}
    for team_id, category_id in session.execute(
        select(TeamCategory.team_id, TeamCategory.category_id).where(TeamCategory.team_id.in_(ids))
    ):
        categories.setdefault(team_id, []).append(category_id)
    covers: dict[int, list[int]] = {}
    for team_id, area_id in session.execute(
        select(TeamArea.team_id, TeamArea.area_id).where(TeamArea.team_id.in_(ids))
    ):
        covers.setdefault(team_id, []).append(area_id)
    return [
        TeamOut(
            id=t.id,
            area_id=t.area_id,
            name=t.name,
            active=t.active,
            member_ids=sorted(members.get(t.id, [])),
            leader_id=leaders.get(t.id),
            category_ids=sorted(categories.get(t.id, [])),
            covers_area_ids=sorted(covers.get(t.id, [])),
        )
        for t in teams
    ]


def teams_of(session: Session, user_id: int | None) -> set[int]:
    """Return the ids of the active teams ``user_id`` belongs to."""
    if user_id is None:
        return set()
    return set(
        session.scalars(
            select(TeamMember.team_id).join(Team).where(TeamMember.user_id == user_id, Team.active.is_(True))
        )
    )


def members_of(session: Session, team_id: int) -> list[int]:
    """Return the user ids of a team's members."""
    return list(session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team_id)))


def assignable(session: Session, area_path: str) -> list[tuple[int, str, str]]:
    """Return ``(user id, name, role)`` of the people who can be given an order at ``area_path``.

    They hold a role that handles orders at an area containing it, or anywhere in its community.
    """
    community = "/" + "/".join(area_path.strip("/").split("/")[:3]) + "/"  # district/street/community
    roles = [role for role, caps in CAPABILITIES.items() if NEEDS_HANDLE in caps]
    rows = session.execute(
        select(User.id, User.display_name, Assignment.role)
        .join(Assignment, Assignment.user_id == User.id)
        .join(Area, Area.id == Assignment.area_id)
        .where(
            User.active.is_(True),
            Assignment.role.in_(roles),
            literal(area_path).startswith(Area.path) | path_under(Area.path, community),
        )
        .order_by(Assignment.role, User.display_name)
    ).all()
    seen: dict[int, tuple[int, str, str]] = {}
    for user_id, name, role in rows:
        seen.setdefault(user_id, (user_id, name, role))
    return list(seen.values())
