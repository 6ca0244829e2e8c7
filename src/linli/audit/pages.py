"""The audit trail as a page: administrators and supervisors browse, filter and export it."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from linli.audit import trail
from linli.web.deps import Access, SessionDep, current_scope
from linli.web.render import render

router = APIRouter(dependencies=[Depends(current_scope)])


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


@router.get("/audit", include_in_schema=False)
def audit_page(
    request: Request,
    scope: Access,
    session: SessionDep,
    username: str = "",
    action: str = "",
    entity: str = "",
    since: str = "",
    until: str = "",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> Response:
    """Return one page of the audit events in the caller's areas, newest first, with filters."""
    f = trail.AuditFilter(username.strip(), action.strip(), entity.strip(), "", _day(since), _day(until))
    events = trail.list_events(session, scope, f, page, 50)
    query = {
        k: v
        for k, v in {"username": username, "action": action, "entity": entity, "since": since, "until": until}.items()
        if v
    }

    def page_url(number: int) -> str:
        return "/audit?" + urlencode({**query, "page": number})

    context = {
        "scope": scope,
        "nav": "audit",
        "events": events,
        "filters": query,
        "page_url": page_url,
        "export_url": "/api/v1/audit/events.csv?" + urlencode(query),
    }
    return render(request, "audit/events.html", context)
