"""Results and statistics (结果公示): two switches, each pulled by ``CIVIC_MANAGE`` after the recount window.

Until the results switch is on, no count of votes is given to anyone — not residents, not staff, not the
API. Publishing writes each eligible nominee's ``votes``, ``rank`` and ``winner`` in one transaction;
unpublishing clears them (and the statistics) so a corrected count can be published again.

The tie rule, ranked within a category: more votes first; on equal votes, the nominee whose last vote
came earlier (who reached their final count first); then the earlier nomination. Ranks are 1, 2, 3 …
with no shared places; the first ``winners`` nominees with at least one vote win.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from linli.accounts.permissions import CIVIC_MANAGE, Scope, path_under
from linli.areas.models import Area
from linli.audit import services as audit
from linli.civic.honours.models import Nomination, Selection, SelectionVote
from linli.civic.honours.schemas import CategoryResult, CategoryStats, ResultRow, ResultsOut, StatsOut
from linli.civic.honours.services import area_labels, categories_of, load, out
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import Conflict
from linli.lib import clock
from linli.registry.models import Household, Resident

NEVER = datetime.max.replace(tzinfo=UTC)


def ranked(rows: list[tuple[Nomination, int, datetime | None]]) -> list[tuple[Nomination, int]]:
    """Return a category's nominees in their final order, with their votes: the tie rule (module docstring)."""

    def key(row: tuple[Nomination, int, datetime | None]) -> tuple[Any, ...]:
        nominee, votes, last = row
        return (-votes, last or NEVER, nominee.created_at, nominee.id)

    return [(nominee, votes) for nominee, votes, _ in sorted(rows, key=key)]


def _count(session: Session, selection: Selection) -> dict[int, list[tuple[Nomination, int, datetime | None]]]:
    """Return each category's eligible nominees with their votes and the moment of their last vote."""
    tallies = {
        nomination_id: (votes, last)
        for nomination_id, votes, last in session.execute(
            select(SelectionVote.nomination_id, func.count(), func.max(SelectionVote.created_at))
            .where(SelectionVote.selection_id == selection.id)
            .group_by(SelectionVote.nomination_id)
        )
    }
    found: dict[int, list[tuple[Nomination, int, datetime | None]]] = defaultdict(list)
    for nominee in session.scalars(
        select(Nomination).where(Nomination.selection_id == selection.id, Nomination.state == "eligible")
    ):
        votes, last = tallies.get(nominee.id, (0, None))
        found[nominee.category_id].append((nominee, votes, last))
    return found


def publish_results(session: Session, scope: Scope, selection_id: int, published: bool = True) -> ResultsOut | None:
    """Publish the results (votes, ranks and winners written in one transaction), or take them down.

    Refused before the recount window closes (``selection.recount_open``) and when already in that state.
    Taking the results down takes the statistics down too. Return the results when published.
    """
    scope.require(CIVIC_MANAGE)
    with transaction(session):
        selection, path = load(session, scope, selection_id, CIVIC_MANAGE, lock=True)
        if clock.today() <= selection.recount_until:
            raise Conflict("selection.recount_open", "Results can be published only after the recount window closes.")
        if published == (selection.results_published_at is not None):
            raise Conflict(
                "selection.published" if published else "selection.not_published",
                "The results are already published." if published else "The results are not published yet.",
            )
        winners: dict[str, list[int]] = {}
        if published:
            limits = {c.id: (c.code, c.winners) for c in categories_of(session, selection.id)}
            for category_id, rows in _count(session, selection).items():
                code, limit = limits[category_id]
                for rank, (nominee, votes) in enumerate(ranked(rows), start=1):
                    nominee.votes, nominee.rank, nominee.winner = votes, rank, rank <= limit and votes > 0
                    if nominee.winner:
                        winners.setdefault(code, []).append(nominee.id)
            selection.results_published_at = utcnow()
        else:
            for nominee in session.scalars(select(Nomination).where(Nomination.selection_id == selection.id)):
                nominee.votes, nominee.rank, nominee.winner = None, None, False
            selection.results_published_at = None
            selection.stats_published_at = None
        session.flush()
        audit.record_by(
            session, scope, "selection.publish_results" if published else "selection.unpublish_results",
            entity="selection", entity_id=selection.id, area_id=selection.area_id,
            changes={"results_published": [not published, published], "winners": [None, winners]},
        )  # fmt: skip
        return _results(session, selection, path) if published else None


def publish_stats(session: Session, scope: Scope, selection_id: int, published: bool = True) -> ResultsOut:
    """Publish the statistics (turnout, online and paper, per category) once the results are out, or take them down."""
    scope.require(CIVIC_MANAGE)
    with transaction(session):
        selection, path = load(session, scope, selection_id, CIVIC_MANAGE, lock=True)
        if selection.results_published_at is None:
            raise Conflict("selection.results_first", "Publish the results first.")
        if published == (selection.stats_published_at is not None):
            raise Conflict(
                "selection.stats_state",
                "The statistics are already published." if published else "The statistics are not published.",
            )
        selection.stats_published_at = utcnow() if published else None
        session.flush()
        audit.record_by(
            session, scope, "selection.publish_stats" if published else "selection.unpublish_stats",
            entity="selection", entity_id=selection.id, area_id=selection.area_id,
            changes={"stats_published": [not published, published]},
        )  # fmt: skip
        return _results(session, selection, path)


def results(session: Session, scope: Scope, selection_id: int) -> ResultsOut:
    """Return the published results (and statistics, once published) of a selection the caller sees.

    Before publication: ``selection.not_published`` (409), for everyone.
    """
    selection, path = load(session, scope, selection_id)
    if selection.results_published_at is None:
        raise Conflict("selection.not_published", "The results are not published yet.")
    return _results(session, selection, path)


def _results(session: Session, selection: Selection, path: str) -> ResultsOut:
    nominees: dict[int, list[ResultRow]] = defaultdict(list)
    for n in session.scalars(
        select(Nomination)
        .where(Nomination.selection_id == selection.id, Nomination.rank.is_not(None))
        .order_by(Nomination.rank)
    ):
        nominees[n.category_id].append(
            ResultRow(
                id=n.id,
                display_name=n.display_name,
                place=n.place,
                votes=n.votes or 0,
                rank=n.rank or 0,
                winner=n.winner,
            )
        )
    categories = categories_of(session, selection.id)
    return ResultsOut(
        selection=out(selection, area_labels(session, [selection.area_id]).get(selection.area_id, "")),
        categories=[
            CategoryResult(
                id=c.id,
                code=c.code,
                name=c.name,
                nominee_kind=c.nominee_kind,
                winners=c.winners,
                nominees=nominees[c.id],
            )
            for c in categories
        ],
        statistics=statistics(session, selection, path) if selection.stats_published_at else None,
    )


def statistics(session: Session, selection: Selection, path: str) -> StatsOut:
    """Return the turnout of a selection: voters of the eligible (households or residents of the area), by channel
    and by category (five queries)."""
    under = select(Area.id).where(path_under(Area.path, path))
    if selection.rule == "household":
        eligible = session.scalar(
            select(func.count()).where(Household.area_id.in_(under), Household.dissolved_on.is_(None))
        )
    else:
        eligible = session.scalar(select(func.count()).where(Resident.area_id.in_(under), Resident.status == "active"))
    mine = SelectionVote.selection_id == selection.id
    voters = session.scalar(select(func.count(distinct(SelectionVote.voter_key))).where(mine)) or 0
    by_channel = dict(
        session.execute(
            select(SelectionVote.channel, func.count(distinct(SelectionVote.voter_key)))
            .where(mine)
            .group_by(SelectionVote.channel)
        ).all()
    )
    per: dict[tuple[int, str], int] = {
        (category_id, channel): n
        for category_id, channel, n in session.execute(
            select(SelectionVote.category_id, SelectionVote.channel, func.count())
            .where(mine)
            .group_by(SelectionVote.category_id, SelectionVote.channel)
        )
    }
    categories = [
        CategoryStats(
            code=c.code,
            name=c.name,
            online=per.get((c.id, "online"), 0),
            paper=per.get((c.id, "paper"), 0),
            votes=per.get((c.id, "online"), 0) + per.get((c.id, "paper"), 0),
        )
        for c in categories_of(session, selection.id)
    ]
    return StatsOut(
        rule=selection.rule,
        eligible=eligible or 0,
        voters=voters,
        turnout=round(voters / eligible, 4) if eligible else 0.0,
        online=by_channel.get("online", 0),
        paper=by_channel.get("paper", 0),
        categories=categories,
    )
