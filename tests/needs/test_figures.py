"""Supervisor figures, checked against SQL written by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import NotFound
from linli.lib import clock
from linli.needs import escalation, figures
from linli.needs.models import WorkOrder
from tests.conftest import login
from tests.factories import scope_of
from tests.needs.conftest import NeedsWorld, closed, dispatched, move, new_order, slipped

HAND_WRITTEN = """
SELECT count(*),
       sum(CASE WHEN o.state = 'dismissed' THEN 1 ELSE 0 END),
       sum(CASE WHEN o.state IN ('closed', 'rated') THEN 1 ELSE 0 END),
       sum(CASE WHEN o.state IN ('closed', 'rated') AND o.closed_at <= o.due_at THEN 1 ELSE 0 END),
       sum(CASE WHEN o.rework_count > 0 THEN 1 ELSE 0 END),
       sum(CASE WHEN o.extension_count > 0 THEN 1 ELSE 0 END),
       sum(CASE WHEN o.rating IS NOT NULL THEN 1 ELSE 0 END),
       sum(CASE WHEN o.rating IN ('satisfied', 'basic') THEN 1 ELSE 0 END)
FROM work_order o JOIN area a ON a.id = o.area_id
WHERE a.path LIKE :prefix
"""


def build(db: Session, nw: NeedsWorld) -> None:
    """Orders of every outcome in 阳台山社区's two grids, and one in 厦禾社区 that must not count."""
    dismissed = new_order(db, nw, description="重复报修")
    move(db, "grid1", dismissed.id, "dismiss", reason="重复")
    closed(db, nw)  # on time
    satisfied = closed(db, nw, category_id=nw.meals)
    move(db, "resident", satisfied.id, "rate", rating="satisfied")
    basic = closed(db, nw, description="第二件")
    move(db, "grid1", basic.id, "rate", rating="basic")
    unhappy = closed(db, nw, description="第三件")
    move(db, "grid1", unhappy.id, "rate", rating="dissatisfied", caused_by_handling=False)
    reopened = closed(db, nw, description="第四件")
    move(db, "grid1", reopened.id, "rate", rating="dissatisfied")  # back to rework: not resolved
    late = closed(db, nw, description="超期办结")
    with transaction(db):
        order = db.get(WorkOrder, late.id)
        assert order is not None and order.closed_at is not None
        order.due_at = order.closed_at - timedelta(hours=1)
    extended = dispatched(db, nw, description="延期的")
    move(db, "volunteer", extended.id, "accept")
    move(db, "staff", extended.id, "extend", reason="等配件", due_at=utcnow() + timedelta(days=9))
    overdue = dispatched(db, nw, description="超期未办")
    slipped(db, overdue.id, 2)
    escalation.tick(db)
    new_order(db, nw, household_id=nw.world.household2, username="grid2", description="第二网格的")
    new_order(db, nw, household_id=nw.world.other_household, username="outsider", description="别的社区")


def test_it_counts_what_the_hand_written_sql_counts(db: Session, nw: NeedsWorld) -> None:
    build(db, nw)
    today = clock.today()
    shown = figures.figures(db, scope_of(db, "supervisor"), nw.world.community.id, today - timedelta(days=30), today)
    expected = db.execute(text(HAND_WRITTEN), {"prefix": nw.world.community.path + "%"}).one()
    total = shown.total
    counts = (
        total.received,
        total.dismissed,
        total.resolved,
        total.on_time,
        total.rework,
        total.extended,
        total.rated,
        total.satisfied,
    )
    assert counts == tuple(int(n) for n in expected)
    assert counts == (10, 1, 5, 4, 1, 1, 4, 2)
    assert total.overdue_now == 1
    assert total.resolution_rate == round(5 / 9, 4) and total.on_time_rate == round(4 / 5, 4)
    assert total.satisfaction_rate == 0.5
    by_area = {row.name: row.received for row in shown.by_area}
    assert by_area == {"第一网格": 9, "第二网格": 1}
    meals = next(row for row in shown.by_category if row.name == "助餐助浴")
    assert (meals.received, meals.resolved, meals.satisfied) == (1, 1, 1)
    assert sum(row.received for row in shown.by_category) == total.received


def test_it_counts_only_the_period_asked_for(db: Session, nw: NeedsWorld) -> None:
    old = new_order(db, nw)
    with transaction(db):
        db.get(WorkOrder, old.id).created_at = utcnow() - timedelta(days=40)  # type: ignore[union-attr]
    new_order(db, nw, category_id=nw.meals)
    today = clock.today()
    street = figures.figures(db, scope_of(db, "supervisor"), nw.world.street.id, today - timedelta(days=7), today)
    assert street.total.received == 1 and street.by_area[0].name == "阳台山社区"


def test_it_shows_figures_only_within_reach(client: TestClient, db: Session, nw: NeedsWorld) -> None:
    with pytest.raises(NotFound):
        figures.figures(db, scope_of(db, "grid1"), nw.world.community.id, clock.today(), clock.today())
    login(client, "secretary")
    params: dict[str, str | int] = {
        "area_id": nw.world.community.id,
        "date_from": "2026-01-01",
        "date_to": "2026-12-31",
    }
    assert client.get("/api/v1/needs/figures", params=params).status_code == 200
    login(client, "outsider")
    assert client.get("/api/v1/needs/figures", params=params).status_code == 404
