"""The area tree's own helpers, below the gate: how a list names its areas, the chain of paths above one.

The scoped use cases (the tree a user holds, an area with its counts, adding an area) ask the gate
and count the registry's tables, so they live in ``linli.registry.areas``.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from linli.areas.models import Area


def ancestry(path: str) -> list[str]:
    """Return ``/a/b/c/`` and every path above it: ``/a/``, ``/a/b/``, ``/a/b/c/``."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def area_labels(session: Session, area_ids: Iterable[int]) -> dict[int, str]:
    """Return each area's name as a list of them should show it (one query).

    Every community has its 第一网格: when the areas (grids, mostly) come from more than one parent,
    each name gets its parent's in front (阳台山社区 · 第一网格); under one parent the name alone.
    """
    ids = sorted(set(area_ids))
    if not ids:
        return {}
    parent = aliased(Area)
    rows = session.execute(
        select(Area.id, Area.name, parent.id, parent.name)
        .outerjoin(parent, parent.id == Area.parent_id)
        .where(Area.id.in_(ids))
    ).all()
    several = len({parent_id for _, _, parent_id, _ in rows}) > 1
    return {i: f"{above} · {name}" if several and above else name for i, name, _, above in rows}
