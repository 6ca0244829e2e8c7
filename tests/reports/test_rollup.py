"""The monthly rollups agree with the raw tables, after every kind of late change; the dashboard reads them."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from linli.areas.models import Area
from linli.db.engine import transaction
from linli.errors import Invalid, NotFound
from linli.lib import clock
from linli.needs import figures as needs_figures
from linli.needs import intake
from linli.needs.models import WorkOrder
from linli.needs.schemas import NeedIn
from linli.registry.models import Household, Resident
from linli.reports import rollup
from linli.reports.dashboard import dashboard
from linli.reports.measure import first_of, kind_of, measure, month_end
from linli.reports.models import FigureMonth
from linli.visits.coverage import coverage
from tests.factories import root_scope, scope_of
from tests.visits.helpers import log


def last_month() -> date:
    return first_of(first_of(clock.today()) - timedelta(days=1))


def order(db: Session, household: int, username: str = "grid1") -> int:
    from linli.needs import catalogue

    catalogue.seed(db)
    data = NeedIn(category="repairs", description="水龙头漏水", household_id=household)
    return intake.create_order(db, scope_of(db, username), data).id


def assert_agree(db: Session, month: date, kinds: tuple[str, ...]) -> None:
    """The rollup rows of ``month`` (figures of ``kinds``) equal the raw measure summed up the tree."""
    parents = dict(db.execute(select(Area.id, Area.parent_id)).all())
    expected: dict[tuple[int, str], int] = defaultdict(int)
    for (area, code), value in measure(db, month, kinds=kinds).items():
        at: int | None = area
        while at is not None:
            expected[(at, code)] += value
            at = parents.get(at)
    stored = {
        (a, c): v
        for a, c, v in db.execute(
            select(FigureMonth.area_id, FigureMonth.code, FigureMonth.value).where(FigureMonth.month == first_of(month))
        )
        if kind_of(c) in kinds
    }
    # Zero values are not stored, but for the "now" figures of every area (measured, and zero).
    assert {k: v for k, v in stored.items() if v} == {k: v for k, v in expected.items() if v}
    if "now" in kinds:
        now_codes = {c for c in rollup.NOW_CODES}
        assert {(a, c) for (a, c) in stored if c in now_codes} == {(a, c) for a in parents for c in now_codes}


def test_the_dashboard_agrees_with_each_modules_own_figures(db: Session, world) -> None:
    order(db, world.household1)
    order(db, world.household1)
    order(db, world.household2, "grid2")
    log(db, world.household1, "door", clock.today())
    rollup.refresh_due(db)
    out = dashboard(db, scope_of(db, "secretary"), world.community.id, None)
    today = clock.today()
    orders = needs_figures.figures(db, root_scope(), world.community.id, first_of(today), today).total
    visits = coverage(db, root_scope(), first_of(today), month_end(today), world.community.id).total
    residents = db.scalar(select(Resident.id).where(Resident.area_id == world.grid1.id).limit(1))
    assert residents is not None
    assert out.figures["orders.received"] == orders.received == 3
    assert out.figures["orders.cases"] == orders.received - orders.dismissed
    assert out.figures["visits.logs"] == visits.logs == 1
    assert out.figures.get("visits.on_time", 0) == visits.visited_on_time
    assert out.figures["residents.total"] == 2  # one resident in each of the community's two grids
    by_child = {c.area.id: c.figures for c in out.children}
    assert by_child[world.grid1.id]["orders.received"] == 2
    assert by_child[world.grid2.id]["orders.received"] == 1
    assert [c.name for c in out.categories] and sum(c.value for c in out.categories) == 3
    assert len(out.trend) == 12 and out.trend[-1].figures["orders.received"] == 3
    assert out.rates["residents.id_rate"] == 1.0


def test_late_changes_reach_the_months_they_touch(db: Session, world) -> None:
    earlier = last_month()
    rollup.refresh_due(db)
    assert_agree(db, clock.today(), ("flow", "stock", "now"))
    assert_agree(db, earlier, ("flow", "stock"))

    # A log written today about a visit last month.
    log(db, world.household1, "door", earlier + timedelta(days=3))
    # An order received last month, resolved (changed) today.
    moved = order(db, world.household2, "grid2")
    with transaction(db):
        db.execute(
            update(WorkOrder)
            .where(WorkOrder.id == moved)
            .values(created_at=datetime.combine(earlier + timedelta(days=5), datetime.min.time(), UTC))
        )
    assert earlier in rollup.stale_months(db, clock.today())
    rollup.refresh_due(db)
    assert_agree(db, earlier, ("flow", "stock"))
    past = dashboard(db, root_scope(), world.community.id, earlier.strftime("%Y-%m"))
    assert past.figures["visits.logs"] == 1 and past.figures["orders.received"] == 1
    with transaction(db):
        db.execute(update(WorkOrder).where(WorkOrder.id == moved).values(state="closed", rating="satisfied"))
    rollup.refresh_due(db)
    assert_agree(db, earlier, ("flow", "stock"))
    assert dashboard(db, root_scope(), world.community.id, earlier.strftime("%Y-%m")).figures["orders.satisfied"] == 1

    # Reopened: back to work, no longer resolved nor rated; last month's cohort follows.
    with transaction(db):
        db.execute(update(WorkOrder).where(WorkOrder.id == moved).values(state="rework", rating=None))
    rollup.refresh_due(db)
    assert_agree(db, earlier, ("flow", "stock"))
    reopened = dashboard(db, root_scope(), world.community.id, earlier.strftime("%Y-%m")).figures
    assert reopened.get("orders.satisfied", 0) == 0 and reopened.get("orders.resolved", 0) == 0

    # A household moved to another grid: this month's figures follow it.
    with transaction(db):
        db.execute(update(Household).where(Household.id == world.household1).values(area_id=world.grid2.id))
        db.execute(update(Resident).where(Resident.id == world.resident1.id).values(area_id=world.grid2.id))
    rollup.refresh_due(db)
    assert_agree(db, clock.today(), ("flow", "stock", "now"))
    children = {c.area.id: c.figures for c in dashboard(db, root_scope(), world.community.id, None).children}
    assert children[world.grid2.id]["residents.total"] == 2 and children[world.grid2.id]["households.total"] == 2
    assert "residents.total" not in children[world.grid1.id] and "households.total" not in children[world.grid1.id]


def test_a_grid_worker_reads_their_grid_only(db: Session, world) -> None:
    rollup.refresh_due(db)
    grid1 = scope_of(db, "grid1")
    assert dashboard(db, grid1, None, None).area.id == world.grid1.id
    for area in (world.grid2.id, world.community.id, world.other_grid.id):
        with pytest.raises(NotFound):
            dashboard(db, grid1, area, None)
    street = dashboard(db, scope_of(db, "supervisor"), None, None)
    assert street.area.id == world.street.id
    assert {c.area.id for c in street.children} == {world.community.id, world.other_community.id}


@pytest.mark.parametrize("period", ["2026-13", "26-11", "next", "2999", "1999-01"])
def test_a_bad_period_is_refused(db: Session, world, period: str) -> None:
    with pytest.raises(Invalid) as refused:
        dashboard(db, root_scope(), world.community.id, period)
    assert refused.value.code == "dashboard.period"


def test_months_never_refreshed_are_stale_beside_refreshed_ones(db: Session, world) -> None:
    rollup.backfill(db, 2)  # this month and the last; the older kept months never
    stale = rollup.stale_months(db, clock.today())
    assert last_month() not in stale and len(stale) == rollup.MONTHS_KEPT - 2
    rollup.refresh_due(db)
    assert rollup.stale_months(db, clock.today()) == []


def test_self_governance_figures_follow_topics_follow_ups_and_stories(db: Session, world) -> None:
    from linli.civic.councils.models import FollowUp
    from tests.civic.councils.helpers import grid1_follow_up
    from tests.civic.stories.helpers import grid1_story

    follow_up = grid1_follow_up(db, world)  # a topic of grid 1's council, decided, with a follow-up due today
    grid1_story(db, world)  # a published story of grid 1
    with transaction(db):
        db.execute(update(FollowUp).where(FollowUp.id == follow_up).values(due_on=clock.today() - timedelta(days=2)))
    rollup.refresh_due(db)
    assert_agree(db, clock.today(), ("flow", "stock", "now"))
    out = dashboard(db, root_scope(), world.community.id, None)
    assert out.figures["civic.topics"] >= 1 and out.figures["civic.follow_ups_late"] == 1
    assert out.figures["civic.stories"] == 1


def test_grid_events_are_counted_reported_and_on_the_spot(db: Session, world) -> None:
    from tests.events.helpers import report

    report(db, world)  # reported up
    report(db, world, on_spot=True, action_taken="当场清理", description="楼道杂物")
    rollup.refresh_due(db)
    assert_agree(db, clock.today(), ("flow", "stock", "now"))
    children = {c.area.id: c.figures for c in dashboard(db, root_scope(), world.community.id, None).children}
    assert children[world.grid1.id]["events.reported"] == 2 and children[world.grid1.id]["events.on_spot"] == 1
    assert "events.reported" not in children[world.grid2.id]
