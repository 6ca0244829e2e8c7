"""The demo's disputes: one agreed after two sessions and followed up, one referred to the mediation committee."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.services import create_user
from linli.areas.models import Area
from linli.disputes import notice, services
from linli.disputes.models import Dispute
from linli.synth import layout
from linli.synth.disputes import grow_disputes
from tests.factories import PASSWORD, World, make_household, make_resident, scope_of


def test_it_grows_two_disputes_and_the_notice_fields_once(db: Session, world: World) -> None:
    assert world.community.code == layout.COMMUNITY[0]
    create_user(db, "shequ", PASSWORD, roles=[("secretary", world.community.code)])
    for i, grid in ((1, world.grid1), (2, world.grid2)):
        create_user(db, f"wangge{i}", PASSWORD, roles=[("grid_worker", grid.code)], display_name=f"网格员{i}")
    make_resident(db, make_household(db, world.grid1, "302", "4号楼"), name="周敏")
    assert grow_disputes(db, 1) == 2
    assert grow_disputes(db, 1) == 0  # once
    rows = db.scalars(select(Dispute).order_by(Dispute.id)).all()
    assert [(d.state, d.outcome, d.referred_to) for d in rows] == [
        ("agreed", "agreed", None),
        ("referred", "referred", "mediation_committee"),
    ]
    agreed = services.get_dispute(db, scope_of(db, "wangge1"), rows[0].id)
    assert agreed.mediation_count == 2 and agreed.follow_up_on is not None and agreed.names_shown
    assert not services.get_dispute(db, scope_of(db, "wangge2"), rows[1].id).names_shown
    shown = notice.grid_notice(db, scope_of(db, "wangge1"), world.grid1.id)
    assert shown.boundary.startswith("东至") and shown.supervision_phone == "0592-2345678"
    assert [w.work_phone for w in shown.workers if w.name == "网格员1"] == ["13805920001"]
    assert db.get(Area, world.grid2.id).boundary  # type: ignore[union-attr]
