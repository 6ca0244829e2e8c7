"""The households behind a dashboard number: those overdue for a contact or a door visit today.

"Overdue" is ``visits.coverage``'s definition read for today: the household's rhythm is running (active,
started by today) and its last contact lies before today minus its contact interval, or its last door
visit before today minus its visit interval (never, counts as before). The rhythm table holds each
household's last contact and visit, so no log is read; one condition per distinct pair of intervals in
the area (there are a handful), as coverage groups them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from linli.accounts.permissions import Scope, path_under
from linli.areas.models import Area
from linli.db.paging import capped_count
from linli.lib import clock
from linli.registry.models import Building, Household
from linli.reports.dashboard import area_in_reach
from linli.reports.schemas import AreaRef, OverduePage, OverdueRow
from linli.visits.coverage import day_start
from linli.visits.models import HouseholdRhythm as R

PAGE_SIZE = 30


def _late(every: int | None, column: Any, today: date) -> ColumnElement[bool]:
    """Return whether ``column`` (a last contact or visit) misses an interval of ``every`` days today."""
    if every is None:
        return false()
    return or_(column.is_(None), column < day_start(today - timedelta(days=every)))


def overdue_condition(session: Session, within: ColumnElement[bool], today: date) -> ColumnElement[bool]:
    """Return the condition on ``HouseholdRhythm`` for the households of ``within`` overdue today."""
    running = and_(within, R.active.is_(True), R.registered_on <= today)
    pairs = session.execute(select(R.contact_every, R.visit_every).where(running).distinct()).all()
    per_pair = [
        and_(
            R.contact_every.is_(None) if contact is None else R.contact_every == contact,
            R.visit_every.is_(None) if visit is None else R.visit_every == visit,
            or_(_late(contact, R.last_contact_at, today), _late(visit, R.last_visit_at, today)),
        )
        for contact, visit in pairs
    ]
    return and_(running, or_(*per_pair)) if per_pair else false()


def overdue_households(session: Session, scope: Scope, area_id: int | None, page: int = 1) -> OverduePage:
    """Return a page of the households of ``area_id`` (the user's own area by default) overdue today."""
    area = area_in_reach(session, scope, area_id)
    today = clock.today()
    within = R.area_id.in_(select(Area.id).where(path_under(Area.path, area.path)))
    query = (
        select(R.household_id, Area.name, Building.name, Household.room, R.last_contact_at, R.last_visit_at)
        .join(Area, Area.id == R.area_id)
        .join(Building, Building.id == R.building_id)
        .join(Household, Household.id == R.household_id)
        .where(overdue_condition(session, within, today))
    )
    total, capped = capped_count(session, query.with_only_columns(R.household_id))
    rows = session.execute(
        query.order_by(R.last_visit_at.is_not(None), R.last_visit_at, R.household_id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
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
                last_contact=clock.local_date(contact) if contact else None,
                last_visit=clock.local_date(visit) if visit else None,
            )
            for h, g, b, room, contact, visit in rows
        ],
    )
