"""The people a story names and their consent (知情同意): who, when, how, before whom.

Named people need not have accounts: the elderly neighbours of the collection rarely do, so staff and
grid workers (``CIVIC_WRITE``) record a consent given in person (a witness is required), on a signed form
or by phone. A person whose resident account is linked to them gives, refuses or withdraws it themself
online (``CIVIC_JOIN``); nobody else's. Every change is audited.

A consent withdrawn from a published story unpublishes it in the same transaction: its state becomes
``withdrawn``, it leaves the page and the booklet at once, and it is published again only after review,
once everyone it still names has given consent (or the person was removed from it).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.accounts.permissions import CIVIC_JOIN, CIVIC_WRITE, Scope, path_under
from linli.areas.models import Area
from linli.areas.services import area_labels
from linli.audit import services as audit
from linli.civic.stories.access import MAX_ID, load, my_resident
from linli.civic.stories.models import CONSENT_WAYS, Story, StoryPerson
from linli.civic.stories.schemas import ConsentIn, PersonIn, ResidentChoice, StoryOut
from linli.civic.stories.services import back_to_review, flush, outs
from linli.db.engine import transaction
from linli.errors import Conflict, Forbidden, Invalid, NotFound
from linli.lib import clock
from linli.registry.models import Resident

MAX_PEOPLE = 30
STAFF_WAYS = ("in_person", "signed", "phone")
# Which consent may follow which: given again after a refusal or a withdrawal; withdrawn only once given.
MOVES = {"given": ("pending", "refused", "withdrawn"), "refused": ("pending",), "withdrawn": ("given",)}


# ---- people -------------------------------------------------------------------------------------


def add_person(session: Session, scope: Scope, story_id: int, data: PersonIn) -> StoryOut:
    """Name a person in a story: a name, or a resident of the story's area; their consent starts pending.

    A published story that names someone new goes back to review (and cannot be published until they consent).
    """
    scope.require(CIVIC_WRITE)
    with transaction(session):
        story, path = load(session, scope, story_id, CIVIC_WRITE, lock=True)
        name = data.name
        if data.resident_id is not None:
            resident = _resident_in(session, path, data.resident_id)
            name = name or resident.name
        if not name:
            raise Invalid("story.person_name", "Give the person's name, or choose a resident.", "name")
        held = session.scalar(select(func.count()).where(StoryPerson.story_id == story.id)) or 0
        if held >= MAX_PEOPLE:
            raise Invalid("story.too_many_people", "A story names at most {most} people.", "name", most=MAX_PEOPLE)
        if data.resident_id is not None and session.scalar(
            select(StoryPerson.id).where(StoryPerson.story_id == story.id, StoryPerson.resident_id == data.resident_id)
        ):
            raise Conflict("story.person_named", "This resident is already named in the story.", "resident_id")
        person = StoryPerson(
            story_id=story.id, resident_id=data.resident_id, name=name, consent="pending", note=data.note
        )
        session.add(person)
        changes: dict[str, list[Any]] = {"name": [None, name], "resident_id": [None, data.resident_id]}
        changes |= back_to_review(story, "person_added")
        flush(session)
        audit.record_by(
            session, scope, "story.person_add", entity="story_person", entity_id=person.id, area_id=story.area_id,
            changes=changes | {"story_id": [None, story.id]},
        )  # fmt: skip
        return outs(session, scope, [story])[0]


def remove_person(session: Session, scope: Scope, story_id: int, person_id: int) -> StoryOut:
    """Take a person out of a story that is not published (edit the text too, so it no longer names them)."""
    scope.require(CIVIC_WRITE)
    with transaction(session):
        story, _ = load(session, scope, story_id, CIVIC_WRITE, lock=True)
        person = _person(session, story, person_id)
        if story.state == "published":
            raise Conflict(
                "story.published", "A published story keeps the people it names; change it back to review first."
            )
        session.delete(person)
        audit.record_by(
            session, scope, "story.person_remove", entity="story_person", entity_id=person.id,
            area_id=story.area_id,
            changes={"name": [person.name, None], "consent": [person.consent, None], "story_id": [story.id, None]},
        )  # fmt: skip
        flush(session)
        return outs(session, scope, [story])[0]


def _person(session: Session, story: Story, person_id: int) -> StoryPerson:
    person = session.get(StoryPerson, person_id) if 0 < person_id < MAX_ID else None
    if person is None or person.story_id != story.id:
        raise NotFound("story_person")
    return person


def _resident_in(session: Session, path: str, resident_id: int) -> Resident:
    resident = session.get(Resident, resident_id) if 0 < resident_id < MAX_ID else None
    area = session.get(Area, resident.area_id) if resident is not None else None
    if resident is None or area is None or not area.path.startswith(path):
        raise Invalid("story.resident", "That resident does not live in the story's area.", "resident_id")
    return resident


def resident_choices(session: Session, scope: Scope, story_id: int, q: str, limit: int = 20) -> list[ResidentChoice]:
    """Return residents of the story's area whose name holds ``q``, to link a person named to the registry."""
    scope.require(CIVIC_WRITE)
    _, path = load(session, scope, story_id, CIVIC_WRITE)
    text = q.strip()
    if not text:
        return []
    rows = session.execute(
        select(Resident.id, Resident.name, Resident.area_id)
        .join(Area, Area.id == Resident.area_id)
        .where(Resident.status == "active", Resident.name.icontains(text, autoescape=True), path_under(Area.path, path))
        .order_by(Resident.name, Resident.id)
        .limit(limit)
    ).all()
    labels = area_labels(session, {a for _, _, a in rows})
    return [ResidentChoice(id=i, name=name, area=labels.get(a, "")) for i, name, a in rows]


# ---- consent ------------------------------------------------------------------------------------


def record_consent(session: Session, scope: Scope, story_id: int, person_id: int, data: ConsentIn) -> StoryOut:
    """Record a person's consent: given, refused or withdrawn; by staff (how, when, witness) or by the person online.

    A withdrawal from a published story unpublishes it at once (state ``withdrawn``), in this transaction.
    """
    if data.way == "online":
        scope.require(CIVIC_JOIN)
    else:
        scope.require(CIVIC_WRITE)
    _check(data)
    with transaction(session):
        story, path = load(session, scope, story_id, lock=True)
        person = _person(session, story, person_id)
        if data.way == "online":
            me = my_resident(session, scope)
            if me is None or person.resident_id != me:
                raise Forbidden("Only the person named gives their consent online.", "story.not_you")
        elif not scope.reaches(CIVIC_WRITE, path):
            raise NotFound("story")
        _refuse_out_of_order(person.consent, data.consent)
        before = {k: getattr(person, k) for k in ("consent", "consent_on", "consent_way", "witness", "withdrawn_on")}
        # Online, the day is the day it is sent; staff write down the day it was given.
        day = clock.today() if data.way == "online" else data.on or clock.today()
        person.consent, person.recorded_by_id = data.consent, scope.user_id
        if data.note:
            person.note = data.note
        if data.consent == "withdrawn":
            person.withdrawn_on = day
        else:
            person.consent_on, person.consent_way = day, data.way
            person.witness = data.witness if data.consent == "given" else ""
            person.withdrawn_on = None
        changes: dict[str, list[Any]] = {
            k: [_plain(v), _plain(getattr(person, k))] for k, v in before.items() if v != getattr(person, k)
        }
        if data.consent == "withdrawn":
            changes["how"] = [None, data.way]
        audit.record_by(
            session, scope, "story.consent", entity="story_person", entity_id=person.id, area_id=story.area_id,
            changes=changes | {"story_id": [None, story.id]},
        )  # fmt: skip
        if data.consent == "withdrawn" and story.state == "published":
            story.state, story.published_at = "withdrawn", None
            audit.record_by(
                session, scope, "story.unpublish", entity="story", entity_id=story.id, area_id=story.area_id,
                changes={"state": ["published", "withdrawn"], "because": [None, f"consent withdrawn: {person.name}"]},
            )  # fmt: skip
        flush(session)
        return outs(session, scope, [story])[0]


def _refuse_out_of_order(held: str, wanted: str) -> None:
    if held in MOVES[wanted]:
        return
    if held == wanted:
        raise Conflict("story.consent_recorded", "This consent is already recorded.", "consent")
    if wanted == "withdrawn":
        raise Conflict("story.consent_not_given", "Consent can be withdrawn only once given.", "consent")
    raise Conflict("story.consent_order", "Only a pending consent is refused; a consent given is withdrawn.", "consent")


def _check(data: ConsentIn) -> None:
    if data.consent not in MOVES:
        raise Invalid("story.consent", "Choose given, refused or withdrawn.", "consent")
    if data.way not in CONSENT_WAYS:
        raise Invalid("story.consent_way", "Choose how the consent was given.", "way")
    if data.on is not None and data.on > clock.today():
        raise Invalid("story.consent_date", "The day of a consent cannot be in the future.", "on")
    if data.way == "in_person" and data.consent == "given" and not data.witness:
        raise Invalid("story.witness", "A consent given in person needs the name of its witness.", "witness")
    if data.way == "online" and data.witness:
        raise Invalid("story.witness_online", "A consent given online has no witness.", "witness")


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
