"""The area tree: district 区 › street 街道 › community 社区 › grid 网格."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from linli.db.base import Base, Timestamped

LEVELS = ("district", "street", "community", "grid")
# Statistics-bureau codes: district 6 digits, street and community 12, a grid 15 (community + 3).
CODE_LENGTHS = {"district": 6, "street": 12, "community": 12, "grid": 15}
SEGMENTS = {"district": slice(0, 6), "street": slice(6, 9), "community": slice(9, 12), "grid": slice(12, 15)}


def path_segment(level: str, code: str) -> str:
    """Return the part of ``code`` that names an area of ``level`` under its parent."""
    return code[SEGMENTS[level]]


def code_fits(level: str, code: str, parent_code: str | None, parent_level: str | None) -> bool:
    """Return whether ``code`` has the length of ``level`` and starts with its parent's part."""
    if len(code) != CODE_LENGTHS[level] or not code.isdigit():
        return False
    if parent_code is None or parent_level is None:
        return True
    stop = SEGMENTS[parent_level].stop
    return code[:stop] == parent_code[:stop]


LEVEL_NAMES = {"district": "区", "street": "街道", "community": "社区", "grid": "网格"}

# Paths compare byte-wise ("C" collation) so "this area and below" is one index range on PostgreSQL.
PathString = String(120).with_variant(String(120, collation="C"), "postgresql")


class Area(Timestamped, Base):
    """One area. ``path`` is the chain of codes from the root, ``/350203/002/011/003/``."""

    __tablename__ = "area"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(15), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    path: Mapped[str] = mapped_column(PathString, unique=True)
    # What makes this grid itself: "many children", "many medical workers" (source, §1).
    character: Mapped[str] = mapped_column(Text, default="")
    # The grid's boundary in words, for its public notice (网格公示): "东至…，西至…".
    boundary: Mapped[str] = mapped_column(Text, default="", server_default="")
    # A community's supervision phone (监督电话), printed on its grids' notices; E.164.
    supervision_phone: Mapped[str | None] = mapped_column(String(20))
    sort: Mapped[int] = mapped_column(Integer, default=0)
