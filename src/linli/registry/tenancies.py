"""Tenancies of rented houses and households' care grades (三色入户帮).

A tenancy is a tenant household's stay in a house, from one day to another; one household's periods in
one house never overlap, and an ended tenancy stays as the house's history. A care grade (red, yellow,
blue) is set by staff with a reason; every setting is kept (``CareGradeChange``) and audited, and the
visit rules read the grade as they read a tag.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.permissions import READ, WRITE, Scope
from linli.areas.models import Area
from linli.audit import services as audit
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import Conflict, Invalid, NotFound
from linli.lib import clock
from linli.registry.house_schemas import (
    CareGradeChangeOut,
    CareGradeIn,
    CareGradeOut,
    TenancyEnd,
    TenancyIn,
    TenancyOut,
)
from linli.registry.houses import _house
from linli.registry.models import CareGradeChange, Household, Resident, Tenancy
from linli.registry.services import household_addresses

FAR = date(9999, 12, 31)


def _current(t: Tenancy, today: date) -> bool:
    return t.starts_on <= today and (t.ends_on is None or t.ends_on >= today)


def _out(t: Tenancy, label: str, today: date) -> TenancyOut:
    return TenancyOut(
        id=t.id,
        house_id=t.house_id,
        household_id=t.household_id,
        household=label,
        starts_on=t.starts_on,
        ends_on=t.ends_on,
        note=t.note,
        current=_current(t, today),
    )


def _labels(session: Session, household_ids: list[int]) -> dict[int, str]:
    """Return a label per household: its head's name, else where it lives."""
    if not household_ids:
        return {}
    heads = dict(
        session.execute(
            select(Household.id, Resident.name)
            .join(Resident, Resident.id == Household.head_id)
            .where(Household.id.in_(household_ids))
        ).all()
    )
    places = household_addresses(session, household_ids)
    return {h: heads.get(h) or places.get(h, "") for h in household_ids}


def tenancies_of(session: Session, house_id: int) -> list[TenancyOut]:
    """Return a house's tenancies, newest first (two queries); the caller has checked the house is in reach."""
    rows = session.scalars(
        select(Tenancy).where(Tenancy.house_id == house_id).order_by(Tenancy.starts_on.desc(), Tenancy.id.desc())
    ).all()
    labels = _labels(session, sorted({t.household_id for t in rows}))
    today = clock.today()
    return [_out(t, labels.get(t.household_id, ""), today) for t in rows]


def _household(session: Session, scope: Scope, household_id: int, capability: str = WRITE) -> Household:
    row = session.execute(
        select(Household, Area.path).join(Area, Area.id == Household.area_id).where(Household.id == household_id)
    ).first()
    if row is None:
        raise NotFound("household")
    scope.check(capability, row[1], "household")
    return row[0]


def create_tenancy(session: Session, scope: Scope, house_id: int, data: TenancyIn) -> TenancyOut:
    """Record that a household rents a house from ``starts_on`` (to ``ends_on``, or open).

    Refuses an end before the start, a household out of reach or dissolved, and a period overlapping
    another of the same household in the same house (``tenancy.overlap``). A tenancy under way makes
    the house rented and moves the household onto it.
    """
    if data.ends_on is not None and data.ends_on < data.starts_on:
        raise Invalid("tenancy.ends_before_start", "The tenancy ends before it starts.", "ends_on")
    with transaction(session):
        house, _, _ = _house(session, scope, house_id, WRITE)
        household = _household(session, scope, data.household_id)
        if household.dissolved_on is not None:
            raise Invalid("tenancy.household_dissolved", "This household is dissolved.", "household_id")
        # The house row is written below whatever happens, so two concurrent tenancies of one house queue.
        house.updated_at = utcnow()
        session.flush()
        others = session.scalars(
            select(Tenancy).where(Tenancy.house_id == house.id, Tenancy.household_id == household.id)
        ).all()
        end = data.ends_on or FAR
        for other in others:
            if other.starts_on <= end and data.starts_on <= (other.ends_on or FAR):
                raise Conflict(
                    "tenancy.overlap",
                    "This household already rents this house from {start} to {end}.",
                    "starts_on",
                    start=other.starts_on.isoformat(),
                    end=other.ends_on.isoformat() if other.ends_on else "—",
                )
        tenancy = Tenancy(
            area_id=house.area_id,
            house_id=house.id,
            household_id=household.id,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            note=data.note,
            user_id=scope.user_id,
        )
        session.add(tenancy)
        today = clock.today()
        changes: dict[str, list[object]] = {
            "household_id": [None, household.id],
            "starts_on": [None, data.starts_on.isoformat()],
            "ends_on": [None, data.ends_on.isoformat() if data.ends_on else None],
        }
        if _current(tenancy, today):
            if house.status != "rented":
                changes["house_status"] = [house.status, "rented"]
                house.status = "rented"
            if household.house_id != house.id:
                changes["household_house_id"] = [household.house_id, house.id]
                household.house_id = house.id
        session.flush()
        audit.record_by(
            session,
            scope,
            "tenancy.create",
            entity="tenancy",
            entity_id=tenancy.id,
            area_id=house.area_id,
            changes=changes,
        )
        return _out(tenancy, _labels(session, [household.id]).get(household.id, ""), today)


def end_tenancy(session: Session, scope: Scope, tenancy_id: int, data: TenancyEnd) -> TenancyOut:
    """End an open tenancy on ``ends_on`` (not before it started); it stays in the house's history."""
    with transaction(session):
        tenancy = session.get(Tenancy, tenancy_id)
        if tenancy is None:
            raise NotFound("tenancy")
        _house(session, scope, tenancy.house_id, WRITE)
        if tenancy.ends_on is not None and tenancy.ends_on <= clock.today():
            raise Invalid("tenancy.ended", "This tenancy has already ended.", "ends_on")
        if data.ends_on < tenancy.starts_on:
            raise Invalid("tenancy.ends_before_start", "The tenancy ends before it starts.", "ends_on")
        before = tenancy.ends_on.isoformat() if tenancy.ends_on else None
        tenancy.ends_on = data.ends_on
        session.flush()
        audit.record_by(
            session,
            scope,
            "tenancy.end",
            entity="tenancy",
            entity_id=tenancy.id,
            area_id=tenancy.area_id,
            changes={"ends_on": [before, data.ends_on.isoformat()]},
        )
        return _out(tenancy, _labels(session, [tenancy.household_id]).get(tenancy.household_id, ""), clock.today())


def house_of_tenancy(session: Session, scope: Scope, tenancy_id: int) -> int:
    """Return the house of a tenancy in reach, or raise ``NotFound``."""
    tenancy = session.get(Tenancy, tenancy_id)
    if tenancy is None:
        raise NotFound("tenancy")
    _house(session, scope, tenancy.house_id)
    return tenancy.house_id


# ---- care grades ----------------------------------------------------------------------------


def care_grade(session: Session, scope: Scope, household_id: int) -> CareGradeOut:
    """Return a household's care grade and every setting of it, newest first."""
    household = _household(session, scope, household_id, READ)
    rows = session.scalars(
        select(CareGradeChange)
        .where(CareGradeChange.household_id == household_id)
        .order_by(CareGradeChange.created_at.desc(), CareGradeChange.id.desc())
    ).all()
    return CareGradeOut(
        household_id=household.id,
        grade=household.care_grade,
        history=[CareGradeChangeOut.model_validate(r, from_attributes=True) for r in rows],
    )


def set_care_grade(session: Session, scope: Scope, household_id: int, data: CareGradeIn) -> CareGradeOut:
    """Set (or clear, with ``grade`` None) a household's care grade with a reason; kept, audited, and read
    by the visit rules (the household's rhythm is recomputed in the same transaction)."""
    with transaction(session):
        household = _household(session, scope, household_id)
        previous = household.care_grade
        household.care_grade = data.grade
        session.add(
            CareGradeChange(
                household_id=household.id,
                grade=data.grade,
                previous=previous,
                reason=data.reason,
                user_id=scope.user_id,
                username=scope.username,
            )
        )
        session.flush()
        audit.record_by(
            session,
            scope,
            "household.care_grade",
            entity="household",
            entity_id=household.id,
            area_id=household.area_id,
            changes={"care_grade": [previous, data.grade], "reason": [None, data.reason]},
        )
    return care_grade(session, scope, household_id)
