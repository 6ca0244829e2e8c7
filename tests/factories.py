"""Test data built by the real service functions, as plain functions with overrides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from linli.accounts.permissions import Scope
from linli.accounts.services import create_user
from linli.areas.models import Area
from linli.db.engine import transaction
from linli.registry import places, services
from linli.registry.schemas import BuildingIn, HouseholdIn, ResidentIn, ResidentOut
from linli.synth.bootstrap import seed_tags

PASSWORD = "Persona-pass-2026"
# Valid ID numbers (GB 11643 checksums) for tests: 1949-12-31 female, and others from faker zh_CN.
ID_NUMBERS = ["11010519491231002X", "350203198001011235", "350203199002028762"]


def root_scope() -> Scope:
    """Return a scope that reaches everything (for building test data)."""
    return Scope.system(1, "/350203/")


def make_area(session: Session, level: str, code: str, name: str, parent: Area | None = None, **extra: Any) -> Area:
    from linli.areas.models import path_segment

    with transaction(session):
        area = Area(
            level=level,
            code=code,
            name=name,
            parent_id=parent.id if parent else None,
            path=(parent.path if parent else "/") + path_segment(level, code) + "/",
            **extra,
        )
        session.add(area)
    return area


def make_household(session: Session, grid: Area, room: str = "101", building: str = "1号楼") -> int:
    """Return the id of a new household in a new building of ``grid``."""
    b = places.create_building(session, root_scope(), BuildingIn(area_id=grid.id, name=building, compound="图强小区"))
    return places.create_household(session, root_scope(), HouseholdIn(building_id=b.id, room=room)).id


def make_resident(session: Session, household_id: int, **overrides: Any) -> ResidentOut:
    data: dict[str, Any] = {"name": "张伟", "household_id": household_id, "relation": "02"}
    data.update(overrides)
    return services.create_resident(session, root_scope(), ResidentIn(**data))


@dataclass
class World:
    district: Area
    street: Area
    community: Area
    grid1: Area
    grid2: Area
    other_community: Area
    other_grid: Area
    household1: int
    household2: int
    other_household: int
    resident1: ResidentOut
    resident2: ResidentOut
    other_resident: ResidentOut


def make_world(session: Session) -> World:
    """Build the personas' areas, one household and resident per grid, and the users.

    Users (password ``PASSWORD``): ``grid1`` and ``grid2`` (grid workers of 阳台山社区's grids 1 and 2),
    ``secretary`` (阳台山社区), ``supervisor`` (开元街道), ``outsider`` (grid worker of another community),
    ``admin`` (the district).
    """
    with transaction(session):
        seed_tags(session)
    district = make_area(session, "district", "350203", "思明区")
    street = make_area(session, "street", "350203002000", "开元街道", district)
    community = make_area(session, "community", "350203002011", "阳台山社区", street)
    grid1 = make_area(session, "grid", "350203002011001", "第一网格", community)
    grid2 = make_area(session, "grid", "350203002011002", "第二网格", community)
    other_community = make_area(session, "community", "350203002012", "厦禾社区", street)
    other_grid = make_area(session, "grid", "350203002012001", "厦禾第一网格", other_community)
    h1 = make_household(session, grid1, "301", "3号楼")
    h2 = make_household(session, grid2, "502", "5号楼")
    h3 = make_household(session, other_grid, "101", "1号楼")
    r1 = make_resident(session, h1, name="曾伟", id_number=ID_NUMBERS[0], phone="13912345678", tags=["living_alone"])
    r2 = make_resident(session, h2, name="李娜", id_number=ID_NUMBERS[1], phone="0592-1234567")
    r3 = make_resident(session, h3, name="王芳", id_number=ID_NUMBERS[2])
    for username, role, code in (
        ("grid1", "grid_worker", grid1.code),
        ("grid2", "grid_worker", grid2.code),
        ("secretary", "secretary", community.code),
        ("supervisor", "supervisor", street.code),
        ("outsider", "grid_worker", other_grid.code),
        ("admin", "admin", district.code),
    ):
        create_user(session, username, PASSWORD, roles=[(role, code)])
    return World(district, street, community, grid1, grid2, other_community, other_grid, h1, h2, h3, r1, r2, r3)


def id_number(born: date, seq: int, area: str = "350203") -> str:
    """Return a valid 18-character ID number (GB 11643 check character computed here, not by stdnum).

    An odd ``seq`` is a man, an even one a woman.
    """
    return with_check_character(f"{area}{born:%Y%m%d}{seq % 1000:03d}")


def with_check_character(body: str) -> str:
    """Return the 17 digits of ``body`` followed by their GB 11643 check character."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(body))
    return body + "10X98765432"[total % 11]


def scope_of(session: Session, username: str) -> Scope:
    """Return what the persona ``username`` reaches, as the web would load it."""
    from sqlalchemy import select

    from linli.accounts.models import User
    from linli.accounts.services import load_scope

    user = session.scalars(select(User).where(User.username == username)).one()
    return load_scope(session, user.id, user.session_version)


def building_of(session: Session, household_id: int) -> int:
    """Return the id of the building of a household."""
    from linli.registry.models import Household

    household = session.get(Household, household_id)
    assert household is not None
    return household.building_id


def make_residents(session: Session, household_id: int, count: int, start: int = 0) -> list[ResidentOut]:
    """Return ``count`` new residents of one household, each with an ID number, a phone and a tag."""
    people = []
    for i in range(start, start + count):
        people.append(
            make_resident(
                session,
                household_id,
                name=f"张伟{chr(0x4E00 + i % 200)}",
                relation="99",
                id_number=id_number(date(1950 + i % 60, 1 + i % 12, 1 + i % 28), i),
                phone=f"139{i:08d}",
                tags=["veteran"],
            )
        )
    return people
