"""Figures of institutions for an area and a period: inspected, scored, findings open and overdue, by grid.

Inspections are counted by their day within the period (both ends included); findings and licences as
they stand today. Each area one level down gets a row. Five queries, whatever the size of the area.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from linli.accounts.permissions import INSTITUTION_READ, Scope, path_under
from linli.areas.models import Area
from linli.db.values import count_where
from linli.errors import Invalid, NotFound
from linli.institutions.models import Finding, Inspection, Institution
from linli.institutions.schemas import MAX_ID, FigureRow, FiguresOut
from linli.institutions.services import WARN_DAYS
from linli.lib import clock
from linli.resources.models import Resource

MAX_DAYS = 3 * 366


def figures(session: Session, scope: Scope, area_id: int, date_from: date, date_to: date) -> FiguresOut:
    """Return the figures of ``area_id`` and every area below it, one row for each area one level down.

    Refuses a period longer than three years or ending before it starts; an area outside reach is ``NotFound``.
    """
    area = session.get(Area, area_id) if 0 < area_id <= MAX_ID else None
    if area is None:
        raise NotFound("area")
    scope.check(INSTITUTION_READ, area.path, "area")
    if date_to < date_from or (date_to - date_from).days > MAX_DAYS:
        raise Invalid("figures.period", "Choose a period of at most three years, its end after its start.", "date_to")
    today = clock.today()
    # The area one level down that holds each institution: the asked path and one more segment.
    child = func.substr(Area.path, 1, len(area.path) + 4) if area.level != "grid" else Area.path
    below = path_under(Area.path, area.path)

    held = (
        select(Institution.id.label("institution_id"), child.label("child"))
        .join(Resource, Resource.id == Institution.resource_id)
        .join(Area, Area.id == Resource.area_id)
        .where(below)
        .subquery()
    )
    standing = {
        k: (int(n or 0), int(expiring or 0))
        for k, n, expiring in session.execute(
            select(
                held.c.child,
                count_where(Institution.status != "closed"),
                count_where(
                    and_(
                        Institution.status != "closed",
                        Institution.licence_valid_until <= today + timedelta(days=WARN_DAYS),
                    )
                ),
            )
            .join(Institution, Institution.id == held.c.institution_id)
            .group_by(held.c.child)
        )
    }
    inspected = {
        k: (int(n), int(distinct), float(avg) if avg is not None else None)
        for k, n, distinct, avg in session.execute(
            select(
                held.c.child,
                func.count(Inspection.id),
                func.count(func.distinct(Inspection.institution_id)),
                func.avg(Inspection.score),
            )
            .join(Inspection, Inspection.institution_id == held.c.institution_id)
            .where(Inspection.inspected_on >= date_from, Inspection.inspected_on <= date_to)
            .group_by(held.c.child)
        )
    }
    findings = {
        k: (int(n or 0), int(late or 0))
        for k, n, late in session.execute(
            select(held.c.child, func.count(Finding.id), count_where(Finding.due_on < today))
            .join(Finding, Finding.institution_id == held.c.institution_id)
            .where(Finding.status == "open")
            .group_by(held.c.child)
        )
    }
    children = (
        session.execute(
            select(Area.path, Area.id, Area.name).where(Area.parent_id == area.id).order_by(Area.path)
        ).all()
        if area.level != "grid"
        else [(area.path, area.id, area.name)]
    )
    rows = [_row(i, name, standing.get(p), inspected.get(p), findings.get(p)) for p, i, name in children]
    known = {p for p, _, _ in children}
    # Institutions held at the area itself (a community's own) form a row of their own.
    for key in sorted((set(standing) | set(inspected) | set(findings)) - known):
        rows.append(_row(area.id, area.name, standing.get(key), inspected.get(key), findings.get(key)))
    return FiguresOut(
        area_id=area.id,
        area=area.name,
        date_from=date_from,
        date_to=date_to,
        total=_total(area.id, area.name, rows, inspected),
        by_area=rows,
    )


def _row(
    key: int | None,
    name: str,
    standing: tuple[int, int] | None,
    inspected: tuple[int, int, float | None] | None,
    findings: tuple[int, int] | None,
) -> FigureRow:
    n, expiring = standing or (0, 0)
    count, distinct, average = inspected or (0, 0, None)
    open_, late = findings or (0, 0)
    return FigureRow(
        id=key,
        name=name,
        institutions=n,
        inspected=distinct,
        inspections=count,
        average_score=round(average, 1) if average is not None else None,
        open_findings=open_,
        overdue_findings=late,
        expiring_licences=expiring,
    )


def _total(
    key: int, name: str, rows: list[FigureRow], inspected: dict[Any, tuple[int, int, float | None]]
) -> FigureRow:
    """Return the sum of the rows; the average score is weighed by each row's inspections."""
    weighed = sum(n * avg for n, _, avg in inspected.values() if avg is not None)
    count = sum(r.inspections for r in rows)
    return FigureRow(
        id=key,
        name=name,
        institutions=sum(r.institutions for r in rows),
        inspected=sum(r.inspected for r in rows),
        inspections=count,
        average_score=round(weighed / count, 1) if count else None,
        open_findings=sum(r.open_findings for r in rows),
        overdue_findings=sum(r.overdue_findings for r in rows),
        expiring_licences=sum(r.expiring_licences for r in rows),
    )
