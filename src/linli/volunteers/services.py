"""Volunteer profiles: enrol with the resident's yes, keep, list, read; time away, qualifications, hours.

Reads are scoped by the volunteer's home area (``SUPPLY_READ``), writes need ``SUPPLY_MANAGE``; a
volunteer reads their own record. Every write is one audited transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.permissions import SUPPLY_MANAGE, SUPPLY_READ, Scope
from linli.areas.models import Area
from linli.areas.services import area_labels
from linli.audit import services as audit
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.db.paging import capped_count
from linli.errors import Conflict, Invalid, NotFound
from linli.lib import skills
from linli.needs.models import ServiceCategory
from linli.registry.models import Resident
from linli.volunteers.models import (
    Availability,
    Away,
    Qualification,
    ServiceHours,
    Volunteer,
    VolunteerArea,
    VolunteerCategory,
)
from linli.volunteers.schemas import (
    AwayIn,
    CategoryRef,
    HoursIn,
    PossibleVolunteerOut,
    QualificationIn,
    SlotIn,
    VolunteerIn,
    VolunteerOut,
    VolunteerPage,
    VolunteerUpdate,
)


@dataclass(frozen=True)
class VolunteerFilter:
    q: str = ""
    area_id: int | None = None
    category_id: int | None = None
    skill: str | None = None
    status: str | None = "active"


def reliability(done: int, no_shows: int) -> float:
    """Return how often a volunteer turned up: (done + 1) / (done + no-shows + 1), 1.0 for a newcomer."""
    return (done + 1) / (done + no_shows + 1)


def rating(count: int, total: float) -> float | None:
    """Return the mean rating of the orders they handled (1 satisfied … 0 dissatisfied), None before any."""
    return total / count if count else None


# ---- writing --------------------------------------------------------------------------------


def create_volunteer(session: Session, scope: Scope, data: VolunteerIn) -> VolunteerOut:
    """Return a new profile for a resident in reach who said yes; refuses one without consent or a second one."""
    if not data.consent or not data.consent_note:
        raise Invalid(
            "volunteer.consent_required",
            "A volunteer profile needs the resident's yes and how it was given.",
            "consent",
        )
    with transaction(session):
        resident = session.get(Resident, data.resident_id)
        path = session.scalar(select(Area.path).where(Area.id == resident.area_id)) if resident else None
        if resident is None or path is None or resident.status != "active":
            raise NotFound("resident")
        scope.check(SUPPLY_MANAGE, path, "resident")
        if session.scalar(select(Volunteer.id).where(Volunteer.resident_id == resident.id)):
            raise Conflict("volunteer.exists", "This resident already has a volunteer profile.", "resident_id")
        _check_account(session, data.user_id)
        codes = _skills(data.profession, data.skills_text, data.skills)
        volunteer = Volunteer(
            resident_id=resident.id,
            user_id=data.user_id,
            area_id=resident.area_id,
            profession=data.profession,
            skills=codes,
            skills_text=data.skills_text or resident.skills,
            load_limit=data.load_limit,
            consent_at=utcnow(),
            consent_note=data.consent_note,
            consent_recorded_by_id=scope.user_id,
            notes=data.notes,
        )
        session.add(volunteer)
        session.flush()
        categories = _categories(session, data.category_ids, codes)
        areas = data.area_ids if data.area_ids is not None else [_community_of(session, path)]
        _set_links(session, scope, volunteer.id, categories, areas, data.slots)
        record_event(session, scope, "volunteer.create", volunteer, {"resident_id": [None, resident.id]})
    return get_volunteer(session, scope, volunteer.id)


def update_volunteer(session: Session, scope: Scope, volunteer_id: int, data: VolunteerUpdate) -> VolunteerOut:
    """Return the profile changed as asked; refuses a stale ``version`` (someone changed it meanwhile)."""
    with transaction(session):
        volunteer = _load(session, scope, volunteer_id, SUPPLY_MANAGE)
        if volunteer.version != data.version:
            raise Conflict("volunteer.stale", "Someone else changed this profile meanwhile; reload it.", "version")
        before: dict[str, Any] = {}
        for name in ("profession", "skills_text", "load_limit", "status", "notes"):
            value = getattr(data, name)
            if value is not None and value != getattr(volunteer, name):
                before[name] = [getattr(volunteer, name), value]
                setattr(volunteer, name, value)
        if data.skills is not None or data.skills_text is not None or data.profession is not None:
            codes = _skills(volunteer.profession, volunteer.skills_text, data.skills or [])
            if codes != volunteer.skills:
                before["skills"] = [volunteer.skills, codes]
                volunteer.skills = codes
        categories = _categories(session, data.category_ids, volunteer.skills) if data.category_ids else None
        _set_links(session, scope, volunteer.id, categories, data.area_ids, data.slots)
        volunteer.updated_at = utcnow()  # the version moves even when only links changed
        record_event(session, scope, "volunteer.update", volunteer, before)
    return get_volunteer(session, scope, volunteer_id)


def add_away(session: Session, scope: Scope, volunteer_id: int, data: AwayIn) -> VolunteerOut:
    """Return the profile with dates away added (staff, or the volunteer themself)."""
    with transaction(session):
        volunteer = _load(session, scope, volunteer_id, SUPPLY_MANAGE, own=True)
        session.add(Away(volunteer_id=volunteer.id, starts_on=data.starts_on, ends_on=data.ends_on, reason=data.reason))
        record_event(session, scope, "volunteer.away", volunteer, {"away": [None, f"{data.starts_on}–{data.ends_on}"]})
    return get_volunteer(session, scope, volunteer_id)


def add_qualification(session: Session, scope: Scope, volunteer_id: int, data: QualificationIn) -> VolunteerOut:
    """Return the profile with a qualification; ``confirmed`` records the staff member who saw it."""
    with transaction(session):
        volunteer = _load(session, scope, volunteer_id, SUPPLY_MANAGE)
        session.add(
            Qualification(
                volunteer_id=volunteer.id,
                kind=data.kind,
                name=data.name,
                number=data.number,
                expires_on=data.expires_on,
                confirmed_by_id=scope.user_id if data.confirmed else None,
                confirmed_at=utcnow() if data.confirmed else None,
            )
        )
        record_event(session, scope, "volunteer.qualification", volunteer, {"qualification": [None, data.name]})
    return get_volunteer(session, scope, volunteer_id)


def add_hours(session: Session, scope: Scope, volunteer_id: int, data: HoursIn) -> VolunteerOut:
    """Return the profile with hours staff added by hand, marked as added by staff."""
    with transaction(session):
        volunteer = _load(session, scope, volunteer_id, SUPPLY_MANAGE)
        session.add(
            ServiceHours(
                volunteer_id=volunteer.id,
                day=data.day,
                served_hours=data.hours,
                by_staff=True,
                recorded_by_id=scope.user_id,
                note=data.note,
            )
        )
        volunteer.hours_served += data.hours
        record_event(
            session, scope, "volunteer.hours", volunteer, {"hours": [None, data.hours], "note": [None, data.note]}
        )
    return get_volunteer(session, scope, volunteer_id)


# ---- reading --------------------------------------------------------------------------------


def get_volunteer(session: Session, scope: Scope, volunteer_id: int) -> VolunteerOut:
    """Return one profile in reach (or the caller's own)."""
    volunteer = _load(session, scope, volunteer_id, SUPPLY_READ, own=True)
    return _outs(session, [volunteer], scope)[0]


def list_volunteers(
    session: Session, scope: Scope, where: VolunteerFilter, page: int = 1, size: int = 20
) -> VolunteerPage:
    """Return a page of profiles in reach, by name, area, category, skill and status (a fixed number of queries)."""
    query = _filtered(session, scope, where)
    total, more = capped_count(session, query)
    rows = session.scalars(query.order_by(Volunteer.id).offset((page - 1) * size).limit(size)).all()
    return VolunteerPage(items=_outs(session, list(rows), scope), total=total, more=more, page=page, size=size)


def possible_volunteers(session: Session, scope: Scope, area_id: int | None = None) -> list[PossibleVolunteerOut]:
    """Return residents found willing to help (registry or grid log) who have no profile yet, to invite."""
    scope.require(SUPPLY_MANAGE)
    query = (
        select(Resident)
        .outerjoin(Volunteer, Volunteer.resident_id == Resident.id)
        .where(
            Volunteer.id.is_(None),
            Resident.status == "active",
            Resident.willing_to_help.is_(True),
            scope.filter(SUPPLY_MANAGE, Resident.area_id),
        )
    )
    if area_id is not None:
        query = query.where(Resident.area_id.in_(_subtree(session, area_id)))
    residents = session.scalars(query.order_by(Resident.area_id, Resident.id).limit(500)).all()
    labels = area_labels(session, (r.area_id for r in residents))
    return [
        PossibleVolunteerOut(
            resident_id=r.id,
            name=r.name,
            area_id=r.area_id,
            area=labels.get(r.area_id, ""),
            skills_text=r.skills,
            skills=skills.canonical_skills(r.skills),
        )
        for r in residents
    ]


def own_volunteer(session: Session, scope: Scope) -> Volunteer | None:
    """Return the profile linked to the caller's account, if any."""
    return session.scalar(select(Volunteer).where(Volunteer.user_id == scope.user_id)) if scope.user_id else None


def hours_in_year(session: Session, volunteer_id: int, year: int) -> float:
    """Return the hours a volunteer served in ``year`` (Asia/Shanghai days)."""
    total = session.scalar(
        select(func.coalesce(func.sum(ServiceHours.served_hours), 0.0)).where(
            ServiceHours.volunteer_id == volunteer_id,
            ServiceHours.day >= date(year, 1, 1),
            ServiceHours.day <= date(year, 12, 31),
        )
    )
    return float(total or 0.0)


# ---- helpers ----------------------------------------------------------------------------------


def _filtered(session: Session, scope: Scope, where: VolunteerFilter) -> Select[Volunteer]:
    query = select(Volunteer).where(scope.filter(SUPPLY_READ, Volunteer.area_id))
    if where.status:
        query = query.where(Volunteer.status == where.status)
    if where.area_id is not None:
        query = query.where(Volunteer.area_id.in_(_subtree(session, where.area_id)))
    if where.category_id is not None:
        query = query.where(
            Volunteer.id.in_(
                select(VolunteerCategory.volunteer_id).where(VolunteerCategory.category_id == where.category_id)
            )
        )
    if where.q:
        query = query.where(
            Volunteer.resident_id.in_(select(Resident.id).where(Resident.name.contains(where.q, autoescape=True)))
            | Volunteer.profession.contains(where.q, autoescape=True)
            | Volunteer.skills_text.contains(where.q, autoescape=True)
        )
    if where.skill:
        # JSON arrays are searched as text: the codes are plain words, quoted in the stored array.
        from sqlalchemy import String, cast

        query = query.where(cast(Volunteer.skills, String).contains(f'"{where.skill}"', autoescape=True))
    return query


def _subtree(session: Session, area_id: int) -> Select[int]:
    from linli.accounts.permissions import path_under

    path = session.scalar(select(Area.path).where(Area.id == area_id)) or "/none/"
    return select(Area.id).where(path_under(Area.path, path))


def _load(session: Session, scope: Scope, volunteer_id: int, capability: str, own: bool = False) -> Volunteer:
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None:
        raise NotFound("volunteer")
    if own and scope.user_id is not None and volunteer.user_id == scope.user_id:
        return volunteer
    path = session.scalar(select(Area.path).where(Area.id == volunteer.area_id)) or ""
    scope.check(capability, path, "volunteer")
    return volunteer


def _check_account(session: Session, user_id: int | None) -> None:
    if user_id is None:
        return
    if session.scalar(select(User.id).where(User.id == user_id, User.active.is_(True))) is None:
        raise Invalid("volunteer.unknown_account", "Unknown or inactive account.", "user_id")
    if session.scalar(select(Volunteer.id).where(Volunteer.user_id == user_id)):
        raise Conflict("volunteer.account_taken", "This account belongs to another volunteer.", "user_id")


def _skills(profession: str, text: str, codes: Iterable[str]) -> list[str]:
    """Return the skill codes of a profession, free text and chosen codes, in that order, once each."""
    unknown = [c for c in codes if c not in skills.CODES]
    if unknown:
        raise Invalid("volunteer.unknown_skill", "Unknown skill {skill}.", "skills", skill=unknown[0])
    found = [*skills.profession_skills(profession), *skills.canonical_skills(text), *codes]
    return list(dict.fromkeys(found))


def _categories(session: Session, ids: list[int] | None, codes: list[str]) -> list[int]:
    """Return the categories asked for (all must exist and be active), or else those the skills serve."""
    if ids:
        known = set(
            session.scalars(
                select(ServiceCategory.id).where(ServiceCategory.id.in_(ids), ServiceCategory.active.is_(True))
            )
        )
        if known != set(ids):
            raise Invalid("volunteer.unknown_category", "Unknown or retired service category.", "category_ids")
        return sorted(known)
    wanted = skills.categories_for(codes)
    return sorted(
        session.scalars(
            select(ServiceCategory.id).where(ServiceCategory.code.in_(wanted), ServiceCategory.active.is_(True))
        )
    )


def _community_of(session: Session, path: str) -> int:
    community = "/" + "/".join(path.strip("/").split("/")[:3]) + "/"
    found = session.scalar(select(Area.id).where(Area.path == community))
    return found if found is not None else session.scalar(select(Area.id).where(Area.path == path)) or 0


def _set_links(
    session: Session,
    scope: Scope,
    volunteer_id: int,
    categories: list[int] | None,
    area_ids: list[int] | None,
    slots: list[SlotIn] | None,
) -> None:
    """Replace whichever of the categories, served areas and weekly slots are given."""
    if categories is not None:
        session.execute(delete(VolunteerCategory).where(VolunteerCategory.volunteer_id == volunteer_id))
        session.add_all(VolunteerCategory(volunteer_id=volunteer_id, category_id=c) for c in categories)
    if area_ids is not None:
        paths = dict(session.execute(select(Area.id, Area.path).where(Area.id.in_(area_ids))).all())
        if (
            not area_ids
            or set(paths) != set(area_ids)
            or not all(scope.reaches(SUPPLY_READ, p) for p in paths.values())
        ):
            raise Invalid(
                "volunteer.unknown_area", "Choose areas in your reach for the volunteer to serve.", "area_ids"
            )
        session.execute(delete(VolunteerArea).where(VolunteerArea.volunteer_id == volunteer_id))
        session.add_all(VolunteerArea(volunteer_id=volunteer_id, area_id=a) for a in sorted(set(area_ids)))
    if slots is not None:
        session.execute(delete(Availability).where(Availability.volunteer_id == volunteer_id))
        session.add_all(
            Availability(volunteer_id=volunteer_id, weekday=s.weekday, start_minute=s.start, end_minute=s.end)
            for s in slots
        )


def _outs(session: Session, volunteers: list[Volunteer], scope: Scope) -> list[VolunteerOut]:
    """Return the profiles with names, categories, served areas and labels (four queries for any number)."""
    if not volunteers:
        return []
    ids = [v.id for v in volunteers]
    names = dict(
        session.execute(
            select(Resident.id, Resident.name).where(Resident.id.in_([v.resident_id for v in volunteers]))
        ).all()
    )
    categories: dict[int, list[CategoryRef]] = {}
    for vid, c in session.execute(
        select(VolunteerCategory.volunteer_id, ServiceCategory)
        .join(ServiceCategory, ServiceCategory.id == VolunteerCategory.category_id)
        .where(VolunteerCategory.volunteer_id.in_(ids))
        .order_by(ServiceCategory.sort)
    ):
        categories.setdefault(vid, []).append(CategoryRef(id=c.id, code=c.code, name=c.name, name_en=c.name_en))
    served: dict[int, list[int]] = {}
    for vid, area_id in session.execute(
        select(VolunteerArea.volunteer_id, VolunteerArea.area_id).where(VolunteerArea.volunteer_id.in_(ids))
    ):
        served.setdefault(vid, []).append(area_id)
    labels = area_labels(session, (v.area_id for v in volunteers))
    return [
        VolunteerOut(
            id=v.id,
            resident_id=v.resident_id,
            name=names.get(v.resident_id, ""),
            user_id=v.user_id,
            area_id=v.area_id,
            area=labels.get(v.area_id, ""),
            profession=v.profession,
            skills=list(v.skills),
            skill_names=[skills.skill_name(c, "zh") for c in v.skills if c in skills.CODES],
            categories=categories.get(v.id, []),
            area_ids=sorted(served.get(v.id, [])),
            load_limit=v.load_limit,
            open_tasks=v.open_tasks,
            status=v.status,
            consent_at=v.consent_at,
            consent_note=v.consent_note,
            done=v.done,
            hours_served=round(v.hours_served, 2),
            rating=rating(v.rating_count, v.rating_sum),
            reliability=round(reliability(v.done, v.no_shows), 3),
            version=v.version,
        )
        for v in volunteers
    ]


def record_event(session: Session, scope: Scope, action: str, volunteer: Volunteer, changes: dict[str, Any]) -> None:
    """Record a change to a volunteer in the audit trail (inside the caller's transaction)."""
    audit.record_by(
        session,
        scope,
        action,
        entity="volunteer",
        entity_id=volunteer.id,
        area_id=volunteer.area_id,
        changes=changes,
    )


def user_names(session: Session, user_ids: list[int | None]) -> dict[int, str]:
    """Return the display names of the accounts among ``user_ids`` (one query; a page shows names)."""
    ids = sorted({i for i in user_ids if i})
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all() if ids else []
    return {i: name for i, name in rows}


def volunteer_names(session: Session, volunteer_ids: list[int | None]) -> dict[int, str]:
    """Return the registry names of the volunteers among ``volunteer_ids`` (one query)."""
    ids = sorted({i for i in volunteer_ids if i})
    query = select(Volunteer.id, Resident.name).join(Resident, Resident.id == Volunteer.resident_id)
    return {i: name for i, name in session.execute(query.where(Volunteer.id.in_(ids))).all()} if ids else {}
