"""An import killed half-way leaves nothing behind: it is one transaction."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.registry.models import Building, Household, Resident, ResidentKey
from linli.runtime import Runtime
from tests.conftest import TEST_KEY
from tests.factories import World
from tests.ledger.helpers import csv_file, person

ROWS = 3_000
# Run by a child process: import the file as the system. Once the residents are written (not yet
# committed) it says so and dawdles, so the parent's kill lands in the middle of the write.
CHILD = """
import sys, time
from pathlib import Path
from linli.config import Settings
from linli.ledger.access import acting_scope
from linli.ledger.importing import import_ledger
from linli.registry import bulk
from linli.runtime import Runtime

insert_tuples = bulk.insert_tuples

def slow_insert_tuples(session, table, columns, rows, **options):
    insert_tuples(session, table, columns, rows, **options)
    if table.name == "resident":
        print("residents written", flush=True)
        time.sleep(30)

bulk.insert_tuples = slow_insert_tuples

def progress(stage, done, total):
    print(stage, flush=True)

runtime = Runtime(Settings())
with runtime.sessions() as session:
    import_ledger(session, acting_scope(session, None), Path(sys.argv[1]), progress=progress)
print("finished", flush=True)
"""


def counts(session: Session) -> tuple[int, ...]:
    session.expire_all()
    return tuple(
        session.scalar(select(func.count()).select_from(m)) or 0 for m in (Resident, Household, Building, ResidentKey)
    )


def test_a_killed_import_leaves_no_rows(runtime: Runtime, db: Session, world: World, tmp_path: Path) -> None:
    rows = [person(i, 楼栋=f"{i // 200}号楼", 房号=str(i % 200)) for i in range(ROWS)]
    path = csv_file(tmp_path / "big.csv", rows)
    before = counts(db)
    db.close()
    env = {**os.environ, "LINLI_DATABASE_URL": runtime.settings.database_url, "LINLI_DATA_KEY": TEST_KEY}
    env["LINLI_ENV"] = "test"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)], env=env, stdout=subprocess.PIPE, text=True, cwd=tmp_path
    )
    assert child.stdout is not None
    seen: list[str] = []
    for line in child.stdout:
        seen.append(line.strip())
        if seen[-1] == "residents written":
            break
    assert seen[-1:] == ["residents written"], f"the import ended before it wrote its residents: {seen}"
    assert child.poll() is None
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert counts(db) == before
