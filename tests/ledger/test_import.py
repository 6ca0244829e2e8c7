"""Importing a ledger as clerks fill it in: every bad row refused with its reason, all or nothing by default."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.audit.models import AuditEvent
from linli.db.engine import transaction
from linli.errors import Conflict, Forbidden
from linli.ledger.importing import ImportResult, import_ledger
from linli.ledger.reading import open_ledger
from linli.ledger.report import write_report
from linli.registry.models import Building, Household, Resident, ResidentEvent, ResidentKey, ResidentTag, Tag
from linli.registry.schemas import ResidentIn
from linli.registry.services import create_resident
from linli.runtime import Runtime
from linli.visits.models import HouseholdRhythm
from linli.visits.rhythm import recompute_rhythm
from tests.factories import ID_NUMBERS, World, id_number, scope_of
from tests.ledger.helpers import csv_file, person, registry_snapshot, resident_audits, xlsx


def with_check(body: str) -> str:
    """Return ``body`` (17 digits) with its GB 11643 check character, whatever the date inside says."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(body))
    return body + "10X98765432"[total % 11]


def ending_in_x() -> str:
    """Return a valid ID number whose check character is X."""
    return next(n for seq in range(100, 200) if (n := with_check(f"35020319800101{seq}")).endswith("X"))


def messy_rows() -> dict[str, dict[str, object]]:
    """Return, by the code each should be refused with (or ``ok``), rows of every kind a ledger holds."""
    good = id_number(date(1975, 6, 1), 21)
    return {
        "ok": person(0),
        "ok_lower_x": person(1, 公民身份号码=" " + ending_in_x().lower() + " ", 出生日期="", 性别=""),
        "ok_full_width": person(
            2,
            公民身份号码="".join(chr(ord(c) + 0xFEE0) for c in id_number(date(1982, 3, 4), 23)),
            出生日期="1982年3月4日",
            性别="",
        ),
        "ok_15_digits": person(3, 公民身份号码="350203491231001", 出生日期=19491231, 性别="男", 姓名="老李"),
        "ok_serial_date": person(4, 公民身份号码=id_number(date(1949, 12, 31), 25), 出生日期=18262 + 1, 性别="男"),
        "resident.id_checksum": person(5, 公民身份号码=good[:-1] + ("0" if good[-1] != "0" else "1")),
        "resident.id_birth_date": person(6, 公民身份号码=with_check("35020319490230001"), 出生日期="", 性别=""),
        "resident.birth_date_mismatch": person(7, 出生日期="1999-09-09"),
        "resident.gender_mismatch": person(8, 性别="女" if person(8)["性别"] == "男" else "男"),
        "ledger.duplicate_id": person(9, 公民身份号码=person(10)["公民身份号码"]),
        "ledger.duplicate_id ": person(10),
        "ledger.id_other_person": person(11, 公民身份号码=ID_NUMBERS[0], 姓名="冒名", 出生日期="", 性别=""),
        "ledger.id_elsewhere": person(12, 公民身份号码=ID_NUMBERS[2], 姓名="王芳", 出生日期="", 性别=""),
        "ledger.grid_unknown": person(13, 网格="第二网格"),
        "ledger.community_unknown": person(14, 社区="厦禾社区"),
        "resident.name_required": person(15, 姓名=""),
        "resident.phone_invalid": person(16, 联系电话="12345"),
        "ledger.id_number_as_number": person(17, 公民身份号码=110105194912310020),
        "resident.tag_unknown": person(18, 关爱标签="独居老人、外星人"),
        "ledger.birth_date_unreadable": person(19, 出生日期="五月初五"),
        "ledger.place_incomplete": person(20, 房号=""),
    }


def expected(rows: dict[str, dict[str, object]]) -> dict[int, str]:
    """Return the code expected on each sheet row (the header is row 1)."""
    return {line: key.strip() for line, key in enumerate(rows, 2) if not key.startswith("ok")}


def codes_by_line(result: ImportResult) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for r in result.rejections:
        found.setdefault(r.line, set()).add(r.code)
    return found


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_it_refuses_every_kind_of_bad_row_with_its_reason_and_imports_nothing(
    db: Session, world: World, tmp_path: Path
) -> None:
    rows = messy_rows()
    path = xlsx(tmp_path / "台账.xlsx", list(rows.values()))
    before = registry_snapshot(db)
    result = import_ledger(db, scope_of(db, "grid1"), path)
    found = codes_by_line(result)
    for line, code in expected(rows).items():
        assert code in found.get(line, set()), (line, code, found.get(line))
    assert set(found) == set(expected(rows))
    assert result.rejected == len(expected(rows)) and result.created == 5 and not result.committed
    assert registry_snapshot(db) == before
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "ledger.import")).one()
    assert event.changes["file"] == [None, "台账.xlsx"] and event.changes["committed"] == [None, False]
    assert event.username == "grid1"


def test_it_explains_refusals_in_chinese_and_english_naming_the_column(
    db: Session, world: World, tmp_path: Path
) -> None:
    path = xlsx(tmp_path / "t.xlsx", [person(0, 联系电话="12345")])
    result = import_ledger(db, scope_of(db, "grid1"), path)
    (reason,) = result.rejections
    assert (reason.line, reason.column, reason.code) == (2, "联系电话", "resident.phone_invalid")
    assert "电话号码" in reason.zh and "phone" in reason.en


def test_it_imports_the_valid_rows_with_partial_and_reports_the_rest(db: Session, world: World, tmp_path: Path) -> None:
    rows = messy_rows()
    path = xlsx(tmp_path / "t.xlsx", list(rows.values()))
    residents = count(db, Resident)
    result = import_ledger(db, scope_of(db, "grid1"), path, partial=True)
    assert result.committed and result.created == 5 and result.rejected == len(expected(rows))
    assert count(db, Resident) == residents + 5
    old = db.scalar(select(Resident).where(Resident.name == "老李"))
    assert old is not None and old.birth_date == date(1949, 12, 31) and old.id_tail is not None
    number = db.info["cipher"].decrypt(old.id_number_enc)
    assert len(number) == 18 and number.startswith("35020319491231001")


def test_it_writes_residents_households_buildings_heads_keys_tags_and_events(
    db: Session, world: World, tmp_path: Path
) -> None:
    rows = [
        person(0, 姓名="单乐", 关爱标签="独居老人、退役军人", 特长="书法", 志愿意愿="是", 备注="=需要帮助"),
        person(1, 姓名="单敏"),
        person(2, 姓名="单小明", 楼栋="8号楼", 房号="201", 与户主关系="子"),
    ]
    path = xlsx(tmp_path / "t.xlsx", rows)
    result = import_ledger(db, scope_of(db, "grid1"), path)
    assert (result.created, result.rejected, result.buildings, result.households) == (3, 0, 2, 2)
    le = db.scalars(select(Resident).where(Resident.name == "单乐")).one()
    assert le.area_id == world.grid1.id and le.skills == "书法" and le.willing_to_help and le.notes == "=需要帮助"
    assert le.phone_tail == "0000" and le.relation == "02" and le.kind == "01"
    household = db.get(Household, le.household_id)
    assert household is not None and household.head_id == le.id and household.room == "100"
    assert db.get(Building, household.building_id).name == "7号楼"  # type: ignore[union-attr]
    tags = set(db.scalars(select(Tag.code).join(ResidentTag).where(ResidentTag.resident_id == le.id)))
    assert tags == {"living_alone", "veteran"}
    keys = set(db.scalars(select(ResidentKey.key).where(ResidentKey.resident_id == le.id)))
    assert {"shanle", "danle", "sl", "单乐", "乐"} <= keys
    events = db.scalars(select(ResidentEvent.kind).where(ResidentEvent.resident_id == le.id)).all()
    assert events == ["registered"]
    boy = db.scalars(select(Resident).where(Resident.name == "单小明")).one()
    assert db.get(Household, boy.household_id).head_id is None  # type: ignore[union-attr]


def test_it_changes_nothing_when_the_same_file_is_imported_twice(db: Session, world: World, tmp_path: Path) -> None:
    rows = [person(i, 关爱标签="独居老人" if i % 2 else "") for i in range(12)]
    rows.append(person(99, 姓名="曾伟", 公民身份号码=ID_NUMBERS[0], 出生日期="", 性别="", 楼栋="3号楼", 房号="301"))
    path = xlsx(tmp_path / "t.xlsx", rows)
    scope = scope_of(db, "grid1")
    first = import_ledger(db, scope, path)
    assert first.committed and first.created == 12
    before, audits = registry_snapshot(db), resident_audits(db)
    second = import_ledger(db, scope, path)
    assert (second.created, second.updated, second.unchanged, second.rejected) == (0, 0, 13, 0)
    assert registry_snapshot(db) == before and resident_audits(db) == audits


def test_it_updates_a_registered_resident_matched_on_the_id_number(db: Session, world: World, tmp_path: Path) -> None:
    row = person(
        0,
        姓名="曾伟",
        公民身份号码=ID_NUMBERS[0].lower(),
        出生日期="",
        性别="",
        楼栋="3号楼",
        房号="301",
        联系电话="13800001111",
    )
    row.update({"关爱标签": "高龄老人", "与户主关系": "户主"})
    path = xlsx(tmp_path / "t.xlsx", [row])
    audits = resident_audits(db)
    result = import_ledger(db, scope_of(db, "grid1"), path)
    assert (result.created, result.updated) == (0, 1)
    resident = db.get(Resident, world.resident1.id)
    assert resident is not None
    db.refresh(resident)
    assert resident.phone_tail == "1111" and resident.version == world.resident1.version + 1
    tags = set(db.scalars(select(Tag.code).join(ResidentTag).where(ResidentTag.resident_id == resident.id)))
    assert tags == {"very_old"}
    assert resident_audits(db) == audits + 1
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "resident.update")).all()[-1]
    assert event.changes["phone"] == ["****5678", "****1111"] and event.changes["tags"] == [
        ["living_alone"],
        ["very_old"],
    ]


def test_it_keeps_a_grid_worker_to_their_own_grids(db: Session, world: World, tmp_path: Path) -> None:
    path = xlsx(tmp_path / "t.xlsx", [person(0, 网格="第二网格"), person(1, 网格="350203002011002")])
    assert {r.code for r in import_ledger(db, scope_of(db, "grid1"), path).rejections} == {"ledger.grid_unknown"}
    assert import_ledger(db, scope_of(db, "secretary"), path, dry_run=True).rejected == 0


def test_it_refuses_an_import_to_those_without_the_permission(db: Session, world: World, tmp_path: Path) -> None:
    path = xlsx(tmp_path / "t.xlsx", [person(0)])
    with pytest.raises(Forbidden):
        import_ledger(db, scope_of(db, "supervisor"), path)


def test_it_asks_for_the_community_when_a_grid_name_is_shared(db: Session, world: World, tmp_path: Path) -> None:
    from tests.factories import make_area

    make_area(db, "grid", "350203002012002", "第一网格", world.other_community)
    path = xlsx(tmp_path / "t.xlsx", [person(0, 社区=""), person(1, 社区="350203002011")])
    result = import_ledger(db, scope_of(db, "admin"), path, dry_run=True)
    assert {(r.line, r.code) for r in result.rejections} == {(2, "ledger.grid_ambiguous")}


def test_a_dry_run_writes_nothing_and_reports_what_an_import_would(db: Session, world: World, tmp_path: Path) -> None:
    rows = messy_rows()
    path = xlsx(tmp_path / "t.xlsx", list(rows.values()))
    before, audits = registry_snapshot(db), count(db, AuditEvent)
    dry = import_ledger(db, scope_of(db, "grid1"), path, dry_run=True, partial=True)
    assert registry_snapshot(db) == before and count(db, AuditEvent) == audits and not dry.committed
    real = import_ledger(db, scope_of(db, "grid1"), path, partial=True)
    assert (dry.created, dry.rejected, dry.rejections) == (real.created, real.rejected, real.rejections)


def test_it_reads_csv_in_gb18030(db: Session, world: World, tmp_path: Path) -> None:
    path = csv_file(tmp_path / "t.csv", [person(0, 姓名="曾子墨"), person(1)], "gb18030")
    result = import_ledger(db, scope_of(db, "grid1"), path)
    assert result.created == 2 and db.scalar(select(Resident.id).where(Resident.name == "曾子墨"))


def test_the_report_is_the_ledger_with_reasons_beside_the_refused_rows(
    db: Session, world: World, tmp_path: Path
) -> None:
    rows = [person(0, 微信="wx1"), person(1, 联系电话="12345", 微信="=HYPERLINK(1)"), person(2)]
    headers = ["微信", "姓名", "公民身份号码", "联系电话", "网格", "楼栋", "房号", "性别", "出生日期"]
    path = xlsx(tmp_path / "t.xlsx", rows, headers, title="阳台山社区台账")
    result = import_ledger(db, scope_of(db, "grid1"), path)
    assert result.unknown_columns == ("微信",)
    write_report(open_ledger(path), result, tmp_path / "report.xlsx")
    book = load_workbook(tmp_path / "report.xlsx")
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[2]] == [*headers, "错误原因", "Reason"]
    assert sheet.cell(row=1, column=1).value == "阳台山社区台账"
    assert sheet.cell(row=4, column=2).value == rows[1]["姓名"]  # same row number as in the ledger
    assert "联系电话" in sheet.cell(row=4, column=10).value and "phone" in sheet.cell(row=4, column=11).value
    assert sheet.cell(row=4, column=1).value == "'=HYPERLINK(1)"  # shown, never run as a formula
    assert sheet.cell(row=3, column=10).value is None
    summary = book.worksheets[1]
    assert any(row[0].value == 4 and row[1].value == "联系电话" for row in summary.iter_rows(min_row=10))


def test_a_fixed_report_imports_only_what_was_refused(db: Session, world: World, tmp_path: Path) -> None:
    rows = [person(0), person(1, 联系电话="12345")]
    path = xlsx(tmp_path / "t.xlsx", rows)
    scope = scope_of(db, "grid1")
    first = import_ledger(db, scope, path, partial=True)
    assert (first.created, first.rejected) == (1, 1)
    write_report(open_ledger(path), first, tmp_path / "report.xlsx")
    book = load_workbook(tmp_path / "report.xlsx")
    book.worksheets[0].cell(row=3, column=5).value = "13912340000"
    book.save(tmp_path / "report.xlsx")
    second = import_ledger(db, scope, tmp_path / "report.xlsx")
    assert (second.created, second.unchanged, second.rejected, second.unknown_columns) == (1, 1, 0, ())


def test_it_refuses_to_write_when_the_registry_changed_while_the_file_was_checked(
    runtime: Runtime, db: Session, world: World, tmp_path: Path
) -> None:
    path = xlsx(tmp_path / "t.xlsx", [person(0), person(1)])

    def someone_else_registers(stage: str, done: int, total: int) -> None:
        if stage == "writing":
            with runtime.sessions() as other:
                create_resident(
                    other,
                    scope_of(other, "grid1"),
                    ResidentIn(
                        name=str(person(1)["姓名"]),
                        area_id=world.grid1.id,
                        household_id=None,
                        gender=None,
                        id_number=str(person(1)["公民身份号码"]),
                    ),
                )

    before = count(db, Resident)
    with pytest.raises(Conflict) as refused:
        import_ledger(db, scope_of(db, "grid1"), path, progress=someone_else_registers)
    assert refused.value.code == "ledger.stale" and count(db, Resident) == before + 1


def test_it_finds_registered_residents_while_the_data_key_is_being_rotated(
    runtime: Runtime, db: Session, world: World, tmp_path: Path
) -> None:
    import base64

    from tests.conftest import TEST_KEY, make_settings

    rotating = Runtime(
        make_settings(
            runtime.settings.database_url, data_key=base64.b64encode(b"n" * 32).decode(), data_key_previous=TEST_KEY
        )
    )
    row = person(0, 姓名="曾伟", 公民身份号码=ID_NUMBERS[0], 出生日期="", 性别="", 楼栋="3号楼", 房号="301")
    row.update({"联系电话": "13912345678", "关爱标签": "独居老人"})
    path = xlsx(tmp_path / "t.xlsx", [row])
    try:
        with rotating.sessions() as session:
            result = import_ledger(session, scope_of(session, "grid1"), path)
    finally:
        rotating.engine.dispose()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)


def test_new_households_start_with_the_rhythm_a_recomputation_gives(db: Session, world: World, tmp_path: Path) -> None:
    """``start_rhythm`` (new households of new people, from the plan) writes what ``recompute_rhythm`` would."""
    tags = ["独居老人", "", "退役军人、低保户", "", "残疾人", "高龄老人", ""]
    rows = [person(i, 关爱标签=tags[i % len(tags)], 出生日期=None) for i in range(30)]
    rows += [person(50 + i, 楼栋="9号楼", 房号=str(i), 人员类别="流动人口") for i in range(4)]
    # An existing resident moved into a new household: that one is recomputed.
    rows.append(person(99, 姓名="曾伟", 公民身份号码=ID_NUMBERS[0], 出生日期="", 性别="", 楼栋="3号楼", 房号="909"))
    result = import_ledger(db, scope_of(db, "grid1"), xlsx(tmp_path / "t.xlsx", rows))
    assert result.committed and result.created == 34 and result.updated == 1

    def rhythm() -> dict[int, tuple[object, ...]]:
        db.expire_all()
        columns = [c for c in HouseholdRhythm.__table__.c if c.name != "updated_at"]
        return {row[0]: tuple(row) for row in db.execute(select(*columns).order_by(HouseholdRhythm.household_id))}

    started = rhythm()
    new_homes = set(
        db.scalars(
            select(Household.id).where(
                Household.building_id.in_(select(Building.id).where(Building.name.in_(["7号楼", "9号楼", "3号楼"])))
            )
        )
    )
    assert new_homes <= set(started) and len(new_homes) >= 12
    assert len({row[7] for row in started.values()}) > 1  # contact intervals differ: the tags counted
    with transaction(db):
        recompute_rhythm(db, None)
    assert rhythm() == started
