"""``linli visits`` as an operator runs it: a small demo, a year of logs, a worker's list."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.cli.test_cli import Linli


def test_it_grows_logs_over_the_demo_and_prints_a_workers_list(tmp_path: Path) -> None:
    linli = Linli(tmp_path)
    assert linli("demo", "--residents", "400").returncode == 0
    # The demo brings the year since its households came onto linli; keep its last 60 days.
    with sqlite3.connect(tmp_path / "linli.db") as conn:
        conn.execute("DELETE FROM grid_log WHERE started_at < datetime('now', '-60 days')")
    demo = linli.scalar("SELECT count(*) FROM grid_log")
    again = linli("visits", "demo-logs", "--days", "30")
    assert again.returncode == 0 and "0 grid logs" in again.stdout, again.stderr  # those days are logged already
    grown = linli("visits", "demo-logs", "--days", "3650")  # the days before them, back to the households' start
    assert grown.returncode == 0, grown.stderr
    logs = linli.scalar("SELECT count(*) FROM grid_log")
    assert isinstance(logs, int) and isinstance(demo, int) and demo > 100 and logs > demo
    assert f"{logs - demo} grid logs" in grown.stdout
    # No household has logs from before linli took it on.
    early = (
        "SELECT count(*) FROM grid_log g JOIN household h ON h.id = g.household_id "
        "WHERE substr(g.started_at, 1, 10) < h.registered_on"
    )
    assert linli.scalar(early) == 0
    # The older logs never move a household's last contact back in time.
    behind = (
        "SELECT count(*) FROM household_rhythm r WHERE r.last_contact_at < "
        "(SELECT max(g.started_at) FROM grid_log g WHERE g.household_id = r.household_id)"
    )
    assert linli.scalar(behind) == 0
    assert linli.scalar("SELECT count(*) FROM household_rhythm WHERE last_contact_at IS NULL AND active") == 0
    listed = linli("visits", "worklist", "--user", "wangge1", "--lang", "en")
    assert listed.returncode == 0, listed.stderr
    assert "第一网格网格员" in listed.stdout
    assert linli("db", "check").returncode == 0


def test_it_refuses_an_unknown_worker_or_a_bad_date_in_one_line(tmp_path: Path) -> None:
    linli = Linli(tmp_path)
    assert linli("demo", "--residents", "50").returncode == 0
    unknown = linli("visits", "worklist", "--user", "nobody")
    assert unknown.returncode == 2 and unknown.stderr.strip() == "linli: no user 'nobody'"
    bad = linli("visits", "worklist", "--user", "wangge1", "--date", "2026-13-01")
    assert bad.returncode == 2 and "not a date" in bad.stderr and "Traceback" not in bad.stderr
