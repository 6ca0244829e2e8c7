"""``linli worker``: the jobs of a production deployment, in one process per database.

One worker runs the jobs; a second one started by mistake (or as a standby) waits for the first's
PostgreSQL advisory lock, held on its own connection for as long as the process lives. SQLite is a
one-machine deployment where the tick's own write lock already keeps runs apart.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import Connection, Engine, text

from linli.needs import escalation
from linli.runtime import Runtime

log = logging.getLogger("linli.worker")
RETRY_SECONDS = 30
# More jobs, filled by the modules above this one (the monthly rollups of ``reports``): an id, the
# function run with the runtime, and how often it runs — a function of the settings, in seconds.
JOBS: list[tuple[str, Callable[[Runtime], None], Callable[[Any], int]]] = []


def try_worker_lock(engine: Engine) -> Connection | None:
    """Return a connection holding the worker lock, or None when another worker holds it.

    On SQLite there is nothing to hold: the connection returned is an ordinary one.
    """
    connection = engine.connect()
    if engine.dialect.name != "postgresql":
        return connection
    got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": escalation.WORKER_LOCK}).scalar()
    connection.commit()
    if got:
        return connection
    connection.close()
    return None


def release(connection: Connection) -> None:
    """Give the worker lock back (a pooled connection would otherwise keep holding it) and close."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": escalation.WORKER_LOCK})
        connection.commit()
    connection.close()


def wait_for_lock(engine: Engine, say: Callable[[str], None]) -> Connection:
    """Return the worker lock's connection once it is free, saying so while another worker holds it."""
    told = False
    while True:
        held = try_worker_lock(engine)
        if held is not None:
            return held
        if not told:
            say(f"another linli worker holds the lock; waiting (retry every {RETRY_SECONDS} s)")
            told = True
        time.sleep(RETRY_SECONDS)


def sla_job(rt: Runtime) -> None:
    """Run the escalation tick once, logging what it changed (a failure is logged; the next run retries)."""
    try:
        with rt.sessions() as session:
            result = escalation.tick(session)
        if result.overdue or result.community or result.street or any(result.others.values()):
            log.info("sla tick: %s", result.model_dump())
    except Exception:
        log.exception("sla tick failed")


def _add_jobs(scheduler: BaseScheduler, rt: Runtime, every_seconds: int, **first: Any) -> None:
    """Give ``scheduler`` the jobs: the SLA tick every ``every_seconds``, never two at once, missed runs merged."""
    scheduler.add_job(
        sla_job, "interval", seconds=every_seconds, args=[rt], id="sla_tick", coalesce=True, max_instances=1, **first
    )
    for job_id, job, seconds in JOBS:  # their first run after one interval: the tick alone runs at once
        scheduler.add_job(
            job, "interval", seconds=seconds(rt.settings), args=[rt], id=job_id, coalesce=True, max_instances=1
        )


def start_in_process(rt: Runtime, every_seconds: int) -> BackgroundScheduler:
    """Return a started scheduler running the SLA tick in this process's background thread.

    ``linli serve`` uses it when no separate worker runs (the demo, a one-machine install); the tick
    is idempotent and safe to run twice at once, so several server processes doing so is harmless.
    """
    scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
    _add_jobs(scheduler, rt, every_seconds, next_run_time=datetime.now(UTC))  # the first tick at once
    scheduler.start()
    return scheduler


def run(rt: Runtime, say: Callable[[str], None], every_seconds: int = 60) -> None:
    """Hold the worker lock and run the jobs until interrupted: the SLA tick every ``every_seconds``."""
    held = wait_for_lock(rt.engine, say)
    scheduler = BlockingScheduler(timezone="Asia/Shanghai")
    _add_jobs(scheduler, rt, every_seconds)
    say(f"linli worker: SLA tick every {every_seconds} s")
    sla_job(rt)
    try:
        scheduler.start()
    finally:
        release(held)
