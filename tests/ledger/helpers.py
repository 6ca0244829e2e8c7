"""Ledger workbooks and CSV files built in the test, as clerks fill them in."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.audit.models import AuditEvent
from linli.ledger.columns import HEADERS
from linli.registry.models import Building, Household, Resident, ResidentEvent, ResidentKey, ResidentTag
from tests.factories import id_number

# A valid row of 阳台山社区's first grid (the personas' world), by header.
BORN = date(1980, 1, 1)


def person(seq: int, **cells: Any) -> dict[str, Any]:
    """Return a valid ledger row (as a dict by header) for a new person of grid 1; ``cells`` override."""
    born = date(1950 + seq % 50, 1 + seq % 12, 1 + seq % 28)
    row: dict[str, Any] = {
        "姓名": f"王{chr(0x4E00 + seq % 500)}{chr(0x4E00 + (seq * 7) % 500)}",
        "性别": "男" if seq % 2 else "女",
        "出生日期": born,
        "公民身份号码": id_number(born, seq),
        "联系电话": f"1390000{seq:04d}",
        "社区": "阳台山社区",
        "网格": "第一网格",
        "楼栋": "7号楼",
        "房号": str(100 + seq // 3),
        "与户主关系": "户主" if seq % 3 == 0 else "配偶" if seq % 3 == 1 else "子",
        "人员类别": "户籍人口",
        "关爱标签": "",
        "特长": "",
        "志愿意愿": "否",
        "备注": "",
    }
    row.update(cells)
    return row


def xlsx(
    path: Path, rows: list[dict[str, Any]], headers: tuple[str, ...] | list[str] = HEADERS, title: str = ""
) -> Path:
    """Write ``rows`` under ``headers`` (a title row first when given) and return the path."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if title:
        sheet.append([title])
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(h) if row.get(h) != "" else None for h in headers])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # typed as text, as Excel keeps '=… : not a formula
    book.save(path)
    return path


def csv_file(
    path: Path, rows: list[dict[str, Any]], encoding: str = "utf-8", headers: tuple[str, ...] = HEADERS
) -> Path:
    """Write ``rows`` as CSV in ``encoding`` (``utf-8-sig`` adds the BOM) and return the path."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") if not isinstance(row.get(h), date) else row[h].isoformat() for h in headers])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def registry_snapshot(session: Session) -> dict[str, Any]:
    """Return everything an import may write, comparable across two moments."""
    session.expire_all()
    return {
        "residents": session.execute(
            select(
                Resident.id,
                Resident.name,
                Resident.gender,
                Resident.birth_date,
                Resident.id_number_hash,
                Resident.phone_hash,
                Resident.household_id,
                Resident.area_id,
                Resident.relation,
                Resident.kind,
                Resident.skills,
                Resident.notes,
                Resident.willing_to_help,
                Resident.version,
                Resident.updated_at,
            ).order_by(Resident.id)
        ).all(),
        "households": session.execute(
            select(Household.id, Household.building_id, Household.room, Household.head_id).order_by(Household.id)
        ).all(),
        "buildings": session.execute(select(Building.id, Building.name).order_by(Building.id)).all(),
        "tags": session.execute(
            select(ResidentTag.resident_id, ResidentTag.tag_id).order_by(ResidentTag.resident_id, ResidentTag.tag_id)
        ).all(),
        "keys": session.scalar(select(func.count()).select_from(ResidentKey)),
        "events": session.scalar(select(func.count()).select_from(ResidentEvent)),
    }


def resident_audits(session: Session) -> int:
    """Return how many audit events record a change to a resident."""
    return session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("resident.%"))) or 0


def make_job(session: Session, username: str) -> int:
    """Return the id of a finished import job of ``username`` with a small report (for route walks)."""
    import base64

    from linli.accounts.models import User
    from linli.db.engine import transaction
    from linli.ledger.models import LedgerJob

    user = session.scalars(select(User).where(User.username == username)).one()
    with transaction(session):
        job = LedgerJob(user_id=user.id, username=username, file_name="台账.xlsx", status="done", stage="done")
        job.report_enc = session.info["cipher"].encrypt(base64.b64encode(b"PK report").decode())
        job.report_name = "台账-导入报告.xlsx"
        session.add(job)
        session.flush()
        return job.id
