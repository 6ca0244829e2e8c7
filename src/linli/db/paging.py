"""Counting the matches of a list page without counting a whole district."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

COUNT_CAP = 1_000


def capped_count(session: Session, query: Select[Any]) -> tuple[int, bool]:
    """Return how many rows ``query`` matches, counting no further than ``COUNT_CAP``, and whether it stopped.

    An exact count of a district's million residents costs half a second and tells a person nothing
    "1000+" does not; the pager then offers a next page as long as pages come back full.
    """
    limited = query.order_by(None).limit(COUNT_CAP + 1).subquery()
    total = session.scalar(select(func.count()).select_from(limited)) or 0
    return min(total, COUNT_CAP), total > COUNT_CAP
