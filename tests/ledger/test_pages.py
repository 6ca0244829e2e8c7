"""The ledger page: download the template, fill two rows, upload, watch the progress, fix, upload again."""

from __future__ import annotations

import re
import time
from io import BytesIO
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.ledger.columns import COLUMNS
from linli.registry.models import Resident
from tests.conftest import login
from tests.factories import World
from tests.ledger.helpers import person

# The report's reason comes after the template's columns (the optional 单元 and 房屋状态 are last).
REASON_COLUMN = len(COLUMNS) + 1

HTMX = {"HX-Request": "true"}


def wait_for(client: TestClient, url: str) -> str:
    """Poll a job card as htmx does until it stops asking for itself; return the last card."""
    for _ in range(400):
        card = client.get(url, headers=HTMX).text
        if 'hx-trigger="every 1s"' not in card:
            return card
        time.sleep(0.05)
    raise AssertionError("the import did not finish")


def fill(template: bytes, rows: list[dict[str, Any]]) -> bytes:
    book = load_workbook(BytesIO(template))
    sheet = book["居民台账"]
    headers = [c.value for c in sheet[1]]
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client: TestClient, data: bytes, name: str = "台账.xlsx", **form: str) -> str:
    response = client.post("/ledger/imports", files={"file": (name, data)}, data=form, headers=HTMX)
    assert response.status_code == 200, response.text
    return response.text


def test_a_clerk_fills_the_template_uploads_fixes_the_refused_row_and_uploads_again(
    client: TestClient, db: Session, world: World
) -> None:
    login(client, "grid1")
    page = client.get("/ledger")
    assert page.status_code == 200 and 'href="/ledger/template.xlsx"' in page.text and 'name="dry_run"' in page.text
    template = client.get("/ledger/template.xlsx")
    assert template.headers["content-type"].startswith("application/vnd.openxmlformats")
    good, bad = person(0, 姓名="韩梅梅"), person(1, 姓名="李雷", 联系电话="12345")
    card = upload(client, fill(template.content, [good, bad]))
    job = re.search(r'hx-get="(/ledger/imports/\d+)"', card)
    assert job is not None and "<progress" in card
    card = wait_for(client, job.group(1))
    assert "有行未通过检查" in card and 'href="/ledger/imports/' in card
    db.rollback()
    assert db.scalar(select(Resident.id).where(Resident.name == "韩梅梅")) is None  # all or nothing
    report = client.get(job.group(1) + "/report.xlsx")
    assert report.status_code == 200
    book = load_workbook(BytesIO(report.content))
    sheet = book.worksheets[0]
    assert sheet.cell(row=3, column=1).value == "李雷" and "联系电话" in sheet.cell(row=3, column=REASON_COLUMN).value
    sheet.cell(row=3, column=5).value = "13912340000"
    fixed = BytesIO()
    book.save(fixed)
    card = upload(client, fixed.getvalue(), "台账-改.xlsx")
    job = re.search(r'hx-get="(/ledger/imports/\d+)"', card)
    assert job is not None
    card = wait_for(client, job.group(1))
    assert "导入完成" in card
    db.rollback()
    assert set(db.scalars(select(Resident.name).where(Resident.name.in_(["韩梅梅", "李雷"])))) == {"韩梅梅", "李雷"}


def test_a_dry_run_through_the_api_reports_and_writes_nothing(client: TestClient, db: Session, world: World) -> None:
    login(client, "grid1")
    body = client.post(
        "/api/v1/ledger/imports",
        files={"file": ("t.csv", "姓名,网格\n张三,第一网格\n".encode())},
        data={"dry_run": "true"},
    )
    assert body.status_code == 202, body.text
    job = body.json()
    for _ in range(400):
        job = client.get(f"/api/v1/ledger/imports/{job['id']}").json()
        if job["status"] not in ("queued", "running"):
            break
        time.sleep(0.05)
    assert job["status"] == "done" and job["dry_run"] and not job["committed"] and job["created"] == 1
    db.rollback()
    assert db.scalar(select(Resident.id).where(Resident.name == "张三")) is None
    login(client, "grid2")
    assert client.get(f"/api/v1/ledger/imports/{job['id']}").status_code == 404  # another user's job


def test_it_refuses_a_file_of_the_wrong_kind(client: TestClient, world: World) -> None:
    login(client, "grid1")
    card = upload(client, b"hello", "notes.docx")
    assert "请上传 .xlsx 工作簿或 .csv 文件" in card
    response = client.post("/api/v1/ledger/imports", files={"file": ("notes.docx", b"hello")})
    assert response.status_code == 422 and response.json()["error"]["code"] == "ledger.file_type"


def test_the_export_button_downloads_a_masked_ledger_for_a_supervisor(client: TestClient, world: World) -> None:
    login(client, "supervisor")
    page = client.get("/ledger").text
    assert 'name="unmasked"' not in page and "导入台账" not in page
    response = client.get("/ledger/export.xlsx", params={"area": world.community.code})
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 3 and all("*" in (row[3] or "*") for row in rows[1:])
    assert client.get("/ledger/export.xlsx", params={"area": world.community.code, "unmasked": "1"}).status_code == 403


def test_it_forgets_jobs_and_their_reports_after_a_week(app: Any, db: Session, world: World) -> None:
    from datetime import timedelta

    from linli.db.base import utcnow
    from linli.ledger import jobs
    from linli.ledger.models import LedgerJob
    from tests.factories import scope_of
    from tests.ledger.helpers import make_job

    old = make_job(db, "grid1")
    db.get(LedgerJob, old).created_at = utcnow() - timedelta(days=8)  # type: ignore[union-attr]
    db.commit()
    job_id, future = jobs.start_import(
        app.state.runtime, db, scope_of(db, "grid1"), "姓名,网格\n张三,第一网格\n".encode(), "t.csv", dry_run=True
    )
    future.result(timeout=60)
    db.rollback()
    left = db.execute(select(LedgerJob.id, LedgerJob.file_name)).all()
    assert [tuple(row) for row in left] == [(job_id, "t.csv")]
