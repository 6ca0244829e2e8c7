"""The demo's selections: a finished one with published results and statistics, and one open for voting today
in which ``jumin`` has not voted yet."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.civic.honours import results, services
from linli.civic.honours.models import SelectionVote
from linli.synth.demo import build_demo
from linli.synth.honours import grow_honours
from tests.factories import scope_of


def test_the_demo_has_a_finished_selection_and_one_jumin_can_vote_in(db: Session) -> None:
    summary = build_demo(db, residents=600)
    assert summary.votes > 100
    assert grow_honours(db, 7) == 0  # once per database
    jumin = scope_of(db, "jumin")
    listed = services.list_selections(db, jumin, services.SelectionFilter()).items
    assert sorted(s.state for s in listed) == ["published", "voting"]
    finished = next(s for s in listed if s.state == "published")
    shown = results.results(db, jumin, finished.id)
    assert shown.statistics is not None and shown.statistics.online and shown.statistics.paper
    assert all(any(n.winner for n in c.nominees) for c in shown.categories)
    live = services.get_selection(db, jumin, next(s.id for s in listed if s.state == "voting"))
    assert live.can_vote and all(c.my_vote is None and c.nominees for c in live.categories)
    assert (db.scalar(select(func.count()).where(SelectionVote.selection_id == live.id)) or 0) > 0
