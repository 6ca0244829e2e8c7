"""The 五好 selection (评选) through the API: selections, nominations and their checks, votes online and on
paper, the recount, and the results and statistics once published."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from linli.civic.honours import nominations, results, services, voting
from linli.civic.honours.schemas import (
    CheckIn,
    CorrectionIn,
    NominationIn,
    NomineeOut,
    PaperVoteIn,
    PaperVoteOut,
    PublishIn,
    ResultsOut,
    SelectionDetail,
    SelectionIn,
    SelectionPage,
    SelectionUpdate,
    VoteIn,
    VoteOut,
    VoterOut,
)
from linli.web.deps import Access, SessionDep, current_scope

router = APIRouter(prefix="/api/v1", tags=["civic"], dependencies=[Depends(current_scope)])
STATE = "^(upcoming|nominating|checking|voting|counting|published)$"


@router.get("/selections", response_model=SelectionPage)
def selections(
    scope: Access,
    session: SessionDep,
    area_id: Annotated[
        int | None, Query(ge=1, description="Selections its people take part in: at, above, below")
    ] = None,
    state: Annotated[str | None, Query(pattern=STATE)] = None,
    q: Annotated[str, Query(max_length=40, description="Part of the title or description")] = "",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> SelectionPage:
    """List the selections the caller sees, latest vote first, each with its ``state``."""
    f = services.SelectionFilter(area_id=area_id, state=state, q=q)
    return services.list_selections(session, scope, f, page, page_size)


@router.post("/selections", response_model=SelectionDetail, status_code=201)
def create_selection(data: SelectionIn, scope: Access, session: SessionDep) -> SelectionDetail:
    """Add a selection to an area the caller keeps (categories default to 五好先锋)."""
    return services.create_selection(session, scope, data)


@router.get("/selections/{selection_id}", response_model=SelectionDetail)
def selection(selection_id: int, scope: Access, session: SessionDep) -> SelectionDetail:
    """Return a selection with its categories and nominees (eligible ones for residents; all for staff). No counts."""
    return services.get_selection(session, scope, selection_id)


@router.patch("/selections/{selection_id}", response_model=SelectionDetail)
def update_selection(selection_id: int, data: SelectionUpdate, scope: Access, session: SessionDep) -> SelectionDetail:
    """Change a selection; send the ``version`` you read."""
    return services.update_selection(session, scope, selection_id, data)


@router.post(
    "/selections/{selection_id}/nominations",
    response_model=NomineeOut,
    status_code=201,
    responses={409: {"description": "selection.not_nominating, selection.nominee_taken"}},
)
def nominate(selection_id: int, data: NominationIn, scope: Access, session: SessionDep) -> NomineeOut:
    """Nominate someone in a category, with a reason, while nominations are open."""
    return nominations.nominate(session, scope, selection_id, data)


@router.get("/nominations/{nomination_id}", response_model=NomineeOut)
def nomination(nomination_id: int, scope: Access, session: SessionDep) -> NomineeOut:
    """Return one nominee (staff: any; a resident: an eligible one or their own nomination)."""
    return nominations.get_nomination(session, scope, nomination_id)


@router.post("/nominations/{nomination_id}/check", response_model=NomineeOut)
def check(nomination_id: int, data: CheckIn, scope: Access, session: SessionDep) -> NomineeOut:
    """Mark a nominee eligible or ineligible (with a note); optionally link it to a registry record or account."""
    return nominations.check_nomination(session, scope, nomination_id, data)


@router.post(
    "/selections/{selection_id}/votes",
    response_model=VoteOut,
    status_code=201,
    responses={409: {"description": "selection.voted (a second vote in the category), selection.not_voting"}},
)
def vote(selection_id: int, data: VoteIn, scope: Access, session: SessionDep) -> VoteOut:
    """Vote in one category (one vote per household, or per resident, by the selection's rule)."""
    return voting.vote(session, scope, selection_id, data)


@router.get("/selections/{selection_id}/voters", response_model=list[VoterOut])
def voters(
    selection_id: int, scope: Access, session: SessionDep, q: Annotated[str, Query(max_length=40)] = ""
) -> list[VoterOut]:
    """Find households (or residents) of the area for a paper vote, with the categories they voted in."""
    return voting.find_voters(session, scope, selection_id, q)


@router.get("/selections/{selection_id}/paper-votes", response_model=list[PaperVoteOut])
def paper_votes(selection_id: int, scope: Access, session: SessionDep) -> list[PaperVoteOut]:
    """Return the paper votes entered for a selection, for the recount."""
    return voting.paper_votes(session, scope, selection_id)


@router.post(
    "/selections/{selection_id}/paper-votes",
    response_model=PaperVoteOut,
    status_code=201,
    responses={409: {"description": "selection.voted, selection.paper_closed"}},
)
def paper_vote(selection_id: int, data: PaperVoteIn, scope: Access, session: SessionDep) -> PaperVoteOut:
    """Enter a vote taken on paper for a household (or a resident), audited."""
    return voting.paper_vote(session, scope, selection_id, data)


@router.post("/votes/{vote_id}/correct", response_model=PaperVoteOut)
def correct(vote_id: int, data: CorrectionIn, scope: Access, session: SessionDep) -> PaperVoteOut:
    """Correct a paper vote in the recount window (another nominee), or strike it (``nominee_id`` null)."""
    return voting.correct_paper_vote(session, scope, vote_id, data)


@router.get("/selections/{selection_id}/results", response_model=ResultsOut)
def selection_results(selection_id: int, scope: Access, session: SessionDep) -> ResultsOut:
    """Return the published results with counts, ranks and winners (and the statistics once published).

    Before publication: 409 ``selection.not_published``.
    """
    return results.results(session, scope, selection_id)


@router.post("/selections/{selection_id}/results/publish", response_model=ResultsOut | None)
def publish_results(selection_id: int, data: PublishIn, scope: Access, session: SessionDep) -> ResultsOut | None:
    """Publish the results after the recount window (``published`` false takes them and the statistics down)."""
    return results.publish_results(session, scope, selection_id, data.published)


@router.post("/selections/{selection_id}/statistics/publish", response_model=ResultsOut)
def publish_statistics(selection_id: int, data: PublishIn, scope: Access, session: SessionDep) -> ResultsOut:
    """Publish (or take down) the turnout statistics, once the results are published."""
    return results.publish_stats(session, scope, selection_id, data.published)
