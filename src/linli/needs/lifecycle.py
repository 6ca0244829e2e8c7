"""The work-order state machine: a table of (state, action) → (next state, parts allowed), and the one
service call that makes any move — checked against the table, audited, written to the timeline.

received 受理 → registered 立案 (or dismissed 不予立案) → dispatched 派遣 (the clock starts) → handling 处置
→ reported 反馈 → checked 核查 (or rework 返工) → closed 结案 → rated 回访评价. Side states: returned 退回,
extended 延期 (approved, with a new deadline), suspended 挂起 (the clock stops), supervised 督办. Overdue is a
flag the escalation tick sets, not a state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from linli.accounts.models import Assignment, User
from linli.accounts.permissions import CAPABILITIES, NEEDS_HANDLE, NEEDS_WRITE, Scope
from linli.areas.models import Area
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import Conflict, Forbidden, Invalid, NotFound
from linli.needs import catalogue, deadlines, notify, timeline
from linli.needs.access import DISPATCHER, HANDLER, INTAKE, REQUESTER, SUPERVISOR, Actor, load
from linli.needs.models import Team, UrgencyLevel, WorkOrder
from linli.needs.schemas import TransitionIn

SAME = "="  # the order stays in its state (a progress note, a request for more time)
RESUME = "<"  # back to the state it was suspended from

# An order being worked on: the handler acts from any of these alike.
HANDLING = ("handling", "extended", "supervised", "rework")


@dataclass(frozen=True)
class Move:
    to: str
    parts: frozenset[str]


def _table() -> dict[tuple[str, str], Move]:
    def m(to: str, *parts: str) -> Move:
        return Move(to, frozenset(parts))

    table = {
        ("received", "register"): m("registered", INTAKE),
        ("received", "dismiss"): m("dismissed", INTAKE),
        ("registered", "dispatch"): m("dispatched", DISPATCHER),
        ("registered", "dismiss"): m("dismissed", INTAKE),
        ("dispatched", "accept"): m("handling", HANDLER),
        ("dispatched", "return"): m("returned", HANDLER),
        ("dispatched", "dispatch"): m("dispatched", DISPATCHER),
        ("dispatched", "suspend"): m("suspended", DISPATCHER),
        ("dispatched", "supervise"): m("supervised", SUPERVISOR),
        ("supervised", "accept"): m(SAME, HANDLER),
        ("returned", "dispatch"): m("dispatched", DISPATCHER),
        ("returned", "dismiss"): m("dismissed", DISPATCHER),
        ("suspended", "resume"): m(RESUME, DISPATCHER),
        ("reported", "check"): m("checked", DISPATCHER),
        ("reported", "rework"): m("rework", DISPATCHER),
        ("checked", "close"): m("closed", DISPATCHER),
        ("closed", "rate"): m("rated", REQUESTER, INTAKE),
        ("rated", "reopen"): m("rework", REQUESTER, INTAKE),
    }
    for state in HANDLING:
        table[(state, "progress")] = m(SAME, HANDLER)
        table[(state, "report_done")] = m("reported", HANDLER)
        table[(state, "request_extension")] = m(SAME, HANDLER)
        table[(state, "return")] = m("returned", HANDLER)
        table[(state, "extend")] = m("extended", DISPATCHER)
        table[(state, "refuse_extension")] = m(SAME, DISPATCHER)
        table[(state, "suspend")] = m("suspended", DISPATCHER)
        table[(state, "dispatch")] = m("dispatched", DISPATCHER)
        if state != "supervised":
            table[(state, "supervise")] = m("supervised", SUPERVISOR)
    return table


TABLE: dict[tuple[str, str], Move] = _table()
ACTIONS = frozenset(action for _, action in TABLE)
STATES: tuple[str, ...] = ("received", "registered", "dismissed", "dispatched", "returned", "suspended", *HANDLING)
STATES += ("reported", "checked", "closed", "rated")


def allowed_actions(state: str, parts: frozenset[str]) -> list[str]:
    """Return the actions someone playing ``parts`` may take on an order in ``state``, in table order."""
    return [action for (s, action), move in TABLE.items() if s == state and move.parts & parts]


class MoveRefused(Conflict):
    """A move the order's state does not allow (409), with the moves the caller may make instead."""

    def __init__(self, state: str, action: str, allowed: list[str]) -> None:
        super().__init__(
            "need.move_refused",
            "An order that is {state} cannot take the action {action}; allowed now: {allowed}.",
            "action",
            state=state,
            action=action,
            allowed=", ".join(allowed) or "—",
        )
        self.allowed = allowed


class NotYourMove(Forbidden):
    """A move the state allows but not to the caller's part (403), with the moves the caller may make."""

    def __init__(self, allowed: list[str]) -> None:
        super().__init__("This move is not yours to make on this order.", "need.not_your_move")
        self.allowed = allowed


@dataclass(frozen=True)
class Moved:
    """An order's move as the modules above needs see it (``AFTER_MOVE``)."""

    action: str
    from_state: str
    data: TransitionIn
    actor_user_id: int | None
    previous_assignee_id: int | None
    at: datetime


# What modules above needs do when an order moves, inside the same transaction (the volunteers module
# keeps its tasks, hours and counters). A hook may refuse the move by raising a DomainError.
AFTER_MOVE: list[Callable[[Session, WorkOrder, Moved], None]] = []


@dataclass(frozen=True)
class Photo:
    """A stored photo, by its path under the upload folder."""

    path: str


def transition(
    session: Session, scope: Scope, need_id: int, data: TransitionIn, photo: Photo | None = None
) -> WorkOrder:
    """Return the order after the caller's move ``data.action``, made in one audited transaction.

    Refused with 404 when the caller plays no part in it, 409 when its state does not allow the move
    (or ``data.version`` is not the current one), 403 when the move belongs to another part.
    """
    return _move(session, Actor.of(session, scope), need_id, data, photo)


def transition_as(session: Session, scope: Scope, need_id: int, data: TransitionIn, parts: frozenset[str]) -> WorkOrder:
    """Return the order after a move whose caller's part a module above needs has decided itself.

    The grid-event module lets an event's reporter check the handling of their own event (核查), a move
    the table gives the dispatcher: it checks who the caller is and passes ``parts``. The caller's own
    parts are not added; the table, the version check, the timeline and the audit apply as to any move.
    """
    return _move(session, Actor.of(session, scope), need_id, data, None, extra_parts=parts)


def transition_by_code(session: Session, code: str, data: TransitionIn, client: str = "") -> WorkOrder:
    """Return the order after a move by the holder of its tracking code, who plays the requester."""
    need_id = session.scalar(select(WorkOrder.id).where(WorkOrder.tracking_code == code.strip().upper()))
    if need_id is None:
        raise NotFound("need")
    actor = Actor(None, "居民 (追踪码)", client)
    return _move(session, actor, need_id, data, None, extra_parts=frozenset({REQUESTER}))


def _move(
    session: Session,
    actor: Actor,
    need_id: int,
    data: TransitionIn,
    photo: Photo | None,
    extra_parts: frozenset[str] = frozenset(),
) -> WorkOrder:
    if data.action not in ACTIONS:
        raise Invalid("need.unknown_action", "Unknown action {action}.", "action", action=data.action)
    try:
        with transaction(session):
            order, path, parts = _load(session, actor, need_id, extra_parts)
            if data.version is not None and data.version != order.version:
                raise _stale()
            _step(session, actor, order, path, parts, data, photo)
            # A dissatisfied rating caused by the handling sends the order back at once.
            if data.action == "rate" and data.rating == "dissatisfied" and data.caused_by_handling:
                reopen = TransitionIn(action="reopen", reason=data.comment or "不满意")
                _step(session, actor, order, path, parts, reopen, None)
            session.flush()
    except StaleDataError:
        raise _stale() from None
    return order


def _load(
    session: Session, actor: Actor, need_id: int, extra_parts: frozenset[str]
) -> tuple[WorkOrder, str, frozenset[str]]:
    if not extra_parts:
        return load(session, actor, need_id, lock=True)
    order = session.scalar(
        select(WorkOrder).where(WorkOrder.id == need_id).with_for_update().execution_options(populate_existing=True)
    )
    assert order is not None
    path = session.scalar(select(Area.path).where(Area.id == order.area_id)) or ""
    return order, path, extra_parts


def _step(
    session: Session,
    actor: Actor,
    order: WorkOrder,
    path: str,
    parts: frozenset[str],
    data: TransitionIn,
    photo: Photo | None,
) -> None:
    move = TABLE.get((order.state, data.action))
    if move is None:
        raise MoveRefused(order.state, data.action, allowed_actions(order.state, parts))
    if not move.parts & parts:
        raise NotYourMove(allowed_actions(order.state, parts))
    before, previous_assignee = order.state, order.assignee_user_id
    now = utcnow()
    changes = EFFECTS[data.action](session, actor, order, path, data, now)
    moved = Moved(data.action, before, data, actor.user_id, previous_assignee, now)
    for hook in AFTER_MOVE:
        hook(session, order, moved)
    if move.to == RESUME:
        order.state, order.resume_state = order.resume_state or "dispatched", None
    elif move.to != SAME:
        order.state = move.to
    note = data.note or data.reason or data.comment
    timeline.record(
        session, order, actor, data.action, before, note=note, photo=photo.path if photo else None, changes=changes
    )


# ---- what each action does besides moving the state -------------------------------------------

Changes = dict[str, list[Any]]


def _require(value: object, field: str) -> None:
    if not value:
        raise Invalid("need.field_required", "This action needs {field}.", field, field=field)


def _register(
    session: Session, actor: Actor, order: WorkOrder, path: str, data: TransitionIn, now: datetime
) -> Changes:
    changes: Changes = {}
    if data.category_id is not None and data.category_id != order.category_id:
        category = catalogue.category_by(session, data.category_id, None)
        changes["category_id"] = [order.category_id, category.id]
        order.category_id = category.id
    if data.urgency:
        urgency = catalogue.urgency_by(session, data.urgency)
        if urgency.id != order.urgency_id:
            changes["urgency_id"] = [order.urgency_id, urgency.id]
            order.urgency_id = urgency.id
    if data.area_id is not None and data.area_id != order.area_id:
        new_path = session.scalar(select(Area.path).where(Area.id == data.area_id))
        if new_path is None or actor.scope is None or not actor.scope.reaches(NEEDS_WRITE, new_path):
            raise NotFound("area")
        changes["area_id"] = [order.area_id, data.area_id]
        order.area_id = data.area_id
    return changes


def _dismiss(session: Session, actor: Actor, order: WorkOrder, path: str, data: TransitionIn, now: datetime) -> Changes:
    _require(data.reason, "reason")
    return {"reason": [None, data.reason]}


def _dispatch(
    session: Session, actor: Actor, order: WorkOrder, path: str, data: TransitionIn, now: datetime
) -> Changes:
    if (data.assignee_user_id is None) == (data.team_id is None):
        raise Invalid("need.assignee_required", "Choose one person or one team to assign.", "assignee_user_id")
    recipients: list[int]
    if data.assignee_user_id is not None:
        _check_handler(session, data.assignee_user_id)
        recipients = [data.assignee_user_id]
    else:
        team = session.get(Team, data.team_id)
        if team is None or not team.active:
            raise Invalid("need.unknown_team", "Unknown or retired team.", "team_id")
        from linli.needs.teams import members_of

        recipients = members_of(session, team.id)
    changes: Changes = {
        "assignee_user_id": [order.assignee_user_id, data.assignee_user_id],
        "assignee_team_id": [order.assignee_team_id, data.team_id],
    }
    order.assignee_user_id, order.assignee_team_id = data.assignee_user_id, data.team_id
    order.dispatched_by_id = actor.user_id
    order.accepted_at = None
    if order.dispatched_at is None:
        # The clock starts at the first dispatch; a reassignment does not restart it.
        urgency = session.get(UrgencyLevel, order.urgency_id)
        assert urgency is not None
        order.dispatched_at = now
        order.due_at = deadlines.due_at(urgency, now, catalogue.work_calendar(session))
        changes["due_at"] = [None, order.due_at]
    notify.send(session, recipients, "assigned", order)
    return changes


def _check_handler(session: Session, user_id: int) -> None:
    """Refuse a user who cannot be assigned work (inactive, or holding no role that handles orders)."""
    user = session.get(User, user_id)
    roles = set(session.scalars(select(Assignment.role).where(Assignment.user_id == user_id)))
    if user is None or not user.active or not any(NEEDS_HANDLE in CAPABILITIES[r] for r in roles):
        raise Invalid("need.unknown_assignee", "This person cannot be assigned orders.", "assignee_user_id")


def _accept(session: Session, actor: Actor, order: WorkOrder, path: str, data: TransitionIn, now: datetime) -> Changes:
    order.accepted_at = now
    return {"accepted_by": [None, actor.user_id]}


def _return(session: Session, actor: Actor, order: WorkOrder, path: str, data: TransitionIn, now: datetime) -> Changes:
    _require(data.reason, "reason")
    changes: Changes = {
        "assignee_user_id": [order.assignee_user_id, None],
        "assignee_team_id": [order.assignee_team_id, None],
    }
    order.assignee_user_id = order.assignee_team_id = None
    if order.dispatched_by_id:
        notify.send(session, [order.dispatched_by_id], "returned", order)
    return changes


def _progress(
    session: Session, actor: Actor, order: WorkOrder, path: str, data: TransitionIn, now: datetime
) -> Changes:
    _require(data.note, "note")
    return {}


def _report_done(
    session: Session, actor: Actor, order: WorkOrder, path: str, data: TransitionIn, now: datetime
) -> Changes:
    order.reported_at = now
    order.extension_requested_until = None
    return {}


def _request_extension(
    session: Session, actor: Actor, order: WorkOrder, path: str, data: TransitionIn, now: datetime
) -> Changes:
    _require(data.reason, "reason")
    until = _later_deadline(order, data.due_at, now)
    order.extension_requested_until = until
    if order.dispatched_by_id:
        notify.send(session, [order.dispatched_by_id], "extension", order)
    return {"extension_requested_until": [None, until]}


def _extend(session: Session, actor: Actor, order: WorkOrder, path: str, data: TransitionIn, now: datetime) -> Changes:
    _require(data.reason or data.note, "reason")
    until = _later_deadline(order, data.due_at or order.extension_requested_until, now)
    changes: Changes = {"due_at": [order.due_at, until]}
    order.due_at, order.extension_requested_until = until, None
    order.extension_count += 1
    # A new deadline: the order is on time again, and a new slip climbs the levels afresh.
    order.overdue, order.escalation_level = False, 0
    return changes


def _refuse_extension(
    session: Session, actor: Actor, order: WorkOrder, path: str, data: TransitionIn, now: datetime
) -> Changes:
    if order.extension_requested_until is None:
        raise Invalid("need.no_extension_request", "No request for more time is waiting.", "action")
    changes: Changes = {"extension_requested_until": [order.extension_requested_until, None]}
    order.extension_requested_until = None
    return changes


def _later_deadline(order: WorkOrder, until: datetime | None, now: datetime) -> datetime:
    if until is None:
        raise Invalid("need.field_required", "This action needs {field}.", "due_at", field="due_at")
    until = until if until.tzinfo else until.replace(tzinfo=UTC)
    if until <= now or (order.due_at is not None and until <= order.due_at):
        raise Invalid("need.deadline_not_later", "The new deadline must be later than the current one.", "due_at")
    return until


def _suspend(session: Session, actor: Actor, order: WorkOrder, path: str, data: TransitionIn, now: datetime) -> Changes:
    _require(data.reason, "reason")
    order.resume_state, order.suspended_at = order.state, now
    return {"reason": [None, data.reason]}


def _resume(session: Session, actor: Actor, order: WorkOrder, path: str, data: TransitionIn, now: datetime) -> Changes:
    # The clock stood still while suspended: the deadline moves on by as long.
    changes: Changes = {}
    if order.due_at is not None and order.suspended_at is not None:
        new_due = order.due_at + (now - order.suspended_at)
        changes["due_at"] = [order.due_at, new_due]
        order.due_at = new_due
    order.suspended_at = None
    return changes


def _supervise(
    session: Session, actor: Actor, order: WorkOrder, path: str, data: TransitionIn, now: datetime
) -> Changes:
    order.supervised_at = now
    people = [uid for uid in (order.assignee_user_id, order.dispatched_by_id) if uid]
    notify.send(session, people, "supervised", order)
    return {}


def _check(session: Session, actor: Actor, order: WorkOrder, path: str, data: TransitionIn, now: datetime) -> Changes:
    return {}


def _rework(session: Session, actor: Actor, order: WorkOrder, path: str, data: TransitionIn, now: datetime) -> Changes:
    # A failed check: back to the handler, still against the original deadline.
    _require(data.reason, "reason")
    order.rework_count += 1
    if order.assignee_user_id:
        notify.send(session, [order.assignee_user_id], "rework", order)
    return {"rework_count": [order.rework_count - 1, order.rework_count]}


def _close(session: Session, actor: Actor, order: WorkOrder, path: str, data: TransitionIn, now: datetime) -> Changes:
    order.closed_at = now
    return {}


def _rate(session: Session, actor: Actor, order: WorkOrder, path: str, data: TransitionIn, now: datetime) -> Changes:
    _require(data.rating, "rating")
    changes: Changes = {"rating": [order.rating, data.rating]}
    order.rating, order.rating_comment, order.rated_at = data.rating, data.comment, now
    return changes


def _reopen(session: Session, actor: Actor, order: WorkOrder, path: str, data: TransitionIn, now: datetime) -> Changes:
    # Reopened after closing: the handler gets a fresh deadline of the same urgency.
    _require(data.reason, "reason")
    urgency = session.get(UrgencyLevel, order.urgency_id)
    assert urgency is not None
    due = deadlines.due_at(urgency, now, catalogue.work_calendar(session))
    changes: Changes = {"due_at": [order.due_at, due], "rework_count": [order.rework_count, order.rework_count + 1]}
    order.rework_count += 1
    order.due_at, order.closed_at, order.reported_at = due, None, None
    order.overdue, order.escalation_level = False, 0
    people = [uid for uid in (order.assignee_user_id, order.dispatched_by_id) if uid]
    notify.send(session, people, "reopened", order)
    return changes


def _stale() -> Conflict:
    return Conflict("need.stale", "Someone else changed this order meanwhile; reload it and try again.", "version")


EFFECTS = {
    "register": _register,
    "dismiss": _dismiss,
    "dispatch": _dispatch,
    "accept": _accept,
    "return": _return,
    "progress": _progress,
    "report_done": _report_done,
    "request_extension": _request_extension,
    "extend": _extend,
    "refuse_extension": _refuse_extension,
    "suspend": _suspend,
    "resume": _resume,
    "supervise": _supervise,
    "check": _check,
    "rework": _rework,
    "close": _close,
    "rate": _rate,
    "reopen": _reopen,
}
