"""The demo's first year of work: grid logs on the rhythm, and work orders in every state.

A community demo that opens on empty worklists and an empty needs list shows nothing of what linli is
for. This grows ``LIVE_DAYS`` of grid logs with ``visits.grow`` and files ``ORDERS`` through the same
services a person uses (so each order has its timeline, audit rows and notifications): new requests,
orders waiting for dispatch, orders with their handler, done and awaiting the check, closed and rated,
one reopened by a dissatisfied resident, and two past their deadline that the SLA tick has marked.

The secretary dispatches each order to its best candidate who can receive it (``matching.candidates``:
a volunteer with an account, or a team), so the orders spread over the supply side by category; the
handler (the volunteer, or a member of the team) accepts and reports them done. The orders waiting for
dispatch are left for staff to match with a proposal in the app.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.permissions import Scope
from linli.accounts.services import load_scope
from linli.areas.models import Area
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import Conflict, Invalid
from linli.matching.services import candidates, dispatch_to
from linli.needs import escalation, intake, lifecycle
from linli.needs.models import TeamMember, WorkOrder
from linli.needs.schemas import NeedIn, TransitionIn
from linli.registry.models import Household
from linli.synth import layout
from linli.synth.supply import VOLUNTEER_ACCOUNTS
from linli.visits.grow import grow_logs
from linli.volunteers.models import Volunteer, VolunteerCategory

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
# Who makes a move: a demo account by name, the order's grid worker, or whoever the order was dispatched to.
WORKER, HANDLER = "grid worker", "handler"
# How far each order goes: the moves after it is filed, and who makes them (staff rate on a resident's behalf).
HANDLED = ((WORKER, "register"), ("shequ", "dispatch"), (HANDLER, "accept"), (HANDLER, "report_done"))
PATHS: tuple[tuple[tuple[str, str], ...], ...] = (
    (),  # received: waiting to be registered
    (),
    HANDLED[:1],  # registered: waiting for dispatch (staff match them with a proposal in the app)
    HANDLED[:1],
    HANDLED[:2],  # with the handler, not yet accepted
    HANDLED[:3],  # accepted, being handled
    HANDLED[:3],
    HANDLED,  # reported done: waiting for the check
    HANDLED,
    *[(*HANDLED, ("shequ", "check"), ("shequ", "close"), ("shequ", "rate"))] * 16,
)
COMMENTS = {"satisfied": "师傅很耐心，谢谢社区", "basic": "解决了，就是等得有点久"}
FALLBACK = "zhiyuan"  # who gets an order nobody with an account offers
DEMO_USERS = (
    "wangge1", "wangge2", "wangge3", "wangge4", "wangge5", "shequ", FALLBACK, "jumin",
    *(username for username, _ in VOLUNTEER_ACCOUNTS),
)  # fmt: skip
OVERDUE = 2  # orders with their handler whose deadline has passed (the SLA tick marks and escalates them)
# Every candidate: the best who can receive an order may rank below many volunteers without an account.
CANDIDATES = 1000


@dataclass
class Activity:
    """What ``grow_activity`` added."""

    logs: int = 0
    orders: int = 0
    overdue: int = 0


@dataclass
class _Receivers:
    """The suppliers who can receive an order, each with the demo account that acts on it."""

    volunteers: dict[int, str] = field(default_factory=dict)  # volunteer id → their account
    # team id → its members' accounts (the leader first), each with the categories their own record offers
    teams: dict[int, list[tuple[str, frozenset[int]]]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> _Receivers:
        """Return the demo's volunteers with an account and its teams with at least one member account."""
        offers: dict[str, set[int]] = {}  # account → the categories its volunteer record offers
        for username, category_id in session.execute(
            select(User.username, VolunteerCategory.category_id)
            .join(Volunteer, Volunteer.user_id == User.id)
            .join(VolunteerCategory, VolunteerCategory.volunteer_id == Volunteer.id)
        ):
            offers.setdefault(username, set()).add(category_id)
        receivers = cls()
        for volunteer_id, username in session.execute(
            select(Volunteer.id, User.username).join(User, User.id == Volunteer.user_id).where(User.active.is_(True))
        ):
            receivers.volunteers[volunteer_id] = username
        for team_id, username in session.execute(
            select(TeamMember.team_id, User.username)
            .join(User, User.id == TeamMember.user_id)
            .where(User.active.is_(True))
            .order_by(TeamMember.team_id, TeamMember.leader.desc(), TeamMember.user_id)
        ):
            receivers.teams.setdefault(team_id, []).append((username, frozenset(offers.get(username, ()))))
        return receivers

    def handler(self, kind: str, supplier_id: int, category_id: int) -> str | None:
        """Return the account that handles an order given to this supplier, or None when it cannot receive it.

        A team's order is handled by the member whose own record offers its category, else by the leader.
        """
        if kind == "volunteer":
            return self.volunteers.get(supplier_id)
        if kind == "team" and supplier_id in self.teams:
            members = self.teams[supplier_id]
            return next((username for username, offered in members if category_id in offered), members[0][0])
        return None


def grow_activity(session: Session, seed: int) -> Activity:
    """Return what was added to a freshly built community demo: ``LIVE_DAYS`` of logs, then the orders."""
    grown = grow_logs(session, LIVE_DAYS, seed)
    rng = random.Random(f"{seed}/orders")
    scopes = {
        u.username: load_scope(session, u.id, u.session_version)
        for u in session.scalars(select(User).where(User.username.in_(DEMO_USERS)))
    }
    fallback = session.scalar(select(User.id).where(User.username == FALLBACK))
    receivers = _Receivers.load(session)
    # The households of the five grids with a demo grid worker, each with the worker who registers its needs.
    homes = session.execute(
        select(Household.id, Area.code)
        .join(Area, Area.id == Household.area_id)
        .where(Area.code.in_([f"{layout.COMMUNITY[0]}{n:03d}" for n in range(1, 6)]))
        .order_by(Household.id)
    ).all()
    activity = Activity(logs=grown.logs)
    dispatched: list[WorkOrder] = []
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
        names = {WORKER: f"wangge{int(home.code[-3:])}", HANDLER: FALLBACK}
        for username, action in path:
            by = scopes[names.get(username, username)]
            if action == "dispatch":
                names[HANDLER] = _dispatch(session, by, order, receivers, fallback)
            else:
                order = _move(session, by, order, action, rng)
        if path and path[-1][1] in ("dispatch", "accept"):
            dispatched.append(order)
        activity.orders += 1
    # A resident's own request from the phone page, waiting to be registered.
    intake.create_order(
        session, scopes["jumin"], NeedIn(category="repairs", description="卫生间下水道堵了，请师傅来看看")
    )
    activity.orders += 1
    # The first ones given out slipped past their deadline, those given to a person before a team's: the
    # tick tells the assignee and the dispatcher, so a volunteer signing in finds one marked on their list.
    late = sorted(dispatched, key=lambda given: given.assignee_user_id is None)[:OVERDUE]
    with transaction(session):
        for given in late:
            given.due_at = utcnow() - timedelta(hours=30)
    activity.overdue = escalation.tick(session).overdue
    return activity


def _dispatch(session: Session, scope: Scope, order: WorkOrder, receivers: _Receivers, fallback: int | None) -> str:
    """Dispatch ``order`` to its best candidate who can receive it; return the account that handles it.

    Candidates without an account (most volunteers, the resources) are passed over, and so is one whose
    dispatch is refused (a clash of times); with nobody left the order goes to ``FALLBACK``.
    """
    for candidate in candidates(session, scope, order.id, limit=CANDIDATES):
        handler = receivers.handler(candidate.kind, candidate.id, order.category_id)
        if handler is None:
            continue
        try:
            dispatch_to(session, scope, order.id, candidate.kind, candidate.id)
        except (Conflict, Invalid):
            continue
        return handler
    lifecycle.transition(session, scope, order.id, TransitionIn(action="dispatch", assignee_user_id=fallback))
    return FALLBACK


def _move(session: Session, scope: Scope, order: WorkOrder, action: str, rng: random.Random) -> WorkOrder:
    fields: dict[str, object] = {}
    # A volunteer's hours go on their record (``volunteers.tasks``); a team's order has no task to take them.
    if action == "report_done":
        fields.update(note="已上门处理，居民确认", hours=1.0 + order.id % 3 * 0.5)
    elif action == "rate":
        rating = rng.choices(("satisfied", "basic", "dissatisfied"), (12, 3, 1))[0]
        fields.update(rating=rating, comment=COMMENTS.get(rating, "问题没有解决"), caused_by_handling=True)
    return lifecycle.transition(session, scope, order.id, TransitionIn(action=action, **fields))
