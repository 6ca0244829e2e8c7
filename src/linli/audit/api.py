"""The audit trail through the API: browse and export (administrators and supervisors)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from linli.audit import trail
from linli.audit.schemas import AuditPage
from linli.web.deps import Access, SessionDep, current_scope

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], dependencies=[Depends(current_scope)])


def _filter(
    username: str = "",
    action: str = "",
    entity: str = "",
    entity_id: str = "",
    since: date | None = None,
    until: date | None = None,
) -> trail.AuditFilter:
    return trail.AuditFilter(username, action, entity, entity_id, since, until)


Filter = Annotated[trail.AuditFilter, Depends(_filter)]


@router.get("/events", response_model=AuditPage)
def events(
    scope: Access,
    session: SessionDep,
    f: Filter,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AuditPage:
    """Return audit events in the caller's areas, newest first."""
    return trail.list_events(session, scope, f, page, page_size)


@router.get("/events.csv")
def export(scope: Access, session: SessionDep, f: Filter) -> StreamingResponse:
    """Export the matching audit events as CSV (the export is audited)."""
    rows = trail.export_csv(session, scope, f)
    first = next(rows)  # runs the permission check and records the export before streaming starts
    return StreamingResponse(
        iter([first, *rows]),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
