"""A dispute's states: registered → mediating → agreed | referred → closed, and closing only with an outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.disputes import services
from linli.disputes.models import Dispute
from linli.disputes.schemas import CloseIn, FollowUpIn, MediationIn, OutcomeIn
from linli.errors import Conflict, Forbidden, Invalid, NotFound
from linli.lib import clock
from tests.disputes.helpers import agree, make_dispute, mediate
from tests.factories import World, scope_of


def test_it_refuses_to_close_without_an_outcome(db: Session, world: World) -> None:
    made = make_dispute(db, world)
    mediate(db, made.id)
    with pytest.raises(Conflict) as refused:
        services.close_dispute(db, scope_of(db, "secretary"), made.id, CloseIn())
    assert refused.value.code == "dispute.no_outcome" and refused.value.status == 409
    assert db.scalar(select(Dispute.state).where(Dispute.id == made.id)) == "mediating"


def test_an_agreement_runs_through_every_state_to_closed(db: Session, world: World) -> None:
    made = make_dispute(db, world)
    assert made.state == "registered"
    mediate(db, made.id, days_ago=2)
    assert services.get_dispute(db, scope_of(db, "mediator"), made.id).state == "mediating"
    mediate(db, made.id, days_ago=1)
    agreed = agree(db, made.id)
    assert agreed.state == "agreed" and agreed.outcome == "agreed" and agreed.agreement == "房东负责修补墙面"
    assert agreed.mediation_count == 2 and agreed.outcome_at is not None
    followed = services.record_follow_up(
        db, scope_of(db, "mediator"), made.id, FollowUpIn(visited_on=clock.today(), note="墙面已修好，双方无异议")
    )
    assert followed.follow_up_on == clock.today()
    closed = services.close_dispute(db, scope_of(db, "secretary"), made.id, CloseIn(version=followed.version))
    assert closed.state == "closed" and closed.closed_at is not None and closed.outcome == "agreed"
    with pytest.raises(Conflict) as again:
        services.close_dispute(db, scope_of(db, "secretary"), made.id, CloseIn())
    assert again.value.code == "dispute.closed"


def test_a_referral_names_where_and_needs_no_session(db: Session, world: World) -> None:
    made = make_dispute(db, world)
    with pytest.raises(Invalid) as unnamed:
        services.state_outcome(db, scope_of(db, "mediator"), made.id, OutcomeIn(outcome="referred"))
    assert unnamed.value.code == "dispute.referral_missing"
    referred = services.state_outcome(
        db, scope_of(db, "mediator"), made.id, OutcomeIn(outcome="referred", referred_to="mediation_committee")
    )
    assert (referred.state, referred.referred_to) == ("referred", "mediation_committee")
    with pytest.raises(Conflict) as twice:
        agree(db, made.id)
    assert twice.value.code == "dispute.outcome_stated"


def test_an_agreement_needs_a_session_and_its_text(db: Session, world: World) -> None:
    made = make_dispute(db, world)
    with pytest.raises(Conflict) as early:
        agree(db, made.id)
    assert early.value.code == "dispute.no_mediation"
    mediate(db, made.id)
    with pytest.raises(Invalid) as empty:
        services.state_outcome(db, scope_of(db, "mediator"), made.id, OutcomeIn(outcome="agreed", agreement=" "))
    assert empty.value.code == "dispute.agreement_missing"


def test_closing_may_state_the_outcome_in_the_same_step(db: Session, world: World) -> None:
    made = make_dispute(db, world)
    closing = CloseIn(outcome=OutcomeIn(outcome="referred", referred_to="court"))
    closed = services.close_dispute(db, scope_of(db, "secretary"), made.id, closing)
    assert (closed.state, closed.outcome, closed.referred_to) == ("closed", "referred", "court")


def test_a_follow_up_comes_after_the_outcome(db: Session, world: World) -> None:
    made = make_dispute(db, world)
    with pytest.raises(Conflict) as early:
        services.record_follow_up(db, scope_of(db, "mediator"), made.id, FollowUpIn(visited_on=clock.today(), note="x"))
    assert early.value.code == "dispute.follow_up_early"


def test_only_the_register_keepers_close(db: Session, world: World) -> None:
    made = make_dispute(db, world)
    mediate(db, made.id)
    agree(db, made.id)
    with pytest.raises(Forbidden):
        services.close_dispute(db, scope_of(db, "mediator"), made.id, CloseIn())
    with pytest.raises(Forbidden):
        services.close_dispute(db, scope_of(db, "grid1"), made.id, CloseIn())


def test_a_session_is_refused_once_closed_or_in_the_future(db: Session, world: World) -> None:
    made = make_dispute(db, world)
    ahead = MediationIn(held_on=clock.today() + timedelta(days=1))
    with pytest.raises(Invalid):
        services.record_mediation(db, scope_of(db, "mediator"), made.id, ahead)
    services.close_dispute(
        db, scope_of(db, "secretary"), made.id, CloseIn(outcome=OutcomeIn(outcome="referred", referred_to="police"))
    )
    with pytest.raises(Conflict):
        mediate(db, made.id)


def test_it_refuses_a_bad_phone_an_unknown_resident_and_a_foreign_log(db: Session, world: World) -> None:
    from linli.disputes.schemas import PartyIn
    from tests.disputes.helpers import dispute_in

    grid1 = scope_of(db, "grid1")
    with pytest.raises(Invalid) as phone:
        services.register_dispute(db, grid1, dispute_in(world, parties=[PartyIn(name="某人", phone="12345")]))
    assert phone.value.code == "dispute.party_phone"
    with pytest.raises(NotFound):
        services.register_dispute(db, grid1, dispute_in(world, parties=[PartyIn(resident_id=world.other_resident.id)]))
    with pytest.raises(NotFound):
        services.register_dispute(db, grid1, dispute_in(world, area_id=world.grid2.id))
    assert db.scalar(select(Dispute.id)) is None  # nothing half-written


def test_the_register_filters_and_counts_by_state(db: Session, world: World) -> None:
    first = make_dispute(db, world)
    second = make_dispute(db, world, kind="family")
    mediate(db, second.id)
    agree(db, second.id)
    secretary = scope_of(db, "secretary")
    page = services.list_disputes(db, secretary, services.DisputeFilter(state="open"))
    assert [d.id for d in page.items] == [first.id]
    assert page.counts["open"] == 1 and page.counts["agreed"] == 1 and page.counts["registered"] == 1
    family = services.list_disputes(db, secretary, services.DisputeFilter(kind="family"))
    assert [d.id for d in family.items] == [second.id]
