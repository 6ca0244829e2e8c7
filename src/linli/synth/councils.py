"""The demo's deliberation (协商议事): 阳台山社区's council and 图强小区's self-governance group.

The council has nine members (eight residents of the community and its secretary ``shequ``). Four work
orders about the lift of one of grid 1's buildings, filed over two months, were promoted into one topic;
a quorate meeting three weeks ago passed a resolution on it (majority of those present, each member's
vote recorded) that is published to the residents; of its two follow-ups one is done and one, owned by
``wangge1``, is late (the SLA tick has told him). A topic raised by ``jiazhang`` and co-signed by
``jumin`` is open on the council's list, and a second one of hers waits for one more co-signer, which
``jumin`` (or any other resident account of the community) can give from a phone. 图强小区自治共管小组 in
grid 1 has five members and an open topic raised by ``wangge1``.

Written through the services (each its own transaction, audited as the secretary or the residents);
only the dates of the orders, topics and meeting are moved back afterwards, so the story has a past.
Deterministic from the seed; called once per build: a community that already has a council is left alone.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.permissions import Scope
from linli.accounts.services import load_scope
from linli.areas.models import Area
from linli.civic.councils import follow_ups, meetings, services, topics
from linli.civic.councils.models import Council, Meeting, Topic
from linli.civic.councils.schemas import (
    AttendanceIn,
    BallotIn,
    BallotsIn,
    CouncilIn,
    FollowUpIn,
    MeetingIn,
    MemberIn,
    MinutesIn,
    ProgressIn,
    PromoteIn,
    ResolutionIn,
    TopicIn,
)
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.lib import clock
from linli.needs import intake
from linli.needs.models import WorkOrder
from linli.needs.schemas import NeedIn
from linli.registry.models import Building, Household, Resident
from linli.synth import layout

REPRESENTS = ("楼栋长", "业委会代表", "党员代表", "老年协会", "居民代表", "居民代表", "物业公司", "辖区单位")
GROUP_REPRESENTS = ("楼栋长", "楼栋长", "业委会代表", "党员代表", "居民代表")
LIFT_DAYS = (70, 52, 38, 27)  # days ago each lift order was filed
MEETING_DAYS = 21
VOTES = ("for", "for", "for", "for", "for", "against", "abstain")  # the seven present


def grow_councils(session: Session, seed: int) -> int:
    """Return how many councils and groups were added to 阳台山社区 (0 when it already has one, or is missing)."""
    community = session.scalar(select(Area).where(Area.code == layout.COMMUNITY[0]))
    if community is None:
        return 0
    grids = dict(session.execute(select(Area.code, Area.id).where(Area.parent_id == community.id)).all())
    grid1 = grids.get(layout.COMMUNITY[0] + "001")
    known = select(Area.id).where(Area.path.startswith(community.path))
    if grid1 is None or session.scalar(select(Council.id).where(Council.area_id.in_(known)).limit(1)):
        return 0
    shequ = _scope(session, "shequ") or Scope.system(community.id, community.path, "demo")
    rng = random.Random(f"{seed}-councils")
    today = clock.today()
    people = _adults(session, community.id, today)
    if len(people) < 13:
        return 0
    chosen = rng.sample(people, 13)
    council = _council(session, shequ, community.id, chosen[:8], today)
    topic_id = _lift_topic(session, shequ, council, grid1, today)
    if topic_id is not None:
        _meeting(session, shequ, council, topic_id, today)
    _residents_topics(session, council)
    _group(session, shequ, grid1, [p for p in people if p[1] == grid1][:5] or chosen[8:13], today)
    return 2


def _scope(session: Session, username: str) -> Scope | None:
    user = session.scalar(select(User).where(User.username == username))
    return load_scope(session, user.id, user.session_version) if user is not None else None


def _adults(session: Session, community_id: int, today: date) -> list[tuple[int, int]]:
    """Return ``(resident id, grid id)`` of the community's adults with a home and no account, in id order."""
    born_by = today.replace(year=today.year - 25)
    linked = select(User.resident_id).where(User.resident_id.is_not(None))
    rows = session.execute(
        select(Resident.id, Resident.area_id)
        .join(Area, Area.id == Resident.area_id)
        .where(
            Area.parent_id == community_id,
            Resident.status == "active",
            Resident.household_id.is_not(None),
            Resident.birth_date <= born_by,
            Resident.id.not_in(linked),
        )
        .order_by(Resident.id)
        .limit(2000)
    ).all()
    return [(i, a) for i, a in rows]


def _council(session: Session, shequ: Scope, community_id: int, people: list[tuple[int, int]], today: date) -> Council:
    made = services.create_council(
        session,
        shequ,
        CouncilIn(
            area_id=community_id,
            name="阳台山社区事务协商议事会",
            kind="council",
            description="社区公共事务的协商议事：加装电梯、停车、环境整治、公共设施维护等。",
            quorum_percent=50,
            pass_rule="majority_present",
            cosigners_needed=2,
        ),
    )
    joined = today - timedelta(days=200)
    for index, (resident_id, _) in enumerate(people):
        services.add_member(
            session, shequ, made.id,
            MemberIn(resident_id=resident_id, role="chair" if index == 0 else "member",
                     represents=REPRESENTS[index % len(REPRESENTS)], joined_on=joined),
        )  # fmt: skip
    if shequ.user_id is not None:
        services.add_member(
            session, shequ, made.id, MemberIn(user_id=shequ.user_id, represents="社区党委", joined_on=joined)
        )
    council = session.get(Council, made.id)
    assert council is not None
    return council


def _lift_topic(session: Session, shequ: Scope, council: Council, grid1: int, today: date) -> int | None:
    """Return the topic promoted from four lift orders of grid 1's fullest building (filed by ``wangge1``)."""
    building = session.execute(
        select(Building.id, Building.name)
        .join(Household, Household.building_id == Building.id)
        .where(Building.area_id == grid1)
        .group_by(Building.id, Building.name)
        .order_by(func.count(Household.id).desc(), Building.id)
        .limit(1)
    ).first()
    if building is None:
        return None
    households = list(
        session.scalars(
            select(Household.id).where(Household.building_id == building.id).order_by(Household.id).limit(4)
        )
    )
    worker = _scope(session, "wangge1") or shequ
    made: list[int] = []
    for n, days in enumerate(LIFT_DAYS):
        data = NeedIn(
            category="repairs",
            title=f"{building.name}电梯故障停运",
            description=f"{building.name}电梯又停了（本季度第{'一二三四'[n]}次），老人上下楼困难，请尽快维修。",
            household_id=households[n % len(households)],
        )
        order = intake.create_order(session, worker, data)
        made.append(order.id)
        with transaction(session):
            session.execute(
                update(WorkOrder).where(WorkOrder.id == order.id).values(created_at=utcnow() - timedelta(days=days))
            )
    topic = topics.promote(
        session,
        shequ,
        council.id,
        PromoteIn(
            title=f"{building.name}电梯反复故障，商议整体更换",
            body="近两个多月同一部电梯报修四次。请议事会商议：由维保单位出具检测报告，征求住户意见后申请更换。",
            order_ids=made,
        ),
    )
    _backdate(session, Topic, topic.id, days=25)
    return topic.id


def _meeting(session: Session, shequ: Scope, council: Council, topic_id: int, today: date) -> None:
    """Hold a quorate meeting three weeks ago that passed, published and followed up the lift resolution."""
    day = today - timedelta(days=MEETING_DAYS)
    held = meetings.create_meeting(
        session, shequ, council.id,
        MeetingIn(title="第三季度协商议事会", starts_at=datetime.combine(day, time(19, 30), clock.LOCAL),
                  place="阳台山社区议事厅", topic_ids=[topic_id]),
    )  # fmt: skip
    row = session.get(Meeting, held.id)
    assert row is not None
    members = [m for m, _, _ in meetings.members_on_the_day(session, row)]
    present = members[: len(VOTES)]
    meetings.record_attendance(session, shequ, held.id, AttendanceIn(present=present))
    meetings.set_minutes(
        session, shequ, held.id,
        MinutesIn(minutes="应到9人，实到7人，达到法定人数。议题：电梯反复故障。物业介绍维修记录，住户代表发言。"
                          "表决：同意5票，反对1票，弃权1票，通过。"),
    )  # fmt: skip
    resolution = meetings.add_resolution(
        session, shequ, held.id,
        ResolutionIn(topic_id=topic_id, text="同意由维保单位出具电梯检测报告，征求住户意见后申请整体更换电梯。"),
    )  # fmt: skip
    ballots = [BallotIn(member_id=m, choice=c) for m, c in zip(present, VOTES, strict=True)]
    meetings.record_ballots(session, shequ, resolution.id, BallotsIn(ballots=ballots))
    meetings.close_count(session, shequ, resolution.id)
    meetings.publish(session, shequ, resolution.id)
    wangge1 = _scope(session, "wangge1")
    done = follow_ups.add_follow_up(
        session, shequ, topic_id,
        FollowUpIn(title="请维保单位出具电梯检测报告", resolution_id=resolution.id, owner_user_id=shequ.user_id,
                   owner_name="" if shequ.user_id else "社区书记", due_on=today - timedelta(days=10)),
    )  # fmt: skip
    follow_ups.report_progress(
        session, shequ, done.id, ProgressIn(progress=100, note="检测报告已收到并公示", done=True)
    )
    late = follow_ups.add_follow_up(
        session, shequ, topic_id,
        FollowUpIn(title="逐户征求住户意见并公示更换方案", resolution_id=resolution.id,
                   owner_user_id=wangge1.user_id if wangge1 else None, owner_name="" if wangge1 else "第一网格网格员",
                   due_on=today - timedelta(days=3)),
    )  # fmt: skip
    follow_ups.report_progress(
        session, wangge1 or shequ, late.id, ProgressIn(progress=40, note="已走访一半住户，两户外出未联系上")
    )
    with transaction(session):
        follow_ups.mark_late(session, utcnow())  # as the SLA tick does: marked once, the owner told once
        session.execute(
            update(Topic).where(Topic.id == topic_id).values(decided_at=held.starts_at + timedelta(minutes=90))
        )


def _residents_topics(session: Session, council: Council) -> None:
    """Open one residents' topic (``jiazhang`` raised, ``jumin`` co-signed) and leave one waiting for a co-signer."""
    mother, neighbour = _scope(session, "jiazhang"), _scope(session, "jumin")
    if mother is None or neighbour is None:
        return
    opened = topics.raise_topic(
        session, mother, council.id,
        TopicIn(title="放学时段校门口道路拥堵", body="放学时段接孩子的车辆占道，建议设置临时停车区并请志愿者疏导。"),
    )  # fmt: skip
    topics.cosign(session, neighbour, opened.id)
    topics.raise_topic(
        session, mother, council.id,
        TopicIn(title="社区儿童游乐设施老化", body="小广场滑梯有裂缝，建议检修或更换。"),
    )  # fmt: skip


def _group(session: Session, shequ: Scope, grid1: int, people: list[tuple[int, int]], today: date) -> None:
    """Add 图强小区自治共管小组 with five residents and an open topic raised by ``wangge1``."""
    group = services.create_council(
        session,
        shequ,
        CouncilIn(
            area_id=grid1, name="图强小区自治共管小组", kind="group",
            description="小区居民自我管理、自我服务：车辆停放、楼道环境、公共收益使用。",
            quorum_percent=60, pass_rule="majority_cast", cosigners_needed=5,
        ),
    )  # fmt: skip
    for index, (resident_id, area_id) in enumerate(people):
        if area_id != grid1:
            continue
        services.add_member(
            session, shequ, group.id,
            MemberIn(resident_id=resident_id, role="chair" if index == 0 else "member",
                     represents=GROUP_REPRESENTS[index % len(GROUP_REPRESENTS)], joined_on=today - timedelta(days=120)),
        )  # fmt: skip
    worker = _scope(session, "wangge1") or shequ
    topics.raise_topic(
        session,
        worker,
        group.id,
        TopicIn(title="小区电动车楼道充电隐患", body="走访发现多户在楼道给电动车充电，建议商议集中充电点。"),
    )


def _backdate(session: Session, model: type[Topic], row_id: int, days: int) -> None:
    with transaction(session):
        session.execute(update(model).where(model.id == row_id).values(created_at=utcnow() - timedelta(days=days)))
