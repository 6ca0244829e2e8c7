"""The demo's first year of work: grid logs on the rhythm, and work orders in every state.

A community demo that opens on empty worklists and an empty needs list shows nothing of what linli is
for. This grows ``LIVE_DAYS`` of grid logs with ``visits.grow`` and files ``ORDERS`` through the same
services a person uses (so each order has its timeline, audit rows and notifications): new requests,
orders waiting for dispatch, orders with the volunteer, done and awaiting the check, closed and rated,
one reopened by a dissatisfied resident, and two past their deadline that the SLA tick has marked.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.permissions import Scope
from linli.accounts.services import load_scope
from linli.areas.models import Area
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.needs import escalation, intake, lifecycle
from linli.needs.models import WorkOrder
from linli.needs.schemas import NeedIn, TransitionIn
from linli.registry.models import Household
from linli.synth import layout
from linli.visits.grow import grow_logs

# The demo's households came onto linli this many days before it is built (``synth.rows``); the logs fill them.
LIVE_DAYS = 365

# (category code, urgency, what the resident needs), as grid workers and the hotline write them.
NEEDS = (
    ("repairs", "ordinary", "厨房水龙头漏水，老人独居，行动不便"),
    ("repairs", "urgent", "楼道灯坏了一周，晚上上下楼看不见"),
    ("home_care", "ordinary", "独居老人近来情绪低落，希望有人常来坐坐"),
    ("hospital_booking", "urgent", "下周要去第一医院复查，不会在手机上挂号"),
    ("online_shopping", "ordinary", "想在网上买降压药和米面，需要帮忙下单"),
    ("computer_lessons", "ordinary", "想学用手机视频通话，和在外地的孩子联系"),
    ("meals_bathing", "ordinary", "腿脚不便，想申请助餐送餐上门"),
    ("legal_advice", "ordinary", "房屋继承手续不清楚，想咨询律师"),
    ("dispute_mediation", "ordinary", "楼上漏水到楼下，两户协商不成"),
    ("free_clinic", "ordinary", "血压一直偏高，想参加社区义诊量血压"),
    ("counselling", "ordinary", "孩子中考压力大，家长希望有人疏导"),
    ("ticket_booking", "ordinary", "春节想回老家，不会在网上买火车票"),
    ("charity_kitchen", "ordinary", "低保户，希望参加爱心厨房的午餐"),
    ("repairs", "emergency", "燃气灶有异味，老人不敢开火"),
)
# How far each order goes: the moves after it is filed, and who makes them (staff rate on a resident's behalf).
HANDLED = (("grid worker", "register"), ("shequ", "dispatch"), ("zhiyuan", "accept"), ("zhiyuan", "report_done"))
PATHS: tuple[tuple[tuple[str, str], ...], ...] = (
    (),  # received: waiting to be registered
    (),
    HANDLED[:1],  # registered: waiting for dispatch
    HANDLED[:1],
    HANDLED[:2],  # with the volunteer, not yet accepted
    HANDLED[:3],  # accepted, being handled
    HANDLED[:3],
    HANDLED,  # reported done: waiting for the check
    HANDLED,
    *[(*HANDLED, ("shequ", "check"), ("shequ", "close"), ("shequ", "rate"))] * 16,
)
COMMENTS = {"satisfied": "师傅很耐心，谢谢社区", "basic": "解决了，就是等得有点久"}
DEMO_USERS = ("wangge1", "wangge2", "wangge3", "wangge4", "wangge5", "shequ", "zhiyuan", "jumin")
OVERDUE = 2  # orders with the volunteer whose deadline has passed (the SLA tick marks and escalates them)


@dataclass
class Activity:
    """What ``grow_activity`` added."""

    logs: int = 0
    orders: int = 0
    overdue: int = 0


def grow_activity(session: Session, seed: int) -> Activity:
    """Return what was added to a freshly built community demo: ``LIVE_DAYS`` of logs, then the orders."""
    grown = grow_logs(session, LIVE_DAYS, seed)
    rng = random.Random(f"{seed}/orders")
    scopes = {
        u.username: load_scope(session, u.id, u.session_version)
        for u in session.scalars(select(User).where(User.username.in_(DEMO_USERS)))
    }
    volunteer = session.scalar(select(User.id).where(User.username == "zhiyuan"))
    # The households of the five grids with a demo grid worker, each with the worker who registers its needs.
    homes = session.execute(
        select(Household.id, Area.code)
        .join(Area, Area.id == Household.area_id)
        .where(Area.code.in_([f"{layout.COMMUNITY[0]}{n:03d}" for n in range(1, 6)]))
        .order_by(Household.id)
    ).all()
    activity = Activity(logs=grown.logs)
    dispatched: list[int] = []
    for number, path in enumerate(PATHS):
        category, urgency, text = NEEDS[number % len(NEEDS)]
        hotline = number % 5 == 4
        home = rng.choice(homes)
        order = intake.create_order(
            session,
            scopes["shequ"],
            NeedIn(
                category=category,
                urgency=urgency,
                description=text,
                source="hotline" if hotline else "staff",
                hotline_number=f"12345-2026{number:05d}" if hotline else None,
                household_id=home.id,
            ),
        )
        worker = f"wangge{int(home.code[-3:])}"
        for username, action in path:
            by = scopes[worker if username == "grid worker" else username]
            order = _move(session, by, order, action, volunteer, rng)
        if path and path[-1][1] in ("dispatch", "accept"):
            dispatched.append(order.id)
        activity.orders += 1
    # A resident's own request from the phone page, waiting to be registered.
    intake.create_order(
        session, scopes["jumin"], NeedIn(category="repairs", description="卫生间下水道堵了，请师傅来看看")
    )
    activity.orders += 1
    with transaction(session):  # the first ones given to the volunteer slipped past their deadline
        for order_id in dispatched[:OVERDUE]:
            session.get(WorkOrder, order_id).due_at = utcnow() - timedelta(hours=30)  # type: ignore[union-attr]
    activity.overdue = escalation.tick(session).overdue
    return activity


def _move(
    session: Session,
    scope: Scope,
    order: WorkOrder,
    action: str,
    volunteer: int | None,
    rng: random.Random,
) -> WorkOrder:
    fields: dict[str, object] = {}
    if action == "dispatch":
        fields["assignee_user_id"] = volunteer
    elif action == "report_done":  # the volunteer's hours go on their record (``volunteers.tasks``)
        fields.update(note="已上门处理，居民确认", hours=1.0 + order.id % 3 * 0.5)
    elif action == "rate":
        rating = rng.choices(("satisfied", "basic", "dissatisfied"), (12, 3, 1))[0]
        fields.update(rating=rating, comment=COMMENTS.get(rating, "问题没有解决"), caused_by_handling=True)
    return lifecycle.transition(session, scope, order.id, TransitionIn(action=action, **fields))
