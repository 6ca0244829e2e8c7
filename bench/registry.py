"""Resident search and list latency through the API, on a district-scale demo database.

    .venv/bin/python bench/registry.py --db sqlite|postgresql [--scale district|community] [--requests 200]

Builds the demo with ``linli demo`` (or reuses the one under bench/out/), starts ``linli serve`` on a
free port, signs in as the district administrator and as a grid worker, and times GET requests
sequentially from this process: search by name, by pinyin initials, by the last four digits of an
ID number, and list pages. Prints p50/p95/max per series and writes bench/out/results-<db>-<scale>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx
from common import linli_environment as environment
from common import write_section
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine

from linli.areas.models import Area
from linli.audit.models import AuditEvent
from linli.lib.pinyin import initials
from linli.registry.models import Resident

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PG_ADMIN = os.environ.get("LINLI_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "Linli-Demo-2026"
TARGET_P95_MS = 50.0
GRID_WORKER = ("wangge1", "350203002011001")


def database_url(db: str, scale: str) -> str:
    """Return where the bench database of ``db`` kind and ``scale`` lives."""
    if db == "sqlite":
        return f"sqlite:///{OUT / f'{scale}.db'}"
    return PG_ADMIN.rsplit("/", 1)[0] + f"/linli_bench_{scale}"


def loaded(url: str) -> bool:
    """Return whether the database exists and holds a finished demo (its ``demo.load`` event)."""
    if url.startswith("postgresql"):
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.rsplit("/", 1)[1]})
        admin.dispose()
        if not exists:
            return False
    elif not Path(url.removeprefix("sqlite:///")).exists():
        return False
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(AuditEvent.id).where(AuditEvent.action == "demo.load")) is not None
    except Exception:
        return False
    finally:
        engine.dispose()


def drop(url: str) -> None:
    """Remove the bench database of ``url`` if it exists."""
    if url.startswith("postgresql"):
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
        admin.dispose()
        return
    for suffix in ("", "-wal", "-shm"):
        Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)


def build(url: str, scale: str, record: Path) -> dict[str, Any]:
    """Build the demo with the real command, timing it; return the build record."""
    drop(url)
    if url.startswith("postgresql"):
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{url.rsplit("/", 1)[1]}"'))
        admin.dispose()
    command = [sys.executable, "-m", "linli", "demo", "--scale", scale]
    print(f"building: {' '.join(command[1:])} on {url}", flush=True)
    started = time.perf_counter()
    done = subprocess.run(command, env=environment(url), cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"demo build failed:\n{done.stderr[-3000:]}")
    data = {
        "url": url,
        "scale": scale,
        "seconds": round(seconds, 1),
        "output": next((line for line in done.stdout.splitlines() if line.startswith("demo loaded")), ""),
        "date": time.strftime("%Y-%m-%d"),
        "load": [round(x, 1) for x in os.getloadavg()],
    }
    record.write_text(json.dumps(data, ensure_ascii=False, indent=2))
    print(f"built in {seconds:.0f} s: {data['output']}", flush=True)
    return data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(url: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``linli serve`` on a free port and wait until it answers; return the process and base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "linli", "serve", "--port", str(port)],
        env=environment(url),
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            sys.exit(f"linli serve stopped: see {log}")
        time.sleep(0.1)
    process.terminate()
    sys.exit("linli serve did not answer within 30 s")


def samples(engine: Engine, area_code: str | None, count: int, rng: random.Random) -> list[tuple[str, str]]:
    """Return ``count`` random (name, ID tail) pairs of residents under ``area_code`` (everyone when None)."""
    with engine.connect() as conn:
        query = select(Resident.name, Resident.id_tail).where(Resident.status == "active")
        if area_code is not None:
            query = query.join(Area, Area.id == Resident.area_id).where(Area.code == area_code)
            rows = conn.execute(query).all()
            return [tuple(r) for r in rng.sample(rows, min(count, len(rows)))]  # type: ignore[misc]
        top = conn.scalar(select(func.max(Resident.id))) or 0
        ids = rng.sample(range(1, top + 1), min(count * 2, top))
        rows = conn.execute(query.where(Resident.id.in_(ids))).all()
        return [tuple(r) for r in rows[:count]]  # type: ignore[misc]


def timed(client: httpx.Client, params: list[dict[str, Any]], warmup: int = 10) -> dict[str, Any]:
    """Return latency figures (ms) and the mean result total of GET /api/v1/residents with each ``params``."""
    for p in params[:warmup]:
        client.get("/api/v1/residents", params=p).raise_for_status()
    times, totals = [], []
    for p in params:
        started = time.perf_counter()
        response = client.get("/api/v1/residents", params=p)
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        totals.append(response.json()["total"])
    times.sort()
    return {
        "requests": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
        "max_ms": round(times[-1], 1),
        "mean_total": round(statistics.mean(totals), 1),
    }


def series(
    engine: Engine, area_code: str | None, n: int, rng: random.Random, pages: int
) -> dict[str, list[dict[str, Any]]]:
    """Return the request parameters of each measured series for a user whose reach is ``area_code``."""
    people = samples(engine, area_code, n, rng)
    while len(people) < n:
        people += people
    people = people[:n]
    return {
        "search by name": [{"q": name} for name, _ in people],
        "search by initials": [{"q": initials(name)[0]} for name, _ in people],
        "search by ID tail": [{"q": tail} for _, tail in people],
        "list page 1-50": [{"page": rng.randint(1, max(1, min(50, pages)))} for _ in range(n)],
    }


def login(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    response = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    if response.status_code != 200:
        sys.exit(f"cannot sign in as {username}: {response.status_code} {response.text[:200]}")
    client.headers["Authorization"] = f"Bearer {response.json()['token']}"
    client.cookies.clear()
    return client


def machine() -> dict[str, Any]:
    """Return what the figures were measured on: CPUs, CPU model, memory, Python."""
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    memory = next((line.split()[1] for line in meminfo if line.startswith("MemTotal")), "0")
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(int(memory) / 2**20, 1),
        "python": platform.python_version(),
    }


SERIES = ("search by name", "search by initials", "search by ID tail", "list page 1-50")
ABOUT = """\
## Registry: resident search and list through the API (`bench/registry.py`)

The district demo built by `linli demo --scale district` (10 streets, 100 communities, 1,500 grids, ~400,000
households, ~1,000,000 residents; the build is timed). `linli serve` (uvicorn, one worker) runs as a
subprocess; this process signs in over HTTP as the district administrator `admin` and as the grid-1 worker
`wangge1` (bearer token) and sends, one at a time over one keep-alive connection, 200 requests per series
after 10 warm-ups, timing each from request to parsed JSON: `GET /api/v1/residents?q=` a resident's full
name, the pinyin initials of a name (`initials(name)[0]`, 2–4 letters), the last 4 digits of an ID number
(names and tails drawn at random from residents in the user's reach), and `?page=N` (N random in 1–50,
20 rows). Each cell: p95 (p50) in ms, and the mean number of matches. Target: p95 ≤ 50 ms.
Run: `.venv/bin/python bench/registry.py --db sqlite` and `--db postgresql` (`--rebuild` builds again).
"""
NOTES = """\
What the figures show, and why (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL). The machine
was shared with other builds and test runs while measuring (load averages above, 2 cores): p95 moves by 2×
between runs; p50 is steadier.

- **Planner statistics.** Right after a bulk load SQLite has no statistics and walks `ix_resident_status`
  (every resident is `active`) instead of `ix_resident_area_id`: a grid's list page took 200 ms, an ID-tail
  search 500 ms. `linli demo` now runs `ANALYZE` at the end (2 s); a database filled by imports needs the
  same (`PRAGMA optimize` on SQLite, autovacuum's analyze on PostgreSQL).
- **A grid worker's name search** used the district-wide key range (`zh` matches 140,000 keys) and then
  dropped what lay outside the grid: 280 ms. `registry.services._filtered` now narrows the key lookup to
  the caller's areas when they reach a community or less (`ix_resident_key_area_key`): 1 ms.
- **The district administrator's list page** is its `total`: `SELECT count(*) FROM resident WHERE area_id IN
  (…district…) AND status = 'active'` counts a million rows. SQLite: 500 ms (a table read per row for
  `status`); with a covering `Index("ix_resident_area_id_status", "area_id", "status")` 40 ms. PostgreSQL:
  215 ms (parallel seq scan, 37,000 pages); with that index and a VACUUM, an index-only scan, 60–120 ms.
  Counting at most 1,001 rows (`SELECT count(*) FROM (… LIMIT 1001)`, `total` shown as "1,000+") takes
  1 ms on both: the fix (it needs a `total_capped` flag on `Page`). The covering index came later anyway
  (migration 0008, `ix_resident_area_status`), for the area pages' counts (`bench/areas.py`).
- **Short initials across a district** (`zh`, `ch`, `sh`, `zw`) match 5–25% of all residents. PostgreSQL:
  the exact count is 540 ms, the capped count 7 ms, and the page itself 0.2 ms (merge semi-join on
  `ix_resident_key_resident_id`): the capped count is enough. SQLite drives the page from the key list
  (130 ms for `zh`) whatever the index: it also needs 3+ letters, or a chosen community, before a
  district-wide prefix search.
- **Presenting a page** spends ~0.4 ms per resident in `lib.phone.mask` (phonenumbers parse and format),
  ~8 ms of every 20-row page on both databases; a fast path for +86 mobiles would remove it.
"""


def section() -> str:
    """Return the Registry section of bench/README.md from the latest results of both databases."""
    results = {}
    for db in ("sqlite", "postgresql"):
        path = OUT / f"results-{db}-district.json"
        if path.exists():
            results[db] = json.loads(path.read_text())
    dbs = list(results)
    lines = [ABOUT, "| series | " + " | ".join(dbs) + " |", "|---" * (len(dbs) + 1) + "|"]
    for user in ("admin", GRID_WORKER[0]):
        for name in SERIES:
            cells = []
            for db in dbs:
                f = results[db]["series"].get(f"{user} / {name}")
                mark = "✓" if f and f["p95_ms"] <= TARGET_P95_MS else "✗"
                cells.append(f"{f['p95_ms']} ({f['p50_ms']}); {round(f['mean_total']):,} {mark}" if f else "—")
            lines.append(f"| {user}: {name} | " + " | ".join(cells) + " |")
    lines.append(
        "| demo build, `linli demo --scale district` | "
        + " | ".join(
            f"{results[db]['build']['seconds']} s (load {results[db]['build'].get('load', '?')})" for db in dbs
        )
        + " |"
    )
    lines.append(
        "| measured on | " + " | ".join(f"{results[db]['measured']}, load {results[db]['load']}" for db in dbs) + " |"
    )
    lines.append("")
    for db in dbs:
        m = results[db]["machine"]
        lines.append(f"- {db}: {m['database']}, Python {m['python']}, {m['cpu']} × {m['cpus']}, {m['memory_gb']} GB.")
    lines += ["", NOTES]
    return "\n".join(lines)


def write_readme() -> None:
    write_section("registry", section(), first=True)


def database_version(engine: Engine) -> str:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return "SQLite " + str(conn.scalar(text("SELECT sqlite_version()")))
        return str(conn.scalar(text("SELECT version()"))).split(" on ")[0]


def measure(engine: Engine, base: str, requests: int) -> dict[str, dict[str, Any]]:
    """Return the figures of every series, for the district administrator and for a grid worker."""
    rng = random.Random(2019)
    users: list[tuple[str, str | None]] = [("admin", None), GRID_WORKER]
    found: dict[str, dict[str, Any]] = {}
    print(f"{'user':<10} {'series':<20} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'hits':>9}", flush=True)
    for username, area_code in users:
        client = login(base, username)
        pages = -(-client.get("/api/v1/residents").json()["total"] // 20)
        for name, params in series(engine, area_code, requests, rng, pages).items():
            figures = timed(client, params)
            found[f"{username} / {name}"] = figures
            flag = "" if figures["p95_ms"] <= TARGET_P95_MS else "  > target"
            print(
                f"{username:<10} {name:<20} {figures['p50_ms']:>8} {figures['p95_ms']:>8} {figures['max_ms']:>8}"
                f" {figures['mean_total']:>9}{flag}",
                flush=True,
            )
        client.close()
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--scale", choices=("district", "community"), default="district")
    parser.add_argument("--requests", type=int, default=200, help="requests per series")
    parser.add_argument("--rebuild", action="store_true", help="build the demo again even if one exists")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    url = database_url(args.db, args.scale)
    record = OUT / f"build-{args.db}-{args.scale}.json"
    if args.rebuild or not loaded(url) or not record.exists():
        built = build(url, args.scale, record)
    else:
        built = json.loads(record.read_text())
        print(f"reusing {url} (built in {built['seconds']} s)", flush=True)
    engine = create_engine(url)
    process, base = serve(url, OUT / f"serve-{args.db}-{args.scale}.log")
    load_before = os.getloadavg()
    try:
        figures = measure(engine, base, args.requests)
    finally:
        process.terminate()
        process.wait(timeout=30)
    results = {
        "machine": machine() | {"database": database_version(engine)},
        "db": args.db,
        "scale": args.scale,
        "build": built,
        "measured": time.strftime("%Y-%m-%d"),
        "load": [round(x, 1) for x in (*load_before, *os.getloadavg())],
        "series": figures,
    }
    engine.dispose()
    out = OUT / f"results-{args.db}-{args.scale}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    if args.scale == "district":
        write_readme()
    print(f"written {out}" + (" and the Registry section of bench/README.md" if args.scale == "district" else ""))


if __name__ == "__main__":
    main()
