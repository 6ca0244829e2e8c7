"""Grid events over the work-order engine: categories, the two paths, stages and colours, 越级, duplicates."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from linli.db.engine import transaction
from linli.errors import Conflict, Forbidden, Invalid, NotFound
from linli.events import categories, escalation, services, stages
from linli.events.models import EventCategory, GridEvent
from linli.events.schemas import EscalateIn, PlaceIn, SeenIn, VerifyIn
from linli.lib import clock
from linli.needs import catalogue, lifecycle
from linli.needs.models import Notification, WorkOrder, WorkOrderEvent
from linli.needs.schemas import TransitionIn
from tests.events.helpers import category_id, report
from tests.factories import World, building_of, scope_of


def user(db: Session, name: str) -> int:
    uid = scope_of(db, name).user_id
    assert uid is not None
    return uid


def move(db: Session, who: str, order_id: int, action: str, **more: object) -> WorkOrder:
    return lifecycle.transition(db, scope_of(db, who), order_id, TransitionIn(action=action, **more))


def test_it_loads_every_group_and_maps_its_sub_categories(db: Session, world: World) -> None:
    categories.seed(db)
    categories.seed(db)  # idempotent
    groups = categories.tree(db)
    assert [g.code for g in groups] == [
        "environment",
        "facilities",
        "safety",
        "fire",
        "disputes",
        "construction",
        "order",
        "other",
    ]
    assert all(g.children for g in groups)
    gas = db.scalars(select(EventCategory).where(EventCategory.code == "safety.gas")).one()
    # A 小类's own limits, the rest from its 大类 (2h register → 1h; verify stays the 大类's 1 day).
    assert (gas.register_hours, gas.handle_hours, gas.verify_hours) == (1, 4, 24)
    # Not yet mapped to GB/T 39666 is stated as empty, never guessed.
    assert all(c.gbt_code == "" for c in db.scalars(select(EventCategory)))


def test_it_refuses_a_group_without_its_sub_category(db: Session, world: World) -> None:
    category_id(db)
    group = db.scalar(select(EventCategory.id).where(EventCategory.code == "environment"))
    with pytest.raises(Invalid) as refused:
        report(db, world, category_id=group)
    assert refused.value.code == "event.unknown_category"


def test_it_closes_an_event_handled_on_the_spot_at_once_without_an_order(db: Session, world: World) -> None:
    event = report(db, world, on_spot=True, action_taken="已清理")
    assert (event.state, event.handling, event.order_id, event.colour) == ("closed", "on_spot", None, None)
    assert event.closed_at is not None and event.photos
    assert db.scalar(select(WorkOrder.id)) is None


def test_it_refuses_an_on_the_spot_report_saying_nothing_done_and_a_report_without_photo(
    db: Session, world: World
) -> None:
    with pytest.raises(Invalid) as nothing:
        report(db, world, on_spot=True)
    with pytest.raises(Invalid) as no_photo:
        report(db, world, photos=[])
    assert (nothing.value.code, no_photo.value.code) == ("event.action_required", "event.photo_required")
    assert db.scalar(select(GridEvent.id)) is None


def test_an_outsider_reports_nothing_in_grid_one_and_sees_nothing(db: Session, world: World) -> None:
    with pytest.raises(NotFound):
        report(db, world, username="outsider")
    event = report(db, world)
    with pytest.raises(NotFound):
        services.get_event(db, scope_of(db, "outsider"), event.id)
    assert services.list_events(db, scope_of(db, "outsider"), services.EventFilter()).total == 0


def test_a_reported_event_runs_through_the_engine_stage_by_stage(db: Session, world: World) -> None:
    event = report(db, world)
    assert event.state == "register" and event.colour == "green" and event.order_id
    order = db.get(WorkOrder, event.order_id)
    assert order is not None and order.source == "event" and order.state == "received"
    move(db, "secretary", order.id, "register")
    assert services.get_event(db, scope_of(db, "grid1"), event.id).state == "dispatch"
    move(db, "secretary", order.id, "dispatch", assignee_user_id=user(db, "grid2"))
    shown = services.get_event(db, scope_of(db, "grid1"), event.id)
    db.refresh(order)
    # The handling stage's end is the engine's own deadline (one SLA clock).
    assert shown.state == "handle" and order.due_at == shown.stage_due_at
    move(db, "grid2", order.id, "accept")
    move(db, "grid2", order.id, "report_done", note="已清运")
    assert services.get_event(db, scope_of(db, "grid1"), event.id).state == "verify"
    # Only the reporter (or a manager) checks; a supervisor who sees it may not.
    with pytest.raises(Forbidden):
        services.verify(db, scope_of(db, "supervisor"), event.id, VerifyIn(passed=True))
    services.verify(db, scope_of(db, "grid1"), event.id, VerifyIn(passed=True, note="现场已干净"))
    assert services.get_event(db, scope_of(db, "grid1"), event.id).state == "close"
    move(db, "secretary", order.id, "close")
    done = services.get_event(db, scope_of(db, "grid1"), event.id)
    assert done.state == "closed" and done.closed_at is not None and not done.late
    actions = [line.action for line in done.timeline]
    assert actions == ["receive", "register", "dispatch", "accept", "report_done", "check", "close"]


def test_a_failed_check_sends_it_back_to_the_handler(db: Session, world: World) -> None:
    event = report(db, world)
    assert event.order_id
    move(db, "secretary", event.order_id, "register")
    move(db, "secretary", event.order_id, "dispatch", assignee_user_id=user(db, "grid2"))
    move(db, "grid2", event.order_id, "accept")
    move(db, "grid2", event.order_id, "report_done")
    with pytest.raises(Invalid):
        services.verify(db, scope_of(db, "grid1"), event.id, VerifyIn(passed=False))
    back = services.verify(db, scope_of(db, "grid1"), event.id, VerifyIn(passed=False, note="仍有垃圾"))
    assert back.state == "handle"
    assert db.get(WorkOrder, event.order_id).state == "rework"  # type: ignore[union-attr]


def shanghai(y: int, m: int, d: int, h: int) -> datetime:
    return datetime.combine(datetime(y, m, d).date(), time(h), clock.LOCAL)


def test_stage_colours_count_working_hours_across_the_national_day_holiday(db: Session, world: World) -> None:
    category_id(db)
    category = db.scalars(select(EventCategory).where(EventCategory.code == "environment.garbage")).one()
    # 处置 2 working days; 80 % of it is 38.4 working hours.
    assert category.handle_hours == 48 and category.yellow_percent == 80
    calendar = catalogue.work_calendar(db)  # the calendar_day rows: 10-01..10-07 off, 10-10 (Sat) worked
    event = GridEvent(state="register")
    start = shanghai(2026, 9, 30, 12)  # Wednesday noon, the day before the holiday
    stages.start(event, category, "handle", start, calendar)
    # 12 hours on 09-30, then nothing until 10-08, 24 on 10-08, 12 more on 10-09.
    assert event.stage_due_at == shanghai(2026, 10, 9, 12)
    assert event.stage_yellow_at == shanghai(2026, 10, 9, 2) + timedelta(minutes=24)
    assert stages.colour(event, shanghai(2026, 10, 5, 12)) == "green"  # a plain clock would say red
    assert stages.colour(event, shanghai(2026, 10, 9, 3)) == "yellow"
    assert stages.colour(event, shanghai(2026, 10, 9, 12)) == "red"


def late(db: Session, event_id: int) -> None:
    """Make the event's stage clock run out an hour ago."""
    past = datetime.now(clock.LOCAL) - timedelta(hours=1)
    with transaction(db):
        db.execute(
            update(GridEvent)
            .where(GridEvent.id == event_id)
            .values(stage_due_at=past, stage_yellow_at=past - timedelta(hours=2))
        )


def test_a_red_case_is_listed_for_supervision_and_escalated_past_the_street_with_a_copy(
    db: Session, world: World
) -> None:
    event = report(db, world)
    calm = report(db, world, code="order.noise", description="夜间噪音")
    late(db, event.id)
    watched = services.supervision(db, scope_of(db, "supervisor"), 1, 20)
    assert [e.id for e in watched.items] == [event.id] and watched.items[0].colour == "red"
    assert services.list_events(db, scope_of(db, "secretary"), services.EventFilter(colour="red")).total == 1
    with pytest.raises(Forbidden):
        services.supervision(db, scope_of(db, "grid1"), 1, 20)
    with pytest.raises(Conflict) as not_late:
        escalation.escalate(db, scope_of(db, "secretary"), calm.id, EscalateIn(to="district", reason="久拖"))
    assert not_late.value.code == "event.not_late"
    with pytest.raises(Forbidden):
        escalation.escalate(db, scope_of(db, "grid1"), event.id, EscalateIn(to="district", reason="久拖"))

    raised = escalation.escalate(db, scope_of(db, "secretary"), event.id, EscalateIn(to="district", reason="久拖"))

    assert raised.escalation == "district" and raised.skipped_level == "street"
    kinds = dict(db.execute(select(Notification.user_id, Notification.kind)).all())
    assert kinds == {user(db, "admin"): "event_escalated", user(db, "supervisor"): "event_copied"}
    line = db.scalars(select(WorkOrderEvent).where(WorkOrderEvent.action == "escalate")).one()
    assert line.data["skipped"] == [None, ["street"]] and line.data["to"] == [None, "district"] and line.note == "久拖"
    with pytest.raises(Conflict):
        escalation.escalate(db, scope_of(db, "secretary"), event.id, EscalateIn(to="street", reason="再报"))


def test_it_suggests_open_events_of_the_same_kind_at_the_same_building_or_within_fifty_metres(
    db: Session, world: World
) -> None:
    building = building_of(db, world.household1)
    first = report(db, world, latitude=24.4800, longitude=118.0900)
    report(db, world, code="order.noise", description="噪音")  # another kind
    report(db, world, on_spot=True, action_taken="已处理")  # closed: never a duplicate
    on_sketch = report(db, world, building_id=None, area_id=world.grid1.id, sketch_x=0.5, sketch_y=0.5)
    cid = category_id(db)
    grid1 = scope_of(db, "grid1")

    same_building = services.duplicates(db, grid1, PlaceIn(category_id=cid, building_id=building))
    assert {d.id for d in same_building} == {first.id}
    # 40 m north by coordinates, from grid 2's building: still the same thing.
    near = PlaceIn(category_id=cid, area_id=world.grid1.id, latitude=24.48036, longitude=118.0900)
    assert [d.id for d in services.duplicates(db, grid1, near)] == [first.id]
    far = PlaceIn(category_id=cid, area_id=world.grid1.id, latitude=24.4810, longitude=118.0900)
    assert services.duplicates(db, grid1, far) == []
    # On the sketch (400 m wide): 0.1 of it is 40 m.
    sketch = PlaceIn(category_id=cid, area_id=world.grid1.id, sketch_x=0.6, sketch_y=0.5)
    assert [d.id for d in services.duplicates(db, grid1, sketch)] == [on_sketch.id]
    assert (
        services.duplicates(db, grid1, PlaceIn(category_id=cid, area_id=world.grid1.id, sketch_x=0.8, sketch_y=0.5))
        == []
    )

    linked = services.seen_again(db, scope_of(db, "grid1"), first.id, SeenIn(note="我也看到了"))
    assert linked.seen_again == 1
    assert "seen_again" in [line.action for line in services.get_event(db, grid1, first.id).timeline]


def test_old_events_are_not_suggested(db: Session, world: World) -> None:
    first = report(db, world)
    with transaction(db):
        db.execute(
            update(GridEvent)
            .where(GridEvent.id == first.id)
            .values(created_at=datetime.now(clock.LOCAL) - timedelta(days=8))
        )
    place = PlaceIn(category_id=category_id(db), building_id=building_of(db, world.household1))
    assert services.duplicates(db, scope_of(db, "grid1"), place) == []


def test_the_demo_grows_events_in_every_state(db: Session) -> None:
    from linli.accounts.services import create_user
    from linli.synth import layout
    from linli.synth.events import grow_events
    from tests.factories import PASSWORD, make_area, make_household

    district = make_area(db, "district", "350203", "思明区")
    street = make_area(db, "street", "350203002000", "开元街道", district)
    community = make_area(db, "community", layout.COMMUNITY[0], layout.COMMUNITY[1], street)
    grids = [make_area(db, "grid", f"{layout.COMMUNITY[0]}00{n}", f"第{n}网格", community) for n in (1, 2)]
    for n, grid in enumerate(grids):
        make_household(db, grid, "101", f"{n + 1}号楼")
        create_user(db, f"g{n}", PASSWORD, roles=[("grid_worker", grid.code)])
    create_user(db, "chief", PASSWORD, roles=[("secretary", community.code)])
    create_user(db, "boss", PASSWORD, roles=[("admin", district.code)])

    assert grow_events(db, 7) == 12
    states = set(db.scalars(select(GridEvent.state)))
    assert {"register", "dispatch", "handle", "verify", "close", "closed"} <= states
    now = datetime.now(clock.LOCAL)
    colours = {stages.colour(e, now) for e in db.scalars(select(GridEvent))}
    assert {"yellow", "red"} <= colours
    assert db.scalar(select(GridEvent.id).where(GridEvent.skipped_level == "street")) is not None
    assert db.scalar(select(GridEvent.id).where(GridEvent.handling == "on_spot")) is not None
