"""The SLA tick: overdue marked once, supervisors told once, levels climbed once — even run twice at once."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.db.base import utcnow
from linli.needs import escalation
from linli.needs.models import Notification, WorkOrder, WorkOrderEvent
from linli.runtime import Runtime
from tests.needs.conftest import NeedsWorld, dispatched, move, new_order, slipped, user_id


def notes(db: Session, username: str) -> list[str]:
    return list(db.scalars(select(Notification.text).where(Notification.user_id == user_id(db, username))))


def test_it_marks_an_order_overdue_once_and_tells_the_owner_and_their_supervisor(db: Session, nw: NeedsWorld) -> None:
    late = dispatched(db, nw)
    on_time = dispatched(db, nw, category_id=nw.meals)
    slipped(db, late.id, 0.5)
    first = escalation.tick(db)
    assert (first.overdue, first.community, first.street) == (1, 0, 0)
    again = escalation.tick(db)
    assert again.model_dump(exclude={"others"}) == {"overdue": 0, "community": 0, "street": 0, "notified": 0}
    assert not any(again.others.values())  # the other modules' deadlines (courses, institutions) had nothing
    db.expire_all()
    assert db.get(WorkOrder, late.id).overdue and not db.get(WorkOrder, on_time.id).overdue  # type: ignore[union-attr]
    overdue_notes = [n for n in notes(db, "volunteer") if n.startswith("工单超期")]
    assert len(overdue_notes) == 1
    assert len([n for n in notes(db, "staff") if n.startswith("工单超期")]) == 1
    assert notes(db, "secretary") == []


def test_it_climbs_to_the_community_then_the_street_at_the_thresholds(db: Session, nw: NeedsWorld) -> None:
    order = dispatched(db, nw)  # ordinary: community after 24 hours past due, street after 72
    slipped(db, order.id, 30)
    assert escalation.tick(db).community == 1
    assert len(notes(db, "secretary")) == 1 and notes(db, "supervisor") == []
    slipped(db, order.id, 80)
    result = escalation.tick(db)
    assert (result.overdue, result.community, result.street) == (0, 0, 1)
    assert notes(db, "supervisor") == [f"工单超期升级至街道：{order.title}"]
    assert escalation.tick(db).street == 0
    levels = db.scalars(
        select(WorkOrderEvent.data).where(WorkOrderEvent.order_id == order.id, WorkOrderEvent.action != "receive")
    ).all()
    assert [d.get("level") for d in levels if "level" in d] == [0, 1, 2]
    assert notes(db, "other_secretary") == []


def test_it_leaves_suspended_reported_and_closed_orders_alone(db: Session, nw: NeedsWorld) -> None:
    suspended = dispatched(db, nw)
    move(db, "staff", suspended.id, "suspend", reason="居民住院")
    reported = dispatched(db, nw, category_id=nw.meals)
    move(db, "volunteer", reported.id, "accept")
    move(db, "volunteer", reported.id, "report_done")
    received = new_order(db, nw)
    for order in (suspended, reported, received):
        slipped(db, order.id, 200)
    assert escalation.tick(db).overdue == 0


def test_it_starts_afresh_after_an_extension(db: Session, nw: NeedsWorld) -> None:
    order = dispatched(db, nw)
    move(db, "volunteer", order.id, "accept")
    slipped(db, order.id, 1)
    escalation.tick(db)
    extended = move(db, "staff", order.id, "extend", reason="配件", due_at=utcnow() + timedelta(days=2))
    assert not extended.overdue and extended.escalation_level == 0
    assert escalation.tick(db).overdue == 0


def test_it_is_safe_to_run_twice_at_the_same_moment(runtime: Runtime, db: Session, nw: NeedsWorld) -> None:
    orders = [dispatched(db, nw, description=f"第{i}单") for i in range(6)]
    for order in orders:
        slipped(db, order.id, 100)  # overdue, community and street all in one run
    results = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            with runtime.sessions() as session:
                start.wait()
                results.append(escalation.tick(session))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r.overdue for r in results) == [0, 6]
    assert sorted(r.street for r in results) == [0, 6]
    per_order = db.execute(
        select(WorkOrderEvent.order_id, func.count())
        .where(WorkOrderEvent.action.in_(("overdue", "escalate")))
        .group_by(WorkOrderEvent.order_id)
    ).all()
    assert sorted(n for _, n in per_order) == [3] * 6
    assert len(notes(db, "supervisor")) == 6
