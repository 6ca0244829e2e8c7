"""``linli needs`` as an operator runs it, on both databases; the worker's single-instance lock."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from linli.app import create_app
from linli.needs import catalogue, worker
from linli.needs.models import WorkOrder
from linli.runtime import Runtime
from tests.conftest import TEST_KEY, make_settings
from tests.needs.conftest import NeedsWorld, dispatched, slipped


def linli(url: str, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINLI_")}
    env.update(LINLI_DATABASE_URL=url, LINLI_DATA_KEY=TEST_KEY, LINLI_SECRET_KEY="s" * 40, LANG="en_US.UTF-8")
    return subprocess.Popen(
        [sys.executable, "-m", "linli", *args], env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def run(url: str, *args: str) -> tuple[int, str, str]:
    process = linli(url, *args)
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def test_it_imports_a_years_calendar_and_refuses_a_file_with_bad_rows(
    database_url: str, db: Session, nw: NeedsWorld, tmp_path: Path
) -> None:
    good = tmp_path / "calendar-2027.csv"
    good.write_text("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-20,workday,春节调休\n", encoding="utf-8")
    code, out, err = run(database_url, "needs", "calendar-import", str(good))
    assert code == 0, err
    assert "2027" in out
    db.rollback()  # end the test's own read, begun before the command wrote
    assert [d.day for d in catalogue.list_calendar(db, 2027)] == [date(2027, 1, 1), date(2027, 2, 20)]
    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind,name\n2027-13-01,holiday,x\n2027-03-01,day-off,y\n2027-05-01,holiday,劳动节\n")
    code, _, err = run(database_url, "needs", "calendar-import", str(bad))
    assert code == 2 and "Line 2" in err and "Line 3" in err
    db.rollback()
    assert len(catalogue.list_calendar(db, 2027)) == 2
    assert len(catalogue.list_calendar(db, 2026)) == 39


def test_it_runs_the_sla_tick_once_and_then_finds_nothing_even_when_two_run_at_once(
    database_url: str, db: Session, nw: NeedsWorld
) -> None:
    order = dispatched(db, nw)
    slipped(db, order.id, 240)
    both = [linli(database_url, "needs", "sla-tick") for _ in range(2)]
    outputs = sorted(p.communicate(timeout=120)[0].strip() for p in both)
    assert all(p.returncode == 0 for p in both)
    assert outputs[0].startswith("overdue 0, to community 0, to street 0")
    assert outputs[1].startswith("overdue 1, to community 1, to street 1")
    code, out, _ = run(database_url, "needs", "sla-tick")
    assert code == 0 and out.startswith("overdue 0")


def test_it_lets_one_worker_hold_the_lock_at_a_time(runtime: Runtime) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("the worker lock is PostgreSQL's; SQLite serves one machine")
    first = worker.try_worker_lock(runtime.engine)
    assert first is not None
    assert worker.try_worker_lock(runtime.engine) is None
    worker.release(first)
    again = worker.try_worker_lock(runtime.engine)
    assert again is not None
    worker.release(again)


def _overdue(runtime: Runtime, order_id: int) -> bool:
    with runtime.sessions() as session:
        return bool(session.get(WorkOrder, order_id).overdue)  # type: ignore[union-attr]


def test_the_server_runs_the_sla_tick_itself_when_told_to(database_url: str, db: Session, nw: NeedsWorld) -> None:
    order = dispatched(db, nw)
    slipped(db, order.id, 3)
    rt = Runtime(make_settings(database_url, jobs_in_process=True, sla_tick_seconds=5))
    app = create_app(rt.settings)
    app.state.runtime = rt
    with TestClient(app):
        assert app.state.scheduler.get_job("sla_tick") is not None
        deadline = time.monotonic() + 20
        while not _overdue(rt, order.id) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _overdue(rt, order.id)
    assert not app.state.scheduler.running
    rt.engine.dispose()


def test_the_server_leaves_the_jobs_to_the_worker_unless_told(runtime: Runtime) -> None:
    assert not runtime.settings.run_jobs_in_process  # tests run as env=test
    assert make_settings("sqlite://", env="development").run_jobs_in_process
    assert not make_settings("sqlite://", env="development", jobs_in_process=False).run_jobs_in_process
    app = create_app(runtime.settings)
    app.state.runtime = runtime
    with TestClient(app):
        assert app.state.scheduler is None


def test_the_worker_ticks_at_once_then_on_schedule_and_gives_the_lock_back(
    runtime: Runtime, db: Session, nw: NeedsWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = dispatched(db, nw)
    slipped(db, order.id, 3)
    said: list[str] = []
    scheduled: list[object] = []

    def start(scheduler: object) -> None:  # instead of blocking forever: note the job, then "Ctrl-C"
        scheduled.extend(scheduler.get_jobs())  # type: ignore[attr-defined]
        raise KeyboardInterrupt

    monkeypatch.setattr(worker.BlockingScheduler, "start", start)
    with pytest.raises(KeyboardInterrupt):
        worker.run(runtime, said.append, every_seconds=30)
    assert said == ["linli worker: SLA tick every 30 s"]
    # The modules above needs add their jobs (the dashboard's rollups) after the tick.
    assert scheduled[0].id == "sla_tick"  # type: ignore[attr-defined]
    assert {job.id for job in scheduled} == {"sla_tick", *(j for j, _, _ in worker.JOBS)}  # type: ignore[attr-defined]
    assert _overdue(runtime, order.id)
    held = worker.try_worker_lock(runtime.engine)  # released: a new worker can take over
    assert held is not None
    worker.release(held)
