"""Grid logs and household timelines as shown: with authors, items, notes and the rhythm in words."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import Table, func, or_, select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.permissions import READ, SENSITIVE, Scope
from linli.areas.models import Area
from linli.errors import NotFound
from linli.registry.models import Household, Resident
from linli.visits.models import GridLog, GridLogItem, GridLogNote, HouseholdCadence, HouseholdRhythm
from linli.visits.rhythm import tag_infos
from linli.visits.schemas import GridLogOut, ItemOut, NoteOut, RhythmOut, SkillOut, TimelineOut
from linli.visits.words import basis_words

CORRECTION_HOURS = 24
T: Table = HouseholdRhythm.__table__  # type: ignore[assignment]


def _names(session: Session, model: type[User] | type[Resident], ids: set[int], column: str) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(model.id, getattr(model, column)).where(model.id.in_(ids))).all()
    return dict(rows)


def _item(item: GridLogItem, residents: dict[int, str]) -> ItemOut:
    out = ItemOut.model_validate(item, from_attributes=True)
    out.resident_name = residents.get(item.resident_id) if item.resident_id else None
    return out


def present_logs(session: Session, scope: Scope, logs: list[GridLog]) -> list[GridLogOut]:
    """Return logs as shown, in the order given; five queries for any number of logs."""
    if not logs:
        return []
    ids = [log.id for log in logs]
    items = session.scalars(
        select(GridLogItem)
        .where(or_(GridLogItem.opened_by_log_id.in_(ids), GridLogItem.closed_by_log_id.in_(ids)))
        .order_by(GridLogItem.id)
    ).all()
    notes = session.scalars(select(GridLogNote).where(GridLogNote.log_id.in_(ids)).order_by(GridLogNote.id)).all()
    skills = {log.id: json.loads(log.skills_found) if log.skills_found else [] for log in logs}
    users = _names(
        session, User, {u for u in [log.user_id for log in logs] + [n.user_id for n in notes] if u}, "display_name"
    )
    residents = _names(
        session,
        Resident,
        {i.resident_id for i in items if i.resident_id}
        | {s["resident_id"] for found in skills.values() for s in found},
        "name",
    )
    out = []
    for log in logs:
        out.append(
            GridLogOut(
                id=log.id,
                household_id=log.household_id,
                area_id=log.area_id,
                user_id=log.user_id,
                author=users.get(log.user_id, "") if log.user_id else "",
                channel=log.channel,
                started_at=log.started_at,
                duration_minutes=log.duration_minutes,
                narrative=log.narrative,
                problem=log.problem,
                action=log.action,
                result=log.result,
                urgency=log.urgency,
                story=log.story,
                skills=[
                    SkillOut(
                        resident_id=s["resident_id"],
                        resident_name=residents.get(s["resident_id"], ""),
                        skills=s.get("skills", ""),
                        willing_to_help=s.get("willing_to_help"),
                    )
                    for s in skills[log.id]
                ],
                items=[_item(i, residents) for i in items if i.opened_by_log_id == log.id],
                closed_items=[_item(i, residents) for i in items if i.closed_by_log_id == log.id],
                notes=[
                    NoteOut(
                        id=n.id,
                        user_id=n.user_id,
                        author=users.get(n.user_id, "") if n.user_id else "",
                        text=n.text,
                        created_at=n.created_at,
                    )
                    for n in notes
                    if n.log_id == log.id
                ],
                created_at=log.created_at,
                corrected_at=log.corrected_at,
                version=log.version,
                correctable_until=log.created_at + timedelta(hours=CORRECTION_HOURS),
            )
        )
    return out


def present_new(
    log: GridLog, raised: list[GridLogItem], closed: list[GridLogItem], author: str, residents: dict[int, str]
) -> GridLogOut:
    """Return a log just written, from what the writer holds (no query: its items and people are known)."""
    skills = json.loads(log.skills_found) if log.skills_found else []
    return GridLogOut(
        id=log.id,
        household_id=log.household_id,
        area_id=log.area_id,
        user_id=log.user_id,
        author=author if log.user_id else "",
        channel=log.channel,
        started_at=log.started_at,
        duration_minutes=log.duration_minutes,
        narrative=log.narrative,
        problem=log.problem,
        action=log.action,
        result=log.result,
        urgency=log.urgency,
        story=log.story,
        skills=[
            SkillOut(
                resident_id=s["resident_id"],
                resident_name=residents.get(s["resident_id"], ""),
                skills=s.get("skills", ""),
                willing_to_help=s.get("willing_to_help"),
            )
            for s in skills
        ],
        items=[_item(i, residents) for i in raised],
        closed_items=[_item(i, residents) for i in closed],
        notes=[],
        created_at=log.created_at,
        corrected_at=log.corrected_at,
        version=log.version,
        correctable_until=log.created_at + timedelta(hours=CORRECTION_HOURS),
    )


def rhythm_of(session: Session, scope: Scope, household_id: int, locale: str = "zh") -> RhythmOut | None:
    """Return a household's rhythm in words, or None before it was first computed."""
    row = session.execute(select(T).where(T.c.household_id == household_id)).first()
    if row is None:
        return None
    override = session.get(HouseholdCadence, household_id) is not None
    return RhythmOut(
        household_id=household_id,
        active=row.active,
        contact_every=row.contact_every,
        visit_every=row.visit_every,
        reason=basis_words(row.basis, tag_infos(session), scope.can(SENSITIVE), locale),
        override=override,
        registered_on=row.registered_on,
        last_contact_at=row.last_contact_at,
        last_visit_at=row.last_visit_at,
        contact_due_on=row.contact_due_on,
        visit_due_on=row.visit_due_on,
        next_due_on=row.next_due_on,
    )


def open_items(session: Session, household_id: int) -> list[ItemOut]:
    """Return the household's open items, oldest first."""
    items = session.scalars(
        select(GridLogItem)
        .where(GridLogItem.household_id == household_id, GridLogItem.status == "open")
        .order_by(GridLogItem.id)
    ).all()
    residents = _names(session, Resident, {i.resident_id for i in items if i.resident_id}, "name")
    return [_item(i, residents) for i in items]


def timeline(
    session: Session, scope: Scope, household_id: int, page: int = 1, page_size: int = 20, locale: str = "zh"
) -> TimelineOut:
    """Return a household's rhythm, open items and logs, newest first, one page at a time."""
    row = session.execute(
        select(Household.id, Area.path).join(Area, Area.id == Household.area_id).where(Household.id == household_id)
    ).first()
    if row is None or not scope.reaches(READ, row[1]):
        raise NotFound("household")
    total = session.scalar(select(func.count()).select_from(GridLog).where(GridLog.household_id == household_id)) or 0
    logs = session.scalars(
        select(GridLog)
        .where(GridLog.household_id == household_id)
        .order_by(GridLog.started_at.desc(), GridLog.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return TimelineOut(
        household_id=household_id,
        rhythm=rhythm_of(session, scope, household_id, locale),
        open_items=open_items(session, household_id),
        logs=present_logs(session, scope, list(logs)),
        total=total,
        page=page,
        page_size=page_size,
    )
