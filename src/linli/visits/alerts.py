"""The community's alert list: close care overdue past the grace period, and urgent logs (急/难/烦).

An overdue alert opens when a household with a person under close care has gone without contact past
its rule plus ``visit_alert_grace_days``, and closes by itself when someone contacts them (or they
move out). An urgent log's alert stays until staff resolve it with a word on what was done.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from linli.accounts.permissions import READ, WRITE, Scope
from linli.areas.models import Area
from linli.areas.services import area_labels
from linli.audit import services as audit
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import Conflict, NotFound
from linli.lib import clock
from linli.registry.models import Building, Household
from linli.registry.services import address
from linli.runtime import settings_of
from linli.visits.models import GridLog, HouseholdRhythm, VisitAlert
from linli.visits.schemas import AlertOut, ResolveIn

T: Table = HouseholdRhythm.__table__  # type: ignore[assignment]
URGENCY_WORDS = {"urgent": "急", "hard": "难", "troublesome": "烦"}


def resolve_overdue(session: Session, household_id: int, log_id: int) -> None:
    """Close the household's open overdue alert: someone has just been in contact."""
    session.execute(
        update(VisitAlert)
        .where(
            VisitAlert.household_id == household_id,
            VisitAlert.kind == "overdue_close_care",
            VisitAlert.resolved_at.is_(None),
        )
        .values(resolved_at=utcnow(), resolution=f"contacted (log {log_id})")
    )


def raise_urgent(session: Session, log: GridLog, grid: Area) -> VisitAlert:
    """Open the alert of an urgent, hard or troublesome log for the grid's community, at once."""
    existing = session.scalar(select(VisitAlert).where(VisitAlert.log_id == log.id, VisitAlert.kind == "urgent_log"))
    if existing is not None:
        return existing
    alert = VisitAlert(
        community_id=grid.parent_id or grid.id,
        area_id=grid.id,
        household_id=log.household_id,
        kind="urgent_log",
        log_id=log.id,
        detail=f"{URGENCY_WORDS.get(log.urgency, log.urgency)}: {(log.problem or log.narrative)[:200]}",
        opened_at=utcnow(),
    )
    session.add(alert)
    session.flush()
    audit.record(
        session,
        "visit_alert.open",
        username="system",
        entity="visit_alert",
        entity_id=alert.id,
        area_id=grid.id,
        changes={"kind": [None, "urgent_log"], "log_id": [None, log.id]},
    )
    return alert


def _grids_in_reach(session: Session, scope: Scope, community_id: int | None) -> list[tuple[int, int]]:
    """Return ``(grid, community)`` pairs the caller reaches, in one community or everywhere in reach."""
    condition = scope.area_ids(READ)
    if condition is None:
        return []
    query = select(Area.id, Area.parent_id).where(condition, Area.level == "grid")
    if community_id is not None:
        community = session.get(Area, community_id)
        if community is None or not scope.reaches(READ, community.path):
            raise NotFound("area")
        query = query.where(Area.parent_id == community_id)
    return [(g, c or g) for g, c in session.execute(query)]


def refresh_overdue(session: Session, grids: list[tuple[int, int]], today: date, grace: int) -> int:
    """Open the overdue alerts that are missing and close those no longer overdue; return how many changed."""
    if not grids:
        return 0
    ids = [g for g, _ in grids]
    community = dict(grids)
    cutoff = today - timedelta(days=grace)
    due = func.coalesce(T.c.contact_due_on, T.c.visit_due_on)
    overdue = {
        hid: area
        for hid, area in session.execute(
            select(T.c.household_id, T.c.area_id).where(
                T.c.area_id.in_(ids), T.c.next_due_on < cutoff, T.c.close_care.is_(True), due < cutoff
            )
        )
    }
    open_now = dict(
        session.execute(
            select(VisitAlert.household_id, VisitAlert.id).where(
                VisitAlert.area_id.in_(ids),
                VisitAlert.kind == "overdue_close_care",
                VisitAlert.resolved_at.is_(None),
            )
        ).all()
    )
    to_open = [h for h in overdue if h not in open_now]
    to_close = [a for h, a in open_now.items() if h not in overdue]
    if not to_open and not to_close:
        return 0
    with transaction(session):
        now = utcnow()
        session.add_all(
            VisitAlert(
                community_id=community[overdue[h]],
                area_id=overdue[h],
                household_id=h,
                kind="overdue_close_care",
                detail=f"grace {grace}",
                opened_at=now,
            )
            for h in to_open
        )
        if to_close:
            session.execute(
                update(VisitAlert)
                .where(VisitAlert.id.in_(to_close))
                .values(resolved_at=now, resolution="no longer overdue")
            )
        audit.record(
            session,
            "visit_alert.refresh",
            username="system",
            entity="visit_alert",
            changes={"opened": [None, sorted(to_open)], "closed": [None, sorted(to_close)]},
        )
    return len(to_open) + len(to_close)


def list_alerts(
    session: Session, scope: Scope, community_id: int | None = None, include_resolved: bool = False
) -> list[AlertOut]:
    """Return the alerts of the communities in reach, open ones first and newest first.

    Overdue alerts are brought up to date first, so the list is true whenever it is read.
    """
    scope.require(READ)
    grids = _grids_in_reach(session, scope, community_id)
    refresh_overdue(session, grids, clock.today(), settings_of(session).visit_alert_grace_days)
    if not grids:
        return []
    query = (
        select(VisitAlert, Area.name, Building.compound, Building.name, Household.room)
        .join(Area, Area.id == VisitAlert.area_id)
        .join(Household, Household.id == VisitAlert.household_id)
        .join(Building, Building.id == Household.building_id)
        .where(VisitAlert.area_id.in_([g for g, _ in grids]))
        .order_by(VisitAlert.resolved_at.is_not(None), VisitAlert.opened_at.desc(), VisitAlert.id.desc())
    )
    if not include_resolved:
        query = query.where(VisitAlert.resolved_at.is_(None))
    labels = area_labels(session, [g for g, _ in grids])
    return [_out(alert, labels[alert.area_id], *place) for alert, _, *place in session.execute(query.limit(500))]


def _out(alert: VisitAlert, grid: str, compound: str, building: str, room: str) -> AlertOut:
    return AlertOut(
        id=alert.id,
        kind=alert.kind,
        community_id=alert.community_id,
        area_id=alert.area_id,
        grid=grid,
        household_id=alert.household_id,
        address=address(compound, building, room),
        log_id=alert.log_id,
        detail=alert.detail,
        opened_at=alert.opened_at,
        resolved_at=alert.resolved_at,
        resolution=alert.resolution,
    )


def get_alert(session: Session, scope: Scope, alert_id: int) -> AlertOut:
    """Return one alert in reach, or raise ``NotFound``."""
    row = session.execute(
        select(VisitAlert, Area.name, Building.compound, Building.name, Household.room)
        .join(Area, Area.id == VisitAlert.area_id)
        .join(Household, Household.id == VisitAlert.household_id)
        .join(Building, Building.id == Household.building_id)
        .where(VisitAlert.id == alert_id)
    ).first()
    path = session.scalar(select(Area.path).where(Area.id == row[0].area_id)) if row else None
    if row is None or path is None or not scope.reaches(READ, path):
        raise NotFound("visit_alert")
    return _out(*row)


def resolve_alert(session: Session, scope: Scope, alert_id: int, data: ResolveIn) -> AlertOut:
    """Resolve an alert with a word on what was done (anyone who may write in its grid)."""
    with transaction(session):
        row = session.execute(
            select(VisitAlert, Area.path).join(Area, Area.id == VisitAlert.area_id).where(VisitAlert.id == alert_id)
        ).first()
        if row is None or not scope.reaches(WRITE, row[1]):
            raise NotFound("visit_alert")
        alert = row[0]
        if alert.resolved_at is not None:
            raise Conflict("visits.alert_resolved", "This alert is already resolved.")
        alert.resolved_at, alert.resolved_by, alert.resolution = utcnow(), scope.user_id, data.resolution
        session.flush()
        audit.record(
            session,
            "visit_alert.resolve",
            user_id=scope.user_id,
            username=scope.username,
            client=scope.client,
            entity="visit_alert",
            entity_id=alert.id,
            area_id=alert.area_id,
            changes={"resolution": [None, data.resolution]},
        )
        place = session.execute(
            select(Area.name, Building.compound, Building.name, Household.room)
            .join(Household, Household.area_id == Area.id)
            .join(Building, Building.id == Household.building_id)
            .where(Household.id == alert.household_id)
        ).one()
        return _out(alert, *place)
