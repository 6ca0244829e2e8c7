"""Exporting the ledger: masked unless permitted, formulas escaped, audited, and a faithful round trip."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from linli.audit.models import AuditEvent
from linli.db.engine import transaction
from linli.errors import Forbidden, NotFound
from linli.ledger.cells import TEXT_LIMIT
from linli.ledger.columns import HEADERS
from linli.ledger.exporting import export_ledger
from linli.ledger.importing import import_ledger
from linli.registry.models import (
    Building,
    House,
    Household,
    Resident,
    ResidentEvent,
    ResidentKey,
    ResidentTag,
    Tag,
    Unit,
)
from linli.visits.models import HouseholdRhythm
from tests.factories import ID_NUMBERS, World, make_household, make_resident, scope_of


def rows_of(path: Path) -> list[dict[str, Any]]:
    sheet = load_workbook(path).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(HEADERS)
    return [dict(zip(HEADERS, row, strict=True)) for row in values[1:]]


def test_it_masks_personal_fields_unless_the_user_may_export_them(db: Session, world: World, tmp_path: Path) -> None:
    path = tmp_path / "e.xlsx"
    assert export_ledger(db, scope_of(db, "supervisor"), world.community.code, path) == 2
    masked = {r["姓名"]: r for r in rows_of(path)}
    assert masked["曾伟"]["公民身份号码"] == "110105********002X" and masked["曾伟"]["联系电话"] == "*******5678"
    with pytest.raises(Forbidden):
        export_ledger(db, scope_of(db, "supervisor"), world.community.code, path, unmasked=True)
    with pytest.raises(Forbidden):
        export_ledger(db, scope_of(db, "grid1"), world.grid1.code, path, unmasked=True)
    assert export_ledger(db, scope_of(db, "secretary"), world.community.code, path, unmasked=True) == 2
    full = {r["姓名"]: r for r in rows_of(path)}
    assert full["曾伟"]["公民身份号码"] == ID_NUMBERS[0] and full["李娜"]["联系电话"] == "0592-1234567"
    assert full["曾伟"]["网格"] == "第一网格" and full["曾伟"]["社区"] == "阳台山社区"
    assert (
        full["曾伟"]["楼栋"] == "图强小区 3号楼"
        and full["曾伟"]["房号"] == "301"
        and full["曾伟"]["关爱标签"] == "独居老人"
    )


def test_it_keeps_an_export_within_reach_and_audits_it(db: Session, world: World, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        export_ledger(db, scope_of(db, "grid1"), world.grid2.code, tmp_path / "e.xlsx")
    assert export_ledger(db, scope_of(db, "grid1"), world.grid1.code, tmp_path / "e.xlsx") == 1
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "ledger.export")).one()
    assert (
        event.username == "grid1" and event.changes["rows"] == [None, 1] and event.changes["unmasked"] == [None, False]
    )


def test_it_escapes_text_a_spreadsheet_would_run_as_a_formula(db: Session, world: World, tmp_path: Path) -> None:
    make_resident(db, world.household1, name="张三", relation="10", notes='=HYPERLINK("http://x")', skills="+1 修电脑")
    export_ledger(db, scope_of(db, "grid1"), world.grid1.code, tmp_path / "e.xlsx")
    sheet = load_workbook(tmp_path / "e.xlsx").worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    row = {r["姓名"]: r for r in rows_of(tmp_path / "e.xlsx")}["张三"]
    assert row["备注"] == '\'=HYPERLINK("http://x")' and row["特长"] == "'+1 修电脑"


def test_it_shows_key_group_tags_only_to_those_who_may_see_them(db: Session, world: World, tmp_path: Path) -> None:
    make_resident(db, world.household1, name="张三", relation="10", tags=["released_prisoner", "veteran"])
    export_ledger(db, scope_of(db, "grid1"), world.grid1.code, tmp_path / "e.xlsx")
    assert {r["姓名"]: r for r in rows_of(tmp_path / "e.xlsx")}["张三"]["关爱标签"] == "退役军人"
    export_ledger(db, scope_of(db, "secretary"), world.grid1.code, tmp_path / "e.xlsx")
    assert {r["姓名"]: r for r in rows_of(tmp_path / "e.xlsx")}["张三"]["关爱标签"] == "退役军人、刑满释放人员"


def people(session: Session) -> set[tuple[Any, ...]]:
    """Return every active resident as what a ledger carries: person, place and tags (no ids)."""
    cipher = session.info["cipher"]
    tags: dict[int, set[str]] = {}
    for rid, code in session.execute(select(ResidentTag.resident_id, Tag.code).join(Tag)):
        tags.setdefault(rid, set()).add(code)
    out = set()
    for r, building, compound, room in session.execute(
        select(Resident, Building.name, Building.compound, Household.room)
        .outerjoin(Household, Household.id == Resident.household_id)
        .outerjoin(Building, Building.id == Household.building_id)
    ):
        out.add(
            (
                r.name,
                r.gender,
                r.birth_date,
                cipher.decrypt(r.id_number_enc) if r.id_number_enc else None,
                cipher.decrypt(r.phone_enc) if r.phone_enc else None,
                r.area_id,
                r.relation,
                r.kind,
                r.skills,
                r.willing_to_help,
                r.notes,
                " ".join(p for p in (compound, building) if p),
                room,
                frozenset(tags.get(r.id, set())),
            )
        )
    return out


def homes(session: Session) -> set[tuple[Any, ...]]:
    """Return every household as its grid, building label, room and head's name."""
    return set(
        session.execute(
            select(Household.area_id, Building.compound, Building.name, Household.room, Resident.name)
            .join(Building, Building.id == Household.building_id)
            .outerjoin(Resident, Resident.id == Household.head_id)
        ).all()
    )


def wipe_registry(session: Session) -> None:
    """Empty the registry (residents, households, buildings and what hangs off them); areas and users stay."""
    with transaction(session):
        session.execute(text("UPDATE household SET head_id = NULL"))
        for model in (
            HouseholdRhythm,
            ResidentKey,
            ResidentTag,
            ResidentEvent,
            Resident,
            Household,
            House,
            Unit,
            Building,
        ):
            session.execute(delete(model))


def test_an_unmasked_export_imported_into_an_empty_registry_gives_the_same_people(
    db: Session, world: World, tmp_path: Path
) -> None:
    make_resident(
        db,
        world.household1,
        name="张三",
        relation="10",
        tags=["veteran", "disabled"],
        skills="书法",
        willing_to_help=True,
        notes="-腿脚不便，需要帮助",
    )
    make_resident(db, world.household1, name="张小三", relation="20", birth_date="2015-06-01", gender="1")
    make_resident(db, world.household2, name="Anna Müller", relation="99", kind="03", phone="+4915123456789")
    before_people, before_homes = people(db), homes(db)
    admin = scope_of(db, "admin")
    assert export_ledger(db, admin, world.district.code, tmp_path / "e.xlsx", unmasked=True) == 6
    wipe_registry(db)
    result = import_ledger(db, admin, tmp_path / "e.xlsx")
    assert (result.created, result.rejected) == (6, 0), result.rejections
    assert people(db) == before_people
    assert {(a, f"{c} {b}".strip(), r, h) for a, c, b, r, h in homes(db)} == {
        (a, f"{c} {b}".strip(), r, h) for a, c, b, r, h in before_homes
    }
    assert db.scalars(select(HouseholdRhythm.household_id)).all()  # the visit rhythm followed the import
    again = import_ledger(db, admin, tmp_path / "e.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)


@pytest.mark.parametrize(
    "number", ["+8613912345678", "+8619912345678", "+865921234567", "+861012345678", "+4915123456789"]
)
def test_it_writes_phones_as_the_registry_shows_them(number: str) -> None:
    from linli.ledger.exporting import national
    from linli.lib import phone

    assert national(number) == phone.national(number)


def test_a_grid_export_still_names_the_community(db: Session, world: World, tmp_path: Path) -> None:
    export_ledger(db, scope_of(db, "grid1"), world.grid1.code, tmp_path / "e.xlsx")
    assert [r["社区"] for r in rows_of(tmp_path / "e.xlsx")] == ["阳台山社区"]


def test_the_sheet_keeps_the_header_frozen_dates_as_dates_and_rooms_as_text(
    db: Session, world: World, tmp_path: Path
) -> None:
    home = make_household(db, world.grid2, room="0301")
    make_resident(db, home, name="陈红", birth_date="1949-12-31")
    export_ledger(db, scope_of(db, "grid2"), world.grid2.code, tmp_path / "e.xlsx")
    sheet = load_workbook(tmp_path / "e.xlsx").worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    row = {HEADERS[c.column - 1]: c for c in next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "陈红")}
    born = row["出生日期"]
    assert born.is_date and born.value.date() == date(1949, 12, 31) and born.number_format == "yyyy-mm-dd"
    assert (row["房号"].value, row["房号"].data_type) == ("0301", "s")


def test_an_area_with_nobody_in_it_exports_the_header_alone(db: Session, world: World, tmp_path: Path) -> None:
    with transaction(db):
        db.execute(text("UPDATE resident SET status = 'moved_out' WHERE area_id = :grid"), {"grid": world.grid2.id})
    assert export_ledger(db, scope_of(db, "grid2"), world.grid2.code, tmp_path / "e.xlsx") == 0
    assert rows_of(tmp_path / "e.xlsx") == []


def test_a_note_longer_than_a_cell_holds_is_cut_not_fatal(db: Session, world: World, tmp_path: Path) -> None:
    home = make_household(db, world.grid2, room="502")
    make_resident(db, home, name="陈红", notes="长" * 40_000)
    export_ledger(db, scope_of(db, "grid2"), world.grid2.code, tmp_path / "e.xlsx")
    assert {r["姓名"]: r for r in rows_of(tmp_path / "e.xlsx")}["陈红"]["备注"] == "长" * TEXT_LIMIT
