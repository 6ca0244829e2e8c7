"""Demo grid events for 阳台山社区: some handled on the spot, the rest reported up and moved through every stage,
one running late (yellow), one overdue (red), one escalated past the street to the district (越级)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from linli.accounts.models import Assignment, User
from linli.accounts.permissions import Scope
from linli.accounts.services import load_scope
from linli.areas.models import Area
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.events import categories, escalation, services
from linli.events.models import EventCategory, GridEvent
from linli.events.schemas import EscalateIn, ReportIn, VerifyIn
from linli.needs import catalogue, lifecycle
from linli.needs.schemas import TransitionIn
from linli.registry.models import Building
from linli.synth import layout

# A 1×1 PNG: the demo's photos.
PHOTO = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
ON_SPOT = (
    ("environment.garbage", "3号楼门口垃圾散落", "已叫保洁清扫干净"),
    ("fire.stairwell", "2单元楼道堆放纸箱", "已劝住户搬回家中"),
    ("order.street_vending", "小区门口流动摊贩占道", "已劝离"),
)
# (小类, what was seen, the stage the case is moved to)
REPORTED = (
    ("facilities.street_lamp", "小区东侧路灯不亮", "register"),
    ("environment.sewage", "化粪池井口污水外溢", "dispatch"),
    ("facilities.water_pipe", "楼顶供水管道漏水", "handle"),
    ("safety.wiring", "一楼车棚电线私拉乱接", "verify"),
    ("construction.structure", "楼顶违章搭建彩钢房", "close"),
    ("disputes.neighbour", "楼上楼下漏水纠纷", "closed"),
    ("environment.piles", "绿地旁堆放建筑垃圾", "yellow"),
    ("fire.blocked_lane", "消防通道被私家车堵塞", "red"),
    ("safety.falling_objects", "外墙瓷砖松动有坠落风险", "escalated"),
)
STEPS = ("register", "dispatch", "handle", "verify", "close", "closed")


def grow_events(session: Session, seed: int) -> int:
    """Return how many events were added to 阳台山社区 (none when it has no grid worker or building)."""
    rng = random.Random(f"{seed}-events")
    community = session.scalars(select(Area).where(Area.code == layout.COMMUNITY[0])).one()
    workers = session.execute(
        select(Assignment.user_id, Area.id)
        .join(Area, Area.id == Assignment.area_id)
        .where(Assignment.role == "grid_worker", Area.parent_id == community.id)
        .order_by(Area.path, Assignment.user_id)
    ).all()
    secretary = session.scalar(
        select(Assignment.user_id).where(Assignment.role == "secretary", Assignment.area_id == community.id).limit(1)
    )
    if not workers or secretary is None:
        return 0
    categories.seed(session)
    catalogue.seed(session)
    ids = dict(session.execute(select(EventCategory.code, EventCategory.id)).all())
    chief = _scope(session, secretary)
    added = 0
    for index, (code, seen, done) in enumerate(ON_SPOT):
        user_id, grid_id = workers[index % len(workers)]
        data = ReportIn(
            category_id=ids[code],
            description=seen,
            area_id=grid_id,
            building_id=_building(session, grid_id, rng),
            on_spot=True,
            action_taken=done,
        )
        services.report(session, _scope(session, user_id), data, [PHOTO])
        added += 1
    for index, (code, seen, target) in enumerate(REPORTED):
        user_id, grid_id = workers[index % len(workers)]
        handler_id = workers[(index + 1) % len(workers)][0]
        reporter = _scope(session, user_id)
        data = ReportIn(
            category_id=ids[code], description=seen, area_id=grid_id, building_id=_building(session, grid_id, rng)
        )
        event = services.report(session, reporter, data, [PHOTO])
        added += 1
        stage = target if target in STEPS else "handle"
        _advance(session, chief, reporter, handler_id, event.id, event.order_id or 0, stage)
        if target in ("yellow", "red", "escalated"):
            _late(session, event.id, red=target != "yellow")
        if target == "escalated":
            escalation.escalate(session, chief, event.id, EscalateIn(to="district", reason="逾期未处置，越级上报"))
    return added


def _building(session: Session, grid_id: int, rng: random.Random) -> int | None:
    rows = list(session.scalars(select(Building.id).where(Building.area_id == grid_id).order_by(Building.id).limit(20)))
    return rng.choice(rows) if rows else None


def _advance(
    session: Session, chief: Scope, reporter: Scope, handler_id: int, event_id: int, order_id: int, stage: str
) -> None:
    """Move the event's order through the engine until the event stands in ``stage``."""
    handler = _scope(session, handler_id)

    def move(scope: Scope, action: str, **more: object) -> None:
        lifecycle.transition(session, scope, order_id, TransitionIn(action=action, **more))

    plan = STEPS.index(stage)
    if plan >= 1:
        move(chief, "register")
    if plan >= 2:
        move(chief, "dispatch", assignee_user_id=handler_id)
        move(handler, "accept")
    if plan >= 3:
        move(handler, "report_done", note="已处置完毕")
    if plan >= 4:
        services.verify(session, reporter, event_id, VerifyIn(passed=True, note="现场核查通过"))
    if plan >= 5:
        move(chief, "close")


def _late(session: Session, event_id: int, red: bool) -> None:
    """Wind the event's stage clock back: most of its time used (yellow), or all of it (red)."""
    now = utcnow()
    due = now - timedelta(hours=3) if red else now + timedelta(hours=2)
    with transaction(session):
        session.execute(
            update(GridEvent)
            .where(GridEvent.id == event_id)
            .values(stage_yellow_at=now - timedelta(hours=6), stage_due_at=due)
        )


def _scope(session: Session, user_id: int) -> Scope:
    version = session.scalar(select(User.session_version).where(User.id == user_id)) or 0
    return load_scope(session, user_id, version)
