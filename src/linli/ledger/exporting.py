"""Exporting the ledger of an area: the template's columns, one sheet with a grid column, streamed.

Rows are read in batches and streamed into the workbook by rustpy-xlsxwriter in constant-memory
mode, so memory stays flat whatever the size of the area. ID numbers and phones are masked unless the user holds
``ledger.export_unmasked`` at the area; key-group tags (特殊人群) appear only for those who may see
them. Text that a spreadsheet would run as a formula is escaped. Every export is audited with its
row count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from rustpy_xlsxwriter import FastExcel, Format
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.accounts.permissions import LEDGER_EXPORT, LEDGER_EXPORT_UNMASKED, SENSITIVE, Scope, path_under
from linli.areas.models import Area
from linli.audit import services as audit
from linli.db.engine import transaction
from linli.errors import Forbidden, NotFound
from linli.ledger.cells import DATE_FORMAT, HEADER_FILL, safe
from linli.ledger.columns import COLUMNS
from linli.ledger.normalise import HOUSE_STATUS_NAMES
from linli.lib import codes, idcard, phone
from linli.registry.models import Building, House, Household, Resident, ResidentTag, Tag, Unit
from linli.runtime import cipher_of

SHEET = "居民台账"
BATCH = 5000
Progress = Callable[[str, int, int], None]


def _labels(table: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {code: zh for code, (zh, _) in table.items()}


GENDER, RELATION, KIND = _labels(codes.GENDERS), _labels(codes.RELATIONS), _labels(codes.KINDS)


def national(e164: str) -> str:
    """Return a phone as ``lib.phone.national`` writes it, without parsing the common case.

    A Chinese mobile (+86 1[3-9] and nine digits) is its eleven digits; anything else goes through
    phonenumbers (fixed lines need the area code's length). Parsing costs ~30 µs a number.
    """
    if len(e164) == 14 and e164.startswith("+861") and e164[4] in "3456789" and e164[1:].isdigit():
        return e164[3:]
    return phone.national(e164)


def _area(session: Session, scope: Scope, code: str) -> Area:
    area = session.scalar(select(Area).where(Area.code == code.strip()))
    if area is None:
        raise NotFound("area")
    scope.check(LEDGER_EXPORT, area.path, "area")
    return area


def _tags(session: Session, path: str, sensitive: bool) -> dict[int, str]:
    """Return each resident's tag names under ``path``, joined with 、 (one query)."""
    query = (
        select(ResidentTag.resident_id, Tag.name)
        .join(Tag, Tag.id == ResidentTag.tag_id)
        .join(Resident, Resident.id == ResidentTag.resident_id)
        .join(Area, Area.id == Resident.area_id)
        .where(path_under(Area.path, path), Resident.status == "active")
        .order_by(ResidentTag.resident_id, Tag.id)
    )
    if not sensitive:
        query = query.where(Tag.kind != "key")
    found: dict[int, list[str]] = {}
    for rid, name in session.execute(query):
        found.setdefault(rid, []).append(name)
    return {rid: "、".join(names) for rid, names in found.items()}


def export_ledger(
    session: Session,
    scope: Scope,
    area_code: str,
    target: Path | BinaryIO,
    *,
    unmasked: bool = False,
    progress: Progress | None = None,
) -> int:
    """Return how many residents were written: the active ones of the area ``area_code``, to ``target``.

    Refuses an area outside the user's reach (``NotFound``) and an unmasked export without the
    permission at that area (``Forbidden``).
    """
    scope.require(LEDGER_EXPORT)
    area = _area(session, scope, area_code)
    if unmasked and not scope.reaches(LEDGER_EXPORT_UNMASKED, area.path):
        raise Forbidden("You may not export unmasked ID numbers and phones.", code="ledger.unmasked_forbidden")
    areas = {a.id: a for a in session.scalars(select(Area).where(path_under(Area.path, area.path)))}
    parent = session.get(Area, area.parent_id) if area.parent_id else None
    if parent is not None:  # a grid's export still names its community
        areas[parent.id] = parent
    tags = _tags(session, area.path, scope.reaches(SENSITIVE, area.path))
    total = session.scalar(
        select(func.count()).select_from(Resident).where(Resident.area_id.in_(list(areas)), Resident.status == "active")
    )
    count = _write(session, area.path, areas, tags, target, unmasked, total or 0, progress)
    with transaction(session):
        audit.record(
            session,
            "ledger.export",
            user_id=scope.user_id,
            username=scope.username,
            client=scope.client,
            entity="area",
            entity_id=area.id,
            area_id=area.id,
            changes={"area": [None, area.code], "rows": [None, count], "unmasked": [None, unmasked]},
        )
    return count


def _write(
    session: Session,
    path: str,
    areas: dict[int, Area],
    tags: dict[int, str],
    target: Path | BinaryIO,
    unmasked: bool,
    total: int,
    progress: Progress | None,
) -> int:
    """Stream the rows into ``target`` and return how many were written.

    rustpy-xlsxwriter (rust_xlsxwriter under Python) pulls the rows from a generator and writes each
    one to the sheet's file as it comes (constant memory): 100,000 rows in ~1.3 s of writing where
    xlsxwriter's Python per-cell XML took ~7 s and openpyxl's write-only mode ~9 s.
    """
    header = Format().set_bold().set_background_color("#" + HEADER_FILL.fgColor.rgb[-6:])
    written = [0]
    rows = _rows(session, path, areas, tags, unmasked, total, progress, written)
    (
        FastExcel(target)
        .format(datetime_format=DATE_FORMAT)
        .freeze(row=1)
        .sheet(SHEET, rows, column_widths=[column.width for column in COLUMNS], header_format=header)
        .save()
    )
    return written[0]


def _rows(
    session: Session,
    path: str,
    areas: dict[int, Area],
    tags: dict[int, str],
    unmasked: bool,
    total: int,
    progress: Progress | None,
    written: list[int],
) -> Iterator[dict[str, Any]]:
    """Yield each active resident under ``path`` as a row keyed by the template's headers, in order.

    The writer takes the first row's keys as the header and every row's values in that order; an
    area with no residents yields one empty row, which writes the header alone. Every cell is text
    but the birth date, so a number-like room such as 0301 stays text and nothing is run as a formula.
    """
    cipher = cipher_of(session)
    headers = [column.header for column in COLUMNS]
    places = {}
    for area in areas.values():
        parent = areas.get(area.parent_id or 0)
        places[area.id] = (parent.name if parent is not None and parent.level == "community" else None, area.name)
    query = (
        select(
            Resident.id,
            Resident.name,
            Resident.gender,
            Resident.birth_date,
            Resident.id_number_enc,
            Resident.phone_enc,
            Resident.area_id,
            Building.compound,
            Building.name.label("building"),
            Household.room,
            Unit.name.label("unit"),
            House.status.label("house_status"),
            Resident.relation,
            Resident.kind,
            Resident.skills,
            Resident.willing_to_help,
            Resident.notes,
        )
        .join(Area, Area.id == Resident.area_id)
        .outerjoin(Household, Household.id == Resident.household_id)
        .outerjoin(Building, Building.id == Household.building_id)
        .outerjoin(House, House.id == Household.house_id)
        .outerjoin(Unit, Unit.id == House.unit_id)
        .where(path_under(Area.path, path), Resident.status == "active")
        .order_by(Area.path, Building.compound, Building.name, Household.room, Resident.household_id, Resident.id)
        .execution_options(yield_per=BATCH)
    )
    count = 0
    for r in session.execute(query):
        community, grid = places[r.area_id]
        number = cipher.decrypt(r.id_number_enc) if r.id_number_enc else None
        mobile = national(cipher.decrypt(r.phone_enc)) if r.phone_enc else None
        if not unmasked:
            number = idcard.mask(number) if number else None
            mobile = "*" * (len(mobile) - 4) + mobile[-4:] if mobile else None
        count += 1
        written[0] = count
        yield dict(
            zip(
                headers,
                (
                    safe(r.name),
                    GENDER.get(r.gender, r.gender),
                    r.birth_date,
                    number,
                    safe(mobile),
                    community,
                    grid,
                    safe(f"{r.compound} {r.building}" if r.compound else r.building),
                    safe(r.room),
                    RELATION.get(r.relation, r.relation),
                    KIND.get(r.kind, r.kind),
                    tags.get(r.id),
                    safe(r.skills) or None,
                    "是" if r.willing_to_help else "否",
                    safe(r.notes) or None,
                    safe(r.unit) if r.unit else None,
                    HOUSE_STATUS_NAMES.get(r.house_status) if r.house_status else None,
                ),
                strict=True,
            )
        )
        if progress and count % BATCH == 0:
            progress("exporting", count, total)
    if count == 0:
        yield dict.fromkeys(headers)
