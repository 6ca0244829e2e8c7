"""Where demo households live: compounds (小区), numbered buildings (楼栋) and rooms (502 = 5th floor, 2nd door)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from linli.synth.people import Home

COMPOUND_ROOTS = (
    "阳台山", "金榜", "鹭江", "莲花", "育秀", "开元", "福满", "华侨", "湖光", "源泉", "松柏", "新景", "仙岳",
    "禾祥", "美仁", "厦禾", "建发", "国贸", "联发", "海景", "碧湖", "怡景", "翠湖", "万寿", "明发", "嘉和",
    "锦绣", "玉荷", "溪岸", "振兴", "康乐", "和通", "宏益", "东方", "华林", "龙山", "文屏", "后埭溪", "筼筜",
)  # fmt: skip
COMPOUND_KINDS = ("小区", "花园", "新村", "大厦", "公寓", "山庄", "苑", "新城")
ROADS = (
    "阳台山路", "湖滨北路", "湖滨南路", "莲花路", "嘉禾路", "厦禾路", "禾祥西路", "禾祥东路", "仙岳路",
    "思明南路", "思明北路", "开元路", "中山路", "鹭江道", "斗西路", "湖滨中路", "湖滨东路", "文园路", "梧村路",
    "金榜路", "公园南路", "公园西路", "育秀路", "莲前西路", "展鸿路", "环岛路", "槟榔路", "松岳路", "美仁宫路",
)  # fmt: skip
OCCUPIED = 0.92


@dataclass
class BuildingPlan:
    """A building with the households placed in it, as ``(room, home)`` pairs."""

    compound: str
    name: str
    address: str
    homes: list[tuple[str, Home]] = field(default_factory=list)
    # Rooms left empty between the households (空置 houses, or a shop on the ground floor).
    empty: list[str] = field(default_factory=list)


def room_name(floor: int, door: int, doors: int) -> str:
    """Return a room as the building writes it: 502 in a one-stairwell block; in a four-door block doors
    3 and 4 are the second unit's (2-501, 2-502), read back by ``lib.rooms.split_room``."""
    if doors < 4 or door <= 2:
        return f"{floor}{door:02d}"
    return f"2-{floor}{door - 2:02d}"


def compound_names(rng: random.Random, count: int, first: str | None = None) -> list[str]:
    """Return ``count`` distinct compound names, ``first`` (e.g. 图强小区) leading when given."""
    names = [first] if first else []
    while len(names) < count:
        name = rng.choice(COMPOUND_ROOTS) + rng.choice(COMPOUND_KINDS)
        if name not in names:
            names.append(name)
    return names


def house(rng: random.Random, homes: list[Home], first_compound: str | None = None) -> list[BuildingPlan]:
    """Return the buildings of one grid with ``homes`` placed in their rooms, in order.

    Old six- and seven-storey blocks and newer towers, two to four doors a floor (four doors: two units);
    about one room in twelve stands empty.
    """
    compounds = compound_names(rng, rng.randint(1, 3) if homes else 0, first_compound)
    streets = {c: (rng.choice(ROADS), rng.randint(1, 300)) for c in compounds}
    counts = dict.fromkeys(compounds, 0)
    buildings: list[BuildingPlan] = []
    queue = iter(homes)
    pending = next(queue, None)
    turn = 0
    while pending is not None:
        compound = compounds[turn % len(compounds)]
        turn += 1
        counts[compound] += 1
        road, number = streets[compound]
        building = BuildingPlan(compound, f"{counts[compound]}号楼", f"{road}{number + counts[compound] - 1}号")
        floors, doors = rng.choice((6, 7, 7, 11, 18)), rng.choice((2, 2, 3, 4))
        for floor in range(1, floors + 1):
            for door in range(1, doors + 1):
                if pending is None:
                    break
                if rng.random() < OCCUPIED:
                    building.homes.append((room_name(floor, door, doors), pending))
                    pending = next(queue, None)
                else:
                    building.empty.append(room_name(floor, door, doors))
        buildings.append(building)
    return buildings
