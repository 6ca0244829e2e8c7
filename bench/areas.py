"""The area pages at district scale: the whole tree with every area counted, and the district's own page.

    .venv/bin/python bench/areas.py [--db sqlite|postgresql] [--url URL] [--requests 20]

Uses a database holding the district demo (``linli demo --scale district``: 1,611 areas, ~400,000
households, ~1,000,000 residents): bench/out/district.db, or on PostgreSQL ``linli_bench_district``
(the database bench/registry.py builds), built first when empty (about 5 minutes). Signs in as the
district administrator ``admin`` with an in-process ASGI client and requests ``/areas`` (every area with
its buildings, households, residents and tagged people) and ``/areas/<district>`` (the district's counts
and its streets'), sequentially after one warm-up request: p50/p95/max. Writes bench/out/areas-<db>.json
and the Areas section of bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from common import linli_environment, machine, machine_lines, percentiles, write_section
from sqlalchemy import create_engine, inspect, select, text

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "src"))

from linli.areas.models import Area  # noqa: E402

PG_SERVER = os.environ.get("LINLI_BENCH_PG_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432")
TARGET_MS = 1000  # a page a supervisor opens: within a second


def ensure_pg_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` when it does not exist."""
    name = url.rsplit("/", 1)[1]
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def ensure_demo(url: str) -> None:
    """Build the district demo into ``url`` when it holds no areas yet, and bring its schema up to date."""
    env = linli_environment(url)
    linli = [sys.executable, "-m", "linli"]
    engine = create_engine(url)
    with engine.connect() as conn:
        empty = not inspect(conn).has_table("area") or conn.scalar(select(Area.id).limit(1)) is None
    engine.dispose()
    if empty:
        print("building the district demo (a few minutes)…", flush=True)
        subprocess.run([*linli, "demo", "--scale", "district"], env=env, check=True)
    subprocess.run([*linli, "db", "upgrade"], env=env, check=True, stdout=subprocess.DEVNULL)


def measure(url: str, requests: int) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from linli.app import create_app
    from linli.config import Settings

    settings = Settings(
        database_url=url,
        data_key_file=OUT / "demo.key",
        env="test",
        secret_key="b" * 40,
        login_rate_limit="1000/minute",
    )
    found: dict[str, Any] = {}
    with TestClient(create_app(settings)) as client:
        client.get("/login")
        token = client.cookies.get("linli_csrf") or ""
        signed = client.post(
            "/login",
            data={"username": "admin", "password": "Linli-Demo-2026", "csrf_token": token},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text[:200]
        engine = create_engine(url)
        with engine.connect() as conn:
            district = conn.scalar(select(Area.id).where(Area.parent_id.is_(None)))
            areas = conn.scalar(text("SELECT count(*) FROM area"))
        engine.dispose()
        for name, path in (("tree", "/areas"), ("district", f"/areas/{district}")):
            client.get(path).raise_for_status()
            samples = []
            for _ in range(requests):
                started = time.perf_counter()
                response = client.get(path)
                samples.append(time.perf_counter() - started)
                response.raise_for_status()
            found[name] = percentiles(samples) | {"bytes": len(response.content)}
            print(name, found[name], flush=True)
    return found | {"areas": areas}


def section() -> str:
    """Return the README section from the latest results of each database."""
    results = {
        db: json.loads((OUT / f"areas-{db}.json").read_text())
        for db in ("sqlite", "postgresql")
        if (OUT / f"areas-{db}.json").exists()
    }

    def cell(r: dict[str, Any], name: str) -> str:
        f = r[name]
        mark = "✓" if f["p95_ms"] <= TARGET_MS else "✗"
        return f"{f['p95_ms']} ms ({f['p50_ms']}; {f['bytes'] / 1024:.0f} KB) {mark}"

    def row(label: str, value: Any) -> str:
        return f"| {label} | " + " | ".join(value(r) for r in results.values()) + " |"

    first = next(iter(results.values()))
    lines = [
        "## Areas: the tree and the district page at district scale (`bench/areas.py`)",
        "",
        "The district demo; the district administrator `admin` through an in-process ASGI client, sequential",
        "requests after a warm-up. Every area's counts come from five grouped queries over the indexes",
        "`(area_id, status)` / `(area_id, dissolved_on)` (migration 0008). Target: p95 ≤ 1 s.",
        f"Run: `.venv/bin/python bench/areas.py` and `--db postgresql` ({first['requests']} requests a page).",
        "",
        "| page: p95 (p50; size) | " + " | ".join(results) + " |",
        "|---|" + "---|" * len(results),
        row(f"`/areas`: the whole tree, {first['areas']:,} areas, each counted", lambda r: cell(r, "tree")),
        row("`/areas/<district>`: its counts and its streets'", lambda r: cell(r, "district")),
        row("measured on", lambda r: f"{r['date']}, load {r['machine']['load']}"),
        "",
        *machine_lines(results),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--url", help="the database (default: bench/out/district.db, or linli_bench_district)")
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    url = args.url or (
        f"sqlite:///{OUT / 'district.db'}" if args.db == "sqlite" else f"{PG_SERVER}/linli_bench_district"
    )
    if args.db == "postgresql":
        ensure_pg_database(url)
    ensure_demo(url)
    results = measure(url, args.requests) | {
        "requests": args.requests,
        "date": date.today().isoformat(),
        "machine": machine(url),
    }
    (OUT / f"areas-{args.db}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    write_section("areas", section())
    print(f"wrote bench/out/areas-{args.db}.json and the Areas section of bench/README.md")


if __name__ == "__main__":
    main()
