"""The ledger through the API: the template, background imports with their progress and report, exports."""

from __future__ import annotations

import tempfile
from io import BytesIO
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from linli.ledger import jobs
from linli.ledger.exporting import export_ledger
from linli.ledger.schemas import JobOut
from linli.ledger.template import write_template
from linli.web.deps import Access, Locale, SessionDep, current_scope, get_runtime

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"], dependencies=[Depends(current_scope)])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(name: str) -> dict[str, str]:
    """Return the header that downloads a file under ``name`` (Chinese names survive every browser)."""
    return {"content-disposition": f"attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''{quote(name)}"}


def workbook(data: bytes, name: str) -> Response:
    """Return a workbook download that no cache keeps (it carries personal data)."""
    return Response(data, media_type=XLSX, headers={**attachment(name), "cache-control": "no-store"})


def template_response(session: SessionDep, scope: Access) -> Response:
    """Return the template for the user's grids as a download."""
    buffer = BytesIO()
    write_template(session, scope, buffer)
    return workbook(buffer.getvalue(), "居民台账模板.xlsx")


def export_response(session: SessionDep, scope: Access, area: str, unmasked: bool) -> Response:
    """Return the ledger of ``area`` as a download, written to a temporary file first (any size)."""
    handle = tempfile.NamedTemporaryFile(prefix="linli-export-", suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    path = Path(handle.name)
    try:
        export_ledger(session, scope, area, path, unmasked=unmasked)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return FileResponse(
        path,
        media_type=XLSX,
        headers={**attachment(f"居民台账-{area}.xlsx"), "cache-control": "no-store"},
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


@router.get("/template", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def template(session: SessionDep, scope: Access) -> Response:
    """Download the ledger template for your grids."""
    return template_response(session, scope)


@router.post("/imports", response_model=JobOut, status_code=202)
def start_import(
    request: Request,
    scope: Access,
    session: SessionDep,
    locale: Locale,
    file: Annotated[UploadFile, File(description="The ledger, .xlsx or .csv")],
    dry_run: Annotated[bool, Form()] = False,
    partial: Annotated[bool, Form()] = False,
) -> JobOut:
    """Start importing a ledger in the background; poll the job for progress, then fetch the report."""
    data = file.file.read(jobs.MAX_UPLOAD + 1)
    job_id, _ = jobs.start_import(
        get_runtime(request), session, scope, data, file.filename or "", dry_run=dry_run, partial=partial
    )
    return jobs.job_status(session, scope, job_id, locale)


@router.get("/imports/{job_id}", response_model=JobOut)
def job(job_id: int, scope: Access, session: SessionDep, locale: Locale) -> JobOut:
    """Return the progress (or outcome) of one of your imports."""
    return jobs.job_status(session, scope, job_id, locale)


@router.get("/imports/{job_id}/report", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def report(job_id: int, scope: Access, session: SessionDep) -> Response:
    """Download the report of a finished import: the ledger with a reason beside each refused row."""
    name, data = jobs.job_report(session, scope, job_id)
    return workbook(data, name)


@router.get("/export", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def export(
    scope: Access,
    session: SessionDep,
    area: Annotated[str, Query(pattern=r"^\d{6,15}$", description="Code of the area to export")],
    unmasked: bool = False,
) -> Response:
    """Download the ledger of an area; ID numbers and phones masked unless you may export them unmasked."""
    return export_response(session, scope, area, unmasked)
