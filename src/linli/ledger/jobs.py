"""Imports started from the web run in the background, so a 100,000-row upload outlives no request.

The upload is saved to a temporary file and imported by a thread of this process; its progress, counts
and report are written to the ``ledger_job`` row, so whichever worker process answers the page's poll
reads the same state. A job whose heartbeat stops (the process died) is shown as interrupted; its
import was one transaction, so it left nothing behind. Jobs (and their reports, which hold the
uploaded personal data) are deleted after a week.
"""

from __future__ import annotations

import base64
import logging
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from io import BytesIO
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from linli.accounts.permissions import LEDGER_IMPORT, Scope
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import DomainError, Invalid, NotFound
from linli.ledger.importing import ImportResult, import_ledger
from linli.ledger.models import LedgerJob
from linli.ledger.reading import WORKBOOK_SUFFIXES, open_ledger
from linli.ledger.report import write_report
from linli.ledger.schemas import JobOut
from linli.runtime import Runtime, cipher_of

log = logging.getLogger(__name__)

MAX_UPLOAD = 64 * 1024 * 1024
SUFFIXES = (*WORKBOOK_SUFFIXES, ".csv", ".txt")
# No heartbeat for this long means the process that ran the job is gone. SQLite lets no one else
# write while an import writes, so the heartbeat pauses then: allow a long write.
STALE = timedelta(minutes=15)
THROTTLE = 0.5  # seconds between progress writes
# A report is a copy of the uploaded ledger, full ID numbers included: it is kept a week, no longer.
KEEP = timedelta(days=7)
_executor: ThreadPoolExecutor | None = None


def executor() -> ThreadPoolExecutor:
    """Return the thread that runs imports, one at a time (they would queue on the write lock anyway)."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="linli-ledger")
    return _executor


def check_upload(file_name: str, size: int) -> None:
    """Refuse an upload that is empty, too large, or not a workbook or CSV file, before saving it."""
    if not file_name.lower().endswith(SUFFIXES):
        raise Invalid("ledger.file_type", "Upload an .xlsx workbook or a .csv file.", "file")
    if size == 0:
        raise Invalid("ledger.file_empty", "The file is empty.", "file")
    if size > MAX_UPLOAD:
        raise Invalid("ledger.file_large", "The file is larger than {mb} MB.", "file", mb=MAX_UPLOAD // 2**20)


def start_import(
    runtime: Runtime,
    session: Session,
    scope: Scope,
    data: bytes,
    file_name: str,
    *,
    dry_run: bool = False,
    partial: bool = False,
) -> tuple[int, Future[None]]:
    """Return the id of a queued import of an uploaded file (and its future, for tests).

    The job row is written with ``session`` (the request's), so the same session reads it back.
    """
    scope.require(LEDGER_IMPORT)
    file_name = Path(file_name or "ledger.xlsx").name[:200]
    check_upload(file_name, len(data))
    with tempfile.NamedTemporaryFile(prefix="linli-ledger-", suffix=Path(file_name).suffix, delete=False) as handle:
        handle.write(data)
        path = Path(handle.name)
    with transaction(session):
        session.execute(delete(LedgerJob).where(LedgerJob.created_at < utcnow() - KEEP))
        job = LedgerJob(
            user_id=scope.user_id, username=scope.username, file_name=file_name, dry_run=dry_run, partial=partial
        )
        session.add(job)
        session.flush()
        job_id = job.id
    future = executor().submit(run_job, runtime, scope, job_id, path)
    return job_id, future


class _Recorder:
    """Write a job's progress to its row: at each new stage, and otherwise at most twice a second."""

    def __init__(self, runtime: Runtime, job_id: int) -> None:
        self.runtime, self.job_id = runtime, job_id
        self.stage, self.at = "", 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage == self.stage and now - self.at < THROTTLE:
            return
        self.stage, self.at = stage, now
        _set(self.runtime, self.job_id, status="running", stage=stage, done=done, total=total)


def _set(runtime: Runtime, job_id: int, **values: object) -> None:
    with runtime.sessions() as session, transaction(session):
        session.execute(update(LedgerJob).where(LedgerJob.id == job_id).values(heartbeat_at=utcnow(), **values))


def run_job(runtime: Runtime, scope: Scope, job_id: int, path: Path) -> None:
    """Import the file of job ``job_id``, record the outcome and the report, and remove the file."""
    try:
        with runtime.sessions() as session:
            job = session.get(LedgerJob, job_id)
            assert job is not None
            name, dry_run, partial = job.file_name, job.dry_run, job.partial
            result = import_ledger(
                session,
                scope,
                path,
                file_name=name,
                dry_run=dry_run,
                partial=partial,
                progress=_Recorder(runtime, job_id),
                job_id=job_id,
            )
        _set(runtime, job_id, stage="report")
        buffer = BytesIO()
        write_report(open_ledger(path, name), result, buffer)
        _finish(runtime, job_id, result, buffer.getvalue())
    except DomainError as error:
        _set(
            runtime,
            job_id,
            status="failed",
            error_code=error.code,
            error_zh=error.text("zh"),
            error_en=error.text("en"),
            finished_at=utcnow(),
        )
    except Exception:
        log.exception("ledger import job %s failed", job_id)
        _set(
            runtime,
            job_id,
            status="failed",
            error_code="ledger.failed",
            error_zh="导入意外中止，未写入任何数据；请稍后重试或联系管理员。",
            error_en="The import stopped unexpectedly and wrote nothing; try again later or ask the administrator.",
            finished_at=utcnow(),
        )
    finally:
        path.unlink(missing_ok=True)


def _finish(runtime: Runtime, job_id: int, result: ImportResult, report: bytes) -> None:
    stem = Path(result.file_name).stem or "ledger"
    _set(
        runtime,
        job_id,
        status="done",
        stage="done",
        done=result.total,
        total=result.total,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        rejected=result.rejected,
        committed=result.committed,
        unknown_columns="\n".join(result.unknown_columns),
        report_enc=runtime.cipher.encrypt(base64.b64encode(report).decode()),
        report_name=f"{stem}-导入报告.xlsx",
        finished_at=utcnow(),
    )


def _own_job(session: Session, scope: Scope, job_id: int) -> LedgerJob:
    job = session.get(LedgerJob, job_id)
    if job is None or job.user_id != scope.user_id:
        raise NotFound("ledger_job")
    return job


def job_status(session: Session, scope: Scope, job_id: int, locale: str = "zh") -> JobOut:
    """Return the state of one of the caller's import jobs; another user's job is not found."""
    job = _own_job(session, scope, job_id)
    status = job.status
    if status in ("queued", "running") and utcnow() - job.heartbeat_at > STALE:
        status = "interrupted"
    return JobOut(
        id=job.id,
        file_name=job.file_name,
        status=status,
        stage=job.stage,
        done=job.done,
        total=job.total,
        percent=min(100, (100 * job.done) // job.total) if job.total else (100 if status == "done" else 0),
        created=job.created,
        updated=job.updated,
        unchanged=job.unchanged,
        rejected=job.rejected,
        committed=job.committed,
        dry_run=job.dry_run,
        partial=job.partial,
        unknown_columns=[c for c in job.unknown_columns.split("\n") if c],
        error=(job.error_zh if locale == "zh" else job.error_en) or None,
        report_ready=bool(job.report_name),
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


def job_report(session: Session, scope: Scope, job_id: int) -> tuple[str, bytes]:
    """Return the file name and content of the report of one of the caller's finished jobs."""
    _own_job(session, scope, job_id)
    row = session.execute(select(LedgerJob.report_name, LedgerJob.report_enc).where(LedgerJob.id == job_id)).one()
    if not row.report_enc:
        raise NotFound("ledger_report")
    return row.report_name, base64.b64decode(cipher_of(session).decrypt(row.report_enc))
