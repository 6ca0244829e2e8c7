"""Dashboards and reports: the figures of every module for any area and period, read from monthly rollups.

Importing the package gives the job runner (``needs.worker.JOBS``) the rollup refresh, every
``LINLI_ROLLUP_MINUTES``; the app, the CLI and the model registry import it.
"""

import logging

from linli.needs import worker
from linli.reports.rollup import refresh_due
from linli.runtime import Runtime

log = logging.getLogger("linli.worker")


def rollup_job(rt: Runtime) -> None:
    """Refresh the rollups once (a failure is logged; the next run retries)."""
    try:
        with rt.sessions() as session:
            done = refresh_due(session)
        log.info("rollups: %s", done)
    except Exception:
        log.exception("rollup refresh failed")


if not any(job_id == "rollups" for job_id, _, _ in worker.JOBS):
    worker.JOBS.append(("rollups", rollup_job, lambda settings: settings.rollup_minutes * 60))
