"""ID and phone numbers never reach the disk in clear: not in the SQLite file, not in a pg_dump."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import make_url
from sqlalchemy.orm import Session

from linli.runtime import Runtime
from tests.conftest import IN_CI
from tests.factories import ID_NUMBERS

SECRETS = [ID_NUMBERS[0], ID_NUMBERS[1], "13912345678", "5921234567"]


def test_it_keeps_no_clear_number_in_the_stored_bytes(runtime: Runtime, db: Session, world) -> None:
    db.close()
    url = make_url(runtime.settings.database_url)
    if url.get_backend_name() == "sqlite":
        runtime.engine.dispose()  # checkpoint the WAL into the file
        stored = b"".join(Path(p).read_bytes() for p in Path(url.database or "").parent.glob("linli.db*"))
    else:
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            if IN_CI:
                pytest.fail("pg_dump is missing")
            pytest.skip("pg_dump is missing")
        stored = subprocess.run(
            [
                pg_dump,
                "-h",
                url.host or "127.0.0.1",
                "-p",
                str(url.port or 5432),
                "-U",
                url.username or "postgres",
                url.database or "",
            ],
            check=True,
            capture_output=True,
        ).stdout
    assert "曾伟".encode() in stored  # the dump is real: the name is there in clear
    for secret in SECRETS:
        assert secret.encode() not in stored, secret
