"""The scope: roles held at areas reach those areas and everything below."""

from __future__ import annotations

import pytest

from linli.accounts.permissions import READ, SENSITIVE, WRITE, Holding, Scope
from linli.errors import Forbidden, NotFound

DISTRICT, STREET, COMMUNITY = "/350203/", "/350203/002/", "/350203/002/011/"
GRID1, GRID2 = "/350203/002/011/001/", "/350203/002/011/002/"
OTHER_GRID = "/350203/002/012/001/"


def scope(*holdings: tuple[str, str]) -> Scope:
    return Scope(
        7, "someone", "someone", tuple(Holding(role, i, path, path) for i, (role, path) in enumerate(holdings))
    )


def test_it_folds_nested_holdings_into_the_outermost() -> None:
    s = scope(("grid_worker", GRID1), ("secretary", COMMUNITY), ("grid_worker", OTHER_GRID))
    assert s.paths(READ) == (COMMUNITY, OTHER_GRID)
    assert s.paths(SENSITIVE) == (COMMUNITY,)


def test_it_keeps_sibling_grids_apart() -> None:
    s = scope(("grid_worker", GRID1), ("grid_worker", GRID2))
    assert s.paths(WRITE) == (GRID1, GRID2)
    assert not s.reaches(READ, COMMUNITY)


def test_it_reaches_an_area_and_everything_below_but_nothing_beside() -> None:
    s = scope(("grid_worker", GRID1))
    assert s.reaches(READ, GRID1)
    assert s.reaches(WRITE, GRID1 + "007/")
    assert not s.reaches(READ, GRID2)
    assert not s.reaches(READ, COMMUNITY)
    assert not s.reaches(READ, "/350203/002/011/0011/")


def test_it_gives_a_supervisor_reading_but_not_writing() -> None:
    s = scope(("supervisor", STREET))
    assert s.reaches(READ, GRID1) and s.reaches(READ, OTHER_GRID)
    assert not s.reaches(WRITE, GRID1)
    assert not s.can(WRITE)
    with pytest.raises(Forbidden):
        s.require(WRITE)


def test_it_hides_a_record_outside_reach_as_not_found() -> None:
    s = scope(("grid_worker", GRID1))
    s.check(READ, GRID1)
    with pytest.raises(NotFound) as refused:
        s.check(READ, GRID2, "resident")
    assert refused.value.code == "resident.not_found"


def test_it_gives_volunteers_and_residents_no_registry() -> None:
    for role in ("volunteer", "resident"):
        s = scope((role, GRID1))
        assert not s.can(READ) and not s.reaches(READ, GRID1)


def test_it_lets_the_system_scope_reach_its_area() -> None:
    s = Scope.system(1, DISTRICT)
    assert s.user_id is None
    assert s.reaches(WRITE, OTHER_GRID) and s.can(SENSITIVE)
    assert not s.reaches(READ, "/350204/")
