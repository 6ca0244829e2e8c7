"""A real linli server over a SQLite file, and Debian's chromium driven by Playwright.

Chromium comes from Debian (``apt-get install chromium fonts-noto-cjk``), never from
``playwright install``. With ``CI=true`` a missing browser fails the run; elsewhere it skips.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from linli import migrations
from linli.app import create_app
from linli.registry import places
from linli.registry.schemas import HouseholdIn
from linli.runtime import Runtime
from tests.conftest import IN_CI, make_settings
from tests.factories import World, building_of, id_number, make_household, make_resident, make_world, root_scope

CHROMIUM = os.environ.get("LINLI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
# Without Debian's fonts-noto-cjk, Chinese renders as empty boxes and a screenshot proves nothing.
CJK_FONTS = (Path("/usr/share/fonts/opentype/noto"), "NotoSansCJK*")


@dataclass
class Served:
    url: str
    world: World


def populate(session: Any) -> World:
    """Return the personas' world with a few more neighbours in grid 1, so pages look lived in."""
    from datetime import date

    world = make_world(session)
    make_resident(session, world.household1, name="林国强", relation="10", id_number=id_number(date(1948, 3, 8), 3))
    make_resident(session, world.household1, name="曾晓明", relation="20", id_number=id_number(date(1978, 6, 1), 11))
    building = building_of(session, world.household1)
    for room, name, born, seq in (("302", "张伟", date(1985, 9, 12), 13), ("401", "陈桂兰", date(1941, 1, 20), 22)):
        household = places.create_household(session, root_scope(), HouseholdIn(building_id=building, room=room)).id
        make_resident(session, household, name=name, id_number=id_number(born, seq), phone=f"1380592{seq:04d}")
    make_household(session, world.grid1, "101", "6号楼")
    return world


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(db_path: Path) -> Iterator[Served]:
    """Yield a uvicorn server (in a thread) over a fresh, populated SQLite file; stop it afterwards."""
    runtime = Runtime(make_settings(f"sqlite:///{db_path}"))
    migrations.upgrade(runtime.engine)
    with runtime.sessions() as session:
        world = populate(session)
    app = create_app(runtime.settings)
    app.state.runtime = runtime
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the linli server did not start")
        time.sleep(0.05)
    try:
        yield Served(f"http://127.0.0.1:{port}", world)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        runtime.engine.dispose()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with serve(tmp_path / "linli.db") as s:
        yield s


def chromium_missing() -> str | None:
    """Return why the browser cannot run here, or None."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk"
    folder, pattern = CJK_FONTS
    if not any(folder.glob(pattern)):
        return "the Noto CJK fonts are missing: apt-get install -y fonts-noto-cjk"
    return None


@pytest.fixture
def browser() -> Iterator[Any]:
    """Yield Debian's chromium under Playwright (skipped locally, failed in CI, when it is missing)."""
    problem = chromium_missing()
    if problem:
        if IN_CI:
            pytest.fail(problem)
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
