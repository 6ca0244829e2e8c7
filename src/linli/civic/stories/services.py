"""Story use cases (微故事): written directly or collected from a grid log, changed, found and read.

A story belongs to an area: the grid of the household whose log it came from, or the area it was written
for. Writing needs ``CIVIC_WRITE`` at or above that area (grid workers and staff); who reads what is
``access``'s rule. The people a story names and their consent are ``consent``'s; the workflow (review,
publication) is ``workflow``'s; photos are ``photos``'. Writes are one transaction each, audited.

A change to a published story (its text, the people it names, its photos) takes it off the page and sends
it back to review: what residents read has always been read by a reviewer first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from linli.accounts.models import User
from linli.accounts.permissions import CIVIC_READ, CIVIC_WRITE, Scope, path_under
from linli.areas.models import Area
from linli.areas.services import area_labels
from linli.audit import services as audit
from linli.civic.stories.access import MAX_ID, area_path, load, my_resident, visible
from linli.civic.stories.models import SOURCES, STATES, Story, StoryPerson, StoryPhoto
from linli.civic.stories.schemas import (
    CandidatePage,
    CollectIn,
    LogCandidate,
    PersonOut,
    PhotoOut,
    StoryIn,
    StoryOut,
    StoryPage,
    StoryRow,
    StoryUpdate,
)
from linli.db.engine import transaction
from linli.db.paging import capped_count
from linli.errors import Conflict, Invalid, NotFound
from linli.registry.models import Household
from linli.registry.services import household_addresses
from linli.visits.models import GridLog

EXCERPT = 80
TITLE_FROM_LOG = 24


@dataclass(frozen=True)
class StoryFilter:
    """What a story list is narrowed by: an area (and below), a state, a source, a text in the title or story."""

    area_id: int | None = None
    state: str | None = None
    source: str | None = None
    q: str = ""


def stale() -> Conflict:
    return Conflict("story.stale", "Someone else changed this story; reload and try again.")


def back_to_review(story: Story, why: str) -> dict[str, list[Any]]:
    """Take a published story off the page for review again; return the audit's changes (none if not published)."""
    if story.state != "published":
        return {}
    story.state, story.published_at = "review", None
    return {"state": ["published", "review"], "because": [None, why]}


def flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as error:
        raise stale() from error


# ---- writing ------------------------------------------------------------------------------------


def create_story(session: Session, scope: Scope, data: StoryIn) -> StoryOut:
    """Write a story for an area the caller writes in; it starts as a draft of theirs."""
    scope.require(CIVIC_WRITE)
    with transaction(session):
        path = area_path(session, data.area_id)
        scope.check(CIVIC_WRITE, path, "area")
        story = Story(
            area_id=data.area_id, title=data.title, body=data.body, source="direct", state="draft",
            author_id=scope.user_id,
        )  # fmt: skip
        session.add(story)
        session.flush()
        audit.record_by(
            session, scope, "story.create", entity="story", entity_id=story.id, area_id=story.area_id,
            changes={"title": [None, story.title], "source": [None, "direct"]},
        )  # fmt: skip
        return outs(session, scope, [story])[0]


def update_story(session: Session, scope: Scope, story_id: int, data: StoryUpdate) -> StoryOut:
    """Change a story's title or text; a published one goes back to review (off the page until published again)."""
    scope.require(CIVIC_WRITE)
    with transaction(session):
        story, _ = load(session, scope, story_id, CIVIC_WRITE, lock=True)
        if story.version != data.version:
            raise stale()
        changes: dict[str, list[Any]] = {}
        for key in ("title", "body"):
            value = getattr(data, key)
            if value is not None and value != getattr(story, key):
                # The title is kept in the trail; a text only by its length (it may be long).
                old = getattr(story, key)
                changes[key] = [old, value] if key == "title" else [len(old), len(value)]
                setattr(story, key, value)
        if changes:
            changes |= back_to_review(story, "edited")
            flush(session)
            audit.record_by(
                session, scope, "story.update", entity="story", entity_id=story.id, area_id=story.area_id,
                changes=changes,
            )  # fmt: skip
        return outs(session, scope, [story])[0]


# ---- grid logs whose story is worth keeping ------------------------------------------------------


def _candidates(session: Session, scope: Scope, area_id: int | None) -> Select[Any]:
    reached = scope.area_ids(CIVIC_WRITE)
    household_areas = select(Area.id).where(reached if reached is not None else false())
    query: Select[Any] = (
        select(GridLog, Household.area_id)  # type: ignore[assignment]
        .join(Household, Household.id == GridLog.household_id)
        .where(
            GridLog.story != "",
            Household.area_id.in_(household_areas),
            GridLog.id.not_in(select(Story.grid_log_id).where(Story.grid_log_id.is_not(None))),
        )
    )
    if area_id is not None:
        path = area_path(session, area_id)
        if not (scope.reaches(CIVIC_WRITE, path) or any(p.startswith(path) for p in scope.paths(CIVIC_WRITE))):
            raise NotFound("area")
        query = query.where(Household.area_id.in_(select(Area.id).where(path_under(Area.path, path))))
    return query


def log_candidates(
    session: Session, scope: Scope, area_id: int | None = None, page: int = 1, page_size: int = 20
) -> CandidatePage:
    """Return the grid logs in reach whose 值得留存的故事 is not empty and not yet collected, newest first."""
    scope.require(CIVIC_WRITE)
    query = _candidates(session, scope, area_id)
    total, capped = capped_count(session, query)
    rows = session.execute(
        query.order_by(GridLog.started_at.desc(), GridLog.id.desc()).offset((page - 1) * page_size).limit(page_size)
    ).all()
    places = household_addresses(session, {log.household_id for log, _ in rows})
    areas = area_labels(session, {grid for _, grid in rows})
    workers = _names(session, {log.user_id for log, _ in rows if log.user_id})
    items = [
        LogCandidate(
            log_id=log.id,
            started_at=log.started_at,
            area_id=grid,
            area=areas.get(grid, ""),
            household=places.get(log.household_id, ""),
            worker=workers.get(log.user_id or 0, ""),
            story=log.story,
        )
        for log, grid in rows
    ]
    return CandidatePage(items=items, total=total, page=page, page_size=page_size, total_capped=capped)


def title_of(text: str) -> str:
    """Return a draft's title from a log's story: its first sentence, cut to a couple of dozen characters."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    for mark in "。！？!?；;":
        first = first.split(mark)[0]
    first = first.strip(" ，,、")
    return (first[:TITLE_FROM_LOG] + "…") if len(first) > TITLE_FROM_LOG else first or "—"


def collect(session: Session, scope: Scope, data: CollectIn) -> StoryOut:
    """Make a draft of a grid log's story (area: the log's household's grid); a log gives one story.

    A second collect of the same log is refused (``story.collected``), also when two arrive together: the
    unique ``grid_log_id`` is the final guard.
    """
    scope.require(CIVIC_WRITE)
    try:
        with transaction(session):
            row = (
                session.execute(
                    select(GridLog, Household.area_id, Area.path)
                    .join(Household, Household.id == GridLog.household_id)
                    .join(Area, Area.id == Household.area_id)
                    .where(GridLog.id == data.log_id)
                ).first()
                if 0 < data.log_id < MAX_ID
                else None
            )
            if row is None or not scope.reaches(CIVIC_WRITE, row[2]):
                raise NotFound("grid_log")
            log, grid, _ = row
            if not log.story.strip():
                raise Invalid("story.log_empty", "This grid log has no story worth keeping.", "log_id")
            if session.scalar(select(Story.id).where(Story.grid_log_id == log.id)) is not None:
                raise _collected()
            story = Story(
                area_id=grid, title=data.title or title_of(log.story), body=log.story.strip(), source="log",
                grid_log_id=log.id, state="draft", author_id=scope.user_id,
            )  # fmt: skip
            session.add(story)
            session.flush()
            audit.record_by(
                session, scope, "story.collect", entity="story", entity_id=story.id, area_id=grid,
                changes={"grid_log_id": [None, log.id], "title": [None, story.title]},
            )  # fmt: skip
            return outs(session, scope, [story])[0]
    except IntegrityError as error:
        raise _collected() from error


def _collected() -> Conflict:
    return Conflict("story.collected", "This grid log's story is already collected.", "log_id")


# ---- reading ------------------------------------------------------------------------------------


def get_story(session: Session, scope: Scope, story_id: int) -> StoryOut:
    """Return one story the caller sees, with its people and photos."""
    story, _ = load(session, scope, story_id)
    return outs(session, scope, [story])[0]


def _filtered(session: Session, scope: Scope, f: StoryFilter) -> Select[Any]:
    query = select(Story).where(visible(session, scope))
    if f.area_id is not None:
        path = area_path(session, f.area_id)
        query = query.where(Story.area_id.in_(select(Area.id).where(path_under(Area.path, path))))
    if f.state in STATES:
        query = query.where(Story.state == f.state)
    if f.source in SOURCES:
        query = query.where(Story.source == f.source)
    if f.q.strip():
        text = f.q.strip()
        query = query.where(
            or_(Story.title.icontains(text, autoescape=True), Story.body.icontains(text, autoescape=True))
        )
    return query


def list_stories(session: Session, scope: Scope, f: StoryFilter, page: int = 1, page_size: int = 20) -> StoryPage:
    """Return a page of the stories the caller sees, latest first (a fixed number of queries however many)."""
    query = _filtered(session, scope, f)
    total, capped = capped_count(session, query)
    latest = func.coalesce(Story.published_at, Story.updated_at)
    stories = list(
        session.scalars(query.order_by(latest.desc(), Story.id.desc()).offset((page - 1) * page_size).limit(page_size))
    )
    return StoryPage(items=rows(session, stories), total=total, page=page, page_size=page_size, total_capped=capped)


def rows(session: Session, stories: list[Story]) -> list[StoryRow]:
    """Return stories as a list shows them (four queries however many)."""
    ids = [s.id for s in stories] or [0]
    people: dict[int, list[str]] = defaultdict(list)
    for story_id, consent in session.execute(
        select(StoryPerson.story_id, StoryPerson.consent).where(StoryPerson.story_id.in_(ids))
    ):
        people[story_id].append(consent)
    photos = dict(
        session.execute(
            select(StoryPhoto.story_id, func.count()).where(StoryPhoto.story_id.in_(ids)).group_by(StoryPhoto.story_id)
        ).all()
    )
    areas = area_labels(session, {s.area_id for s in stories})
    authors = _names(session, {s.author_id for s in stories if s.author_id})
    return [
        StoryRow(
            id=s.id,
            area_id=s.area_id,
            area=areas.get(s.area_id, ""),
            title=s.title,
            excerpt=s.body[:EXCERPT] + ("…" if len(s.body) > EXCERPT else ""),
            source=s.source,
            state=s.state,
            author=authors.get(s.author_id or 0, ""),
            people=len(people[s.id]),
            missing_consent=sum(1 for c in people[s.id] if c != "given"),
            photos=photos.get(s.id, 0),
            published_at=s.published_at,
            updated_at=s.updated_at,
        )
        for s in stories
    ]


def named_in(session: Session, scope: Scope) -> list[StoryRow]:
    """Return the stories that name the caller (a resident), newest first: their own consent to give or withdraw."""
    resident = my_resident(session, scope)
    if resident is None:
        return []
    named = select(StoryPerson.story_id).where(StoryPerson.resident_id == resident)
    stories = list(session.scalars(select(Story).where(Story.id.in_(named)).order_by(Story.id.desc()).limit(50)))
    return rows(session, stories)


def _names(session: Session, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))).all())


def outs(session: Session, scope: Scope, stories: list[Story]) -> list[StoryOut]:
    """Return stories as the API gives them, in a fixed number of queries however many.

    Who recorded a consent, its witness and notes are the staff's: a resident reading a published story sees
    the names and whether consent is given, and their own entry in full.
    """
    if not stories:
        return []
    ids = [s.id for s in stories]
    people: dict[int, list[StoryPerson]] = defaultdict(list)
    for p in session.scalars(select(StoryPerson).where(StoryPerson.story_id.in_(ids)).order_by(StoryPerson.id)):
        people[p.story_id].append(p)
    photos: dict[int, list[StoryPhoto]] = defaultdict(list)
    for photo in session.scalars(select(StoryPhoto).where(StoryPhoto.story_id.in_(ids)).order_by(StoryPhoto.id)):
        photos[photo.story_id].append(photo)
    users = {s.author_id for s in stories} | {s.reviewed_by_id for s in stories}
    users |= {p.recorded_by_id for ps in people.values() for p in ps}
    names = _names(session, {u for u in users if u})
    paths = dict(session.execute(select(Area.id, Area.path).where(Area.id.in_({s.area_id for s in stories}))).all())
    areas = area_labels(session, {s.area_id for s in stories})
    me = my_resident(session, scope)
    out = []
    for s in stories:
        staff = scope.reaches(CIVIC_READ, paths.get(s.area_id, "/"))
        out.append(
            StoryOut(
                id=s.id,
                area_id=s.area_id,
                area=areas.get(s.area_id, ""),
                title=s.title,
                body=s.body,
                source=s.source,
                grid_log_id=s.grid_log_id if staff else None,
                state=s.state,
                author_id=s.author_id,
                author=names.get(s.author_id or 0, ""),
                review_note=s.review_note if staff else "",
                reviewed_by=names.get(s.reviewed_by_id or 0, "") if staff else "",
                published_at=s.published_at,
                created_at=s.created_at,
                updated_at=s.updated_at,
                people=[_person(p, names, staff or (me is not None and p.resident_id == me), me) for p in people[s.id]],
                photos=[
                    PhotoOut(id=ph.id, url=f"/api/v1/stories/{s.id}/photos/{ph.id}", caption=ph.caption, size=ph.size)
                    for ph in photos[s.id]
                ],
                missing_consent=[p.name for p in people[s.id] if p.consent != "given"],
                version=s.version,
            )
        )
    return out


def _person(p: StoryPerson, names: dict[int, str], full: bool, me: int | None) -> PersonOut:
    return PersonOut(
        id=p.id,
        name=p.name,
        resident_id=p.resident_id if full else None,
        consent=p.consent,
        consent_on=p.consent_on if full else None,
        consent_way=p.consent_way if full else "",
        witness=p.witness if full else "",
        recorded_by=names.get(p.recorded_by_id or 0, "") if full else "",
        withdrawn_on=p.withdrawn_on if full else None,
        note=p.note if full else "",
        is_me=me is not None and p.resident_id == me,
    )


def area_choices(session: Session, scope: Scope, capability: str) -> list[tuple[int, str]]:
    """Return ``(id, name)`` of the areas where the caller holds ``capability``, in tree order (one query)."""
    condition = scope.area_ids(capability)
    if condition is None:
        return []
    rows = session.execute(select(Area.id, Area.name, Area.path).where(condition).order_by(Area.path)).all()
    top = min((p.count("/") for _, _, p in rows), default=0)
    return [(i, "\u3000" * (path.count("/") - top) + name) for i, name, path in rows]
