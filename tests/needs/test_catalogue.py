"""The catalogue as data: categories added, renamed, retired; urgency levels re-timed; deadlines on the calendar."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from linli.errors import Conflict, Forbidden, Invalid
from linli.lib.workdays import SHANGHAI
from linli.needs import catalogue, deadlines
from linli.needs.schemas import CategoryIn, CategoryUpdate, UrgencyUpdate
from tests.conftest import login
from tests.factories import scope_of
from tests.needs.conftest import NeedsWorld, new_order


def test_it_seeds_the_sources_twelve_categories_and_four_urgencies_once(db: Session, nw: NeedsWorld) -> None:
    catalogue.seed(db)
    names = [c.name for c in catalogue.list_categories(db)]
    assert names[:3] == ["电脑教学", "维修服务", "爱心厨房"] and len(names) == 12 and "邻里纠纷调解" in names
    assert [(u.code, u.amount, u.unit) for u in catalogue.list_urgencies(db)] == [
        ("emergency", 2, "hours"),
        ("urgent", 24, "hours"),
        ("ordinary", 5, "working_days"),
        ("complex", 15, "working_days"),
    ]


def test_it_lets_staff_add_rename_and_retire_a_category(db: Session, nw: NeedsWorld) -> None:
    secretary = scope_of(db, "secretary")
    added = catalogue.create_category(db, secretary, CategoryIn(name="家电清洗", name_en="Appliance cleaning"))
    assert added.code == "appliance_cleaning" and added.active
    with pytest.raises(Conflict):
        catalogue.create_category(db, secretary, CategoryIn(name="家电清洗"))
    renamed = catalogue.update_category(db, secretary, added.id, CategoryUpdate(name="家电清洁"))
    assert renamed.name == "家电清洁"
    order = new_order(db, nw, category_id=added.id)
    catalogue.update_category(db, secretary, added.id, CategoryUpdate(active=False))
    assert "家电清洁" not in [c.name for c in catalogue.list_categories(db)]
    assert "家电清洁" in [c.name for c in catalogue.list_categories(db, include_retired=True)]
    with pytest.raises(Invalid):
        new_order(db, nw, category_id=added.id)
    assert order.category_id == added.id
    with pytest.raises(Forbidden):
        catalogue.create_category(db, scope_of(db, "grid1"), CategoryIn(name="别的"))


def test_it_counts_an_ordinary_deadline_across_the_national_day_holiday(db: Session, nw: NeedsWorld) -> None:
    ordinary = catalogue.urgency_by(db, "ordinary")
    start = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    due = deadlines.due_at(ordinary, start, catalogue.work_calendar(db))
    assert due == datetime(2026, 10, 13, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)
    emergency = catalogue.urgency_by(db, "emergency")
    assert deadlines.due_at(emergency, start, catalogue.work_calendar(db)) == datetime(2026, 9, 30, 4, 0, tzinfo=UTC)


def test_it_uses_a_retimed_urgency_for_later_dispatches(client: TestClient, db: Session, nw: NeedsWorld) -> None:
    catalogue.update_urgency(db, scope_of(db, "secretary"), "urgent", UrgencyUpdate(amount=12, street_after_hours=6))
    urgent = catalogue.urgency_by(db, "urgent")
    assert (urgent.amount, urgent.unit, urgent.street_after_hours) == (12, "hours", 6)
    login(client, "grid1")
    assert client.patch("/api/v1/need-urgencies/urgent", json={"amount": 3}).status_code == 403
    login(client, "secretary")
    assert client.patch("/api/v1/need-urgencies/nonsense", json={"amount": 3}).status_code == 422
    days = client.get("/api/v1/work-calendar", params={"year": 2026}).json()
    assert {"day": "2026-10-10", "kind": "workday", "name": "国庆节调休"} in days
