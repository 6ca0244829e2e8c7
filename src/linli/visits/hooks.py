"""Keeping the rhythm projection true when the registry changes, without the registry knowing.

A resident registered, moved, moved out or re-tagged, a household opened or dissolved, a tag's care
weight changed: each is noticed at flush (and bulk UPDATE/DELETE statements before they run), and the
households touched are recomputed just before the transaction commits, inside it. A bulk writer that
inserts rows with Core (the demo generator) sets ``session.info[DEFER] = True`` and calls
``recompute_rhythm`` itself at the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from linli.registry import houses
from linli.registry.models import House, Household, Resident, ResidentTag, Tag

KEY = "linli.visits.touched"
DEFER = "linli.visits.defer_rhythm"
RESIDENT_FIELDS = ("household_id", "status", "birth_date", "kind")
HOUSEHOLD_FIELDS = ("dissolved_on", "registered_on", "area_id", "building_id", "house_id", "care_grade")
TAG_FIELDS = ("care_weight", "close_care", "active")


@dataclass
class Touched:
    households: set[int] = field(default_factory=set)
    residents: set[int] = field(default_factory=set)
    tags: set[int] = field(default_factory=set)
    houses: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.households or self.residents or self.tags or self.houses)


def _touched(session: Session) -> Touched:
    found = session.info.get(KEY)
    if found is None:
        found = session.info[KEY] = Touched()
    return found


def _changed(obj: Any, fields: tuple[str, ...]) -> list[Any]:
    """Return the old values of ``fields`` that changed on ``obj`` (empty when none did)."""
    state = inspect(obj)
    old: list[Any] = []
    for name in fields:
        history = state.attrs[name].history
        if history.has_changes():
            old.extend(history.deleted or [None])
    return old


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: UOWTransaction) -> None:
    if session.info.get(DEFER):
        return
    touched = _touched(session)
    for obj in list(session.new) + list(session.deleted):
        if isinstance(obj, Resident) and obj.household_id:
            touched.households.add(obj.household_id)
        elif isinstance(obj, ResidentTag):
            touched.residents.add(obj.resident_id)
        elif isinstance(obj, Household) and obj.id:
            touched.households.add(obj.id)
    for obj in session.dirty:
        if isinstance(obj, Resident):
            if _changed(obj, RESIDENT_FIELDS):
                touched.residents.add(obj.id)
                history = inspect(obj).attrs.household_id.history
                touched.households.update(h for h in history.deleted or () if h)
        elif isinstance(obj, Household) and _changed(obj, HOUSEHOLD_FIELDS):
            touched.households.add(obj.id)
        elif isinstance(obj, Tag) and _changed(obj, TAG_FIELDS):
            touched.tags.add(obj.id)
        elif isinstance(obj, House) and _changed(obj, ("status",)):
            touched.houses.add(obj.id)


@event.listens_for(Session, "do_orm_execute")
def _bulk(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete) or state.session.info.get(DEFER):
        return
    # The statement's table may be an ORM-annotated copy: compare names.
    table = getattr(getattr(state.statement, "table", None), "name", None)
    where = getattr(state.statement, "whereclause", None)
    if table is None or where is None:
        return
    session, touched = state.session, _touched(state.session)
    if table == ResidentTag.__tablename__:
        touched.residents.update(session.scalars(select(ResidentTag.resident_id).where(where)))
    elif table == Resident.__tablename__:
        for rid, hid in session.execute(select(Resident.id, Resident.household_id).where(where)):
            touched.residents.add(rid)
            if hid:
                touched.households.add(hid)
    elif table == Household.__tablename__:
        touched.households.update(session.scalars(select(Household.id).where(where)))


@event.listens_for(Session, "before_commit")
def _recompute(session: Session) -> None:
    # Commit flushes after this hook: flush first so the last changes are seen in this transaction.
    for _ in range(3):
        session.flush()
        touched = session.info.pop(KEY, None)
        if not touched or session.info.get(DEFER):
            return
        households = _households(session, touched)
        if households:
            from linli.visits.rhythm import recompute_rhythm

            recompute_rhythm(session, households)


def _households(session: Session, touched: Touched) -> set[int]:
    households = set(touched.households)
    ids = sorted(touched.residents)
    for start in range(0, len(ids), 2000):
        query = select(Resident.household_id).where(Resident.id.in_(ids[start : start + 2000]))
        households.update(h for h in session.scalars(query) if h)
    if touched.houses:
        query = select(Household.id).where(Household.house_id.in_(sorted(touched.houses)))
        households.update(session.scalars(query))
    if touched.tags:
        query = (
            select(Resident.household_id)
            .join(ResidentTag, ResidentTag.resident_id == Resident.id)
            .where(ResidentTag.tag_id.in_(touched.tags), Resident.status == "active")
            .distinct()
        )
        households.update(h for h in session.scalars(query) if h)
    return households


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_tags(session: Session, _transaction: object) -> None:
    # Tags read for a worklist are kept for one transaction only.
    session.info.pop("linli.visits.tags", None)


def _last_visits(session: Session, household_ids: Sequence[int]) -> dict[int, datetime]:
    """Return each household's last door visit from the rhythm projection (for the registry's house walk)."""
    from linli.visits.models import HouseholdRhythm

    found: dict[int, datetime] = {}
    ids = sorted(set(household_ids))
    for start in range(0, len(ids), 2000):
        rows = session.execute(
            select(HouseholdRhythm.household_id, HouseholdRhythm.last_visit_at).where(
                HouseholdRhythm.household_id.in_(ids[start : start + 2000]), HouseholdRhythm.last_visit_at.is_not(None)
            )
        )
        found.update({h: at for h, at in rows if at is not None})
    return found


if _last_visits not in houses.LAST_VISITS:
    houses.LAST_VISITS.append(_last_visits)
