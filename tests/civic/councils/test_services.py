"""Councils through their services on both databases: quorum, votes, counting, promotion, co-signing,
follow-ups and the tick, and what residents and outsiders may see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.audit.models import AuditEvent
from linli.civic.councils import follow_ups, meetings, services, topics
from linli.civic.councils.models import Topic, TopicOrder
from linli.civic.councils.schemas import FollowUpIn, LeaveIn, MemberIn, ProgressIn, PromoteIn, RejectIn
from linli.db.base import utcnow
from linli.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from linli.lib import clock
from linli.needs import catalogue, escalation, intake
from linli.needs.models import Notification, WorkOrder
from linli.needs.schemas import NeedIn
from linli.registry import places
from linli.registry.schemas import HouseholdIn
from tests.civic.councils.helpers import (
    add_residents,
    attend,
    decided,
    make_council,
    motion,
    plan,
    raise_topic,
    resident_account,
    vote,
)
from tests.factories import World, building_of, make_household, root_scope, scope_of


def code_of(error: pytest.ExceptionInfo[DomainError]) -> str:
    return error.value.code


# ---- quorum -------------------------------------------------------------------------------------------


def test_a_meeting_is_quorate_exactly_at_the_threshold_and_not_one_below(db: Session, world: World) -> None:
    council = make_council(db, world, quorum_percent=50)
    ids = add_residents(db, world, council.id, 10)
    first = plan(db, council.id, [])
    held = attend(db, first.id, ids[:5])
    assert (held.members_count, held.present_count, held.quorate, held.state) == (10, 5, True, "held")
    second = plan(db, council.id, [])
    short = attend(db, second.id, ids[:4])
    assert (short.present_count, short.quorate) == (4, False)


def test_members_on_the_day_leave_out_those_who_joined_later_or_had_left(db: Session, world: World) -> None:
    council = make_council(db, world)
    today = clock.today()
    ids = add_residents(db, world, council.id, 4, joined_on=today - timedelta(days=30))
    later = add_residents(db, world, council.id, 1, joined_on=today + timedelta(days=1))
    services.leave(db, scope_of(db, "secretary"), ids[3], LeaveIn(left_on=today))
    meeting = plan(db, council.id, [])
    counted = attend(db, meeting.id, ids[:2])
    assert (counted.members_count, counted.quorate) == (3, True)  # 2 × 100 >= 50 × 3
    with pytest.raises(Invalid) as refused:
        attend(db, meeting.id, [*ids[:2], later[0]])
    assert code_of(refused) == "meeting.not_member"
    with pytest.raises(Invalid) as gone:
        attend(db, meeting.id, [ids[3]])
    assert code_of(gone) == "meeting.not_member"
    with pytest.raises(Conflict) as twice:
        services.leave(db, scope_of(db, "secretary"), ids[3], LeaveIn())
    assert code_of(twice) == "member.left"
    detail = services.get_council(db, scope_of(db, "secretary"), council.id)
    assert len(detail.member_list) == 5 and detail.members == 3  # the one who left is kept, not counted


# ---- votes and counting ---------------------------------------------------------------------------------


def test_an_absent_member_and_a_non_member_are_refused_a_vote(db: Session, world: World) -> None:
    council = make_council(db, world)
    ids = add_residents(db, world, council.id, 3)
    other = make_council(db, world, name="另一个议事会")
    stranger = add_residents(db, world, other.id, 1)[0]
    topic = raise_topic(db, "secretary", council.id)
    meeting = plan(db, council.id, [topic.id])
    attend(db, meeting.id, ids[:2])
    resolution = motion(db, meeting.id, topic.id)
    with pytest.raises(Invalid) as absent:
        vote(db, resolution.id, {ids[2]: "for"})
    assert code_of(absent) == "ballot.absent"
    with pytest.raises(Invalid) as outsider:
        vote(db, resolution.id, {stranger: "for"})
    assert code_of(outsider) == "ballot.not_member"
    assert meetings.get_resolution(db, scope_of(db, "secretary"), resolution.id).ballots == []  # nothing half-written


def test_no_vote_is_taken_without_a_quorum(db: Session, world: World) -> None:
    council = make_council(db, world, quorum_percent=60)
    ids = add_residents(db, world, council.id, 5)
    topic = raise_topic(db, "secretary", council.id)
    meeting = plan(db, council.id, [topic.id])
    assert attend(db, meeting.id, ids[:2]).quorate is False
    resolution = motion(db, meeting.id, topic.id)
    with pytest.raises(Conflict) as refused:
        vote(db, resolution.id, {ids[0]: "for"})
    assert code_of(refused) == "council.no_quorum"
    with pytest.raises(Conflict):
        meetings.close_count(db, scope_of(db, "secretary"), resolution.id)


def test_a_vote_changed_before_the_count_closes_is_counted_once_and_audited(db: Session, world: World) -> None:
    council = make_council(db, world)
    ids = add_residents(db, world, council.id, 3)
    topic = raise_topic(db, "secretary", council.id)
    meeting = plan(db, council.id, [topic.id])
    attend(db, meeting.id, ids)
    resolution = motion(db, meeting.id, topic.id)
    vote(db, resolution.id, {ids[0]: "against", ids[1]: "for"})
    changed = vote(db, resolution.id, {ids[0]: "for"})
    assert sorted((b.member_id, b.choice) for b in changed.ballots) == [(ids[0], "for"), (ids[1], "for")]
    assert db.scalar(select(func.count()).where(AuditEvent.action == "council.ballot_change")) == 1
    counted = meetings.close_count(db, scope_of(db, "secretary"), resolution.id)
    assert (counted.votes_for, counted.votes_against, counted.votes_abstain, counted.outcome) == (2, 0, 0, "passed")
    with pytest.raises(Conflict) as closed:
        vote(db, resolution.id, {ids[2]: "against"})
    assert code_of(closed) == "resolution.counted"
    with pytest.raises(Conflict) as attendance_fixed:
        attend(db, meeting.id, ids[:1])
    assert code_of(attendance_fixed) == "meeting.voting_started"


@pytest.mark.parametrize(
    ("rule", "choices", "expected"),
    [
        ("majority_present", ["for", "for", "against", "abstain"], "failed"),  # 2 of 4 present: a tie
        ("majority_present", ["for", "for", "for", "abstain"], "passed"),
        ("majority_cast", ["for", "against", "abstain", "abstain"], "failed"),  # a tie among votes cast
        ("majority_cast", ["for", "abstain", "abstain", "abstain"], "passed"),  # abstentions not counted
        ("majority_cast", ["abstain", "abstain", "abstain", "abstain"], "failed"),  # no vote for
        ("two_thirds_present", ["for", "for", "against", "abstain"], "failed"),  # 6 < 8
        ("two_thirds_present", ["for", "for", "for", "against"], "passed"),  # 9 >= 8
    ],
)
def test_the_count_follows_the_rule_copied_onto_the_resolution(
    db: Session, world: World, rule: str, choices: list[str], expected: str
) -> None:
    council = make_council(db, world, pass_rule=rule)
    ids = add_residents(db, world, council.id, 4)
    topic = raise_topic(db, "secretary", council.id)
    meeting = plan(db, council.id, [topic.id])
    attend(db, meeting.id, ids)
    resolution = motion(db, meeting.id, topic.id)
    assert resolution.pass_rule == rule
    # a later change of the council's rule does not change this resolution's
    from linli.civic.councils.schemas import CouncilUpdate

    services.update_council(db, scope_of(db, "secretary"), council.id, CouncilUpdate(pass_rule="majority_cast"))
    vote(db, resolution.id, dict(zip(ids, choices, strict=True)))
    counted = meetings.close_count(db, scope_of(db, "secretary"), resolution.id)
    assert counted.outcome == expected
    assert topics.get_topic(db, scope_of(db, "secretary"), topic.id).state == "decided"


# ---- topics -----------------------------------------------------------------------------------------------


def test_co_signers_open_a_residents_topic_at_the_threshold_and_sign_once(db: Session, world: World) -> None:
    council = make_council(db, world, cosigners_needed=3)
    for name in ("jumin1", "jumin2", "jumin3"):
        resident_account(db, world, name)
    raised = raise_topic(db, "jumin1", council.id, "小区停车难")
    assert (raised.state, raised.source, raised.cosigners) == ("proposed", "residents", 1)
    with pytest.raises(Conflict) as own:
        topics.cosign(db, scope_of(db, "jumin1"), raised.id)
    assert code_of(own) == "topic.cosigned"
    second = topics.cosign(db, scope_of(db, "jumin2"), raised.id)
    assert (second.state, second.cosigners) == ("proposed", 2)
    with pytest.raises(Conflict) as again:
        topics.cosign(db, scope_of(db, "jumin2"), raised.id)
    assert code_of(again) == "topic.cosigned"
    third = topics.cosign(db, scope_of(db, "jumin3"), raised.id)
    assert (third.state, third.cosigners) == ("open", 3)
    with pytest.raises(Forbidden):
        topics.cosign(db, scope_of(db, "grid1"), raised.id)  # staff do not co-sign


def test_staff_and_members_raise_open_topics_and_staff_may_reject_with_a_reason(db: Session, world: World) -> None:
    council = make_council(db, world)
    assert raise_topic(db, "grid1", council.id).source == "staff"
    resident_account(db, world, "weiyuan")
    member_resident = db.scalar(select(func.max(Topic.id)))  # noqa: F841  (the member is linked below)
    from linli.accounts.models import User

    resident_id = db.scalar(select(User.resident_id).where(User.username == "weiyuan"))
    services.add_member(db, scope_of(db, "secretary"), council.id, MemberIn(resident_id=resident_id))
    by_member = raise_topic(db, "weiyuan", council.id, "楼道灯不亮")
    assert (by_member.source, by_member.state) == ("member", "open")
    rejected = topics.reject(db, scope_of(db, "secretary"), by_member.id, RejectIn(reason="已转物业处理"))
    assert rejected.state == "rejected"
    assert "已转物业处理" in topics.get_topic(db, scope_of(db, "weiyuan"), by_member.id).posts[-1].body
    with pytest.raises(Forbidden):
        topics.reject(db, scope_of(db, "grid1"), rejected.id, RejectIn(reason="x"))


def lift_orders(db: Session, world: World, count: int, household: int | None = None) -> list[int]:
    catalogue.seed(db)
    ids = []
    for i in range(count):
        data = NeedIn(
            category="repairs",
            description=f"3号楼电梯又停了（第{i + 1}次）",
            household_id=household or world.household1,
        )
        ids.append(intake.create_order(db, scope_of(db, "grid1"), data).id)
    return ids


def test_recurring_orders_are_grouped_and_promoted_into_one_topic(db: Session, world: World) -> None:
    council = make_council(db, world)
    lifts = lift_orders(db, world, 3)
    neighbour = places.create_household(
        db, root_scope(), HouseholdIn(building_id=building_of(db, world.household1), room="302")
    ).id
    lifts += lift_orders(db, world, 1, neighbour)  # the same building, another household
    lift_orders(db, world, 2, make_household(db, world.grid1, "101", "7号楼"))  # two only: not recurring
    groups = topics.order_groups(db, scope_of(db, "secretary"), council.id)
    assert [sorted(o.id for o in g.orders) for g in groups] == [sorted(lifts)]
    assert groups[0].category == "维修服务" and "3号楼" in groups[0].building
    # grid 2's worker reads no order of grid 1: no group
    assert topics.order_groups(db, scope_of(db, "grid2"), council.id) == []
    topic = topics.promote(
        db, scope_of(db, "secretary"), council.id, PromoteIn(title="3号楼电梯反复故障", order_ids=lifts)
    )
    assert (topic.source, topic.state) == ("needs", "open")
    assert db.scalar(select(func.count()).where(TopicOrder.topic_id == topic.id)) == 4
    assert topics.order_groups(db, scope_of(db, "secretary"), council.id) == []
    with pytest.raises(Conflict) as linked:
        topics.promote(db, scope_of(db, "secretary"), council.id, PromoteIn(title="再来", order_ids=lifts[:1]))
    assert code_of(linked) == "topic.order_linked"
    detail = topics.get_topic(db, scope_of(db, "secretary"), topic.id)
    assert sorted(o.id for o in detail.orders) == sorted(lifts)


def test_an_order_outside_the_councils_area_is_refused(db: Session, world: World) -> None:
    group = make_council(db, world, area_id=world.grid2.id, name="5号楼自治小组", kind="group")
    grid1_order = lift_orders(db, world, 1)[0]
    with pytest.raises(Invalid) as refused:
        topics.promote(db, scope_of(db, "secretary"), group.id, PromoteIn(title="电梯", order_ids=[grid1_order]))
    assert code_of(refused) == "topic.order_outside"
    with pytest.raises(Invalid):
        topics.promote(db, scope_of(db, "secretary"), group.id, PromoteIn(title="电梯", order_ids=[999999]))
    assert db.scalar(select(func.count()).select_from(Topic)) == 0
    assert db.get(WorkOrder, grid1_order) is not None


# ---- follow-ups and the tick ----------------------------------------------------------------------------


def test_follow_up_progress_rolls_up_to_the_topic_which_closes_when_all_are_done(db: Session, world: World) -> None:
    _, _, topic, _, resolution = decided(db, world)
    secretary = scope_of(db, "secretary")
    grid1 = scope_of(db, "grid1").user_id
    due = clock.today() + timedelta(days=7)
    asked = FollowUpIn(title="征求三号楼住户意见", resolution_id=resolution.id, owner_user_id=grid1, due_on=due)
    first = follow_ups.add_follow_up(db, secretary, topic.id, asked)
    second = follow_ups.add_follow_up(
        db, secretary, topic.id, FollowUpIn(title="联系电梯厂家报价", owner_name="物业李经理", due_on=clock.today()),
    )  # fmt: skip
    follow_ups.report_progress(db, scope_of(db, "grid1"), first.id, ProgressIn(progress=60, note="已走访一半住户"))
    assert topics.get_topic(db, secretary, topic.id).progress == 30
    follow_ups.report_progress(db, secretary, second.id, ProgressIn(progress=10, done=True))
    shown = topics.get_topic(db, secretary, topic.id)
    assert (shown.progress, shown.state) == (80, "decided")  # (60 + 100) / 2
    follow_ups.report_progress(db, scope_of(db, "grid1"), first.id, ProgressIn(progress=100, done=True))
    shown = topics.get_topic(db, secretary, topic.id)
    assert (shown.progress, shown.state) == (100, "closed")
    with pytest.raises(Conflict) as done:
        follow_ups.report_progress(db, secretary, first.id, ProgressIn(progress=50))
    assert code_of(done) == "follow_up.done"
    assert "已走访一半住户" in next(f.note for f in shown.follow_ups if f.id == first.id)
    third = follow_ups.add_follow_up(
        db, secretary, topic.id, FollowUpIn(title="验收", owner_name="议事会", due_on=clock.today())
    )
    assert third.state == "open" and topics.get_topic(db, secretary, topic.id).state == "decided"


def test_the_tick_lists_a_late_follow_up_once_and_tells_its_owner_once(db: Session, world: World) -> None:
    _, _, topic, _, _ = decided(db, world)
    secretary = scope_of(db, "secretary")
    owner = scope_of(db, "grid1").user_id
    late = follow_ups.add_follow_up(
        db, secretary, topic.id,
        FollowUpIn(title="公示施工方案", owner_user_id=owner, due_on=clock.today() - timedelta(days=2)),
    )  # fmt: skip
    follow_ups.add_follow_up(
        db, secretary, topic.id, FollowUpIn(title="还没到期", owner_name="王阿姨", due_on=clock.today())
    )
    first = escalation.tick(db, utcnow())
    assert first.others["civic.follow_ups_late"] == 1
    second = escalation.tick(db, utcnow())
    assert second.others["civic.follow_ups_late"] == 0
    told = db.scalars(select(Notification).where(Notification.kind == "follow_up_late")).all()
    assert [(n.user_id, n.subject) for n in told] == [(owner, "公示施工方案")]
    listed = follow_ups.list_follow_ups(db, scope_of(db, "supervisor"), follow_ups.FollowUpFilter(state="late"))
    assert [f.id for f in listed.items] == [late.id] and listed.items[0].late_since == clock.today()
    assert follow_ups.list_follow_ups(db, scope_of(db, "outsider"), follow_ups.FollowUpFilter()).items == []


# ---- access -----------------------------------------------------------------------------------------------


def test_a_resident_reads_only_what_is_published_of_their_area(db: Session, world: World) -> None:
    council, _ids, topic, meeting, resolution = decided(db, world)
    resident_account(db, world, "jumin")
    resident_account(db, world, "waimian", world.other_grid)
    jumin, outsider = scope_of(db, "jumin"), scope_of(db, "waimian")
    assert [c.id for c in services.list_councils(db, jumin, services.CouncilFilter()).items] == [council.id]
    shown = topics.get_topic(db, jumin, topic.id)
    assert shown.resolutions == [] and shown.orders == []  # counted, not yet published
    with pytest.raises(NotFound):
        meetings.get_resolution(db, jumin, resolution.id)
    assert meetings.get_meeting(db, jumin, meeting.id).resolutions == []
    assert meetings.get_meeting(db, jumin, meeting.id).present == []
    meetings.publish(db, scope_of(db, "secretary"), resolution.id)
    published = topics.get_topic(db, jumin, topic.id).resolutions
    assert [(r.outcome, r.votes_for, len(r.ballots)) for r in published] == [("passed", 4, 4)]
    for load in (
        lambda: services.get_council(db, outsider, council.id),
        lambda: topics.get_topic(db, outsider, topic.id),
        lambda: meetings.get_meeting(db, outsider, meeting.id),
        lambda: meetings.get_resolution(db, outsider, resolution.id),
    ):
        with pytest.raises(NotFound):
            load()
    assert services.list_councils(db, outsider, services.CouncilFilter()).items == []
    assert topics.list_topics(db, outsider, topics.TopicFilter()).items == []
    with pytest.raises(NotFound):
        services.get_council(db, scope_of(db, "outsider"), council.id)  # a grid worker of another community
    with pytest.raises(Forbidden):
        meetings.publish(db, jumin, resolution.id)
    with pytest.raises(Forbidden):
        services.add_member(db, scope_of(db, "supervisor"), council.id, MemberIn(resident_id=world.resident1.id))


def test_members_are_residents_of_the_area_or_its_staff(db: Session, world: World) -> None:
    group = make_council(db, world, area_id=world.grid1.id, name="图强小区自治共管小组", kind="group")
    secretary = scope_of(db, "secretary")
    with pytest.raises(Invalid) as outside:
        services.add_member(db, secretary, group.id, MemberIn(resident_id=world.resident2.id))
    assert code_of(outside) == "member.outside"
    added = services.add_member(db, secretary, group.id, MemberIn(resident_id=world.resident1.id, role="chair"))
    assert (added.name, added.role) == ("曾伟", "chair")
    with pytest.raises(Conflict):
        services.add_member(db, secretary, group.id, MemberIn(resident_id=world.resident1.id))
    staff = services.add_member(db, secretary, group.id, MemberIn(user_id=scope_of(db, "grid1").user_id))
    assert staff.user_id is not None
    with pytest.raises(Invalid) as not_staff:
        services.add_member(db, secretary, group.id, MemberIn(user_id=scope_of(db, "outsider").user_id))
    assert code_of(not_staff) == "member.not_staff"
    assert [c[1] for c in services.member_candidates(db, secretary, group.id, "曾")] == []
    assert [c[1] for c in services.member_candidates(db, secretary, group.id, "李")] == []  # grid 2's 李娜: outside
    listed = services.list_councils(db, scope_of(db, "grid1"), services.CouncilFilter(kind="group"))
    assert [c.members for c in listed.items] == [2]
