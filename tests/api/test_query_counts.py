"""List pages and the household card run the same number of SQL statements for 10 rows as for 100."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from linli.registry import places
from linli.registry.schemas import BuildingIn, HouseholdIn
from linli.runtime import Runtime
from tests.conftest import login
from tests.factories import World, make_residents, root_scope


@contextmanager
def counted(runtime: Runtime) -> Iterator[list[str]]:
    """Yield the list of SQL statements run on the runtime's engine while the block runs."""
    statements: list[str] = []

    def _count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(runtime.engine, "before_cursor_execute", _count)


def statements_for(client: TestClient, runtime: Runtime, path: str, **params: Any) -> tuple[int, Any]:
    with counted(runtime) as statements:
        response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return len(statements), response.json()


@pytest.fixture
def many_residents(db: Session, world: World) -> World:
    """Give grid 1 104 more residents, each with an ID number, a phone and a tag."""
    make_residents(db, world.household1, 104)
    return world


@pytest.fixture
def many_households(db: Session, world: World) -> World:
    """Give grid 1 a building of 110 households."""
    building = places.create_building(db, root_scope(), BuildingIn(area_id=world.grid1.id, name="8号楼"))
    for i in range(110):
        places.create_household(db, root_scope(), HouseholdIn(building_id=building.id, room=f"{100 + i}"))
    return world


def test_it_lists_residents_in_as_many_statements_for_100_rows_as_for_10(
    client: TestClient, runtime: Runtime, many_residents: World
) -> None:
    login(client, "grid1")
    few, small = statements_for(client, runtime, "/api/v1/residents", page_size=10)
    many, large = statements_for(client, runtime, "/api/v1/residents", page_size=100)
    assert len(small["items"]) == 10 and len(large["items"]) == 100 and large["total"] == 105
    assert all(r["tags"] and r["id_number"] and r["phone"] and r["address"] for r in large["items"][1:])
    assert few == many
    searched, found = statements_for(client, runtime, "/api/v1/residents", q="zw", page_size=100)
    assert len(found["items"]) == 100 and searched == many


def test_it_lists_households_in_as_many_statements_for_100_rows_as_for_10(
    client: TestClient, runtime: Runtime, many_households: World
) -> None:
    login(client, "grid1")
    few, small = statements_for(client, runtime, "/api/v1/households", page_size=10)
    many, large = statements_for(client, runtime, "/api/v1/households", page_size=100)
    assert len(small["items"]) == 10 and len(large["items"]) == 100 and large["total"] == 111
    assert few == many


def test_it_shows_a_household_card_in_as_many_statements_for_6_members_as_for_1(
    client: TestClient, runtime: Runtime, db: Session, world: World
) -> None:
    building = places.create_building(db, root_scope(), BuildingIn(area_id=world.grid1.id, name="9号楼"))
    household = places.create_household(db, root_scope(), HouseholdIn(building_id=building.id, room="101")).id
    make_residents(db, household, 6)
    login(client, "grid1")
    one, single = statements_for(client, runtime, f"/api/v1/households/{world.household1}")
    six, family = statements_for(client, runtime, f"/api/v1/households/{household}")
    assert len(single["members"]) == 1 and len(family["members"]) == 6
    assert one == six


def test_the_area_tree_counts_every_area_in_as_many_statements_for_60_grids_as_for_3(
    client: TestClient, runtime: Runtime, db: Session, world: World
) -> None:
    from linli.db.engine import transaction
    from linli.registry import areas
    from tests.factories import make_area, make_household, make_residents

    def page_statements() -> int:
        with counted(runtime) as statements:
            shown = client.get("/areas")
        assert shown.status_code == 200
        return len(statements)

    login(client, "admin")
    few = page_statements()
    with transaction(db):
        grids = [make_area(db, "grid", f"350203002011{100 + i:03d}", f"新网格{i}", world.community) for i in range(57)]
    for n, grid in enumerate(grids[:3]):
        make_residents(db, make_household(db, grid, "101", "1号楼"), 2, start=2 * n)
    assert page_statements() == few
    counted_ = areas.counts_many(db, [world.district.path, world.community.path, grids[0].path, world.other_grid.path])
    assert counted_[world.district.path].residents == 3 + 6 and counted_[world.district.path].households == 3 + 3
    assert counted_[world.community.path].residents == 2 + 6 and counted_[grids[0].path].residents == 2
    assert counted_[world.other_grid.path].residents == 1 and counted_[world.community.path].tagged == 1 + 6
    assert counted_[world.district.path] == areas.counts(db, world.district.path)
    community = client.get(f"/api/v1/areas/{world.community.id}").json()
    assert community["counts"]["residents"] == 8 and community["child_counts"][str(grids[0].id)]["residents"] == 2
    assert community["child_counts"][str(world.grid1.id)]["tagged"] == 1
