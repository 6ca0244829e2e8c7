"""Migrations: the models and the migrated schema agree on both databases."""

from __future__ import annotations

import os
import subprocess
import sys

from alembic import command
from sqlalchemy import inspect, select

from linli import migrations
from linli.lib.pinyin import name_keys
from linli.migrations.models import Base
from linli.registry.models import Resident, ResidentKey
from linli.runtime import Runtime
from tests.conftest import TEST_KEY
from tests.factories import World


def test_it_finds_no_drift_between_models_and_migrations(runtime: Runtime) -> None:
    assert migrations.drift(runtime.engine) == []
    assert migrations.current(runtime.engine) == migrations.head()
    assert set(Base.metadata.tables) <= set(inspect(runtime.engine).get_table_names())


def test_it_passes_linli_db_check(database_url: str) -> None:
    env = {**os.environ, "LINLI_DATABASE_URL": database_url, "LINLI_DATA_KEY": TEST_KEY, "LINLI_ENV": "test"}
    done = subprocess.run(
        [sys.executable, "-m", "linli", "db", "check"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "agree" in done.stdout


def test_0009_writes_every_residents_search_keys_anew(runtime: Runtime, world: World) -> None:
    """Keys of the old readings (archaic ones, or any left behind) are replaced by today's ``name_keys``."""
    with runtime.sessions() as session, session.begin():
        resident = session.get(Resident, world.resident1.id)
        assert resident is not None
        session.add(ResidentKey(key="tunwei", resident_id=resident.id, area_id=resident.area_id))
    config = migrations.alembic_config(str(runtime.engine.url))
    with runtime.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008")
    assert "ix_resident_key_resident_id" in {i["name"] for i in inspect(runtime.engine).get_indexes("resident_key")}
    assert inspect(runtime.engine).get_foreign_keys("resident_key")
    migrations.upgrade(runtime.engine)
    assert "ix_resident_key_resident_id" not in {i["name"] for i in inspect(runtime.engine).get_indexes("resident_key")}
    assert inspect(runtime.engine).get_foreign_keys("resident_key") == []
    with runtime.sessions() as session:
        stored: dict[int, set[str]] = {}
        for key, rid in session.execute(select(ResidentKey.key, ResidentKey.resident_id)):
            stored.setdefault(rid, set()).add(key)
        residents = session.execute(select(Resident.id, Resident.name)).all()
        assert len(residents) >= 2
        assert stored == {rid: name_keys(name) for rid, name in residents}
