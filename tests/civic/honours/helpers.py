"""Selections, nominees and voters built by the real services, as plain functions with overrides.

A selection made here is the community's (阳台山社区), kept by its secretary, in the 五好先锋 set of
categories, its windows placed around today by ``PHASES``; ``move_to`` shifts a selection's windows in the
database so a test walks it from nominating to voting to the recount and past it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.services import create_user
from linli.areas.models import Area
from linli.civic.honours import nominations, services, voting
from linli.civic.honours.models import Nomination, Selection, SelectionVote
from linli.civic.honours.schemas import CheckIn, NominationIn, PaperVoteIn, SelectionDetail, SelectionIn
from linli.db.engine import transaction
from linli.lib import clock
from linli.registry.models import Household
from tests.factories import PASSWORD, World, make_household, make_resident, scope_of

# Days from today of (nominate_from, nominate_until, vote_from, vote_until, recount_until) in each phase.
PHASES: dict[str, tuple[int, int, int, int, int]] = {
    "upcoming": (1, 5, 6, 10, 12),
    "nominating": (-1, 2, 3, 6, 8),
    "checking": (-5, -1, 1, 3, 5),
    "voting": (-10, -5, -1, 2, 4),
    "recount": (-12, -8, -6, -1, 1),
    "after": (-20, -15, -12, -5, -1),
}


def windows(phase: str) -> dict[str, date]:
    today = clock.today()
    return {name: today + timedelta(days=days) for name, days in zip(services.DATES, PHASES[phase], strict=True)}


def selection_in(world: World, phase: str = "nominating", **overrides: Any) -> SelectionIn:
    data: dict[str, Any] = {
        "area_id": world.community.id,
        "title": "2026年度五好先锋评选",
        "description": "评选身边的好党员、好家庭、好邻居、好志愿者和好网格员",
        "rule": "household",
        **windows(phase),
    }
    data.update(overrides)
    return SelectionIn(**data)


def make_selection(
    db: Session, world: World, phase: str = "nominating", username: str = "secretary", **overrides: Any
) -> SelectionDetail:
    """Return a new selection of the community in ``phase``, made by ``username``; overrides as ``SelectionIn``."""
    return services.create_selection(db, scope_of(db, username), selection_in(world, phase, **overrides))


def move_to(db: Session, selection_id: int, phase: str) -> None:
    """Place a selection's windows around today as ``phase`` says (straight in the database, as time passing)."""
    with transaction(db):
        selection = db.get(Selection, selection_id)
        assert selection is not None
        for name, day in windows(phase).items():
            setattr(selection, name, day)


def resident_account(db: Session, world: World, username: str, household_id: int, name: str = "") -> str:
    """Return ``username``: a resident account of the household's grid, linked to a new member of the household."""
    household = db.get(Household, household_id)
    assert household is not None
    grid = db.get(Area, household.area_id)
    assert grid is not None
    person = make_resident(
        db, household_id, name=name or f"居民{username[-1:]}", relation="99", birth_date=date(1980, 1, 1)
    )
    create_user(db, username, PASSWORD, roles=[("resident", grid.code)])
    with transaction(db):
        db.scalars(select(User).where(User.username == username)).one().resident_id = person.id
    return username


def new_household(db: Session, world: World, room: str, grid: Area | None = None) -> int:
    return make_household(db, grid or world.grid1, room, f"{room}号楼")


def nominate(
    db: Session, username: str, selection_id: int, name: str, category: str = "neighbour", **overrides: Any
) -> int:
    """Return the id of a nomination of ``name`` in ``category``, made by ``username``."""
    data = {"category": category, "display_name": name, "place": "图强小区", "reason": "热心助人"} | overrides
    return nominations.nominate(db, scope_of(db, username), selection_id, NominationIn(**data)).id


def eligible(db: Session, *nomination_ids: int, username: str = "secretary") -> None:
    for nomination_id in nomination_ids:
        nominations.check_nomination(db, scope_of(db, username), nomination_id, CheckIn(state="eligible"))


def ballot(
    db: Session, world: World, names: tuple[str, ...] = ("陈阿姨", "林师傅"), category: str = "neighbour"
) -> tuple[int, list[int]]:
    """Return a selection in its voting window and its eligible nominees of ``category`` (made while nominating)."""
    made = make_selection(db, world)
    ids = [nominate(db, "secretary", made.id, name, category) for name in names]
    eligible(db, *ids)
    move_to(db, made.id, "voting")
    return made.id, ids


def votes_of(db: Session, selection_id: int) -> list[SelectionVote]:
    db.rollback()  # end the read transaction: a SQLite snapshot would not see what the app wrote since
    return list(db.scalars(select(SelectionVote).where(SelectionVote.selection_id == selection_id)))


# ---- the route walk: the community's objects, reached by grid 1 -------------------------------------


def grid1_selection(db: Session, world: World) -> int:
    """Return a selection of the community in its voting window, with an eligible 好邻居 (made once)."""
    existing = db.scalar(select(Selection.id).where(Selection.area_id == world.community.id).order_by(Selection.id))
    if existing:
        return existing
    made = make_selection(db, world, title="第一网格五好评选")
    eligible(db, nominate(db, "grid1", made.id, "曾阿姨", place="3号楼"))
    move_to(db, made.id, "voting")
    return made.id


def grid1_nomination(db: Session, world: World) -> int:
    selection_id = grid1_selection(db, world)
    found = db.scalar(select(Nomination.id).where(Nomination.selection_id == selection_id).order_by(Nomination.id))
    assert found is not None
    return found


def grid1_vote(db: Session, world: World) -> int:
    """Return a paper vote entered by grid 1's worker for grid 1's household."""
    selection_id = grid1_selection(db, world)
    existing = db.scalar(select(SelectionVote.id).where(SelectionVote.selection_id == selection_id))
    if existing:
        return existing
    data = PaperVoteIn(category="neighbour", nominee_id=grid1_nomination(db, world), household_id=world.household1)
    return voting.paper_vote(db, scope_of(db, "grid1"), selection_id, data).id
