"""Where a ledger row lives: its grid (by name or code, within the user's reach), building and household."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.permissions import Scope
from linli.areas.models import Area
from linli.errors import Invalid
from linli.lib.rooms import split_room
from linli.lib.text import half_width, squeeze
from linli.registry.bulk import NewBuilding, NewHousehold, add_buildings, add_households
from linli.registry.models import Building, Household

CHUNK = 5000


def place_key(value: str) -> str:
    """Return a place name as compared: full-width folded, spaces removed, lower case."""
    return squeeze(half_width(value)).lower()


def room_key(room: str, unit: str = "") -> str:
    """Return a household's room as compared: its unit and room (``split_room``), so 2-301, 2单元301 and
    unit 2 with room 301 are one home."""
    unit_name, rest = split_room(room, unit)
    return f"{place_key(unit_name)}/{place_key(rest)}"


def stored_room(room: str, unit: str) -> str:
    """Return the room text a new household keeps: with its unit in front when a 单元 cell gave one."""
    unit_name, rest = split_room(room, unit)
    if not unit or split_room(room) == (unit_name, rest):
        return room  # the room says its unit itself, or the unit is the default one
    return f"{unit_name}{rest}"


@dataclass(frozen=True)
class Place:
    id: int
    code: str
    name: str
    path: str
    parent_id: int | None


class Grids:
    """The grids a user reaches with ``capability``, found by name or code, and their communities."""

    def __init__(self, session: Session, scope: Scope, capability: str) -> None:
        condition = scope.area_ids(capability)
        grids: list[Place] = []
        if condition is not None:
            rows = session.execute(
                select(Area.id, Area.code, Area.name, Area.path, Area.parent_id)
                .where(condition, Area.level == "grid")
                .order_by(Area.path)
            ).all()
            grids = [Place(*row) for row in rows]
        parent_ids = {g.parent_id for g in grids if g.parent_id is not None}
        communities = [
            Place(*row)
            for row in session.execute(
                select(Area.id, Area.code, Area.name, Area.path, Area.parent_id).where(Area.id.in_(parent_ids))
            ).all()
        ]
        self.grids = grids
        self.by_id = {g.id: g for g in grids}
        self.communities = {c.id: c for c in communities}
        self._grid_names: dict[str, list[Place]] = {}
        for g in grids:
            self._grid_names.setdefault(place_key(g.name), []).append(g)
            self._grid_names.setdefault(g.code, []).append(g)
        self._community_names: dict[str, list[Place]] = {}
        for c in communities:
            self._community_names.setdefault(place_key(c.name), []).append(c)
            self._community_names.setdefault(c.code, []).append(c)
        self._cache: dict[tuple[str, str], Place | Invalid] = {}

    def find(self, community: str, grid: str) -> Place:
        """Return the grid a row names, or raise ``Invalid`` saying which cell is wrong.

        An empty grid is the user's only grid when they have one. A grid name shared by several
        communities needs the community.
        """
        key = (community, grid)
        if key not in self._cache:
            try:
                self._cache[key] = self._find(community, grid)
            except Invalid as error:
                self._cache[key] = error
        found = self._cache[key]
        if isinstance(found, Invalid):
            raise found
        return found

    def _find(self, community: str, grid: str) -> Place:
        parents: list[Place] | None = None
        if community:
            parents = self._community_names.get(place_key(community))
            if not parents:
                raise Invalid(
                    "ledger.community_unknown",
                    "There is no community {name} in your area.",
                    "community",
                    name=community,
                )
        if not grid:
            choices = [g for g in self.grids if parents is None or g.parent_id in {p.id for p in parents}]
            if len(choices) == 1:
                return choices[0]
            raise Invalid("ledger.grid_required", "Fill in the grid.", "grid")
        matches = self._grid_names.get(place_key(grid), [])
        if parents is not None:
            inside = [g for g in matches if g.parent_id in {p.id for p in parents}]
            if matches and not inside:
                raise Invalid(
                    "ledger.grid_not_in_community",
                    "Grid {grid} is not in community {community}.",
                    "grid",
                    grid=grid,
                    community=community,
                )
            matches = inside
        if not matches:
            raise Invalid("ledger.grid_unknown", "There is no grid {name} in your area.", "grid", name=grid)
        if len(matches) > 1:
            raise Invalid(
                "ledger.grid_ambiguous",
                "Several communities have a grid called {name}; fill in the community.",
                "grid",
                name=grid,
            )
        return matches[0]


@dataclass
class Homes:
    """The buildings and open households of some grids, and the new ones an import adds.

    A building is found by its name in the grid, or by its compound and name together (``图强小区
    3号楼``, as the export writes it); a household by its building and room.
    """

    buildings: dict[tuple[int, str], int] = field(default_factory=dict)
    households: dict[tuple[int, str], int] = field(default_factory=dict)
    new_buildings: dict[tuple[int, str], int] = field(default_factory=dict)
    new_households: dict[tuple[tuple[int, str], str], int] = field(default_factory=dict)
    _pending_buildings: list[tuple[tuple[int, str], NewBuilding]] = field(default_factory=list)
    _pending_households: list[tuple[tuple[tuple[int, str], str], tuple[int, str, str, str | None]]] = field(
        default_factory=list
    )
    created: list[tuple[int, NewHousehold]] = field(default_factory=list)

    @classmethod
    def load(cls, session: Session, grid_ids: Iterable[int]) -> Homes:
        """Return the buildings and open households of ``grid_ids`` (a few queries, any number of grids)."""
        homes = cls()
        ids = sorted(set(grid_ids))
        building_ids: list[int] = []
        for start in range(0, len(ids), CHUNK):
            rows = session.execute(
                select(Building.id, Building.area_id, Building.compound, Building.name).where(
                    Building.area_id.in_(ids[start : start + CHUNK])
                )
            ).all()
            for bid, area_id, compound, name in rows:
                building_ids.append(bid)
                homes.buildings.setdefault((area_id, place_key(name)), bid)
                if compound:
                    homes.buildings.setdefault((area_id, place_key(compound + name)), bid)
        for start in range(0, len(ids), CHUNK):
            households = session.execute(
                select(Household.id, Household.building_id, Household.room).where(
                    Household.area_id.in_(ids[start : start + CHUNK]), Household.dissolved_on.is_(None)
                )
            ).all()
            for hid, building_id, room in households:
                homes.households.setdefault((building_id, room_key(room)), hid)
        return homes

    def building(self, grid_id: int, name: str) -> int | None:
        """Return the id of an existing building of the grid, or None."""
        return self.buildings.get((grid_id, place_key(name)))

    def household(self, grid_id: int, building: str, room: str, unit: str = "") -> int | None:
        """Return the id of the open household in that building, unit and room, or None when it is new."""
        building_id = self.building(grid_id, building)
        if building_id is None:
            return None
        return self.households.get((building_id, room_key(room, unit)))

    def plan(
        self, grid_id: int, building: str, room: str, unit: str = "", status: str | None = None
    ) -> tuple[tuple[int, str], str]:
        """Note a household (and its building) to create; return its key for ``new_household_id``.

        ``unit`` and ``status`` are the row's 单元 and 房屋状态 (empty: read from the room, owner-occupied).
        """
        bkey = (grid_id, place_key(building))
        hkey = (bkey, room_key(room, unit))
        if bkey not in self.buildings and bkey not in self.new_buildings:
            self.new_buildings[bkey] = -1
            self._pending_buildings.append((bkey, NewBuilding(area_id=grid_id, name=building)))
        if hkey not in self.new_households:
            self.new_households[hkey] = -1
            self._pending_households.append((hkey, (grid_id, stored_room(room, unit), unit, status)))
        return hkey

    def create(self, session: Session) -> None:
        """Write the planned buildings and households (inside the caller's write transaction); ``created``
        then holds each new household's id and row."""
        ids = add_buildings(session, [b for _, b in self._pending_buildings])
        for (bkey, _), bid in zip(self._pending_buildings, ids, strict=True):
            self.new_buildings[bkey] = bid
        rows = []
        for hkey, (grid_id, room, unit, status) in self._pending_households:
            bkey = hkey[0]
            bid = self.buildings.get(bkey) or self.new_buildings[bkey]
            rows.append(NewHousehold(area_id=grid_id, building_id=bid, room=room, unit=unit, house_status=status))
        ids = add_households(session, rows)
        for (hkey, _), hid in zip(self._pending_households, ids, strict=True):
            self.new_households[hkey] = hid
        self.created = list(zip(ids, rows, strict=True))

    def new_household_id(self, key: tuple[tuple[int, str], str]) -> int:
        return self.new_households[key]

    @property
    def counts(self) -> tuple[int, int]:
        """Return how many buildings and households are planned."""
        return len(self._pending_buildings), len(self._pending_households)
