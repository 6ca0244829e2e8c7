"""The households behind a dashboard number: those whose contact or door visit is overdue today.

A household is overdue when its rhythm is running and its next due day (the earlier of its contact and
visit due days, ``visits.rhythm``) is before today — the same households ``visits.coverage`` counts as
overdue for the month under way. One page, two queries, whatever the area.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from linli.accounts.permissions import Scope, path_under
from linli.areas.models import Area
from linli.db.paging import capped_count
from linli.lib import clock
from linli.registry.models import Building, Household
from linli.reports.dashboard import area_in_reach
from linli.reports.schemas import AreaRef, OverduePage, OverdueRow
from linli.visits.models import HouseholdRhythm

PAGE_SIZE = 30


def overdue_households(session: Session, scope: Scope, area_id: int | None, page: int = 1) -> OverduePage:
    """Return a page of the households of ``area_id`` (the user's own area by default) overdue today."""
    area = area_in_reach(session, scope, area_id)
    today = clock.today()
    r = HouseholdRhythm
    query = (
        select(r.household_id, Area.name, Building.name, Household.room, r.next_due_on)
        .join(Area, Area.id == r.area_id)
        .join(Building, Building.id == r.building_id)
        .join(Household, Household.id == r.household_id)
        .where(
            path_under(Area.path, area.path),
            r.active.is_(True),
            r.next_due_on < today,
            or_(r.stopped_on.is_(None), r.stopped_on > today),
        )
    )
    total, capped = capped_count(session, query.with_only_columns(r.household_id))
    rows = session.execute(
        query.order_by(r.next_due_on, r.household_id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return OverduePage(
        area=AreaRef(id=area.id, name=area.name, level=area.level),
        total=total,
        total_capped=capped,
        page=page,
        page_size=PAGE_SIZE,
        items=[
            OverdueRow(
                household_id=h,
                grid=g,
                building=b,
                room=room,
                due_on=due or today,
                days_overdue=(today - (due or today)).days,
            )
            for h, g, b, room, due in rows
        ],
    )
