"""Reading what matching needs from the database: the needs, and the suppliers within their reach.

Every loader reads a fixed number of queries however many rows: one per table, by ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from linli.areas.models import Area
from linli.areas.services import ancestry
from linli.db.base import utcnow
from linli.db.values import among
from linli.lib import clock, skills
from linli.matching.scoring import NeedFacts, Place, SupplierFacts
from linli.needs.models import ServiceCategory, Team, TeamArea, TeamCategory, TeamMember, WorkOrder
from linli.registry.models import Building, Household, Resident
from linli.resources.models import Resource, ResourceCategory, ResourceUse
from linli.volunteers.models import (
    Availability,
    Away,
    Qualification,
    Volunteer,
    VolunteerArea,
    VolunteerCategory,
    VolunteerTask,
)
from linli.volunteers.services import rating, reliability

# Categories that only someone holding a valid qualification of these kinds may take.
QUALIFIED = {"free_clinic": frozenset({"medical_licence", "nurse_licence"})}
TEAM_LOAD_PER_MEMBER = 2


def _paths(session: Session, area_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(area_ids))
    return dict(session.execute(select(Area.id, Area.path).where(Area.id.in_(ids))).all()) if ids else {}


def _ids_of_paths(session: Session, paths: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(paths))
    if not wanted:
        return {}
    return {p: i for i, p in session.execute(select(Area.id, Area.path).where(Area.path.in_(wanted)))}


def _place(path_ids: dict[str, int], path: str, building_id: int | None, compound: str | None) -> Place:
    chain = ancestry(path)
    grid = path_ids.get(chain[3]) if len(chain) > 3 else None
    community = path_ids.get(chain[2]) if len(chain) > 2 else None
    return Place(building_id, compound or None, grid, community)


# What ``load_needs`` reads of an order: a ``WorkOrder``, or a row of these columns (a batch reads rows).
ORDER_COLUMNS = (
    WorkOrder.id,
    WorkOrder.area_id,
    WorkOrder.household_id,
    WorkOrder.category_id,
    WorkOrder.title,
    WorkOrder.description,
    WorkOrder.wanted_at,
)


def load_needs(session: Session, orders: Sequence[Any]) -> list[NeedFacts]:
    """Return the facts of ``orders`` (with ``ORDER_COLUMNS``): category, place, the areas that reach them,
    and the skills their words name."""
    paths = _paths(session, (o.area_id for o in orders))
    path_ids = _ids_of_paths(session, (a for p in paths.values() for a in ancestry(p)))
    codes = dict(session.execute(select(ServiceCategory.id, ServiceCategory.code)).all())
    homes = {
        hid: (bid, compound)
        for hid, bid, compound in session.execute(
            select(Household.id, Household.building_id, Building.compound)
            .outerjoin(Building, Building.id == Household.building_id)
            .where(Household.id.in_([o.household_id for o in orders if o.household_id]))
        )
    }
    facts = []
    for order in orders:
        path = paths.get(order.area_id, "")
        building_id, compound = homes.get(order.household_id or 0, (None, None))
        facts.append(
            NeedFacts(
                order_id=order.id,
                category_id=order.category_id,
                category_code=codes.get(order.category_id, ""),
                place=_place(path_ids, path, building_id, compound),
                reach=frozenset(path_ids[a] for a in ancestry(path) if a in path_ids),
                text_skills=frozenset(skills.canonical_skills(f"{order.title} {order.description}")),
                wanted_at=order.wanted_at,
            )
        )
    return facts


def load_suppliers(session: Session, reach: set[int], categories: set[int]) -> list[SupplierFacts]:
    """Return the volunteers, teams and resources serving any area of ``reach`` in any of ``categories``."""
    return [
        *_volunteers(session, reach, categories),
        *_teams(session, reach, categories),
        *_resources(session, reach, categories),
    ]


def _volunteers(session: Session, reach: set[int], categories: set[int]) -> list[SupplierFacts]:
    # The volunteers serving an area of the reach (a community's few hundred, by the area index), then
    # all their categories by the primary key, kept in Python. A join of the two lets both databases
    # start from the category index (a twelfth of the district's volunteers): 20 ms instead of 1.
    in_reach = session.scalars(
        select(VolunteerArea.volunteer_id).where(VolunteerArea.area_id.in_(reach)).distinct()
    ).all()
    if not in_reach:
        return []
    offers: dict[int, set[int]] = {}
    for vid, category in session.execute(
        select(VolunteerCategory.volunteer_id, VolunteerCategory.category_id).where(
            among(session, VolunteerCategory.volunteer_id, in_reach)
        )
    ):
        offers.setdefault(vid, set()).add(category)
    found = [vid for vid, offered in offers.items() if offered & categories]
    if not found:
        return []
    rows = session.execute(
        select(
            # Columns, not entities: a few hundred rows read as tuples skip the identity map.
            Volunteer.id,
            Volunteer.skills,
            Volunteer.open_tasks,
            Volunteer.load_limit,
            Volunteer.rating_count,
            Volunteer.rating_sum,
            Volunteer.done,
            Volunteer.no_shows,
            Volunteer.last_task_at,
            Resident.name,
            Area.path,
            Household.building_id,
            Building.compound,
        )
        .join(Resident, Resident.id == Volunteer.resident_id)
        .join(Area, Area.id == Volunteer.area_id)
        .outerjoin(Household, Household.id == Resident.household_id)
        .outerjoin(Building, Building.id == Household.building_id)
        .where(among(session, Volunteer.id, found), Volunteer.status == "active")
    ).all()
    if not rows:
        return []
    path_ids = _ids_of_paths(session, (a for row in rows for a in ancestry(row.path)))
    serves = _grouped(session, select(VolunteerArea.volunteer_id, VolunteerArea.area_id), VolunteerArea, found)
    slots: dict[int, list[tuple[int, int, int]]] = {}
    for vid, day, start, end in session.execute(
        select(
            Availability.volunteer_id, Availability.weekday, Availability.start_minute, Availability.end_minute
        ).where(among(session, Availability.volunteer_id, found))
    ):
        slots.setdefault(vid, []).append((day, start, end))
    today = clock.today()
    away: dict[int, list[tuple[date, date]]] = {}
    for vid, first, last in session.execute(
        select(Away.volunteer_id, Away.starts_on, Away.ends_on).where(
            among(session, Away.volunteer_id, found), Away.ends_on >= today
        )
    ):
        away.setdefault(vid, []).append((first, last))
    qualified: dict[int, set[str]] = {}
    for vid, kind in session.execute(
        select(Qualification.volunteer_id, Qualification.kind).where(
            among(session, Qualification.volunteer_id, found),
            Qualification.confirmed_at.is_not(None),
            or_(Qualification.expires_on.is_(None), Qualification.expires_on >= today),
        )
    ):
        qualified.setdefault(vid, set()).add(kind)
    declined: dict[int, set[int]] = {}
    for vid, oid in session.execute(
        select(VolunteerTask.volunteer_id, VolunteerTask.order_id).where(
            among(session, VolunteerTask.volunteer_id, found), VolunteerTask.state == "declined"
        )
    ):
        declined.setdefault(vid, set()).add(oid)
    out = []
    for volunteer in rows:
        held = qualified.get(volunteer.id, set())
        out.append(
            SupplierFacts(
                kind="volunteer",
                id=volunteer.id,
                name=volunteer.name,
                place=_place(path_ids, volunteer.path, volunteer.building_id, volunteer.compound),
                serves=frozenset(serves.get(volunteer.id, ())),
                categories=frozenset(offers.get(volunteer.id, ())),
                skills=frozenset(volunteer.skills),
                skills_for=frozenset(skills.categories_for(c for c in volunteer.skills if c in skills.CODES)),
                slots=tuple(slots.get(volunteer.id, ())),
                away=tuple(away.get(volunteer.id, ())),
                open_tasks=volunteer.open_tasks,
                limit=volunteer.load_limit,
                rating=rating(volunteer.rating_count, volunteer.rating_sum),
                reliability=reliability(volunteer.done, volunteer.no_shows),
                last_task_at=volunteer.last_task_at,
                declined=frozenset(declined.get(volunteer.id, ())),
                excluded_categories=frozenset(c for c, kinds in QUALIFIED.items() if not (kinds & held)),
            )
        )
    return out


def _grouped(session: Session, query: object, model: object, ids: list[int]) -> dict[int, set[int]]:
    grouped: dict[int, set[int]] = {}
    key = query.selected_columns[0]  # type: ignore[attr-defined]
    for owner, value in session.execute(query.where(among(session, key, ids))):  # type: ignore[attr-defined]
        grouped.setdefault(owner, set()).add(value)
    return grouped


def _teams(session: Session, reach: set[int], categories: set[int]) -> list[SupplierFacts]:
    covering = select(TeamArea.team_id).where(TeamArea.area_id.in_(reach))
    teams = session.scalars(
        select(Team).where(
            Team.active.is_(True),
            (Team.area_id.in_(reach)) | Team.id.in_(covering),
            Team.id.in_(select(TeamCategory.team_id).where(TeamCategory.category_id.in_(categories))),
        )
    ).all()
    if not teams:
        return []
    ids = [t.id for t in teams]
    offers = _grouped(session, select(TeamCategory.team_id, TeamCategory.category_id), TeamCategory, ids)
    covers = _grouped(session, select(TeamArea.team_id, TeamArea.area_id), TeamArea, ids)
    members = dict(
        session.execute(
            select(TeamMember.team_id, func.count()).where(TeamMember.team_id.in_(ids)).group_by(TeamMember.team_id)
        ).all()
    )
    open_orders = dict(
        session.execute(
            select(WorkOrder.assignee_team_id, func.count())
            .where(WorkOrder.assignee_team_id.in_(ids), WorkOrder.closed_at.is_(None), WorkOrder.reported_at.is_(None))
            .group_by(WorkOrder.assignee_team_id)
        ).all()
    )
    paths = _paths(session, (t.area_id for t in teams))
    path_ids = _ids_of_paths(session, (a for p in paths.values() for a in ancestry(p)))
    return [
        SupplierFacts(
            kind="team",
            id=t.id,
            name=t.name,
            place=_place(path_ids, paths.get(t.area_id, ""), None, None),
            serves=frozenset({t.area_id, *covers.get(t.id, ())}),
            categories=frozenset(offers.get(t.id, ())),
            skills_for=frozenset(),
            open_tasks=open_orders.get(t.id, 0),
            limit=max(1, members.get(t.id, 0)) * TEAM_LOAD_PER_MEMBER,
        )
        for t in teams
    ]


def _resources(session: Session, reach: set[int], categories: set[int]) -> list[SupplierFacts]:
    today = clock.today()
    found = session.scalars(
        select(Resource).where(
            Resource.active.is_(True),
            Resource.area_id.in_(reach),
            or_(Resource.valid_until.is_(None), Resource.valid_until >= today),
            Resource.id.in_(select(ResourceCategory.resource_id).where(ResourceCategory.category_id.in_(categories))),
        )
    ).all()
    if not found:
        return []
    ids = [r.id for r in found]
    offers = _grouped(
        session, select(ResourceCategory.resource_id, ResourceCategory.category_id), ResourceCategory, ids
    )
    week_ago = utcnow() - timedelta(days=7)
    used = dict(
        session.execute(
            select(ResourceUse.resource_id, func.count())
            .where(
                ResourceUse.resource_id.in_(ids), ResourceUse.ended_at.is_(None) | (ResourceUse.starts_at >= week_ago)
            )
            .group_by(ResourceUse.resource_id)
        ).all()
    )
    paths = _paths(session, (r.area_id for r in found))
    path_ids = _ids_of_paths(session, (a for p in paths.values() for a in ancestry(p)))
    return [
        SupplierFacts(
            kind="resource",
            id=r.id,
            name=r.name,
            place=_place(path_ids, paths.get(r.area_id, ""), None, None),
            serves=frozenset({r.area_id}),
            categories=frozenset(offers.get(r.id, ())),
            slots=tuple((h["weekday"], h["start"], h["end"]) for h in r.opening_hours or ()),
            open_tasks=used.get(r.id, 0),
            limit=r.capacity,
        )
        for r in found
    ]
