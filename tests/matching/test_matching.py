"""From a need to the best volunteer and back: profiles with consent, candidates with reasons, a proposal
solved exactly, accepting it through the lifecycle, and the volunteer's task and hours, on both databases.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.services import create_user
from linli.db.engine import transaction
from linli.errors import Conflict, Invalid, NotFound
from linli.matching import services as matching
from linli.needs import intake, lifecycle
from linli.needs.models import WorkOrder
from linli.needs.schemas import NeedIn, TransitionIn
from linli.volunteers import services as volunteers
from linli.volunteers.models import ServiceHours, Volunteer, VolunteerTask
from linli.volunteers.schemas import VolunteerIn
from tests.factories import World, make_resident, scope_of
from tests.matching.helpers import make_volunteer

PASSWORD = "Volunteer-Pass-2026"


def _account(db: Session, world: World, username: str) -> int:
    with transaction(db):
        user = create_user(db, username, PASSWORD, display_name=username, roles=[("volunteer", world.community.code)])
    return user.id


def _order(db: Session, world: World, text: str = "厨房水管漏水，需要修水管", **extra: object) -> int:
    data = NeedIn(category="repairs", description=text, household_id=world.household1, **extra)
    order = intake.create_order(db, scope_of(db, "grid1"), data)
    lifecycle.transition(db, scope_of(db, "secretary"), order.id, TransitionIn(action="register"))
    return order.id


def test_it_refuses_a_profile_without_the_residents_yes(db: Session, world: World) -> None:
    data = VolunteerIn(resident_id=world.resident1.id, consent=False, consent_note="")
    with pytest.raises(Invalid) as refused:
        volunteers.create_volunteer(db, scope_of(db, "secretary"), data)
    assert refused.value.code == "volunteer.consent_required"
    assert db.scalar(select(Volunteer.id)) is None


def test_it_reads_skills_from_the_profession_and_the_text(db: Session, world: World) -> None:
    vid = make_volunteer(db, world.resident1.id, profession="电工", skills_text="会修水管，也会做饭")
    profile = volunteers.get_volunteer(db, scope_of(db, "secretary"), vid)
    assert "utility_repair" in profile.skills
    assert "repairs" in {c.code for c in profile.categories}
    assert profile.consent_note == "本人签字的志愿者登记表"


def test_it_ranks_candidates_with_reasons_and_hides_them_from_outsiders(db: Session, world: World) -> None:
    near = make_volunteer(db, world.resident1.id)
    far_resident = make_resident(db, world.household2, name="李强", id_number=None, phone=None)
    far = make_volunteer(db, far_resident.id, profession="", skills_text="家电维修")
    order_id = _order(db, world)
    found = matching.candidates(db, scope_of(db, "secretary"), order_id, "en")
    assert [c.id for c in found if c.kind == "volunteer"] == [near, far]
    best = found[0]
    assert best.score > found[1].score
    assert any(r.startswith("Skill +2.00") for r in best.reasons)
    assert any("same building" in r for r in best.reasons)
    with pytest.raises(NotFound):
        matching.candidates(db, scope_of(db, "outsider"), order_id)


def test_a_proposal_is_optimal_and_accepting_it_dispatches_to_the_volunteer(db: Session, world: World) -> None:
    user_id = _account(db, world, "helper1")
    vid = make_volunteer(db, world.resident1.id, user_id=user_id, load_limit=1)
    first, second = _order(db, world), _order(db, world, "水龙头坏了")
    proposal = matching.propose(db, scope_of(db, "secretary"), world.grid1.id)
    assert len(proposal.assignments) == 1  # a load limit of one
    assert proposal.objective >= proposal.greedy_objective
    assert len(proposal.unmatched) == 1 and proposal.unmatched_reasons
    chosen = proposal.assignments[0].need_id
    accepted = matching.accept(db, scope_of(db, "secretary"), proposal.id, [chosen])
    assert accepted.assignments[0].state == "accepted"
    task = db.scalar(select(VolunteerTask).where(VolunteerTask.volunteer_id == vid))
    assert task is not None and task.order_id == chosen and task.state == "invited"
    assert {first, second} >= {chosen}
    # accepting again skips nothing new and dispatches nothing twice
    again = matching.accept(db, scope_of(db, "secretary"), proposal.id, [chosen])
    assert again.assignments[0].state == "accepted"


def test_a_stale_proposal_skips_an_order_dispatched_meanwhile(db: Session, world: World) -> None:
    user_id = _account(db, world, "helper2")
    make_volunteer(db, world.resident1.id, user_id=user_id)
    order_id = _order(db, world)
    proposal = matching.propose(db, scope_of(db, "secretary"), world.grid1.id)
    lifecycle.transition(
        db, scope_of(db, "secretary"), order_id, TransitionIn(action="dispatch", assignee_user_id=user_id)
    )
    after = matching.accept(db, scope_of(db, "secretary"), proposal.id, [order_id])
    assert after.assignments[0].state == "skipped"
    assert after.assignments[0].note == "dispatched meanwhile"
    assert db.scalar(select(Volunteer.open_tasks)) == 1  # not invited twice


def test_the_volunteer_accepts_reports_done_with_hours_and_the_hours_count(db: Session, world: World) -> None:
    user_id = _account(db, world, "helper3")
    vid = make_volunteer(db, world.resident1.id, user_id=user_id)
    order_id = _order(db, world)
    secretary = scope_of(db, "secretary")
    lifecycle.transition(db, secretary, order_id, TransitionIn(action="dispatch", assignee_user_id=user_id))
    me = scope_of(db, "helper3")
    lifecycle.transition(db, me, order_id, TransitionIn(action="accept"))
    lifecycle.transition(db, me, order_id, TransitionIn(action="report_done", note="修好了", hours=1.5))
    db.expire_all()
    profile = volunteers.get_volunteer(db, me, vid)  # a volunteer reads their own record
    assert profile.done == 1 and profile.hours_served == 1.5 and profile.open_tasks == 0
    hours = db.scalar(select(ServiceHours).where(ServiceHours.volunteer_id == vid))
    assert hours is not None and hours.served_hours == 1.5 and not hours.by_staff


def test_a_declined_volunteer_is_not_asked_again_unless_overridden(db: Session, world: World) -> None:
    user_id = _account(db, world, "helper4")
    make_volunteer(db, world.resident1.id, user_id=user_id)
    order_id = _order(db, world)
    secretary = scope_of(db, "secretary")
    dispatch = TransitionIn(action="dispatch", assignee_user_id=user_id)
    lifecycle.transition(db, secretary, order_id, dispatch)
    lifecycle.transition(db, scope_of(db, "helper4"), order_id, TransitionIn(action="return", reason="那天不在家"))
    assert matching.candidates(db, secretary, order_id) == []
    with pytest.raises(Conflict) as refused:
        lifecycle.transition(db, secretary, order_id, dispatch)
    assert refused.value.code == "volunteer.declined_before"
    lifecycle.transition(db, secretary, order_id, dispatch.model_copy(update={"override": True}))


def test_two_tasks_at_the_same_time_clash_unless_overridden(db: Session, world: World) -> None:
    user_id = _account(db, world, "helper5")
    make_volunteer(db, world.resident1.id, user_id=user_id, load_limit=3)
    at = datetime.now(UTC) + timedelta(days=2)
    first, second = _order(db, world, wanted_at=at), _order(db, world, wanted_at=at + timedelta(hours=1))
    secretary = scope_of(db, "secretary")
    lifecycle.transition(db, secretary, first, TransitionIn(action="dispatch", assignee_user_id=user_id))
    with pytest.raises(Conflict) as refused:
        lifecycle.transition(db, secretary, second, TransitionIn(action="dispatch", assignee_user_id=user_id))
    assert refused.value.code == "volunteer.time_clash"
    lifecycle.transition(
        db, secretary, second, TransitionIn(action="dispatch", assignee_user_id=user_id, override=True)
    )
    assert db.scalar(select(Volunteer.open_tasks)) == 2


def test_it_says_why_a_candidate_did_not_get_a_need(db: Session, world: World) -> None:
    near = make_volunteer(db, world.resident1.id, user_id=_account(db, world, "helper6"), load_limit=1)
    other = make_resident(db, world.household2, name="李强", id_number=None, phone=None)
    far = make_volunteer(db, other.id, profession="", skills_text="家电维修", user_id=_account(db, world, "helper7"))
    order_id = _order(db, world)
    proposal = matching.propose(db, scope_of(db, "secretary"), world.community.id)
    assert [(a.need_id, a.id) for a in proposal.assignments] == [(order_id, near)]
    chosen = matching.why_not(db, scope_of(db, "secretary"), proposal.id, order_id, "volunteer", near)
    assert chosen.code == "chosen" and chosen.answer == "方案已选中此候选。"
    beaten = matching.why_not(db, scope_of(db, "secretary"), proposal.id, order_id, "volunteer", far)
    assert beaten.score is not None and beaten.score < proposal.assignments[0].score
    assert beaten.code == "outscored" and world.resident1.name in beaten.answer


def test_a_community_sees_only_its_volunteers_unless_a_team_covers_several(db: Session, world: World) -> None:
    from linli.needs import teams
    from linli.needs.schemas import TeamIn
    from tests.matching.helpers import category_id

    make_volunteer(db, world.resident1.id)  # serves 阳台山社区 only
    admin = scope_of(db, "admin")
    data = NeedIn(category="repairs", description="修水管", household_id=world.other_household)
    other_order = intake.create_order(db, admin, data)
    lifecycle.transition(db, admin, other_order.id, TransitionIn(action="register"))
    assert [c.kind for c in matching.candidates(db, admin, other_order.id)] == []
    helper = _account(db, world, "teamlead")
    team = teams.create_team(
        db,
        admin,
        TeamIn(
            area_id=world.community.id,
            name="百事帮服务队",
            member_ids=[helper],
            leader_id=helper,
            category_ids=[category_id(db, "repairs")],
            covers_area_ids=[world.other_community.id],
        ),
    )
    found = matching.candidates(db, admin, other_order.id)
    assert [(c.kind, c.id) for c in found] == [("team", team.id)]
    assert teams.list_teams(db, admin)[0].covers_area_ids == [world.other_community.id]


def test_staff_take_an_order_for_a_volunteer_without_an_account_and_the_hours_reach_them(
    db: Session, world: World
) -> None:
    vid = make_volunteer(db, world.resident1.id)  # no account: a retired neighbour staff phone
    order_id = _order(db, world)
    proposal = matching.propose(db, scope_of(db, "secretary"), world.grid1.id)
    assert [(a.kind, a.id) for a in proposal.assignments] == [("volunteer", vid)]
    accepted = matching.accept(db, scope_of(db, "secretary"), proposal.id, [order_id])
    assert accepted.assignments[0].state == "accepted"
    secretary = scope_of(db, "secretary")
    db.expire_all()
    order = db.get_one(WorkOrder, order_id)
    assert order.assignee_user_id == secretary.user_id  # taken on the volunteer's behalf
    lifecycle.transition(db, secretary, order_id, TransitionIn(action="accept"))
    lifecycle.transition(db, secretary, order_id, TransitionIn(action="report_done", hours=2.0))
    db.expire_all()
    profile = volunteers.get_volunteer(db, secretary, vid)
    assert profile.done == 1 and profile.hours_served == 2.0 and profile.open_tasks == 0


def test_the_team_member_who_takes_up_a_team_order_earns_its_hours(db: Session, world: World) -> None:
    from linli.needs import teams
    from linli.needs.schemas import TeamIn

    member = _account(db, world, "member1")
    vid = make_volunteer(db, world.resident1.id, user_id=member)
    secretary = scope_of(db, "secretary")
    team = teams.create_team(db, secretary, TeamIn(area_id=world.community.id, name="百事帮", member_ids=[member]))
    order_id = _order(db, world)
    lifecycle.transition(db, secretary, order_id, TransitionIn(action="dispatch", team_id=team.id))
    me = scope_of(db, "member1")
    lifecycle.transition(db, me, order_id, TransitionIn(action="accept"))
    lifecycle.transition(db, me, order_id, TransitionIn(action="report_done", hours=3.0))
    db.expire_all()
    profile = volunteers.get_volunteer(db, me, vid)
    assert profile.done == 1 and profile.hours_served == 3.0 and profile.open_tasks == 0
