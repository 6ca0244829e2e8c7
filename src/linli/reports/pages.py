"""The dashboard page: an area's figures for a month or a year, drawn as charts (Apache ECharts, served by
linli) over tables that say the same for screen readers and print; its children side by side; and the
overdue households behind a number.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from linli.errors import Invalid
from linli.lib import clock
from linli.reports import dashboard as board
from linli.reports.drill import overdue_households
from linli.reports.evaluation import evaluation
from linli.reports.profile import grid_profile
from linli.reports.workbook import report_workbook
from linli.web.deps import Access, SessionDep, current_scope, get_locale, get_runtime
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
    "events.reported": "/events?area_id={area}",
    "civic.follow_ups_late": "/councils/follow-ups",
    "civic.stories": "/stories",
}
# The parts of a grid worker's score, named for the page (English msgids).
PART_LABELS = {
    "visits": "Visit coverage",
    "contacts": "Contacted on time",
    "logs": "Logs",
    "needs": "Needs raised",
    "resolved": "Work orders resolved",
    "on_time": "On-time rate",
    "satisfaction": "Satisfaction",
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


@router.get("/dashboard/report.xlsx", include_in_schema=False)
def report_download(
    request: Request, scope: Access, session: SessionDep, area_id: str = "", period: str = ""
) -> Response:
    """Return the area's report for the period as an Excel workbook (audited as an export)."""
    weights = get_runtime(request).settings.evaluation_weights
    chosen = period.strip() or clock.today().strftime("%Y-%m")
    content, name = report_workbook(session, scope, as_int(area_id, 1), chosen, weights, get_locale(request))
    disposition = f"attachment; filename=\"report.xlsx\"; filename*=UTF-8''{quote(name)}"
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": disposition, "cache-control": "no-store"},
    )


@router.get("/dashboard/evaluation", include_in_schema=False)
def evaluation_page(
    request: Request, scope: Access, session: SessionDep, area_id: str = "", period: str = ""
) -> Response:
    """Return the grid workers of an area ranked for a month, with each part of their score."""
    weights = get_runtime(request).settings.evaluation_weights
    chosen = period.strip() or clock.today().strftime("%Y-%m")
    error = None
    try:
        ranked = evaluation(session, scope, as_int(area_id, 1), chosen, weights)
    except Invalid as refused:
        error = refused.text(get_locale(request))
        chosen = clock.today().strftime("%Y-%m")
        ranked = evaluation(session, scope, as_int(area_id, 1), chosen, weights)
    context = {"scope": scope, "nav": "dashboard", "ranked": ranked, "period": chosen, "error": error}
    context["part_labels"] = PART_LABELS
    return render(request, "reports/evaluation.html", context, status=422 if error else 200)
