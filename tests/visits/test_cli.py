"""``linli visits`` as an operator runs it: a small demo, a year of logs, a worker's list."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli import Linli


def test_it_grows_logs_over_the_demo_and_prints_a_workers_list(tmp_path: Path) -> None:
    linli = Linli(tmp_path)
    assert linli("demo", "--residents", "400").returncode == 0
    grown = linli("visits", "demo-logs", "--days", "60")
    assert grown.returncode == 0, grown.stderr
    logs = linli.scalar("SELECT count(*) FROM grid_log")
    assert isinstance(logs, int) and logs > 100 and f"{logs} grid logs" in grown.stdout
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
