"""Monthly rollups: one number per area, month and figure, kept current by the job runner.

``FigureMonth`` holds every figure of ``reports.measure`` for every area that has it and for each of its
ancestors (the sum of its own and its children's), so a dashboard of any area reads a handful of rows
however large the area. ``RollupRun`` remembers when each month was last refreshed, so the next run
knows which changes came after it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from linli.db.base import Base, UTCDateTime


class FigureMonth(Base):
    """The value of one figure for one area (itself and everything below it) in one month."""

    __tablename__ = "figure_month"

    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class RollupRun(Base):
    """When a month's figures were last computed from the raw tables."""

    __tablename__ = "rollup_run"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seconds: Mapped[int] = mapped_column(Integer, default=0)
