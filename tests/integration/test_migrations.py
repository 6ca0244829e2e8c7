"""Migrations: the models and the migrated schema agree on both databases."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import inspect

from linli.db import migrate
from linli.db.models import Base
from linli.runtime import Runtime
from tests.conftest import TEST_KEY


def test_it_finds_no_drift_between_models_and_migrations(runtime: Runtime) -> None:
    assert migrate.drift(runtime.engine) == []
    assert migrate.current(runtime.engine) == migrate.head()
    assert set(Base.metadata.tables) <= set(inspect(runtime.engine).get_table_names())


def test_it_passes_linli_db_check(database_url: str) -> None:
    env = {**os.environ, "LINLI_DATABASE_URL": database_url, "LINLI_DATA_KEY": TEST_KEY, "LINLI_ENV": "test"}
    done = subprocess.run(
        [sys.executable, "-m", "linli", "db", "check"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "agree" in done.stdout
