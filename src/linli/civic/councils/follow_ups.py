"""Follow-up actions (跟进事项): what a decision asks for, with an owner, a deadline and progress.

A topic's ``progress`` is the mean of its follow-ups' progress (a done one counts 100), kept in the same
transaction as the change that moves it; the topic closes when every follow-up is done, and goes back to
``decided`` when a new one is added. The SLA tick (``mark_late``, joined to ``needs.escalation.ALSO``)
marks the open ones past their day once (``late_since``) and tells their owner once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.permissions import CIVIC_MANAGE, CIVIC_READ, Scope, path_under
from linli.areas.models import Area
from linli.audit import services as audit
from linli.civic.councils import access
from linli.civic.councils.models import Council, FollowUp, Resolution, Topic
from linli.civic.councils.schemas import FollowUpIn, FollowUpOut, FollowUpPage, ProgressIn
from linli.civic.councils.services import check_staff
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.db.paging import capped_count
from linli.errors import Conflict, Forbidden, Invalid, NotFound
from linli.i18n import translate
from linli.lib import clock
from linli.needs.models import Notification

LATE_KIND = "follow_up_late"
MESSAGES = {LATE_KIND: "A follow-up is past its day: {title}"}
AUDIT_IDS = 1000


@dataclass(frozen=True)
class FollowUpFilter:
    """``state``: open, done, late (open past its day), or None for all."""

    state: str | None = "late"
    council_id: int | None = None
    area_id: int | None = None


def _load(session: Session, scope: Scope, follow_up_id: int) -> tuple[FollowUp, Topic, access.Reach]:
    row = session.get(FollowUp, follow_up_id) if 0 < follow_up_id < access.MAX_ID else None
    if row is None:
        raise NotFound("follow_up")
    try:
        topic, reached = access.load_topic(session, scope, row.topic_id, lock=True)
    except NotFound:
        raise NotFound("follow_up") from None
    if not reached.staff and not _public(session, row):
        raise NotFound("follow_up")
    return row, topic, reached


def _public(session: Session, row: FollowUp) -> bool:
    if row.resolution_id is None:
        return True
    return session.scalar(select(Resolution.published_at).where(Resolution.id == row.resolution_id)) is not None


def add_follow_up(session: Session, scope: Scope, topic_id: int, data: FollowUpIn) -> FollowUpOut:
    """Add an action to a decided topic (a closed one opens again as decided)."""
    with transaction(session):
        topic, reached = access.load_topic(session, scope, topic_id, lock=True)
        reached.require(scope, CIVIC_MANAGE)
        if topic.state not in ("decided", "closed"):
            raise Conflict("follow_up.not_decided", "Follow-ups come after the topic is decided.")
        if (
            data.resolution_id is not None
            and session.scalar(select(Resolution.topic_id).where(Resolution.id == data.resolution_id)) != topic.id
        ):
            raise Invalid("follow_up.resolution", "That resolution is not on this topic.", "resolution_id")
        if data.owner_user_id is not None:
            try:
                check_staff(session, reached.path, data.owner_user_id)
            except Invalid as error:
                raise Invalid("follow_up.owner", error.message, "owner_user_id") from None
        elif not data.owner_name:
            raise Invalid("follow_up.owner", "Name who owns it: a staff account or a name.", "owner_name")
        row = FollowUp(
            topic_id=topic.id,
            resolution_id=data.resolution_id,
            title=data.title,
            owner_user_id=data.owner_user_id,
            owner_name=data.owner_name,
            due_on=data.due_on,
            progress=0,
            state="open",
            note="",
        )
        session.add(row)
        session.flush()
        rollup(session, topic)
        audit.record_by(
            session, scope, "council.follow_up_add", entity="follow_up", entity_id=row.id,
            area_id=reached.council.area_id,
            changes={"topic_id": [None, topic.id], "title": [None, data.title], "due_on": [None, str(data.due_on)],
                     "owner_user_id": [None, data.owner_user_id], "owner_name": [None, data.owner_name]},
        )  # fmt: skip
        return outs(session, [row])[0]


def report_progress(session: Session, scope: Scope, follow_up_id: int, data: ProgressIn) -> FollowUpOut:
    """Report progress (0–100, a note) or that it is done; the topic's progress follows, closing it when all are done.

    Staff who write where the council is, and the follow-up's owner, may report.
    """
    with transaction(session):
        row, topic, reached = _load(session, scope, follow_up_id)
        if not (reached.staff and access.can_write(scope, reached.path)) and row.owner_user_id != scope.user_id:
            raise Forbidden()
        session.refresh(row)
        if row.state == "done":
            raise Conflict("follow_up.done", "This follow-up is already done.")
        before = (row.progress, row.state)
        row.progress = 100 if data.done else data.progress
        if data.done:
            row.state, row.done_at = "done", utcnow()
        if data.note:
            line = f"{clock.today():%Y-%m-%d} {row.progress}%: {data.note}"
            row.note = f"{row.note}\n{line}" if row.note else line
        session.flush()
        topic_before = topic.state
        rollup(session, topic)
        audit.record_by(
            session, scope, "council.follow_up_progress", entity="follow_up", entity_id=row.id,
            area_id=reached.council.area_id,
            changes={"progress": [before[0], row.progress], "state": [before[1], row.state],
                     "note": [None, data.note], "topic_state": [topic_before, topic.state]},
        )  # fmt: skip
        return outs(session, [row])[0]


def rollup(session: Session, topic: Topic) -> None:
    """Set the topic's progress to the mean of its follow-ups' (done counts 100); close it when all are done."""
    rows = session.execute(select(FollowUp.progress, FollowUp.state).where(FollowUp.topic_id == topic.id)).all()
    if not rows:
        return
    shares = [100 if state == "done" else progress for progress, state in rows]
    topic.progress = round(sum(shares) / len(shares))
    all_done = all(state == "done" for _, state in rows)
    if all_done and topic.state == "decided":
        topic.state = "closed"
    elif not all_done and topic.state == "closed":
        topic.state = "decided"
    session.flush()


# ---- reading -------------------------------------------------------------------------------------------


def _late(today: Any) -> Any:
    return and_(FollowUp.state == "open", FollowUp.due_on < today)


def _rows() -> Any:
    return select(FollowUp, Topic.title, Topic.council_id).join(Topic, Topic.id == FollowUp.topic_id)


def of_topic(session: Session, topic_id: int, staff: bool) -> list[FollowUpOut]:
    """Return a topic's follow-ups, soonest due first; residents see those of published decisions only."""
    query = _rows().where(FollowUp.topic_id == topic_id)
    if not staff:
        published = select(Resolution.id).where(Resolution.published_at.is_not(None))
        query = query.where(or_(FollowUp.resolution_id.is_(None), FollowUp.resolution_id.in_(published)))
    return present(session, session.execute(query.order_by(FollowUp.due_on, FollowUp.id)).all())


def list_follow_ups(
    session: Session, scope: Scope, f: FollowUpFilter, page: int = 1, page_size: int = 20
) -> FollowUpPage:
    """Return a page of the follow-ups of the councils the caller reads (staff), soonest due first."""
    scope.require(CIVIC_READ)
    query = (
        _rows().join(Council, Council.id == Topic.council_id).where(access.visible(scope, CIVIC_READ, Council.area_id))
    )
    if f.council_id is not None:
        query = query.where(Topic.council_id == f.council_id)
    if f.area_id is not None:
        path = access.area_path(session, f.area_id)
        query = query.where(Council.area_id.in_(select(Area.id).where(path_under(Area.path, path))))
    if f.state == "late":
        query = query.where(_late(clock.today()))
    elif f.state in ("open", "done"):
        query = query.where(FollowUp.state == f.state)
    total, capped = capped_count(session, query.with_only_columns(FollowUp.id))
    rows = session.execute(
        query.order_by(FollowUp.due_on, FollowUp.id).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return FollowUpPage(items=present(session, rows), total=total, page=page, page_size=page_size, total_capped=capped)


def outs(session: Session, rows: list[FollowUp]) -> list[FollowUpOut]:
    if not rows:
        return []
    found = session.execute(_rows().where(FollowUp.id.in_([r.id for r in rows])).order_by(FollowUp.id)).all()
    return present(session, found)


def present(session: Session, rows: Any) -> list[FollowUpOut]:
    """Return follow-ups as shown, from rows of (follow-up, topic title, council id) (one more query)."""
    rows = list(rows)
    owners = dict(
        session.execute(
            select(User.id, User.display_name).where(User.id.in_({r[0].owner_user_id for r in rows} - {None}))
        ).all()
    ) if rows else {}  # fmt: skip
    today = clock.today()
    return [
        FollowUpOut(
            id=f.id,
            topic_id=f.topic_id,
            topic=title,
            council_id=council_id,
            resolution_id=f.resolution_id,
            title=f.title,
            owner_user_id=f.owner_user_id,
            owner=owners.get(f.owner_user_id, "") if f.owner_user_id else f.owner_name,
            due_on=f.due_on,
            progress=100 if f.state == "done" else f.progress,
            state=f.state,
            note=f.note,
            late=f.state == "open" and f.due_on < today,
            late_since=f.late_since,
            done_at=f.done_at,
        )
        for f, title, council_id in rows
    ]


# ---- the tick ----------------------------------------------------------------------------------------


def mark_late(session: Session, now: datetime) -> dict[str, int]:
    """Return ``{"civic.follow_ups_late": n}``: the open follow-ups newly past their day, now marked.

    Runs in the SLA tick's transaction (``needs.escalation.ALSO``). ``late_since`` is set once, and the
    owner (a staff account) is told once; a second run finds nothing to do.
    """
    today = clock.local_date(now)
    marked = session.execute(
        update(FollowUp)
        .where(FollowUp.state == "open", FollowUp.due_on < today, FollowUp.late_since.is_(None))
        .values(late_since=today)
        .returning(FollowUp.id, FollowUp.owner_user_id, FollowUp.title, FollowUp.topic_id)
        .execution_options(synchronize_session=False)
    ).all()
    rows = [
        {
            "user_id": owner,
            "kind": LATE_KIND,
            "subject": title[:200],
            "text": translate(MESSAGES[LATE_KIND], "zh").format(title=title)[:300],
            "link": f"/councils/topics/{topic_id}",
            "order_id": None,
            "created_at": now,
        }
        for _, owner, title, topic_id in sorted(marked)
        if owner is not None
    ]
    if rows:
        session.execute(insert(Notification), rows)
    if marked:
        audit.record(
            session,
            "council.follow_ups_late",
            username="system",
            entity="follow_up",
            changes={"late_since": [None, sorted(i for i, _, _, _ in marked)[:AUDIT_IDS]]},
        )
    return {"civic.follow_ups_late": len(marked)}
