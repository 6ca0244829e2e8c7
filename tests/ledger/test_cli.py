"""``linli ledger``: template, import and export from the terminal, as the system or as a named user."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.audit.models import AuditEvent
from linli.ledger.columns import COLUMNS
from linli.registry.models import Resident
from linli.runtime import Runtime
from tests.conftest import TEST_KEY
from tests.factories import World
from tests.ledger.helpers import person, xlsx

# The report's reason comes after the template's columns (the optional 单元 and 房屋状态 are last).
REASON_COLUMN = len(COLUMNS) + 1


def linli(runtime: Runtime, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINLI_")}
    env.update(
        LINLI_DATABASE_URL=runtime.settings.database_url, LINLI_DATA_KEY=TEST_KEY, LINLI_ENV="test", LANG="en_US.UTF-8"
    )
    return subprocess.run(
        [sys.executable, "-m", "linli", "ledger", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_writes_the_template_imports_with_a_report_and_exports(
    runtime: Runtime, db: Session, world: World, tmp_path: Path
) -> None:
    done = linli(runtime, tmp_path, "template", "template.xlsx", "--user", "grid1")
    assert done.returncode == 0, done.stderr
    assert load_workbook(tmp_path / "template.xlsx").sheetnames == ["居民台账", "填写说明", "代码表"]

    xlsx(tmp_path / "t.xlsx", [person(0, 姓名="李雷"), person(1, 联系电话="12345")])
    refused = linli(runtime, tmp_path, "import", "t.xlsx", "--user", "grid1", "--report", "report.xlsx")
    assert refused.returncode == 1
    assert "0 created" not in refused.stdout and "1 refused" in refused.stdout
    assert "row 3 联系电话: This is not a valid phone number" in refused.stderr
    assert db.scalar(select(Resident.id).where(Resident.name == "李雷")) is None  # all or nothing
    assert load_workbook(tmp_path / "report.xlsx").worksheets[0].cell(row=1, column=REASON_COLUMN).value == "错误原因"

    partial = linli(runtime, tmp_path, "import", "t.xlsx", "--user", "grid1", "--partial")
    assert partial.returncode == 1 and "1 created" in partial.stdout
    db.rollback()  # end the read transaction: see what the command committed
    assert db.scalar(select(Resident.id).where(Resident.name == "李雷")) is not None

    masked = linli(
        runtime, tmp_path, "export", "--area", world.community.code, "e.xlsx", "--user", "supervisor", "--unmasked"
    )
    assert masked.returncode == 2 and "unmasked" in masked.stderr
    exported = linli(runtime, tmp_path, "export", "--area", world.community.code, "e.xlsx", "--unmasked")
    assert exported.returncode == 0 and exported.stdout.startswith("3 residents written"), exported.stderr
    db.rollback()
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "ledger.export")).one()
    assert event.username == "cli" and event.user_id is None and event.changes["rows"] == [None, 3]
