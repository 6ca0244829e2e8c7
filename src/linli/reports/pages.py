"""The dashboard page: an area's figures for a month or a year, drawn as charts (Apache ECharts, served by
linli) over tables that say the same for screen readers and print; its children side by side; and the
overdue households behind a number.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from linli.errors import Invalid
from linli.lib import clock
from linli.reports import dashboard as board
from linli.reports.drill import overdue_households
from linli.reports.profile import grid_profile
from linli.web.deps import Access, SessionDep, current_scope, get_locale
from linli.web.forms import as_int
from linli.web.render import pager_url, render

router = APIRouter(dependencies=[Depends(current_scope)])
# Each figure's list behind it: the page, and the query it needs (``{area}``: the area's id).
LINKS = {
    "residents.total": "/residents?area_id={area}",
    "care.residents": "/residents?area_id={area}&tag=care",
    "visits.overdue": "/dashboard/overdue?area_id={area}",
    "orders.received": "/needs?state=all",
    "orders.overdue": "/needs?overdue=1",
    "supply.volunteers": "/volunteers?area_id={area}",
    "supply.resources": "/resources?area_id={area}",
    "courses.running": "/courses?area_id={area}",
    "institutions.open_findings": "/institutions/findings",
}


@router.get("/dashboard", include_in_schema=False)
def dashboard_page(
    request: Request, scope: Access, session: SessionDep, area_id: str = "", period: str = ""
) -> Response:
    """Return the dashboard of an area (the user's own by default) for this month, another month or a year."""
    locale = get_locale(request)
    chosen = period.strip() or clock.today().strftime("%Y-%m")
    error = None
    try:
        data = board.dashboard(session, scope, as_int(area_id, 1), chosen, locale)
    except Invalid as refused:
        error = refused.text(locale)
        chosen = clock.today().strftime("%Y-%m")
        data = board.dashboard(session, scope, as_int(area_id, 1), chosen, locale)
    context: dict[str, Any] = {
        "scope": scope,
        "nav": "dashboard",
        "data": data,
        "period": chosen,
        "error": error,
        "links": {code: link.format(area=data.area.id) for code, link in LINKS.items()},
    }
    return render(request, "reports/dashboard.html", context, status=422 if error else 200)


@router.get("/dashboard/overdue", include_in_schema=False)
def overdue_page(request: Request, scope: Access, session: SessionDep, area_id: str = "", page: str = "1") -> Response:
    """Return the households of an area whose contact or visit is overdue today, longest overdue first."""
    results = overdue_households(session, scope, as_int(area_id, 1), max(as_int(page) or 1, 1))
    context = {"scope": scope, "nav": "dashboard", "results": results, "page_url": pager_url(request)}
    return render(request, "reports/overdue.html", context)


@router.get("/dashboard/profile", include_in_schema=False)
def profile_page(request: Request, scope: Access, session: SessionDep, area_id: str = "") -> Response:
    """Return an area's profile (网格画像): who lives there, in counts only."""
    profile = grid_profile(session, scope, as_int(area_id, 1), get_locale(request))
    return render(request, "reports/profile.html", {"scope": scope, "nav": "dashboard", "profile": profile})
