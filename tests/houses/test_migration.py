"""Migration 0014: households written at 0013 each land on a house, and no row is lost."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, column, create_engine, func, select, table, text

from linli import migrations
from linli.db.base import utcnow
from tests.conftest import PG_ADMIN_URL

NOW = utcnow()
# (building, room) of each household written at 0013: two share a room (one dissolved), two name their unit.
ROOMS = [("1号楼", "101"), ("1号楼", "101"), ("1号楼", "2-301"), ("1号楼", "2单元302"), ("2号楼", "101"), ("2号楼", "")]


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """Yield an engine on an empty database of each kind (no migrations run)."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()
        return
    name = f"linli_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # pragma: no cover - without PostgreSQL
        pytest.skip(f"PostgreSQL not available: {error}")
    engine = create_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _rows_at_0013(engine: Engine) -> None:
    """Write a grid, two buildings and the households of ``ROOMS`` with the 0013 schema's columns."""
    stamp = {"created_at": NOW, "updated_at": NOW}
    area = table(
        "area",
        *(column(c) for c in ("id", "parent_id", "level", "code", "name", "path", "character", "sort")),
        column("created_at"),
        column("updated_at"),
    )
    building = table(
        "building", *(column(c) for c in ("id", "area_id", "compound", "name", "address", "created_at", "updated_at"))
    )
    household = table(
        "household",
        *(
            column(c)
            for c in (
                "id",
                "area_id",
                "building_id",
                "room",
                "address",
                "registered_on",
                "dissolved_on",
                "created_at",
                "updated_at",
            )
        ),
    )
    with engine.begin() as conn:
        conn.execute(
            area.insert().values(
                id=1,
                parent_id=None,
                level="grid",
                code="350203002011001",
                name="第一网格",
                path="/1/",
                character="",
                sort=0,
                **stamp,
            )
        )
        for i, name in enumerate(("1号楼", "2号楼"), start=1):
            conn.execute(building.insert().values(id=i, area_id=1, compound="", name=name, address="", **stamp))
        for i, (b, room) in enumerate(ROOMS, start=1):
            conn.execute(
                household.insert().values(
                    id=i,
                    area_id=1,
                    building_id=1 if b == "1号楼" else 2,
                    room=room,
                    address="",
                    registered_on=date(2026, 1, 1),
                    dissolved_on=date(2026, 6, 1) if i == 1 else None,
                    **stamp,
                )
            )


def test_0014_puts_every_household_on_a_house_and_keeps_every_row(fresh: Engine) -> None:
    migrations.upgrade(fresh, "0013")
    _rows_at_0013(fresh)
    migrations.upgrade(fresh, "0014")
    with fresh.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(table("household"))) == len(ROOMS)
        homes = conn.execute(
            text(
                "SELECT household.house_id, building.name, unit.name, house.room, house.status FROM household"
                " JOIN house ON house.id = household.house_id JOIN unit ON unit.id = house.unit_id"
                " JOIN building ON building.id = house.building_id ORDER BY household.id"
            )
        ).all()
        units = conn.execute(text("SELECT building_id, name FROM unit ORDER BY building_id, name")).all()
        house_count = conn.scalar(text("SELECT count(*) FROM house"))
    assert [tuple(h[1:]) for h in homes] == [
        ("1号楼", "1单元", "101", "owner_occupied"),
        ("1号楼", "1单元", "101", "owner_occupied"),
        ("1号楼", "2单元", "301", "owner_occupied"),
        ("1号楼", "2单元", "302", "owner_occupied"),
        ("2号楼", "1单元", "101", "owner_occupied"),
        ("2号楼", "1单元", "", "owner_occupied"),
    ]
    assert homes[0][0] == homes[1][0] and house_count == 5  # one house per distinct building, unit and room
    assert [tuple(u) for u in units] == [(1, "1单元"), (1, "2单元"), (2, "1单元")]
    assert migrations.current(fresh) == "0014"


def test_0014_goes_back_to_0013_keeping_the_households(fresh: Engine) -> None:
    from alembic import command
    from sqlalchemy import inspect

    migrations.upgrade(fresh, "0013")
    _rows_at_0013(fresh)
    migrations.upgrade(fresh, "0014")
    config = migrations.alembic_config(str(fresh.url))
    with fresh.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0013")
    assert "house" not in inspect(fresh).get_table_names()
    assert "house_id" not in {c["name"] for c in inspect(fresh).get_columns("household")}
    with fresh.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(table("household"))) == len(ROOMS)
