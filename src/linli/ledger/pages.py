"""Ledger pages: download the template, upload a ledger and watch its progress, get the report, export.

The upload starts a background job; its card polls the job every second (htmx) until the job is
done, then shows the counts and the report link. Without JavaScript the form posts and the job
page reloads itself the same way through its own link.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.permissions import LEDGER_EXPORT, LEDGER_EXPORT_UNMASKED, LEDGER_IMPORT, Scope
from linli.areas.models import Area
from linli.errors import DomainError, Invalid
from linli.ledger import jobs
from linli.ledger.api import export_response, template_response, workbook
from linli.web.deps import Access, Locale, SessionDep, current_scope, get_runtime
from linli.web.render import is_htmx, render

router = APIRouter(prefix="/ledger", dependencies=[Depends(current_scope)])

LEVELS = ("district", "street", "community", "grid")


def export_areas(session: Session, scope: Scope) -> list[Area]:
    """Return the areas the user may export, outermost first."""
    condition = scope.area_ids(LEDGER_EXPORT)
    if condition is None:
        return []
    return list(session.scalars(select(Area).where(condition).order_by(Area.path)))


def _page(request: Request, session: Session, scope: Scope, **extra: Any) -> Response:
    context: dict[str, Any] = {
        "scope": scope,
        "nav": "ledger",
        "can_import": scope.can(LEDGER_IMPORT),
        "can_unmask": scope.can(LEDGER_EXPORT_UNMASKED),
        "areas": export_areas(session, scope),
        "job": None,
        "error": None,
    }
    context.update(extra)
    return render(request, "ledger/index.html", context, status=422 if extra.get("error") else 200)


@router.get("", include_in_schema=False)
def ledger_page(request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the ledger page: template, upload, export."""
    scope.require(LEDGER_EXPORT)
    return _page(request, session, scope)


@router.get("/template.xlsx", include_in_schema=False)
def template_download(scope: Access, session: SessionDep) -> Response:
    return template_response(session, scope)


@router.post("/imports", include_in_schema=False)
def upload(
    request: Request,
    scope: Access,
    session: SessionDep,
    locale: Locale,
    file: Annotated[UploadFile | None, File()] = None,
    dry_run: Annotated[str, Form()] = "",
    partial: Annotated[str, Form()] = "",
) -> Response:
    """Start an import; htmx gets the job card (which polls itself), a plain form the job page."""
    try:
        if file is None or not file.filename:
            raise Invalid("ledger.file_missing", "Choose a file to upload.", "file")
        data = file.file.read(jobs.MAX_UPLOAD + 1)
        job_id, _ = jobs.start_import(
            get_runtime(request), session, scope, data, file.filename, dry_run=bool(dry_run), partial=bool(partial)
        )
    except DomainError as error:
        if is_htmx(request):
            return render(request, "ledger/_job.html", {"job": None, "error": error.text(locale)})
        return _page(request, session, scope, error=error.text(locale))
    if is_htmx(request):
        return render(request, "ledger/_job.html", {"job": jobs.job_status(session, scope, job_id, locale)})
    return RedirectResponse(f"/ledger/imports/{job_id}", status_code=303)


@router.get("/imports/{job_id}", include_in_schema=False)
def job_page(request: Request, job_id: int, scope: Access, session: SessionDep, locale: Locale) -> Response:
    """Return an import's progress: the card alone for htmx's poll, else the whole page."""
    job = jobs.job_status(session, scope, job_id, locale)
    if is_htmx(request):
        return render(request, "ledger/_job.html", {"job": job})
    return _page(request, session, scope, job=job)


@router.get("/imports/{job_id}/report.xlsx", include_in_schema=False)
def report_download(job_id: int, scope: Access, session: SessionDep) -> Response:
    name, data = jobs.job_report(session, scope, job_id)
    return workbook(data, name)


@router.get("/export.xlsx", include_in_schema=False)
def export_download(scope: Access, session: SessionDep, area: str = "", unmasked: str = "") -> Response:
    return export_response(session, scope, area[:15], bool(unmasked))
