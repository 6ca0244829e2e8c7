"""Topics (议题): raised, co-signed, promoted from recurring work orders, discussed, rejected, read.

Staff and members raise a topic straight onto the council's list (``open``). A resident who is not a
member proposes one (``proposed``, the raiser its first co-signer); other resident accounts of the area
co-sign once each (``TopicSigner``'s primary key the final guard) and the topic opens when ``cosigners``
reaches the council's ``cosigners_needed``. Recurring work orders (the same category in the same
building, at least ``RECURRING`` in ``WINDOW_DAYS``) can be promoted into one topic that links them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.permissions import CIVIC_JOIN, CIVIC_MANAGE, CIVIC_READ, Scope, path_under
from linli.areas.models import Area
from linli.audit import services as audit
from linli.civic.councils import access, follow_ups, meetings
from linli.civic.councils.models import (
    Council,
    Resolution,
    Topic,
    TopicDocument,
    TopicOrder,
    TopicPost,
    TopicSigner,
)
from linli.civic.councils.schemas import (
    DocumentOut,
    LinkedOrder,
    OrderGroup,
    PostIn,
    PostOut,
    PromoteIn,
    RejectIn,
    TopicDetail,
    TopicIn,
    TopicOut,
    TopicPage,
)
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.db.paging import capped_count
from linli.errors import Conflict, Forbidden, Invalid
from linli.i18n import translate
from linli.needs.models import ServiceCategory, WorkOrder
from linli.registry.models import Building, Household

RECURRING = 3
WINDOW_DAYS = 90
FINISHED_ORDERS = ("dismissed", "closed", "rated")
CLOSED_TOPICS = ("closed", "rejected")
REJECTED_NOTE = "Not taken up: {reason}"


@dataclass(frozen=True)
class TopicFilter:
    q: str = ""
    state: str | None = None
    source: str | None = None
    council_id: int | None = None
    area_id: int | None = None


def seen(scope: Scope) -> Any:
    """Return the condition on ``Topic`` of the topics the caller sees."""
    active = select(Council.id).where(Council.active.is_(True))
    mine = Topic.raised_by_id == scope.user_id if scope.user_id is not None else false()
    return or_(
        access.visible(scope, CIVIC_READ, Topic.area_id),
        and_(
            access.visible(scope, CIVIC_JOIN, Topic.area_id),
            Topic.council_id.in_(active),
            or_(Topic.state != "rejected", mine),
        ),
    )


# ---- raising and co-signing ---------------------------------------------------------------------------


def raise_topic(session: Session, scope: Scope, council_id: int, data: TopicIn) -> TopicOut:
    """Raise a topic: open at once from staff or a member; from another resident, proposed for co-signing."""
    with transaction(session):
        reached = access.reach(session, scope, council_id)
        council = reached.council
        if not council.active:
            raise Conflict("council.inactive", "This council is no longer active.")
        member = access.my_membership(session, scope, council.id)
        if member is not None:
            source, state = "member", "open"
        elif reached.staff and access.can_write(scope, reached.path):
            source, state = "staff", "open"
        elif access.sees(scope, reached.path, CIVIC_JOIN):
            source, state = "residents", "proposed" if council.cosigners_needed > 1 else "open"
        else:
            raise Forbidden()
        topic = Topic(
            council_id=council.id,
            area_id=council.area_id,
            title=data.title,
            body=data.body,
            source=source,
            state=state,
            raised_by_id=scope.user_id,
            cosigners=1 if source == "residents" else 0,
            progress=0,
        )
        session.add(topic)
        session.flush()
        if source == "residents" and scope.user_id is not None:
            session.add(TopicSigner(topic_id=topic.id, user_id=scope.user_id))
            session.flush()
        audit.record_by(
            session, scope, "council.topic_raise", entity="topic", entity_id=topic.id, area_id=council.area_id,
            changes={"title": [None, data.title], "source": [None, source], "state": [None, state]},
        )  # fmt: skip
        return outs(session, [topic])[0]


def cosign(session: Session, scope: Scope, topic_id: int) -> TopicOut:
    """Co-sign a proposed topic (a resident account, once); it opens when enough residents have signed."""
    if not scope.can(CIVIC_JOIN) or scope.user_id is None:
        raise Forbidden()
    with transaction(session):
        topic, reached = access.load_topic(session, scope, topic_id, lock=True)
        if not access.sees(scope, reached.path, CIVIC_JOIN):
            raise Forbidden()
        if topic.state != "proposed":
            raise Conflict("topic.not_proposed", "This topic is not collecting co-signers.")
        signed = session.get(TopicSigner, (topic.id, scope.user_id))
        if signed is not None:
            raise Conflict("topic.cosigned", "You have already co-signed this topic.")
        session.add(TopicSigner(topic_id=topic.id, user_id=scope.user_id))
        try:
            session.flush()
        except IntegrityError as error:  # the same account signing from two phones at once
            raise Conflict("topic.cosigned", "You have already co-signed this topic.") from error
        count = session.execute(
            update(Topic)
            .where(Topic.id == topic.id)
            .values(cosigners=Topic.cosigners + 1, version=Topic.version + 1)
            .returning(Topic.cosigners)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        opened = False
        if count >= reached.council.cosigners_needed:
            opened = bool(
                session.execute(
                    update(Topic)
                    .where(Topic.id == topic.id, Topic.state == "proposed")
                    .values(state="open", version=Topic.version + 1)
                    .execution_options(synchronize_session=False)
                ).rowcount  # type: ignore[attr-defined]
            )
        session.refresh(topic)
        audit.record_by(
            session, scope, "council.topic_cosign", entity="topic", entity_id=topic.id,
            area_id=reached.council.area_id,
            changes={"cosigners": [count - 1, count]} | ({"state": ["proposed", "open"]} if opened else {}),
        )  # fmt: skip
        return outs(session, [topic])[0]


def reject(session: Session, scope: Scope, topic_id: int, data: RejectIn) -> TopicOut:
    """Decline a proposed or open topic, giving the reason (kept in its thread for everyone who reads it)."""
    with transaction(session):
        topic, reached = access.load_topic(session, scope, topic_id, lock=True)
        reached.require(scope, CIVIC_MANAGE)
        if topic.state not in ("proposed", "open"):
            raise Conflict("topic.not_rejectable", "Only a proposed or open topic can be rejected.")
        before = topic.state
        topic.state = "rejected"
        session.add(
            TopicPost(
                topic_id=topic.id, user_id=scope.user_id, body=translate(REJECTED_NOTE, "zh").format(reason=data.reason)
            )
        )
        session.flush()
        audit.record_by(
            session, scope, "council.topic_reject", entity="topic", entity_id=topic.id,
            area_id=reached.council.area_id, changes={"state": [before, "rejected"], "reason": [None, data.reason]},
        )  # fmt: skip
        return outs(session, [topic])[0]


def add_post(session: Session, scope: Scope, topic_id: int, data: PostIn) -> PostOut:
    """Add a message to a topic's thread: staff who write, members, and residents of the area who read it."""
    with transaction(session):
        topic, reached = access.load_topic(session, scope, topic_id)
        may = (
            access.can_write(scope, reached.path)
            or access.sees(scope, reached.path, CIVIC_JOIN)
            or access.my_membership(session, scope, topic.council_id) is not None
        )
        if not may:
            raise Forbidden()
        if topic.state in CLOSED_TOPICS:
            raise Conflict("topic.closed", "The discussion of this topic is closed.")
        post = TopicPost(topic_id=topic.id, user_id=scope.user_id, body=data.body)
        session.add(post)
        session.flush()
        audit.record_by(
            session, scope, "council.topic_post", entity="topic", entity_id=topic.id,
            area_id=reached.council.area_id, changes={"post_id": [None, post.id]},
        )  # fmt: skip
        return posts_of(session, topic.id, [post.id])[0]


# ---- promoting recurring orders -----------------------------------------------------------------------


def order_groups(session: Session, scope: Scope, council_id: int) -> list[OrderGroup]:
    """Return the groups of recurring orders of the council's area the caller reads that no topic holds yet.

    A group is the orders of one category in one building, open or from the last ``WINDOW_DAYS`` days,
    with at least ``RECURRING`` of them made in that window; most orders first.
    """
    reached = access.reach(session, scope, council_id)
    if not (reached.staff and access.can_write(scope, reached.path)):
        raise Forbidden()
    cutoff = utcnow() - timedelta(days=WINDOW_DAYS)
    rows = session.execute(
        select(
            WorkOrder.id, WorkOrder.title, WorkOrder.state, WorkOrder.created_at, WorkOrder.category_id,
            Household.building_id,
        )
        .join(Household, Household.id == WorkOrder.household_id)
        .where(
            WorkOrder.area_id.in_(select(Area.id).where(path_under(Area.path, reached.path))),
            scope.filter(CIVIC_READ, WorkOrder.area_id),
            WorkOrder.id.not_in(select(TopicOrder.order_id)),
            or_(WorkOrder.created_at >= cutoff, WorkOrder.state.not_in(FINISHED_ORDERS)),
        )
        .order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc())
        .limit(5000)
    ).all()  # fmt: skip
    grouped: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for row in rows:
        grouped[(row.category_id, row.building_id)].append(row)
    kept = {
        key: found
        for key, found in grouped.items()
        if sum(1 for r in found if _aware(r.created_at) >= cutoff) >= RECURRING
    }
    if not kept:
        return []
    categories = dict(
        session.execute(
            select(ServiceCategory.id, ServiceCategory.name).where(ServiceCategory.id.in_({c for c, _ in kept}))
        ).all()
    )
    buildings = {
        b.id: f"{b.compound} {b.name}".strip()
        for b in session.scalars(select(Building).where(Building.id.in_({b for _, b in kept})))
    }
    groups = [
        OrderGroup(
            category_id=category,
            category=categories.get(category, ""),
            building_id=building,
            building=buildings.get(building, ""),
            orders=[LinkedOrder(id=r.id, title=r.title, state=r.state, created_at=r.created_at) for r in found],
        )
        for (category, building), found in kept.items()
    ]
    return sorted(groups, key=lambda g: (-len(g.orders), g.category_id, g.building_id))


def _aware(moment: Any) -> Any:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def promote(session: Session, scope: Scope, council_id: int, data: PromoteIn) -> TopicOut:
    """Make one open topic of recurring orders, linked to them; orders outside the council's area are refused."""
    with transaction(session):
        reached = access.reach(session, scope, council_id)
        if not (reached.staff and access.can_write(scope, reached.path)):
            raise Forbidden()
        if not reached.council.active:
            raise Conflict("council.inactive", "This council is no longer active.")
        wanted = sorted(set(data.order_ids))
        reachable = scope.paths(CIVIC_READ)
        found = dict(
            session.execute(
                select(WorkOrder.id, Area.path)
                .join(Area, Area.id == WorkOrder.area_id)
                .where(WorkOrder.id.in_([i for i in wanted if 0 < i < access.MAX_ID] or [0]))
            ).all()
        )
        for order_id in wanted:
            path = found.get(order_id)
            if path is None or not path.startswith(reached.path) or not any(path.startswith(p) for p in reachable):
                raise Invalid(
                    "topic.order_outside",
                    "Order {id} is not a work order of this council's area.",
                    "order_ids",
                    id=order_id,
                )
        linked = session.scalar(select(TopicOrder.order_id).where(TopicOrder.order_id.in_(wanted)).limit(1))
        if linked is not None:
            raise Conflict("topic.order_linked", "Order {id} is already linked to a topic.", "order_ids", id=linked)
        topic = Topic(
            council_id=council_id,
            area_id=reached.council.area_id,
            title=data.title,
            body=data.body,
            source="needs",
            state="open",
            raised_by_id=scope.user_id,
            cosigners=0,
            progress=0,
        )
        session.add(topic)
        session.flush()
        session.add_all(TopicOrder(topic_id=topic.id, order_id=i) for i in wanted)
        try:
            session.flush()
        except IntegrityError as error:
            raise Conflict("topic.order_linked", "Order {id} is already linked to a topic.", "order_ids",
                           id=wanted[0]) from error  # fmt: skip
        audit.record_by(
            session, scope, "council.topic_promote", entity="topic", entity_id=topic.id,
            area_id=reached.council.area_id, changes={"title": [None, data.title], "order_ids": [None, wanted]},
        )  # fmt: skip
        return outs(session, [topic])[0]


# ---- reading ------------------------------------------------------------------------------------------


def list_topics(session: Session, scope: Scope, f: TopicFilter, page: int = 1, page_size: int = 20) -> TopicPage:
    """Return a page of the topics the caller sees, newest first (a fixed number of queries)."""
    if not (scope.can(CIVIC_READ) or scope.can(CIVIC_JOIN)):
        return TopicPage(items=[], total=0, page=page, page_size=page_size)
    query = select(Topic).where(seen(scope))
    if f.council_id is not None:
        access.reach(session, scope, f.council_id)
        query = query.where(Topic.council_id == f.council_id)
    if f.area_id is not None:
        path = access.area_path(session, f.area_id)
        query = query.where(Topic.area_id.in_(select(Area.id).where(path_under(Area.path, path))))
    if f.state:
        query = query.where(Topic.state == f.state)
    if f.source:
        query = query.where(Topic.source == f.source)
    if f.q.strip():
        text = f.q.strip()
        query = query.where(
            or_(Topic.title.icontains(text, autoescape=True), Topic.body.icontains(text, autoescape=True))
        )
    total, capped = capped_count(session, query)
    rows = session.scalars(
        query.order_by(Topic.created_at.desc(), Topic.id.desc()).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return TopicPage(items=outs(session, list(rows)), total=total, page=page, page_size=page_size, total_capped=capped)


def get_topic(session: Session, scope: Scope, topic_id: int) -> TopicDetail:
    """Return a topic with its orders (staff), thread, documents, resolutions and follow-ups, as the caller sees it."""
    topic, reached = access.load_topic(session, scope, topic_id)
    staff = reached.staff
    orders = (
        [
            LinkedOrder(id=i, title=t, state=s, created_at=c)
            for i, t, s, c in session.execute(
                select(WorkOrder.id, WorkOrder.title, WorkOrder.state, WorkOrder.created_at)
                .join(TopicOrder, TopicOrder.order_id == WorkOrder.id)
                .where(TopicOrder.topic_id == topic.id)
                .order_by(WorkOrder.created_at, WorkOrder.id)
            )
        ]
        if staff
        else []
    )
    query = select(Resolution).where(Resolution.topic_id == topic.id)
    if not staff:
        query = query.where(Resolution.published_at.is_not(None))
    resolutions = meetings.resolution_outs(session, list(session.scalars(query.order_by(Resolution.id))), staff)
    documents = [
        DocumentOut(id=d.id, filename=d.filename, content_type=d.content_type, size=d.size, created_at=d.created_at)
        for d in session.scalars(
            select(TopicDocument).where(TopicDocument.topic_id == topic.id).order_by(TopicDocument.id)
        )
    ]
    signed = scope.user_id is not None and session.get(TopicSigner, (topic.id, scope.user_id)) is not None
    return TopicDetail(
        **outs(session, [topic])[0].model_dump(),
        orders=orders,
        posts=posts_of(session, topic.id),
        documents=documents,
        resolutions=resolutions,
        follow_ups=follow_ups.of_topic(session, topic.id, staff),
        signed=signed,
    )


def posts_of(session: Session, topic_id: int, ids: list[int] | None = None, limit: int = 500) -> list[PostOut]:
    """Return a topic's thread, oldest first, with each author's display name (one query)."""
    query = (
        select(TopicPost.id, User.display_name, TopicPost.body, TopicPost.created_at)
        .outerjoin(User, User.id == TopicPost.user_id)
        .where(TopicPost.topic_id == topic_id)
    )
    if ids is not None:
        query = query.where(TopicPost.id.in_(ids))
    rows = session.execute(query.order_by(TopicPost.created_at, TopicPost.id).limit(limit)).all()
    return [PostOut(id=i, author=name or "", body=body, created_at=at) for i, name, body, at in rows]


def outs(session: Session, topics: list[Topic]) -> list[TopicOut]:
    """Return topics as the API gives them (two queries however many)."""
    if not topics:
        return []
    councils = {
        i: (name, needed)
        for i, name, needed in session.execute(
            select(Council.id, Council.name, Council.cosigners_needed).where(
                Council.id.in_({t.council_id for t in topics})
            )
        )
    }
    raisers = dict(
        session.execute(
            select(User.id, User.display_name).where(User.id.in_({t.raised_by_id for t in topics if t.raised_by_id}))
        ).all()
    )
    return [
        TopicOut(
            id=t.id,
            council_id=t.council_id,
            council=councils.get(t.council_id, ("", 0))[0],
            area_id=t.area_id,
            title=t.title,
            body=t.body,
            source=t.source,
            state=t.state,
            raised_by=raisers.get(t.raised_by_id or 0, ""),
            cosigners=t.cosigners,
            cosigners_needed=councils.get(t.council_id, ("", 0))[1],
            progress=t.progress,
            decided_at=t.decided_at,
            created_at=t.created_at,
        )
        for t in topics
    ]


def topic_count(session: Session, scope: Scope, council_id: int) -> int:
    return session.scalar(select(func.count()).where(Topic.council_id == council_id, seen(scope))) or 0
