"""The area tree as a user sees it: only the branches they hold, with counts of the registry's records.

These use cases ask the gate (``Scope``) and count buildings, households and residents, so they stand
in the registry, above both; ``linli.areas`` keeps the tree's tables and its scope-free helpers.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from linli.accounts.permissions import AREA_WRITE, READ, Scope, path_under
from linli.areas.models import CODE_LENGTHS, LEVELS, Area, code_fits, path_segment
from linli.areas.schemas import AreaCounts, AreaIn, AreaNode, AreaOut
from linli.areas.services import ancestry
from linli.audit import services as audit
from linli.db.engine import transaction
from linli.errors import Invalid, NotFound
from linli.registry.models import Building, Household, Resident, ResidentTag


def area_tree(session: Session, scope: Scope, depth: str = "grid") -> list[AreaNode]:
    """Return the subtrees the caller holds, down to ``depth`` (one query)."""
    scope.require(READ)
    condition = scope.area_ids(READ)
    if condition is None:
        return []
    keep = LEVELS[: LEVELS.index(depth) + 1] if depth in LEVELS else LEVELS
    areas = session.scalars(select(Area).where(condition, Area.level.in_(keep)).order_by(Area.path, Area.sort)).all()
    nodes = {a.id: AreaNode.model_validate(a, from_attributes=True) for a in areas}
    roots: list[AreaNode] = []
    for node in nodes.values():
        parent = nodes.get(node.parent_id) if node.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def counts(session: Session, path: str) -> AreaCounts:
    """Return how many buildings, households, active residents and tagged people lie under ``path``."""
    return counts_many(session, [path])[path]


def counts_many(session: Session, paths: list[str]) -> dict[str, AreaCounts]:
    """Return the counts of each area path in ``paths``, in five queries however many they are.

    Each table is counted once per area (grouped), over the areas under the given paths, and each
    area's figures are added to every listed area above it.
    """
    if not paths:
        return {}
    tops = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    under = or_(*(path_under(Area.path, p) for p in tops))
    area_paths: dict[int, str] = {i: p for i, p in session.execute(select(Area.id, Area.path).where(under))}
    in_reach = select(Area.id).where(under).scalar_subquery()
    grouped = {
        "buildings": select(Building.area_id, func.count()).where(Building.area_id.in_(in_reach)),
        "households": select(Household.area_id, func.count()).where(
            Household.area_id.in_(in_reach), Household.dissolved_on.is_(None)
        ),
        "residents": select(Resident.area_id, func.count()).where(
            Resident.area_id.in_(in_reach), Resident.status == "active"
        ),
        # A resident lives in one area: per-area distinct counts add up exactly.
        "tagged": select(Resident.area_id, func.count(func.distinct(ResidentTag.resident_id)))
        .join(Resident, Resident.id == ResidentTag.resident_id)
        .where(Resident.area_id.in_(in_reach), Resident.status == "active"),
    }
    listed = set(paths)
    above = {area_id: [a for a in ancestry(path) if a in listed] for area_id, path in area_paths.items()}
    totals: dict[str, dict[str, int]] = {p: dict.fromkeys(grouped, 0) for p in paths}
    for name, query in grouped.items():
        for area_id, count in session.execute(query.group_by(query.selected_columns[0])):
            for path in above.get(area_id, ()):
                totals[path][name] += count
    return {p: AreaCounts(**values) for p, values in totals.items()}


def get_area(session: Session, scope: Scope, area_id: int) -> AreaOut:
    """Return one area in reach with its counts, its children and theirs, and the chain of areas above it."""
    area = session.get(Area, area_id)
    if area is None:
        raise NotFound("area")
    scope.check(READ, area.path, "area")
    children = session.scalars(select(Area).where(Area.parent_id == area.id).order_by(Area.sort, Area.code)).all()
    prefixes = ancestry(area.path)[:-1]
    above = session.scalars(select(Area).where(Area.path.in_(prefixes)).order_by(Area.path)).all() if prefixes else []
    counted = counts_many(session, [area.path, *(c.path for c in children)])  # one pass for all of them
    out = AreaOut.model_validate(
        {**AreaNode.model_validate(area, from_attributes=True).model_dump(), "counts": counted[area.path]}
    )
    out.children = [AreaNode.model_validate(c, from_attributes=True) for c in children]
    out.child_counts = {c.id: counted[c.path] for c in children}
    out.breadcrumbs = [AreaNode.model_validate(a, from_attributes=True) for a in above if scope.reaches(READ, a.path)]
    return out


# One message a level, so each language names the level in its own words.
CODE_SHAPE = {
    "street": "A street's code has {length} digits and starts with its district's code.",
    "community": "A community's code has {length} digits and starts with its street's code.",
    "grid": "A grid's code has {length} digits and starts with its community's code.",
}


def create_area(session: Session, scope: Scope, data: AreaIn) -> AreaNode:
    """Add a child area one level below ``parent_id``; its code must be unique."""
    with transaction(session):
        parent = session.get(Area, data.parent_id)
        if parent is None or not scope.reaches(AREA_WRITE, parent.path):
            raise NotFound("area")
        if parent.level == "grid":
            raise Invalid("area.grid_has_no_children", "A grid cannot be divided further.", "parent_id")
        if session.scalar(select(Area.id).where(Area.code == data.code)):
            raise Invalid("area.code_taken", "The area code {code} is taken.", "code", code=data.code)
        level = LEVELS[LEVELS.index(parent.level) + 1]
        if not code_fits(level, data.code, parent.code, parent.level):
            raise Invalid("area.code_shape", CODE_SHAPE[level], "code", length=CODE_LENGTHS[level])
        area = Area(
            parent_id=parent.id,
            level=level,
            code=data.code,
            name=data.name,
            path=f"{parent.path}{path_segment(level, data.code)}/",
            character=data.character,
        )
        session.add(area)
        session.flush()
        audit.record(
            session,
            "area.create",
            user_id=scope.user_id,
            username=scope.username,
            client=scope.client,
            entity="area",
            entity_id=area.id,
            area_id=area.id,
            changes={"code": [None, area.code], "name": [None, area.name]},
        )
        return AreaNode.model_validate(area, from_attributes=True)
