"""Who reads a dispute's parties: its mediators and the community's secretary; a grid worker who is not a
mediator sees the dispute without names; a supervisor only counts; an outsider finds nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.audit.models import AuditEvent
from linli.disputes import services
from linli.disputes.schemas import PartyIn
from linli.errors import Forbidden, NotFound
from tests.disputes.helpers import OUTSIDER_NAME, make_dispute, make_mediator, mediate
from tests.factories import World, scope_of


def names_of(out) -> set[str]:
    return {p.name for p in out.parties}


def test_it_shows_the_parties_to_the_mediator(db: Session, world: World) -> None:
    made = make_dispute(db, world)
    seen = services.get_dispute(db, scope_of(db, "mediator"), made.id)
    assert seen.names_shown and names_of(seen) == {world.resident1.name, OUTSIDER_NAME}
    assert all(p.phone and p.phone.startswith("*") for p in seen.parties)  # masked
    assert seen.may_mediate and not seen.may_manage


def test_it_shows_the_parties_to_the_secretary_and_records_the_read(db: Session, world: World) -> None:
    made = make_dispute(db, world)
    seen = services.get_dispute(db, scope_of(db, "secretary"), made.id)
    assert names_of(seen) == {world.resident1.name, OUTSIDER_NAME}
    reads = db.scalars(select(AuditEvent).where(AuditEvent.action == "dispute.read_parties")).all()
    assert [(r.entity_id, r.username) for r in reads] == [(str(made.id), "secretary")]


def test_a_mediators_own_read_is_not_recorded_as_a_read_of_others(db: Session, world: World) -> None:
    made = make_dispute(db, world)
    services.get_dispute(db, scope_of(db, "mediator"), made.id)
    assert db.scalar(select(AuditEvent.id).where(AuditEvent.action == "dispute.read_parties")) is None


def test_a_grid_worker_who_is_not_a_mediator_sees_the_dispute_without_names(db: Session, world: World) -> None:
    made = make_dispute(db, world)  # registered by grid1, mediated by the community's staff member
    seen = services.get_dispute(db, scope_of(db, "grid1"), made.id)
    assert seen.state == "registered" and seen.party_count == 2
    assert not seen.names_shown and seen.parties == [] and seen.mediations == []
    assert OUTSIDER_NAME not in seen.model_dump_json() and world.resident1.name not in seen.model_dump_json()
    with pytest.raises(Forbidden):
        services.list_parties(db, scope_of(db, "grid1"), made.id)
    listed = services.list_disputes(db, scope_of(db, "grid1"), services.DisputeFilter())
    assert [row.id for row in listed.items] == [made.id]
    assert OUTSIDER_NAME not in listed.model_dump_json()


def test_a_grid_worker_named_mediator_sees_the_names(db: Session, world: World) -> None:
    made = make_dispute(db, world, mediated=False)
    grid1 = scope_of(db, "grid1").user_id or 0
    services.set_mediators(db, scope_of(db, "secretary"), made.id, [grid1])
    assert names_of(services.get_dispute(db, scope_of(db, "grid1"), made.id)) == {world.resident1.name, OUTSIDER_NAME}


def test_a_grid_worker_cannot_add_a_party_to_a_dispute_they_do_not_mediate(db: Session, world: World) -> None:
    made = make_dispute(db, world)
    with pytest.raises(Forbidden):
        services.add_party(db, scope_of(db, "grid1"), made.id, PartyIn(name="钱多多"))


def test_a_supervisor_counts_but_never_reads_a_dispute(db: Session, world: World) -> None:
    made = make_dispute(db, world)
    mediate(db, made.id)
    supervisor = scope_of(db, "supervisor")
    with pytest.raises(NotFound):
        services.get_dispute(db, supervisor, made.id)
    with pytest.raises(Forbidden):
        services.list_disputes(db, supervisor, services.DisputeFilter())
    counts = services.count_disputes(db, supervisor, world.street.id)
    assert (counts.registered, counts.open, counts.agreed, counts.referred) == (1, 1, 0, 0)
    assert OUTSIDER_NAME not in counts.model_dump_json()


def test_an_outsider_finds_nothing(db: Session, world: World) -> None:
    made = make_dispute(db, world)
    outsider = scope_of(db, "outsider")
    for call in (services.get_dispute, services.list_parties, services.list_mediations):
        with pytest.raises(NotFound):
            call(db, outsider, made.id)
    assert services.list_disputes(db, outsider, services.DisputeFilter()).items == []
    with pytest.raises(NotFound):
        services.count_disputes(db, outsider, world.grid1.id)


def test_grid_2s_worker_does_not_see_grid_1s_dispute(db: Session, world: World) -> None:
    made = make_dispute(db, world)
    with pytest.raises(NotFound):
        services.get_dispute(db, scope_of(db, "grid2"), made.id)


def test_only_the_register_keepers_name_mediators(db: Session, world: World) -> None:
    made = make_dispute(db, world, mediated=False)
    with pytest.raises(Forbidden):
        services.set_mediators(db, scope_of(db, "grid1"), made.id, [make_mediator(db, world)])


def test_the_audit_trail_never_holds_a_partys_name(db: Session, world: World) -> None:
    make_dispute(db, world)
    trail = " ".join(str(e.changes) for e in db.scalars(select(AuditEvent).where(AuditEvent.entity == "dispute")))
    assert OUTSIDER_NAME not in trail and world.resident1.name not in trail and "13800001111" not in trail
