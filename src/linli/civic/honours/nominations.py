"""Nominations (提名): residents and staff name a nominee with a reason in the nominating window; staff check
each one (eligible, or ineligible with a note) and may link it to the registry or a staff account.

A resident names a neighbour in words (name and where they live): residents cannot browse the registry.
The same nominee twice in a category is refused with ``selection.nominee_taken`` — by the unique
constraints once linked to a record, and by name and place while unlinked — so a second nominator is
told the neighbour is already on the list instead of creating a twin. Only eligible nominees reach the
ballot, and the ballot is fixed when voting opens: checks happen before that.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linli.accounts.models import Assignment, User
from linli.accounts.permissions import CIVIC_MANAGE, CIVIC_WRITE, Scope, path_under
from linli.areas.models import Area
from linli.audit import services as audit
from linli.civic.honours.models import Nomination, SelectionCategory
from linli.civic.honours.schemas import CheckIn, NominationIn, NomineeOut
from linli.civic.honours.services import (
    MAX_ID,
    acts,
    category_of,
    lives_under,
    load,
    nominee_outs,
    own_resident,
    staff_view,
    state_of,
)
from linli.db.engine import transaction
from linli.errors import Conflict, Forbidden, Invalid, NotFound
from linli.registry.models import Household, Resident
from linli.registry.services import household_addresses

STAFF_ROLES = ("grid_worker", "staff", "secretary")
KIND_LABELS = {"resident": "a resident", "household": "a household", "user": "a staff account"}


def _taken() -> Conflict:
    return Conflict("selection.nominee_taken", "This nominee is already nominated in this category.", "display_name")


def _link(
    session: Session, path: str, category: SelectionCategory, given: dict[str, int | None]
) -> tuple[dict[str, int | None], str]:
    """Return the registry link a nominee gets (checked against the category's kind and the area) and its place."""
    wanted = {k: v for k, v in given.items() if v is not None}
    if not wanted:
        return {}, ""
    field = f"{category.nominee_kind}_id"
    if set(wanted) != {field}:
        raise Invalid(
            "selection.link_kind",
            "This category honours {kind}; link a record of that kind.",
            next(iter(wanted)),
            kind=KIND_LABELS.get(category.nominee_kind, category.nominee_kind),
        )
    record = wanted[field] or 0
    outside = Invalid("selection.link", "That record is not in this selection's area.", field)
    if not 0 < record < MAX_ID:
        raise outside
    under = select(Area.id).where(path_under(Area.path, path))
    place = ""
    if field == "resident_id":
        household = session.execute(
            select(Resident.household_id).where(
                Resident.id == record, Resident.status == "active", Resident.area_id.in_(under)
            )
        ).first()
        if household is None:
            raise outside
        place = household_addresses(session, [household[0]]).get(household[0], "") if household[0] else ""
    elif field == "household_id":
        if not session.scalar(
            select(Household.id).where(
                Household.id == record, Household.dissolved_on.is_(None), Household.area_id.in_(under)
            )
        ):
            raise outside
        place = household_addresses(session, [record]).get(record, "")
    elif not session.scalar(
        select(func.count())
        .select_from(Assignment)
        .join(User, User.id == Assignment.user_id)
        .where(
            Assignment.user_id == record,
            Assignment.role.in_(STAFF_ROLES),
            Assignment.area_id.in_(under),
            User.active.is_(True),
        )
    ):
        raise outside
    return {field: record}, place


def nominate(session: Session, scope: Scope, selection_id: int, data: NominationIn) -> NomineeOut:
    """Nominate someone in a category while nominations are open: a resident of the area, or staff.

    A resident's links to the registry are ignored (they name the neighbour in words); staff may link.
    """
    with transaction(session):
        selection, path = load(session, scope, selection_id)
        staff = acts(scope, CIVIC_WRITE, path)
        if not staff:
            resident = own_resident(session, scope)
            if resident is None or not lives_under(session, resident, path):
                raise Forbidden("Only residents of this selection's area may nominate.", "selection.not_voter")
        if state_of(selection) != "nominating":
            raise Conflict("selection.not_nominating", "Nominations are not open for this selection.")
        category = category_of(session, selection.id, data.category)
        links: dict[str, int | None] = {}
        place = data.place
        if staff:
            links, found = _link(
                session,
                path,
                category,
                {"resident_id": data.resident_id, "household_id": data.household_id, "user_id": data.user_id},
            )
            place = place or found
        if not links and session.scalar(
            select(Nomination.id).where(
                Nomination.category_id == category.id,
                func.lower(Nomination.display_name) == data.display_name.lower(),
                Nomination.place == place,
                Nomination.state != "withdrawn",
            )
        ):
            raise _taken()
        row = Nomination(
            selection_id=selection.id,
            category_id=category.id,
            display_name=data.display_name,
            place=place,
            reason=data.reason,
            nominated_by_id=scope.user_id,
            state="pending",
            check_note="",
            winner=False,
            **links,
        )
        session.add(row)
        try:
            session.flush()
        except IntegrityError as error:  # the same record nominated twice (or at the same moment)
            raise _taken() from error
        audit.record_by(
            session, scope, "nomination.create", entity="nomination", entity_id=row.id, area_id=selection.area_id,
            changes={"selection_id": [None, selection.id], "category": [None, category.code],
                     "display_name": [None, row.display_name], **{k: [None, v] for k, v in links.items()}},
        )  # fmt: skip
        return nominee_outs(session, [row], staff_view(scope, path), scope.user_id)[0]


def _load(session: Session, scope: Scope, nomination_id: int, capability: str | None = None) -> tuple[Nomination, Any]:
    row = session.get(Nomination, nomination_id) if 0 < nomination_id < MAX_ID else None
    if row is None:
        raise NotFound("nomination")
    try:
        selection, path = load(session, scope, row.selection_id, capability)
    except NotFound as error:
        raise NotFound("nomination") from error
    if not staff_view(scope, path) and row.state != "eligible" and row.nominated_by_id != scope.user_id:
        raise NotFound("nomination")
    return row, (selection, path)


def get_nomination(session: Session, scope: Scope, nomination_id: int) -> NomineeOut:
    """Return a nominee the caller sees: staff any of their selections'; a resident an eligible one or their own."""
    row, (_, path) = _load(session, scope, nomination_id)
    return nominee_outs(session, [row], staff_view(scope, path), scope.user_id)[0]


def check_nomination(session: Session, scope: Scope, nomination_id: int, data: CheckIn) -> NomineeOut:
    """Mark a nominee eligible or ineligible (with a note), or back to pending; link it to a record if given.

    Refused once voting has opened: the ballot stays as the voters found it.
    """
    scope.require(CIVIC_MANAGE)
    with transaction(session):
        row, (selection, path) = _load(session, scope, nomination_id, CIVIC_MANAGE)
        if state_of(selection) not in ("upcoming", "nominating", "checking"):
            raise Conflict("selection.ballot_fixed", "Voting has opened; the ballot can no longer change.")
        if data.state == "ineligible" and not data.note:
            raise Invalid("selection.note", "Say why the nominee is not eligible.", "note")
        category = session.get(SelectionCategory, row.category_id)
        assert category is not None
        links, place = _link(
            session,
            path,
            category,
            {"resident_id": data.resident_id, "household_id": data.household_id, "user_id": data.user_id},
        )
        wanted: dict[str, Any] = {"state": data.state, "check_note": data.note, **links}
        if data.display_name:
            wanted["display_name"] = data.display_name
        if place:
            wanted["place"] = place
        changes = {k: [getattr(row, k), v] for k, v in wanted.items() if getattr(row, k) != v}
        for key, value in wanted.items():
            setattr(row, key, value)
        row.checked_by_id = scope.user_id
        try:
            session.flush()
        except IntegrityError as error:  # linked to a record another nomination of the category holds
            raise _taken() from error
        if changes:
            audit.record_by(
                session, scope, "nomination.check", entity="nomination", entity_id=row.id,
                area_id=selection.area_id, changes=changes,
            )  # fmt: skip
        return nominee_outs(session, [row], True, scope.user_id)[0]
