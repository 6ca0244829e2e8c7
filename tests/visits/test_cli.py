"""``linli visits`` as an operator runs it: a small demo, a year of logs, a worker's list."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli import Linli


def test_it_grows_logs_over_the_demo_and_prints_a_workers_list(tmp_path: Path) -> None:
    linli = Linli(tmp_path)
    assert linli("demo", "--residents", "400").returncode == 0
    demo = linli.scalar("SELECT count(*) FROM grid_log")  # the demo brings its last 60 days
    again = linli("visits", "demo-logs", "--days", "60")
    assert again.returncode == 0 and "0 grid logs" in again.stdout, again.stderr  # those days are logged already
    grown = linli("visits", "demo-logs", "--days", "120")  # the 60 days before them
    assert grown.returncode == 0, grown.stderr
    logs = linli.scalar("SELECT count(*) FROM grid_log")
    assert isinstance(logs, int) and isinstance(demo, int) and demo > 100 and logs > demo
    assert f"{logs - demo} grid logs" in grown.stdout
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
