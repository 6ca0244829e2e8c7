"""Buildings and households listed the way a grid worker counts them: 2号楼 before 10号楼, room 902 before 1201."""

from __future__ import annotations

from sqlalchemy.orm import Session

from linli.registry import places
from linli.registry.schemas import BuildingIn, HouseholdIn
from tests.factories import World, root_scope


def test_it_lists_buildings_and_rooms_in_number_order(db: Session, world: World) -> None:
    scope = root_scope()
    for name in ("10号楼", "2号楼", "1号楼"):
        building = places.create_building(db, scope, BuildingIn(area_id=world.grid1.id, name=name, compound="图强小区"))
        if name == "10号楼":
            for room in ("1201", "902", "201"):
                places.create_household(db, scope, HouseholdIn(building_id=building.id, room=room))
    listed = [b.name for b in places.list_buildings(db, scope, world.grid1.id) if b.compound == "图强小区"]
    assert listed == ["1号楼", "2号楼", "3号楼", "10号楼"]
    page = places.list_households(db, scope, area_id=world.grid1.id)
    assert [h.room for h in page.items] == ["301", "201", "902", "1201"]  # 3号楼 301, then 10号楼 in room order
