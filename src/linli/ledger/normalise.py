"""Cells as people fill them in, made into values: trimmed, full-width folded, dates and codes read.

Free text (name, skills, notes) is only trimmed: folding full-width punctuation would change what a
clerk wrote. Codes, numbers and dates are folded (NFKC) before they are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from linli.errors import DomainError, Invalid
from linli.lib import codes
from linli.lib.text import half_width, squeeze

# Excel counts days from 1899-12-30 (its 1900 leap-year bug only shifts dates before March 1900).
EXCEL_EPOCH = date(1899, 12, 30)
FORMULA_START = ("=", "+", "-", "@")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TAG_SPLIT = re.compile(r"[、,，;；/|\s]+")

GENDER_WORDS = {"男": "1", "男性": "1", "m": "1", "女": "2", "女性": "2", "f": "2", "未说明": "9", "未知": "9"}
KIND_WORDS = {"户籍": "01", "本地": "01", "流动": "02", "外来": "02", "境外": "03", "外籍": "03"}
RELATION_WORDS = {
    "本人": "02",
    "户主本人": "02",
    "妻": "10",
    "妻子": "10",
    "夫": "10",
    "丈夫": "10",
    "儿子": "20",
    "长子": "20",
    "次子": "20",
    "女儿": "30",
    "长女": "30",
    "次女": "30",
    "孙子": "40",
    "孙女": "40",
    "外孙子": "40",
    "外孙女": "40",
    "父亲": "50",
    "母亲": "50",
    "祖父": "60",
    "祖母": "60",
    "外祖父": "60",
    "外祖母": "60",
    "兄": "70",
    "弟": "70",
    "姐": "70",
    "妹": "70",
    "儿媳": "80",
    "女婿": "80",
    "租户": "99",
}
YES = {"是", "有", "愿意", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "无", "不愿意", "n", "no", "false", "0", "×"}


class DateProblem(ValueError):
    """``reason``: unreadable (not a date) or impossible (a day that does not exist)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def text(value: Any) -> str:
    """Return a cell as trimmed text; a whole number stored as a float loses its ``.0``.

    A leading apostrophe that our export put before ``= + - @`` (so no spreadsheet runs the cell as a
    formula) is taken off again.
    """
    if type(value) is str:  # nearly every cell: checked first
        out = value.strip()
        return out[1:] if out[:1] == "'" and out[1:2] in FORMULA_START else out
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if not (value.hour or value.minute or value.second) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    out = str(value).strip()
    if out[:1] == "'" and out[1:2] in FORMULA_START:
        return out[1:]
    return out


# 房屋状态 as ledgers write it, and the export's own words.
HOUSE_STATUS_WORDS = {
    "自住": "owner_occupied",
    "出租": "rented",
    "空置": "vacant",
    "闲置": "vacant",
    "商用": "business",
    "经营": "business",
    "其他": "other",
    "owner_occupied": "owner_occupied",
    "rented": "rented",
    "vacant": "vacant",
    "business": "business",
    "other": "other",
}
HOUSE_STATUS_NAMES = {"owner_occupied": "自住", "rented": "出租", "vacant": "空置", "business": "商用", "other": "其他"}


def folded(value: Any) -> str:
    """Return a cell as text with full-width letters and digits folded and spaces removed."""
    return squeeze(half_width(text(value)))


def excel_serial(number: float) -> date:
    """Return the day of an Excel date serial (a whole number of days since 1899-12-30)."""
    return EXCEL_EPOCH + timedelta(days=int(number))


def parse_date(value: Any) -> date | None:
    """Return the date in a cell, None when empty, or raise ``DateProblem``.

    Reads date cells, Excel serials (stored as numbers or as digits) and 1949-12-31, 1949/12/31,
    1949.12.31, 1949年12月31日 and 19491231 (a time after the date is ignored).
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise DateProblem("unreadable")
    if isinstance(value, int | float):
        if float(value).is_integer() and 10_000_000 <= value <= 99_991_231:
            return parse_date(str(int(value)))
        if 0 < value < 2_958_466:
            return excel_serial(value)
        raise DateProblem("unreadable")
    raw = half_width(str(value)).strip()
    found = _DATE.match(raw) or _COMPACT.match(raw)
    if found is None:
        if raw.isdigit() and 0 < len(raw) <= 5:
            return excel_serial(int(raw))
        raise DateProblem("unreadable")
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        raise DateProblem("impossible") from None


TABLES = {
    "gender": (codes.GENDERS, GENDER_WORDS),
    "relation": (codes.RELATIONS, RELATION_WORDS),
    "kind": (codes.KINDS, KIND_WORDS),
}


@lru_cache(maxsize=4096)
def code_of(table_name: str, value: str) -> str:
    """Return the code a cell means in the table ``gender``, ``relation`` or ``kind``: the code itself
    (``1`` read as ``01`` for two-digit tables), its Chinese or English label, or a common word for it;
    unknown text is returned as it is, for the checker to refuse. Cached: ledgers repeat these words."""
    table, words = TABLES[table_name]
    key = value.lower()
    if key in table:
        return key
    width = len(next(iter(table)))
    if key.isdigit() and len(key) < width and key.zfill(width) in table:
        return key.zfill(width)
    for code, (zh, en) in table.items():
        if key in (zh, en.lower()):
            return code
    if key in words:
        return words[key]
    for word, code in words.items():  # 户籍人口 → 户籍, 流动人员 → 流动
        if key.startswith(word) and len(word) >= 2:
            return code
    return value


def parse_bool(value: Any) -> bool | None:
    """Return 是/否 (yes/no, 1/0, √) as a bool, None when empty; raise ValueError for anything else."""
    if isinstance(value, bool):
        return value
    word = folded(value).lower()
    if not word:
        return None
    if word in YES:
        return True
    if word in NO:
        return False
    raise ValueError(word)


def split_tags(value: Any) -> list[str]:
    """Return the tag names or codes in a cell, split on 、 , ; / and spaces."""
    return [t for t in _TAG_SPLIT.split(text(value)) if t]


@dataclass(slots=True)
class LedgerRow:
    """One row of a ledger as read: values normalised, not yet checked. ``None`` means the cell was empty.

    ``errors`` collects what the row cannot be imported for, each naming its field.
    """

    line: int
    name: str = ""
    gender: str | None = None
    birth_date: date | None = None
    id_number: str | None = None
    phone: str | None = None
    community: str = ""
    grid: str = ""
    building: str = ""
    unit: str = ""
    room: str = ""
    house_status: str | None = None
    relation: str | None = None
    kind: str | None = None
    tags: list[str] | None = None
    skills: str | None = None
    willing: bool | None = None
    notes: str | None = None
    errors: list[DomainError] = field(default_factory=list)
    # Filled in by the checks: the grid the row goes to, the blind index of its ID number, its tags.
    grid_id: int | None = None
    id_hash: str | None = None
    tag_ids: tuple[int, ...] | None = None


def _id_number(value: Any, row: LedgerRow) -> None:
    if isinstance(value, float) and value >= 1e14:
        # Excel keeps 15 significant digits: an 18-digit number typed into a number cell lost its end.
        row.errors.append(
            Invalid(
                "ledger.id_number_as_number",
                "The ID number was stored as a number and lost digits; format the column as text and retype it.",
                "id_number",
            )
        )
        return
    number = folded(value)
    if "*" in number:
        row.errors.append(
            Invalid(
                "ledger.id_number_masked",
                "A masked ID number cannot be imported; fill in the full number.",
                "id_number",
            )
        )
    row.id_number = number or None


def normalise(line: int, cells: dict[str, Any]) -> LedgerRow:
    """Return the row at sheet ``line`` from its cells by field name, with any reading problems noted."""
    row = LedgerRow(line)
    row.name = text(cells.get("name"))
    _id_number(cells.get("id_number"), row)
    row.phone = folded(cells.get("phone")) or None
    gender = folded(cells.get("gender"))
    row.gender = code_of("gender", gender) if gender else None
    try:
        row.birth_date = parse_date(cells.get("birth_date"))
    except DateProblem as problem:
        message = (
            "The birth date does not exist."
            if problem.reason == "impossible"
            else "The birth date cannot be read; write it as 1949-12-31."
        )
        row.errors.append(Invalid(f"ledger.birth_date_{problem.reason}", message, "birth_date"))
    row.community = squeeze(half_width(text(cells.get("community"))))
    row.grid = squeeze(half_width(text(cells.get("grid"))))
    row.building = half_width(text(cells.get("building"))).strip()
    row.room = folded(cells.get("room"))
    row.unit = folded(cells.get("unit"))
    status = squeeze(half_width(text(cells.get("house_status"))))
    if status:
        row.house_status = HOUSE_STATUS_WORDS.get(status) or HOUSE_STATUS_WORDS.get(status.lower())
        if row.house_status is None:
            row.errors.append(
                Invalid(
                    "ledger.house_status_unknown",
                    "Write 自住, 出租, 空置, 商用 or 其他 for the house status.",
                    "house_status",
                )
            )
    relation = folded(cells.get("relation"))
    row.relation = code_of("relation", relation) if relation else None
    kind = folded(cells.get("kind"))
    row.kind = code_of("kind", kind) if kind else None
    tags, skills, notes = text(cells.get("tags")), text(cells.get("skills")), text(cells.get("notes"))
    if tags:
        row.tags = [half_width(t) for t in split_tags(tags)]
    row.skills, row.notes = skills or None, notes or None
    try:
        row.willing = parse_bool(cells.get("willing"))
    except ValueError:
        row.errors.append(
            Invalid("ledger.willing_unknown", "Write 是 or 否 for the willingness to volunteer.", "willing")
        )
    return row
