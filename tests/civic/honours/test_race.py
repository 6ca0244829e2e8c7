"""One vote per household per category on both databases, when two arrive at the same moment.

Two residents of one household (each in their own thread and session, released together) vote in the same
category: exactly one vote is stored and the other hears ``selection.voted`` — never a 500, never two rows.
The same for an online vote against a paper vote entered by the grid worker at the same moment.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.accounts.permissions import Scope
from linli.civic.honours import voting
from linli.civic.honours.models import SelectionVote
from linli.civic.honours.schemas import PaperVoteIn, VoteIn
from linli.errors import Conflict, DomainError
from linli.runtime import Runtime
from tests.civic.honours.helpers import ballot, new_household, resident_account
from tests.courses.test_race import together
from tests.factories import World

ROUNDS = 5


def voting_for(selection_id: int, nominee_id: int) -> Any:
    return lambda session, scope: voting.vote(
        session, scope, selection_id, VoteIn(category="neighbour", nominee_id=nominee_id)
    )


def stored(db: Session, selection_id: int, household_id: int) -> int:
    db.expire_all()
    return (
        db.scalar(
            select(func.count()).where(
                SelectionVote.selection_id == selection_id, SelectionVote.voter_key == f"h{household_id}"
            )
        )
        or 0
    )


def test_two_residents_of_one_household_voting_at_once_store_one_vote(
    runtime: Runtime, db: Session, world: World
) -> None:
    selection_id, (chen, lin) = ballot(db, world)
    for i in range(ROUNDS):
        home = new_household(db, world, f"{i + 1}01")
        dad = resident_account(db, world, f"baba{i}", home, "曾大")
        mum = resident_account(db, world, f"mama{i}", home, "曾妈")
        results, errors = together(
            runtime, [(dad, voting_for(selection_id, chen)), (mum, voting_for(selection_id, lin))]
        )
        assert errors == [], errors
        refused = [r for r in results if isinstance(r, DomainError)]
        assert len(results) == 2 and [(type(r), r.code) for r in refused] == [(Conflict, "selection.voted")], results
        assert stored(db, selection_id, home) == 1


def test_an_online_vote_and_a_paper_vote_for_one_household_at_once_store_one(
    runtime: Runtime, db: Session, world: World
) -> None:
    selection_id, (chen, lin) = ballot(db, world)
    for i in range(ROUNDS):
        home = new_household(db, world, f"{i + 1}02")
        mum = resident_account(db, world, f"mama{i}", home, "曾妈")

        def on_paper(session: Session, scope: Scope, home: int = home) -> Any:
            data = PaperVoteIn(category="neighbour", nominee_id=lin, household_id=home)
            return voting.paper_vote(session, scope, selection_id, data)

        results, errors = together(runtime, [(mum, voting_for(selection_id, chen)), ("grid1", on_paper)])
        assert errors == [], errors
        assert [r.code for r in results if isinstance(r, DomainError)] == ["selection.voted"], results
        assert stored(db, selection_id, home) == 1
