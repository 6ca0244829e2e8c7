"""The ``linli`` command as an operator runs it: a fresh SQLite file, settings from the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from linli import __version__, migrations
from tests.conftest import TEST_KEY

PASSWORD = "Init-pass-2026-long"


class Linli:
    """Runs ``linli`` in a clean folder against one SQLite file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.url = f"sqlite:///{folder / 'linli.db'}"
        self.password_file = folder / "admin-password"
        self.password_file.write_text(PASSWORD + "\n")

    def __call__(self, *args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LINLI_")}
        env.update(
            LINLI_DATABASE_URL=url or self.url,
            LINLI_DATA_KEY=TEST_KEY,
            LINLI_SECRET_KEY="s" * 40,
            LINLI_ARGON2_TIME_COST="1",
            LINLI_ARGON2_MEMORY_COST="8192",
            LANG="en_US.UTF-8",
        )
        return subprocess.run(
            [sys.executable, "-m", "linli", *args],
            cwd=self.folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def init(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return self("init", "--admin-password-file", str(self.password_file), *extra)

    def scalar(self, sql: str) -> Any:
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql)).scalar()
        finally:
            engine.dispose()


@pytest.fixture
def linli(tmp_path: Path) -> Linli:
    return Linli(tmp_path)


def refused_in_one_line(done: subprocess.CompletedProcess[str]) -> str:
    """Return the one line of a refusal, after checking the exit code and the absence of a traceback."""
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("linli: ")
    return lines[0]


def test_it_prints_its_version(linli: Linli) -> None:
    done = linli("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"linli {__version__}"


def test_it_initialises_a_database_with_its_first_administrator(linli: Linli) -> None:
    done = linli.init("--area-code", "350203", "--area-name", "思明区")
    assert done.returncode == 0, done.stderr
    assert "admin" in done.stdout and PASSWORD not in done.stdout + done.stderr
    assert linli.scalar("SELECT count(*) FROM user_account") == 1
    assert (
        linli.scalar(
            "SELECT a.role || ' ' || r.code FROM assignment a JOIN area r ON r.id = a.area_id "
            "JOIN user_account u ON u.id = a.user_id WHERE u.username = 'admin'"
        )
        == "admin 350203"
    )
    assert linli.scalar("SELECT count(*) FROM tag") >= 10
    stored = str(linli.scalar("SELECT password_hash FROM user_account"))
    assert stored.startswith("$argon2") and PASSWORD not in stored
    again = linli.init("--area-code", "350203", "--area-name", "思明区")
    assert again.returncode == 0 and "nothing else to do" in again.stdout
    assert linli.scalar("SELECT count(*) FROM user_account") == 1
    assert linli.scalar("SELECT count(*) FROM area") == 1


def test_it_refuses_a_new_database_without_an_area_code(linli: Linli) -> None:
    line = refused_in_one_line(linli.init())
    assert "--area-code" in line
    assert linli.scalar("SELECT count(*) FROM user_account") == 0


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--area-code", "35", "--area-name", "思明区"), "6 digits"),
        (("--area-code", "350203", "--area-name", "思明区", "--admin-password-file", "/no/such/file"), "no such file"),
    ],
)
def test_it_refuses_bad_init_input_in_one_line(linli: Linli, args: tuple[str, ...], says: str) -> None:
    assert says in refused_in_one_line(linli.init(*args))


def test_it_refuses_a_short_password(linli: Linli) -> None:
    linli.password_file.write_text("short")
    refused_in_one_line(linli.init("--area-code", "350203", "--area-name", "思明区"))
    assert linli.scalar("SELECT count(*) FROM user_account") == 0


def test_it_reports_the_schema_revision(linli: Linli) -> None:
    assert linli("db", "current").stdout.strip().startswith("none")
    assert linli("db", "upgrade").returncode == 0
    done = linli("db", "current")
    assert done.returncode == 0 and done.stdout.strip() == migrations.head()


def test_it_checks_that_models_and_migrations_agree(linli: Linli) -> None:
    refused_in_one_line(linli("db", "check"))
    assert linli("db", "upgrade").returncode == 0
    done = linli("db", "check")
    assert done.returncode == 0, done.stderr
    assert "agree" in done.stdout


@pytest.mark.parametrize(
    "url",
    [
        "nonsense://somewhere/db",
        "not a database url",
        "postgresql+psycopg://nobody@127.0.0.1:1/linli",
        "sqlite:////no/such/folder/linli.db",
    ],
)
def test_it_gives_a_one_line_reason_for_a_bad_database_url(linli: Linli, url: str) -> None:
    refused_in_one_line(linli("db", "current", url=url))
