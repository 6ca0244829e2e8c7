"""Grid logs 网格日志: written in a minute, corrected by the author for 24 hours, then only noted.

Writing a log, in one transaction: the log, the needs it raises (open items on the household), the
items it closes, the skills it finds (added to the residents, audited), the household's rhythm moved
on, an overdue alert resolved, and an alert raised at once for anything urgent, hard or troublesome.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.permissions import READ, WRITE, Scope
from linli.areas.models import Area
from linli.audit import services as audit
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import Conflict, Forbidden, Invalid, NotFound
from linli.lib import clock
from linli.registry.models import Household, Resident
from linli.visits import alerts, rhythm
from linli.visits.models import GridLog, GridLogItem, GridLogNote
from linli.visits.present import present_logs, present_new
from linli.visits.schemas import GridLogIn, GridLogOut, GridLogUpdate, NoteIn, SkillIn

CORRECTION_WINDOW = timedelta(hours=24)
SEPARATORS = re.compile(r"[、，,；;/]+")
# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=10)
LOG_FIELDS = (
    "channel",
    "started_at",
    "duration_minutes",
    "narrative",
    "problem",
    "action",
    "result",
    "urgency",
    "story",
)


def as_utc(moment: datetime | None) -> datetime:
    """Return ``moment`` in UTC; a time without a zone is Asia/Shanghai (what a phone's form sends); none is now."""
    if moment is None:
        return utcnow().replace(microsecond=0)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.LOCAL)
    return moment.astimezone(UTC)


def _household(session: Session, scope: Scope, household_id: int, capability: str = WRITE) -> tuple[Household, Area]:
    row = session.execute(
        select(Household, Area).join(Area, Area.id == Household.area_id).where(Household.id == household_id)
    ).first()
    if row is None or not scope.reaches(capability, row[1].path):
        raise NotFound("household")
    return row[0], row[1]


def _check_time(started: datetime) -> None:
    if started > utcnow() + CLOCK_SKEW:
        raise Invalid("visits.log_in_future", "The visit cannot start in the future.", "started_at")


def _members(session: Session, household_id: int) -> dict[int, Resident]:
    people = session.scalars(
        select(Resident).where(Resident.household_id == household_id, Resident.status == "active")
    ).all()
    return {r.id: r for r in people}


def _snapshot(log: GridLog) -> dict[str, Any]:
    data = {f: getattr(log, f) for f in LOG_FIELDS}
    data["started_at"] = log.started_at.astimezone(UTC).isoformat()
    return data


def _audit(session: Session, scope: Scope, action: str, log: GridLog, changes: dict[str, Any]) -> None:
    audit.record(
        session,
        action,
        user_id=scope.user_id,
        username=scope.username,
        client=scope.client,
        entity="grid_log",
        entity_id=log.id,
        area_id=log.area_id,
        changes=changes,
    )


def create_log(session: Session, scope: Scope, data: GridLogIn) -> GridLogOut:
    """Write a grid log for a household in reach and return it.

    Refuses a start in the future, a need or skill naming someone who is not an active member, and
    closing an item that is not open on this household.
    """
    started = as_utc(data.started_at)
    _check_time(started)
    with transaction(session):
        household, grid = _household(session, scope, data.household_id)
        members = _members(session, household.id) if data.needs or data.skills else {}
        for i, need in enumerate(data.needs):
            if need.resident_id is not None and need.resident_id not in members:
                raise Invalid("visits.not_a_member", "This person is not a member of the household.", f"needs.{i}")
        for i, skill in enumerate(data.skills):
            if skill.resident_id not in members:
                raise Invalid("visits.not_a_member", "This person is not a member of the household.", f"skills.{i}")
        closing = _open_items(session, household.id, data.close_item_ids)
        log = GridLog(
            household_id=household.id,
            area_id=household.area_id,
            user_id=scope.user_id,
            channel=data.channel,
            started_at=started,
            duration_minutes=data.duration_minutes,
            narrative=data.narrative,
            problem=data.problem,
            action=data.action,
            result=data.result,
            urgency=data.urgency,
            story=data.story,
            skills_found=json.dumps([s.model_dump() for s in data.skills], ensure_ascii=False) if data.skills else "",
            created_at=utcnow(),
        )
        session.add(log)
        session.flush()
        raised = [
            GridLogItem(
                household_id=household.id,
                area_id=household.area_id,
                resident_id=need.resident_id,
                category=need.category,
                description=need.description,
                opened_by_log_id=log.id,
            )
            for need in data.needs
        ]
        session.add_all(raised)
        for item in closing:
            item.status, item.closed_by_log_id, item.closed_at = "closed", log.id, log.created_at
        changes: dict[str, Any] = audit.diff({}, _snapshot(log))
        if data.needs:
            changes["needs"] = [None, [f"{n.category}: {n.description}" for n in data.needs]]
        if closing:
            changes["closed_items"] = [None, [i.id for i in closing]]
        _audit(session, scope, "grid_log.create", log, changes)
        for skill in data.skills:
            _apply_skill(session, scope, members[skill.resident_id], skill)
        if rhythm.record_contact(session, household.id, log.channel, log.started_at):
            alerts.resolve_overdue(session, household.id, log.id)
        if log.urgency:
            alerts.raise_urgent(session, log, grid)
        session.flush()
        names = {r.id: r.name for r in members.values()}
        return present_new(log, raised, closing, scope.display_name, names)


def _open_items(session: Session, household_id: int, ids: list[int]) -> list[GridLogItem]:
    if not ids:
        return []
    items = session.scalars(
        select(GridLogItem).where(
            GridLogItem.id.in_(ids), GridLogItem.household_id == household_id, GridLogItem.status == "open"
        )
    ).all()
    if len(items) != len(set(ids)):
        raise Invalid("visits.item_not_open", "An item to close is not open on this household.", "close_item_ids")
    return list(items)


def _apply_skill(session: Session, scope: Scope, resident: Resident, found: SkillIn) -> None:
    """Add the skills found to the resident's record (kept, not replaced) and their willingness; audited."""
    before = {"skills": resident.skills, "willing_to_help": resident.willing_to_help}
    have = [s.strip() for s in SEPARATORS.split(resident.skills) if s.strip()]
    added = [s.strip() for s in SEPARATORS.split(found.skills) if s.strip() and s.strip() not in have]
    if added:
        resident.skills = "、".join(have + list(dict.fromkeys(added)))
    if found.willing_to_help is not None:
        resident.willing_to_help = found.willing_to_help
    changes = audit.diff(before, {"skills": resident.skills, "willing_to_help": resident.willing_to_help})
    if changes:
        session.flush()
        audit.record(
            session,
            "resident.update",
            user_id=scope.user_id,
            username=scope.username,
            client=scope.client,
            entity="resident",
            entity_id=resident.id,
            area_id=resident.area_id,
            changes={**changes, "source": [None, "grid_log"]},
        )


def _load(session: Session, scope: Scope, log_id: int, capability: str = READ) -> GridLog:
    row = session.execute(
        select(GridLog, Area.path).join(Area, Area.id == GridLog.area_id).where(GridLog.id == log_id)
    ).first()
    if row is None or not scope.reaches(capability, row[1]):
        raise NotFound("grid_log")
    return row[0]


def get_log(session: Session, scope: Scope, log_id: int) -> GridLogOut:
    """Return one log in reach with its items and notes."""
    return present_logs(session, scope, [_load(session, scope, log_id)])[0]


def correct_log(session: Session, scope: Scope, log_id: int, data: GridLogUpdate) -> GridLogOut:
    """Correct a log: only its author, only within 24 hours of writing it, only from the version read.

    A new channel or time moves the household's rhythm to what the logs now say; a newly urgent log
    raises its alert.
    """
    with transaction(session):
        log = _load(session, scope, log_id, WRITE)
        if log.user_id is None or log.user_id != scope.user_id:
            raise Forbidden("Only the author can correct a log; add a note instead.", "visits.log_not_author")
        if utcnow() > log.created_at + CORRECTION_WINDOW:
            raise Conflict("visits.log_locked", "A log can be corrected for 24 hours; after that add a note.")
        if log.version != data.version:
            raise Conflict(
                "visits.log_stale", "Someone else changed this record meanwhile; reload it and try again.", "version"
            )
        before = _snapshot(log)
        given = data.model_dump(exclude_unset=True, exclude={"version"})
        if "started_at" in given:
            given["started_at"] = as_utc(given["started_at"])
            _check_time(given["started_at"])
        for key, value in given.items():
            if value is not None:
                setattr(log, key, value)
        changes = audit.diff(before, _snapshot(log))
        if changes:
            log.corrected_at, log.version = utcnow(), log.version + 1
            session.flush()
            _audit(session, scope, "grid_log.correct", log, changes)
            if "channel" in changes or "started_at" in changes:
                rhythm.recompute_rhythm(session, [log.household_id], from_logs=True)
            if "urgency" in changes and log.urgency:
                grid = session.get(Area, log.area_id)
                assert grid is not None
                alerts.raise_urgent(session, log, grid)
        return present_logs(session, scope, [log])[0]


def add_note(session: Session, scope: Scope, log_id: int, data: NoteIn) -> GridLogOut:
    """Append a note to a log (anyone who may write in its grid); the log itself stays as it was."""
    with transaction(session):
        log = _load(session, scope, log_id, WRITE)
        note = GridLogNote(log_id=log.id, user_id=scope.user_id, text=data.text, created_at=utcnow())
        session.add(note)
        session.flush()
        _audit(session, scope, "grid_log.note", log, {"note": [None, data.text]})
        return present_logs(session, scope, [log])[0]
