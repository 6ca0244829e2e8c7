"""The columns of the ledger workbook: their Chinese headers, the names people also write, and help text.

One table serves the template, the import (headers are read by name, in any order) and the export.
"""

from __future__ import annotations

from dataclasses import dataclass

from linli.lib.text import half_width, squeeze


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    help_zh: str
    help_en: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    width: int = 12


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", "必填。", "Required.", True, ("居民姓名",), 10),
    Column(
        "gender",
        "性别",
        "男、女或未说明；有身份号码时可不填，由号码确定。",
        "男 / 女 / 未说明; may be left empty when the ID number is given.",
        aliases=("性别代码",),
        width=6,
    ),
    Column(
        "birth_date",
        "出生日期",
        "如 1949-12-31、1949/12/31、1949年12月31日 或 19491231；须与身份号码一致。",
        "1949-12-31, 1949/12/31, 1949年12月31日 or 19491231; must agree with the ID number.",
        aliases=("出生年月日", "生日"),
        width=12,
    ),
    Column(
        "id_number",
        "公民身份号码",
        "18 位（旧 15 位号码自动升为 18 位）；请把本列设为文本格式，以免丢失末位。",
        "18 characters (an old 15-digit number is converted); keep the column as text so Excel keeps every digit.",
        aliases=("身份证号", "身份证号码", "身份证", "证件号码"),
        width=21,
    ),
    Column(
        "phone",
        "联系电话",
        "手机号或带区号的固定电话，如 0592-1234567。",
        "A mobile or a fixed line with its area code, such as 0592-1234567.",
        aliases=("电话", "手机", "手机号", "手机号码", "联系方式"),
        width=14,
    ),
    Column(
        "community",
        "社区",
        "社区名称或 12 位代码；网格名称在多个社区重名时必填。",
        "Community name or 12-digit code; needed when the grid name occurs in several communities.",
        aliases=("所属社区", "社区名称"),
        width=12,
    ),
    Column(
        "grid",
        "网格",
        "必填：您负责范围内的网格名称或 15 位代码。",
        "Required: the name or 15-digit code of a grid in your area.",
        True,
        ("所属网格", "网格名称"),
        12,
    ),
    Column(
        "building",
        "楼栋",
        "如 3号楼；与房号一起确定一户。",
        "Building, e.g. 3号楼; with the room it identifies a household.",
        aliases=("楼号", "楼栋号"),
        width=14,
    ),
    Column("room", "房号", "如 301。", "Room, e.g. 301.", aliases=("房间号", "门牌号", "室号"), width=8),
    Column(
        "relation",
        "与户主关系",
        "户主、配偶、子、女、孙子女、父母、祖父母、兄弟姐妹、其他亲属、非亲属。",
        "Relation to the head of household (GB/T 4761).",
        aliases=("关系", "与户主的关系"),
        width=10,
    ),
    Column(
        "kind",
        "人员类别",
        "户籍人口、流动人口或境外人员。",
        "Registered, migrant or foreign.",
        aliases=("人口类别", "人员类型", "人口类型"),
        width=10,
    ),
    Column(
        "tags",
        "关爱标签",
        "可填多个，用顿号或逗号分开，如 独居老人、退役军人；留空表示不修改。",
        "Several allowed, separated by 、 or commas; empty keeps the existing tags.",
        aliases=("标签", "关爱对象"),
        width=16,
    ),
    Column(
        "skills",
        "特长",
        "如 电脑维修、书法。",
        "Skills, e.g. computer repair, calligraphy.",
        aliases=("技能", "专长"),
        width=14,
    ),
    Column(
        "willing",
        "志愿意愿",
        "是或否：是否愿意参加志愿服务。",
        "是 / 否: willing to volunteer.",
        aliases=("志愿服务意愿", "是否志愿者"),
        width=8,
    ),
    Column("notes", "备注", "其他情况。", "Anything else.", width=20),
    # Optional, and last so older templates and reports keep their column positions.
    Column(
        "unit",
        "单元",
        "可选，如 2 或 2单元；不填时从房号读出（2-301、2单元301），否则为 1单元。",
        "Optional unit, e.g. 2 or 2单元; when empty it is read from the room (2-301, 2单元301), else 1单元.",
        aliases=("单元号",),
        width=8,
    ),
    Column(
        "house_status",
        "房屋状态",
        "可选：自住、出租、空置、商用或其他；用于导入新建的房屋。",
        "Optional: 自住, 出租, 空置, 商用 or 其他; sets the status of a house the import creates.",
        aliases=("房屋类型", "居住状态"),
        width=10,
    ),
)

BY_FIELD = {c.field: c for c in COLUMNS}
HEADERS = tuple(c.header for c in COLUMNS)
# Added by the import report; read back without complaint when a clerk imports the fixed report.
REASON_HEADER, REASON_HEADER_EN = "错误原因", "Reason"


def header_key(text: object) -> str:
    """Return a header as compared: full-width folded, spaces and the required-field star removed."""
    return squeeze(half_width(str(text or ""))).strip("*＊").lower()


_LOOKUP = {header_key(name): c.field for c in COLUMNS for name in (c.header, *c.aliases)}
_IGNORED = {header_key(REASON_HEADER), header_key(REASON_HEADER_EN), header_key("行号"), header_key("序号")}


@dataclass(frozen=True)
class HeaderMap:
    """Where each known field sits in a row (0-based), and the headers that were not understood."""

    index: dict[str, int]
    unknown: tuple[str, ...]


def map_headers(headers: list[object]) -> HeaderMap:
    """Return the position of each known column, by header name in any order.

    Unknown headers are listed (and ignored); a repeated header keeps its first column and the repeat
    is listed as unknown. The report's reason columns and a row-number column are ignored silently.
    """
    index: dict[str, int] = {}
    unknown: list[str] = []
    for position, raw in enumerate(headers):
        key = header_key(raw)
        if not key or key in _IGNORED:
            continue
        field = _LOOKUP.get(key)
        if field is None or field in index:
            unknown.append(str(raw).strip())
        else:
            index[field] = position
    return HeaderMap(index, tuple(unknown))


def is_header_row(values: list[object]) -> bool:
    """Return whether a row holds the 姓名 header (title rows above the header are common)."""
    return any(_LOOKUP.get(header_key(v)) == "name" for v in values)
