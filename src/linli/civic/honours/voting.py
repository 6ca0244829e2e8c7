"""Votes (投票): one per voter per category — online by a resident account, or on paper entered by staff.

The voter is a household (``h<household id>``) or a resident (``r<resident id>``) as the selection's rule
says; an online voter's household is read from their account's resident record. A second vote in a
category is refused with ``selection.voted``: a check before the insert gives the usual answer, and the
unique (selection, category, voter_key) is the final guard when two arrive at the same moment — its
violation rolls the transaction back and becomes the same 409. A paper vote uses the same key, so a
household that voted on paper cannot vote online, and the other way round.

Paper votes are entered from the vote's opening until the recount window closes (a ballot box is counted
after the hall closes) and may be corrected (another nominee) or struck in that time, each change audited
old → new with a note. Online votes are never changed.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.permissions import CIVIC_WRITE, Scope, path_under
from linli.areas.models import Area
from linli.audit import services as audit
from linli.civic.honours.models import Nomination, Selection, SelectionCategory, SelectionVote
from linli.civic.honours.schemas import CorrectionIn, PaperVoteIn, PaperVoteOut, VoteIn, VoteOut, VoterOut
from linli.civic.honours.services import (
    MAX_ID,
    category_of,
    in_recount,
    lives_under,
    load,
    own_resident,
    state_of,
    voter_key,
)
from linli.db.engine import transaction
from linli.errors import Conflict, Forbidden, Invalid, NotFound
from linli.registry.models import Household, Resident
from linli.registry.services import household_addresses, search_condition
from linli.runtime import cipher_of

FOUND = 20  # voters a paper-vote search shows


def _voted() -> Conflict:
    return Conflict("selection.voted", "A vote in this category is already recorded for this voter or household.")


def _nominee(session: Session, category: SelectionCategory, nominee_id: int) -> Nomination:
    """Return an eligible nominee of the category (the ballot), else ``Invalid``."""
    row = session.get(Nomination, nominee_id) if 0 < nominee_id < MAX_ID else None
    if row is None or row.category_id != category.id or row.state != "eligible":
        raise Invalid("selection.nominee", "Choose a nominee on this category's ballot.", "nominee_id")
    return row


def _insert(session: Session, row: SelectionVote) -> None:
    """Insert a vote after the check; the unique constraint is the final guard (the same 409)."""
    if session.scalar(
        select(SelectionVote.id).where(
            SelectionVote.selection_id == row.selection_id,
            SelectionVote.category_id == row.category_id,
            SelectionVote.voter_key == row.voter_key,
        )
    ):
        raise _voted()
    session.add(row)
    try:
        session.flush()
    except IntegrityError as error:  # two votes for one voter at the same moment: the other committed first
        raise _voted() from error


def vote(session: Session, scope: Scope, selection_id: int, data: VoteIn) -> VoteOut:
    """Cast the caller's vote (their household's, by the rule) in one category while voting is open."""
    with transaction(session):
        selection, path = load(session, scope, selection_id)
        resident = own_resident(session, scope)
        if resident is None or not lives_under(session, resident, path):
            raise Forbidden("Only residents of this selection's area may vote.", "selection.not_voter")
        if state_of(selection) != "voting":
            raise Conflict("selection.not_voting", "Voting is not open for this selection.")
        key = voter_key(selection.rule, resident)
        if key is None:
            raise Forbidden("Your household is not on record; ask your grid worker.", "selection.no_household")
        category = category_of(session, selection.id, data.category)
        nominee = _nominee(session, category, data.nominee_id)
        row = SelectionVote(
            selection_id=selection.id,
            category_id=category.id,
            nomination_id=nominee.id,
            voter_key=key,
            household_id=resident.household_id,
            resident_id=resident.id,
            user_id=scope.user_id,
            channel="online",
        )
        _insert(session, row)
        # The choice stays out of the trail: who voted in which category is enough to answer for turnout.
        audit.record_by(
            session, scope, "vote.online", entity="selection_vote", entity_id=row.id, area_id=selection.area_id,
            changes={"selection_id": [None, selection.id], "category": [None, category.code], "voter": [None, key]},
        )  # fmt: skip
        return VoteOut(
            id=row.id,
            selection_id=selection.id,
            category=category.code,
            nominee_id=nominee.id,
            channel="online",
            created_at=row.created_at,
        )


def _paper_voter(
    session: Session, scope: Scope, selection: Selection, path: str, data: PaperVoteIn
) -> tuple[str, int | None, int | None]:
    """Return the key, household and resident of the voter a paper vote is entered for; else ``Invalid``."""
    under = select(Area.id).where(path_under(Area.path, path))
    reached = scope.filter(CIVIC_WRITE, Area.id)
    if selection.rule == "household":
        found = None
        if data.household_id and 0 < data.household_id < MAX_ID:
            found = session.scalar(
                select(Household.id)
                .join(Area, Area.id == Household.area_id)
                .where(
                    Household.id == data.household_id,
                    Household.dissolved_on.is_(None),
                    Household.area_id.in_(under),
                    reached,
                )
            )
        if found is None:
            raise Invalid("selection.voter", "Choose a household of this selection's area.", "household_id")
        return f"h{found}", found, None
    person = None
    if data.resident_id and 0 < data.resident_id < MAX_ID:
        person = session.execute(
            select(Resident.id, Resident.household_id)
            .join(Area, Area.id == Resident.area_id)
            .where(Resident.id == data.resident_id, Resident.status == "active", Resident.area_id.in_(under), reached)
        ).first()
    if person is None:
        raise Invalid("selection.voter", "Choose a resident of this selection's area.", "resident_id")
    return f"r{person[0]}", person[1], person[0]


def paper_vote(session: Session, scope: Scope, selection_id: int, data: PaperVoteIn) -> PaperVoteOut:
    """Enter a vote taken on paper for a household (or a resident), recorded by the caller and audited."""
    scope.require(CIVIC_WRITE)
    with transaction(session):
        selection, path = load(session, scope, selection_id, CIVIC_WRITE)
        if not in_recount(selection):
            raise Conflict(
                "selection.paper_closed", "Paper votes are entered from the vote's opening until the recount closes."
            )
        key, household_id, resident_id = _paper_voter(session, scope, selection, path, data)
        category = category_of(session, selection.id, data.category)
        nominee = _nominee(session, category, data.nominee_id)
        row = SelectionVote(
            selection_id=selection.id,
            category_id=category.id,
            nomination_id=nominee.id,
            voter_key=key,
            household_id=household_id,
            resident_id=resident_id,
            channel="paper",
            recorded_by_id=scope.user_id,
        )
        _insert(session, row)
        audit.record_by(
            session, scope, "vote.paper", entity="selection_vote", entity_id=row.id, area_id=selection.area_id,
            changes={"selection_id": [None, selection.id], "category": [None, category.code], "voter": [None, key],
                     "nomination_id": [None, nominee.id]},
        )  # fmt: skip
        return paper_outs(session, [row])[0]


def correct_paper_vote(session: Session, scope: Scope, vote_id: int, data: CorrectionIn) -> PaperVoteOut:
    """Correct a paper vote in the recount (another nominee of its category) or strike it (``nominee_id`` None).

    Online votes are refused (``selection.online_fixed``); so is any change after the recount window.
    """
    scope.require(CIVIC_WRITE)
    with transaction(session):
        row = session.get(SelectionVote, vote_id) if 0 < vote_id < MAX_ID else None
        if row is None:
            raise NotFound("vote")
        try:
            selection, _ = load(session, scope, row.selection_id, CIVIC_WRITE)
        except NotFound as error:
            raise NotFound("vote") from error
        if not _reached(session, scope, row):
            raise NotFound("vote")
        if row.channel != "paper":
            raise Conflict("selection.online_fixed", "An online vote cannot be changed.")
        if not in_recount(selection):
            raise Conflict("selection.recount_closed", "The recount window is closed; the votes stand.")
        shown = paper_outs(session, [row])[0]
        old = row.nomination_id
        if data.nominee_id is None:
            session.delete(row)
            session.flush()
            audit.record_by(
                session, scope, "vote.strike", entity="selection_vote", entity_id=vote_id, area_id=selection.area_id,
                changes={"nomination_id": [old, None], "voter": [row.voter_key, None], "note": [None, data.note]},
            )  # fmt: skip
            return shown.model_copy(update={"struck": True})
        category = session.get(SelectionCategory, row.category_id)
        assert category is not None
        nominee = _nominee(session, category, data.nominee_id)
        row.nomination_id = nominee.id
        session.flush()
        audit.record_by(
            session, scope, "vote.correct", entity="selection_vote", entity_id=row.id, area_id=selection.area_id,
            changes={"nomination_id": [old, nominee.id], "note": [None, data.note]},
        )  # fmt: skip
        return paper_outs(session, [row])[0]


def _reached(session: Session, scope: Scope, row: SelectionVote) -> bool:
    """Return whether the voter's household lies where the caller enters paper votes."""
    return bool(
        row.household_id
        and session.scalar(
            select(Household.id).where(Household.id == row.household_id, scope.filter(CIVIC_WRITE, Household.area_id))
        )
    )


def paper_votes(session: Session, scope: Scope, selection_id: int) -> list[PaperVoteOut]:
    """Return the paper votes of a selection for the households the caller reaches, latest first, for the recount."""
    scope.require(CIVIC_WRITE)
    selection, _ = load(session, scope, selection_id, CIVIC_WRITE)
    rows = session.scalars(
        select(SelectionVote)
        .where(
            SelectionVote.selection_id == selection.id,
            SelectionVote.channel == "paper",
            SelectionVote.household_id.in_(select(Household.id).where(scope.filter(CIVIC_WRITE, Household.area_id))),
        )
        .order_by(SelectionVote.id.desc())
    ).all()
    return paper_outs(session, list(rows))


def paper_outs(session: Session, rows: list[SelectionVote]) -> list[PaperVoteOut]:
    """Return paper votes as the recount lists them (a fixed number of queries)."""
    if not rows:
        return []
    codes = dict(
        session.execute(
            select(SelectionCategory.id, SelectionCategory.code).where(
                SelectionCategory.id.in_({r.category_id for r in rows})
            )
        ).all()
    )
    nominees = dict(
        session.execute(
            select(Nomination.id, Nomination.display_name).where(Nomination.id.in_({r.nomination_id for r in rows}))
        ).all()
    )
    recorders = dict(
        session.execute(
            select(User.id, User.display_name).where(User.id.in_({r.recorded_by_id or 0 for r in rows}))
        ).all()
    )
    homes = household_addresses(session, [r.household_id for r in rows if r.household_id])
    people = dict(
        session.execute(
            select(Resident.id, Resident.name).where(Resident.id.in_({r.resident_id or 0 for r in rows}))
        ).all()
    )
    return [
        PaperVoteOut(
            id=r.id,
            selection_id=r.selection_id,
            category=codes.get(r.category_id, ""),
            nominee_id=r.nomination_id,
            channel=r.channel,
            created_at=r.created_at,
            household_id=r.household_id,
            resident_id=r.resident_id,
            voter=" · ".join(x for x in (homes.get(r.household_id or 0, ""), people.get(r.resident_id or 0, "")) if x),
            nominee=nominees.get(r.nomination_id, ""),
            recorded_by=recorders.get(r.recorded_by_id or 0, ""),
        )
        for r in rows
    ]


def find_voters(session: Session, scope: Scope, selection_id: int, q: str) -> list[VoterOut]:
    """Return households (rule household) or residents of the selection's area matching a name, a room or an ID
    tail, each with the categories it has already voted in — the paper-vote desk's search."""
    scope.require(CIVIC_WRITE)
    selection, path = load(session, scope, selection_id, CIVIC_WRITE)
    text = q.strip()[:40]
    if not text:
        return []
    areas = select(Area.id).where(path_under(Area.path, path), scope.filter(CIVIC_WRITE, Area.id))
    condition = search_condition(text, cipher_of(session), areas)
    rooms = select(Household.id).where(Household.area_id.in_(areas), Household.room == text)
    matches = [Resident.household_id.in_(rooms)] + ([condition] if condition is not None else [])
    people = session.execute(
        select(Resident.id, Resident.name, Resident.household_id)
        .where(Resident.area_id.in_(areas), Resident.status == "active", or_(*matches))
        .order_by(Resident.household_id, Resident.id)
        .limit(FOUND * 5)
    ).all()
    by_rule: dict[str, list[tuple[int, str, int | None]]] = defaultdict(list)
    for resident_id, name, household_id in people:
        key = f"h{household_id}" if selection.rule == "household" else f"r{resident_id}"
        if selection.rule == "household" and household_id is None:
            continue
        by_rule[key].append((resident_id, name, household_id))
    keys = list(by_rule)[:FOUND]
    voted: dict[str, list[str]] = defaultdict(list)
    if keys:
        for key, code in session.execute(
            select(SelectionVote.voter_key, SelectionCategory.code)
            .join(SelectionCategory, SelectionCategory.id == SelectionVote.category_id)
            .where(SelectionVote.selection_id == selection.id, SelectionVote.voter_key.in_(keys))
        ):
            voted[key].append(code)
    homes = household_addresses(session, [p[2] for k in keys for p in by_rule[k] if p[2]])
    found = []
    for key in keys:
        members = by_rule[key]
        household_id = members[0][2]
        found.append(
            VoterOut(
                household_id=household_id,
                resident_id=members[0][0] if selection.rule == "resident" else None,
                address=homes.get(household_id or 0, ""),
                names=[m[1] for m in members],
                voted=sorted(voted[key]),
            )
        )
    return found
