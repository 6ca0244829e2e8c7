"""The ledger's optional 单元 and 房屋状态 columns: imported, exported, and old files without them still import."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.ledger.columns import HEADERS
from linli.ledger.exporting import export_ledger
from linli.ledger.importing import import_ledger
from linli.registry.models import House, Household, Resident, Unit
from tests.factories import World, scope_of
from tests.ledger.helpers import person, xlsx

OLD_HEADERS = tuple(h for h in HEADERS if h not in ("单元", "房屋状态"))


def home_of(db: Session, name: str) -> tuple[str, str, str, str]:
    row = db.execute(
        select(Household.room, Unit.name, House.room, House.status)
        .join(Resident, Resident.household_id == Household.id)
        .join(House, House.id == Household.house_id)
        .join(Unit, Unit.id == House.unit_id)
        .where(Resident.name == name)
    ).one()
    return (row[0], row[1], row[2], row[3])


def test_an_old_ledger_without_unit_or_status_lands_every_household_on_a_house(
    db: Session, world: World, tmp_path: Path
) -> None:
    rows = [person(0, 房号="2-301"), person(3, 房号="502")]
    result = import_ledger(db, scope_of(db, "grid1"), xlsx(tmp_path / "old.xlsx", rows, OLD_HEADERS))
    assert result.committed and result.rejected == 0
    assert home_of(db, rows[0]["姓名"]) == ("2-301", "2单元", "301", "owner_occupied")
    assert home_of(db, rows[1]["姓名"]) == ("502", "1单元", "502", "owner_occupied")


def test_the_unit_and_status_columns_place_the_house_and_set_its_status(
    db: Session, world: World, tmp_path: Path
) -> None:
    rows = [
        person(0, 房号="301", 单元="2", 房屋状态="出租"),
        person(3, 房号="301", 单元="3单元", 房屋状态="空置"),
        person(6, 房号="301", 单元="", 房屋状态="坏了"),
    ]
    result = import_ledger(db, scope_of(db, "grid1"), xlsx(tmp_path / "new.xlsx", rows), partial=True)
    assert result.created == 2 and result.rejected == 1
    assert result.rejections[0].code == "ledger.house_status_unknown"
    assert home_of(db, rows[0]["姓名"]) == ("2单元301", "2单元", "301", "rented")
    assert home_of(db, rows[1]["姓名"]) == ("3单元301", "3单元", "301", "vacant")


def test_the_export_writes_unit_and_status_and_imports_back_unchanged(
    db: Session, world: World, tmp_path: Path
) -> None:
    rows = [person(0, 房号="301", 单元="2", 房屋状态="出租")]
    import_ledger(db, scope_of(db, "grid1"), xlsx(tmp_path / "in.xlsx", rows))
    out = tmp_path / "out.xlsx"
    export_ledger(db, scope_of(db, "secretary"), world.grid1.code, out, unmasked=True)
    sheet = load_workbook(out).worksheets[0]
    header = [c.value for c in sheet[1]]
    found = {
        row[header.index("姓名")]: (row[header.index("单元")], row[header.index("房号")], row[header.index("房屋状态")])
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert found[rows[0]["姓名"]] == ("2单元", "2单元301", "出租")
    assert found[world.resident1.name] == ("1单元", "301", "自住")
    again = import_ledger(db, scope_of(db, "secretary"), out)
    assert again.rejected == 0 and again.created == 0 and again.updated == 0
