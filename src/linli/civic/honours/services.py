"""Selection use cases (评选): selections kept, found and read, with their state read off the dates.

A selection belongs to an area and is seen by anyone whose civic rights reach that area, an area below
it or above it: a resident sees the selections of their grid, community and street; staff those of their
areas and below. Keeping one needs ``CIVIC_MANAGE`` at or above its area. Writes are one transaction
each, audited. Nominations live in ``nominations``, votes in ``voting``, results in ``results``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, false, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from linli.accounts.models import User
from linli.accounts.permissions import CIVIC_JOIN, CIVIC_MANAGE, CIVIC_READ, CIVIC_WRITE, Scope, path_under
from linli.areas.models import Area
from linli.areas.services import ancestry, area_labels
from linli.audit import services as audit
from linli.civic.honours.models import Nomination, Selection, SelectionCategory, SelectionVote
from linli.civic.honours.schemas import (
    BallotCategory,
    CategoryIn,
    NomineeOut,
    SelectionDetail,
    SelectionIn,
    SelectionOut,
    SelectionPage,
    SelectionUpdate,
)
from linli.db.engine import transaction
from linli.db.paging import capped_count
from linli.errors import Conflict, DomainError, Invalid, NotFound, ValidationErrors
from linli.lib import clock
from linli.registry.models import Resident

SEEING = (CIVIC_READ, CIVIC_JOIN)
MAX_ID = 2**31 - 1
# The 五好先锋 set a new selection gets unless it names its own categories.
FIVE_GOOD = (
    CategoryIn(code="party_member", name="好党员", nominee_kind="resident", winners=3),
    CategoryIn(code="family", name="好家庭", nominee_kind="household", winners=3),
    CategoryIn(code="neighbour", name="好邻居", nominee_kind="resident", winners=3),
    CategoryIn(code="volunteer", name="好志愿者", nominee_kind="resident", winners=3),
    CategoryIn(code="grid_worker", name="好网格员", nominee_kind="user", winners=1),
)
STATE_LABELS = {
    "upcoming": "Upcoming",
    "nominating": "Nominating",
    "checking": "Checking nominees",
    "voting": "Voting",
    "counting": "Counting",
    "published": "Results published",
}
STATES = tuple(STATE_LABELS)
DATES = ("nominate_from", "nominate_until", "vote_from", "vote_until", "recount_until")


@dataclass(frozen=True)
class SelectionFilter:
    """What a selection list is narrowed by: an area (the selections its people take part in), a state, a text."""

    area_id: int | None = None
    state: str | None = None
    q: str = ""


# ---- state ----------------------------------------------------------------------------------------


def state_of(s: Selection, today: date | None = None) -> str:
    """Return a selection's state on ``today``: read off its windows and its results switch, never stored.

    ``checking`` is the gap (if any) between the nominations' close and the vote's opening; ``counting``
    runs from the day after the vote until the results are published, the recount window within it.
    """
    day = today or clock.today()
    if s.results_published_at is not None:
        return "published"
    if day < s.nominate_from:
        return "upcoming"
    if day <= s.nominate_until:
        return "nominating"
    if day < s.vote_from:
        return "checking"
    if day <= s.vote_until:
        return "voting"
    return "counting"


def state_condition(state: str, today: date) -> ColumnElement[bool]:
    """Return the condition on ``Selection`` of those in ``state`` on ``today`` (``state_of`` for a query)."""
    open_ = Selection.results_published_at.is_(None)
    conditions: dict[str, ColumnElement[bool]] = {
        "published": Selection.results_published_at.is_not(None),
        "upcoming": and_(open_, Selection.nominate_from > today),
        "nominating": and_(open_, Selection.nominate_from <= today, Selection.nominate_until >= today),
        "checking": and_(open_, Selection.nominate_until < today, Selection.vote_from > today),
        "voting": and_(open_, Selection.vote_from <= today, Selection.vote_until >= today),
        "counting": and_(open_, Selection.vote_until < today),
    }
    return conditions.get(state, false())


def in_recount(s: Selection, today: date | None = None) -> bool:
    """Return whether paper votes may be entered or corrected: from the vote's opening to the recount's end."""
    day = today or clock.today()
    return s.results_published_at is None and s.vote_from <= day <= s.recount_until


# ---- reach ----------------------------------------------------------------------------------------


def held_paths(scope: Scope, capabilities: Iterable[str] = SEEING) -> set[str]:
    return {p for capability in capabilities for p in scope.paths(capability)}


def sees(scope: Scope, area_path: str, capabilities: Iterable[str] = SEEING) -> bool:
    """Return whether a selection of the area at ``area_path`` is seen: at, below or above a held area."""
    return any(area_path.startswith(p) or p.startswith(area_path) for p in held_paths(scope, capabilities))


def related(paths: Iterable[str]) -> ColumnElement[bool]:
    """Return the condition on ``Selection`` of those at, below or above any of ``paths``."""
    held = sorted(set(paths))
    if not held:
        return false()
    above = sorted({a for p in held for a in ancestry(p)})
    areas = select(Area.id).where(or_(Area.path.in_(above), *(path_under(Area.path, p) for p in held)))
    return Selection.area_id.in_(areas)


def area_path(session: Session, area_id: int) -> str:
    """Return the path of an area, or raise ``NotFound``."""
    path = session.scalar(select(Area.path).where(Area.id == area_id)) if 0 < area_id < MAX_ID else None
    if path is None:
        raise NotFound("area")
    return path


def load(
    session: Session, scope: Scope, selection_id: int, capability: str | None = None, lock: bool = False
) -> tuple[Selection, str]:
    """Return a selection the caller sees (acting on it with ``capability``, if given) and its area's path.

    Else ``NotFound``, so its existence stays hidden. ``lock`` takes the row's lock on PostgreSQL.
    """
    if not 0 < selection_id < MAX_ID:
        raise NotFound("selection")
    query = select(Selection).where(Selection.id == selection_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    selection = session.scalars(query).first()
    if selection is None:
        raise NotFound("selection")
    path = area_path(session, selection.area_id)
    if not sees(scope, path) or (capability is not None and not acts(scope, capability, path)):
        raise NotFound("selection")
    return selection, path


def acts(scope: Scope, capability: str, path: str) -> bool:
    """Return whether the caller acts with ``capability`` on a selection of the area at ``path``.

    Keeping it (``CIVIC_MANAGE``) needs the capability at or above the area; reading it as staff and
    entering paper votes (``CIVIC_READ``, ``CIVIC_WRITE``) may come from below too: a grid worker takes
    part in the community's selection for the households of their grid.
    """
    if capability == CIVIC_MANAGE:
        return scope.reaches(capability, path)
    return sees(scope, path, (capability,))


def staff_view(scope: Scope, path: str) -> bool:
    """Return whether the caller reads a selection as staff: every nominee with its check."""
    return acts(scope, CIVIC_READ, path)


def category_of(session: Session, selection_id: int, given: str) -> SelectionCategory:
    """Return the category of a selection named by its code or id, else ``Invalid``."""
    query = select(SelectionCategory).where(SelectionCategory.selection_id == selection_id)
    if given.isdigit():
        query = query.where(SelectionCategory.id == int(given)) if int(given) < MAX_ID else query.where(false())
    else:
        query = query.where(SelectionCategory.code == given)
    found = session.scalars(query).first()
    if found is None:
        raise Invalid("selection.category", "Choose a category of this selection.", "category")
    return found


# ---- checking ---------------------------------------------------------------------------------------


def _check(values: dict[str, Any], categories: Sequence[CategoryIn] | None) -> None:
    problems: list[DomainError] = []
    for earlier, later in pairwise(DATES):
        strict = earlier == "nominate_until"  # the vote opens after nominations close
        if values[later] < values[earlier] or (strict and values[later] == values[earlier]):
            problems.append(
                Invalid("selection.windows", "The windows must follow each other: nominate, vote, recount.", later)
            )
            break
    if categories is not None and len({c.code for c in categories}) != len(categories):
        problems.append(Invalid("selection.category_codes", "Two categories have the same code.", "categories"))
    if problems:
        raise ValidationErrors(problems)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, date) else value


def _set_categories(session: Session, selection_id: int, categories: Sequence[CategoryIn]) -> None:
    for position, c in enumerate(categories):
        session.add(SelectionCategory(selection_id=selection_id, position=position, **c.model_dump()))
    session.flush()


# ---- use cases ------------------------------------------------------------------------------------


def create_selection(session: Session, scope: Scope, data: SelectionIn) -> SelectionDetail:
    """Add a selection to an area the caller keeps, with its categories (五好先锋 unless given)."""
    scope.require(CIVIC_MANAGE)
    with transaction(session):
        path = area_path(session, data.area_id)
        scope.check(CIVIC_MANAGE, path, "area")
        categories = data.categories or list(FIVE_GOOD)
        _check(data.model_dump(), categories)
        fields = data.model_dump(exclude={"categories"})
        selection = Selection(**fields, created_by_id=scope.user_id)
        session.add(selection)
        session.flush()
        _set_categories(session, selection.id, categories)
        audit.record_by(
            session, scope, "selection.create", entity="selection", entity_id=selection.id,
            area_id=selection.area_id,
            changes={k: [None, _plain(v)] for k, v in fields.items()}
            | {"categories": [None, [c.code for c in categories]]},
        )  # fmt: skip
        return detail(session, scope, selection, path)


def update_selection(session: Session, scope: Scope, selection_id: int, data: SelectionUpdate) -> SelectionDetail:
    """Change a selection: dates kept in order; the rule fixed once voting opens; categories once nominated."""
    scope.require(CIVIC_MANAGE)
    with transaction(session):
        selection, path = load(session, scope, selection_id, CIVIC_MANAGE, lock=True)
        if selection.version != data.version:
            raise Conflict("selection.stale", "Someone else changed this selection; reload and try again.")
        if selection.results_published_at is not None:
            raise Conflict("selection.published", "The results are published; unpublish them first.")
        given = data.model_dump(exclude_unset=True, exclude={"version", "categories"})
        given = {k: v for k, v in given.items() if v is not None}
        values = {k: getattr(selection, k) for k in DATES} | {k: v for k, v in given.items() if k in DATES}
        _check(values, data.categories)
        today = clock.today()
        if "rule" in given and given["rule"] != selection.rule and today >= selection.vote_from:
            raise Conflict("selection.rule_fixed", "Voting has opened; the rule can no longer change.")
        changes: dict[str, list[Any]] = {}
        for key, value in given.items():
            if getattr(selection, key) != value:
                changes[key] = [_plain(getattr(selection, key)), _plain(value)]
                setattr(selection, key, value)
        if data.categories is not None:
            if session.scalar(select(func.count()).where(Nomination.selection_id == selection.id)):
                raise Conflict("selection.categories_fixed", "Nominations are in; the categories can no longer change.")
            held = [c.code for c in _categories(session, [selection.id])[selection.id]]
            session.execute(delete(SelectionCategory).where(SelectionCategory.selection_id == selection.id))
            _set_categories(session, selection.id, data.categories)
            changes["categories"] = [held, [c.code for c in data.categories]]
        if changes:
            try:
                session.flush()
            except StaleDataError as error:
                raise Conflict(
                    "selection.stale", "Someone else changed this selection; reload and try again."
                ) from error
            audit.record_by(
                session, scope, "selection.update", entity="selection", entity_id=selection.id,
                area_id=selection.area_id, changes=changes,
            )  # fmt: skip
        return detail(session, scope, selection, path)


def get_selection(session: Session, scope: Scope, selection_id: int) -> SelectionDetail:
    """Return one selection the caller sees, with its categories and the nominees they may see."""
    selection, path = load(session, scope, selection_id)
    return detail(session, scope, selection, path)


def list_selections(
    session: Session, scope: Scope, f: SelectionFilter, page: int = 1, page_size: int = 20
) -> SelectionPage:
    """Return a page of the selections the caller sees, latest vote first (a fixed number of queries)."""
    query = _filtered(session, scope, f)
    total, capped = capped_count(session, query)
    rows = session.scalars(
        query.order_by(Selection.vote_from.desc(), Selection.id.desc()).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return SelectionPage(
        items=outs(session, list(rows)), total=total, page=page, page_size=page_size, total_capped=capped
    )


def _filtered(session: Session, scope: Scope, f: SelectionFilter) -> Select[Any]:
    query = select(Selection).where(related(held_paths(scope)))
    if f.area_id is not None:
        path = area_path(session, f.area_id)
        if not sees(scope, path):
            raise NotFound("area")
        query = query.where(related([path]))
    if f.state:
        query = query.where(state_condition(f.state, clock.today()))
    text = f.q.strip()
    if text:
        query = query.where(
            or_(
                Selection.title.icontains(text, autoescape=True), Selection.description.icontains(text, autoescape=True)
            )
        )
    return query


# ---- reading out ------------------------------------------------------------------------------------


def outs(session: Session, selections: list[Selection]) -> list[SelectionOut]:
    """Return selections as the API lists them (one query for the areas' names)."""
    names = area_labels(session, {s.area_id for s in selections})
    today = clock.today()
    return [out(s, names.get(s.area_id, ""), today) for s in selections]


def out(s: Selection, area: str, today: date | None = None) -> SelectionOut:
    return SelectionOut(
        id=s.id,
        area_id=s.area_id,
        area=area,
        title=s.title,
        description=s.description,
        rule=s.rule,
        nominate_from=s.nominate_from,
        nominate_until=s.nominate_until,
        vote_from=s.vote_from,
        vote_until=s.vote_until,
        recount_until=s.recount_until,
        state=state_of(s, today),
        results_published_at=s.results_published_at,
        stats_published_at=s.stats_published_at,
        version=s.version,
    )


def _categories(session: Session, selection_ids: list[int]) -> dict[int, list[SelectionCategory]]:
    found: dict[int, list[SelectionCategory]] = defaultdict(list)
    for c in session.scalars(
        select(SelectionCategory)
        .where(SelectionCategory.selection_id.in_(selection_ids))
        .order_by(SelectionCategory.position, SelectionCategory.id)
    ):
        found[c.selection_id].append(c)
    return found


def categories_of(session: Session, selection_id: int) -> list[SelectionCategory]:
    """Return a selection's categories in their order."""
    return _categories(session, [selection_id])[selection_id]


def own_resident(session: Session, scope: Scope) -> Resident | None:
    """Return the resident record of the caller's resident account (``CIVIC_JOIN``), if linked."""
    if scope.user_id is None or not scope.can(CIVIC_JOIN):
        return None
    return session.scalars(
        select(Resident).join(User, User.resident_id == Resident.id).where(User.id == scope.user_id)
    ).first()


def voter_key(rule: str, resident: Resident) -> str | None:
    """Return the key one vote per category is held by: ``h<household>`` or ``r<resident>`` by the rule."""
    if rule == "household":
        return f"h{resident.household_id}" if resident.household_id is not None else None
    return f"r{resident.id}"


def nominee_outs(session: Session, rows: Sequence[Nomination], staff: bool, user_id: int | None) -> list[NomineeOut]:
    """Return nominees as the ballot shows them; staff also get the check, links and nominator (one query)."""
    nominators: dict[int, str] = {}
    if staff:
        ids = {n.nominated_by_id for n in rows if n.nominated_by_id}
        if ids:
            nominators = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())
    result = []
    for n in rows:
        item = NomineeOut(
            id=n.id,
            category_id=n.category_id,
            display_name=n.display_name,
            place=n.place,
            reason=n.reason,
            state=n.state,
            mine=user_id is not None and n.nominated_by_id == user_id,
            created_at=n.created_at,
        )
        if staff:
            item = item.model_copy(
                update={
                    "check_note": n.check_note,
                    "resident_id": n.resident_id,
                    "household_id": n.household_id,
                    "user_id": n.user_id,
                    "nominated_by": nominators.get(n.nominated_by_id or 0, ""),
                }
            )
        result.append(item)
    return result


def detail(session: Session, scope: Scope, s: Selection, path: str) -> SelectionDetail:
    """Return a selection with its categories and nominees as the caller may see them (a fixed number of queries).

    Residents see the eligible nominees and their own nominations; staff every nominee with its check.
    No count of votes appears here, ever: results are read from ``results`` once published.
    """
    today = clock.today()
    state = state_of(s, today)
    staff = staff_view(scope, path)
    query = select(Nomination).where(Nomination.selection_id == s.id)
    if not staff:
        query = query.where(
            or_(
                Nomination.state == "eligible",
                and_(Nomination.nominated_by_id == scope.user_id, Nomination.state != "withdrawn"),
            )
            if scope.user_id is not None
            else Nomination.state == "eligible"
        )
    nominees = nominee_outs(session, session.scalars(query.order_by(Nomination.id)).all(), staff, scope.user_id)
    by_category: dict[int, list[NomineeOut]] = defaultdict(list)
    for n in nominees:
        by_category[n.category_id].append(n)
    resident = own_resident(session, scope)
    key = voter_key(s.rule, resident) if resident is not None else None
    mine: dict[int, tuple[int, str]] = {}
    if key is not None:
        mine = {
            c: (n, ch)
            for c, n, ch in session.execute(
                select(SelectionVote.category_id, SelectionVote.nomination_id, SelectionVote.channel).where(
                    SelectionVote.selection_id == s.id, SelectionVote.voter_key == key
                )
            )
        }
    voter_here = resident is not None and key is not None and lives_under(session, resident, path)
    categories = [
        BallotCategory(
            id=c.id,
            code=c.code,
            name=c.name,
            nominee_kind=c.nominee_kind,
            winners=c.winners,
            nominees=by_category[c.id],
            my_vote=mine.get(c.id, (None, None))[0],
            my_channel=mine.get(c.id, (None, None))[1],
        )
        for c in categories_of(session, s.id)
    ]
    base = out(s, area_labels(session, [s.area_id]).get(s.area_id, ""), today)
    return SelectionDetail(
        **base.model_dump(),
        categories=categories,
        can_nominate=state == "nominating" and (voter_here or acts(scope, CIVIC_WRITE, path)),
        can_vote=state == "voting" and voter_here,
        can_keep=scope.reaches(CIVIC_MANAGE, path),
        can_enter_paper=in_recount(s, today) and acts(scope, CIVIC_WRITE, path),
        can_publish=today > s.recount_until and scope.reaches(CIVIC_MANAGE, path),
    )


def lives_under(session: Session, resident: Resident, path: str) -> bool:
    """Return whether a resident's record lies in the area at ``path`` (and is active)."""
    if resident.status != "active":
        return False
    home = session.scalar(select(Area.path).where(Area.id == resident.area_id))
    return home is not None and home.startswith(path)
