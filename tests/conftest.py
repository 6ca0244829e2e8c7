"""Test databases, the app, and personas.

Every test that asks for ``db`` (directly or through ``client``/``personas``) runs twice: on a fresh
SQLite file and on a PostgreSQL database made for this run. With ``CI=true`` a missing PostgreSQL
is a failure, not a skip.
"""

from __future__ import annotations

import base64
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from linli import migrations
from linli.app import create_app
from linli.config import Settings
from linli.migrations.models import Base
from linli.runtime import Runtime
from linli.web.csrf import COOKIE as CSRF_COOKIE

PG_ADMIN_URL = os.environ.get("LINLI_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"
TEST_KEY = base64.b64encode(b"k" * 32).decode()


def make_settings(url: str, **overrides: object) -> Settings:
    """Return settings for a test database: light password hashing, a fixed data key."""
    values: dict[str, object] = dict(
        env="test",
        database_url=url,
        secret_key="t" * 40,
        data_key=TEST_KEY,
        argon2_time_cost=1,
        argon2_memory_cost=8192,
        login_rate_limit="1000/minute",
    )
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a migrated SQLite file that each test copies (migrating once is the slow part)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    runtime = Runtime(make_settings(f"sqlite:///{path}"))
    migrations.upgrade(runtime.engine)
    runtime.engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """Yield the URL of a PostgreSQL database created (and migrated) for this test run, then drop it."""
    name = f"linli_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI: {error}")
        pytest.skip(f"PostgreSQL not available: {error}")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    runtime = Runtime(make_settings(url))
    migrations.upgrade(runtime.engine)
    runtime.engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Yield the URL of an empty, migrated database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "linli.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("pg_url")
    yield url
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables if t.name != "alembic_version")
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def runtime(database_url: str) -> Iterator[Runtime]:
    rt = Runtime(make_settings(database_url))
    yield rt
    rt.engine.dispose()


@pytest.fixture
def db(runtime: Runtime) -> Iterator[Session]:
    """Yield a session on a fresh database of each kind."""
    with runtime.sessions() as session:
        yield session


@pytest.fixture
def app(runtime: Runtime):
    application = create_app(runtime.settings)
    application.state.runtime = runtime
    return application


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    """Yield a client that, like a page, sends back the CSRF token the app gave it (tests/security checks refusals)."""
    with TestClient(app) as test_client:

        def send_csrf(request) -> None:
            token = test_client.cookies.get(CSRF_COOKIE)
            if token and "x-csrf-token" not in request.headers:
                request.headers["x-csrf-token"] = token

        test_client.event_hooks["request"].append(send_csrf)
        test_client.get("/login")  # the first page a browser sees gives it the token
        yield test_client


@pytest.fixture
def world(db: Session):
    """Return the personas' world: 思明区 › 开元街道 › 阳台山社区 with grids 1 and 2, another community, and users."""
    from tests.factories import make_world

    return make_world(db)


def login(client: TestClient, username: str, password: str = "Persona-pass-2026") -> TestClient:
    """Sign ``client`` in as ``username`` (the cookie is kept)."""
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return client
