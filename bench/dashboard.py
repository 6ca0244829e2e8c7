"""Dashboards and reports at district scale: the district's and a grid's dashboard, a street's yearly workbook.

    .venv/bin/python bench/dashboard.py --db sqlite|postgresql [--requests 200] [--orders 100000]

The database is bench/visits.py's (the district demo, 1,500 grids and ~1,000,000 residents, with a year of
grid logs; made by that script's ``prepare`` when missing), with ``--orders`` work orders over the last
year added in bulk (bench/needs.py's rows: ~85 % resolved, some rated, some open and late; assigned to
the grid's worker) when it has fewer. Then, in this one process:

1. the rollups of the last 12 months computed from the raw tables (``reports.rollup.backfill``, as
   ``linli rollup --months 12``), and the job's regular run once everything is current (``refresh_due``:
   the month under way);
2. the district's dashboard for last month through the API (``GET /api/v1/dashboard`` as ``admin``,
   in-process ASGI client, sequential, after warm-up): p50/p95/max;
3. grid 1's dashboard for last month through the API as its worker ``wangge1``: p50/p95/max;
4. a street's (开元街道) workbook for this year (``reports.workbook.report_workbook``: every section, the
   communities compared, each month's grid-worker ranking): the first run and the best of 3.

Prints what it measured and writes bench/out/dashboard-<db>.json and the Dashboard section of
bench/README.md (both databases' latest figures, with the machine).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import linli_environment, machine, machine_lines, percentiles, write_section
from sqlalchemy import func, insert, select

from needs import _order
from visits import PASSWORD, prepare, url_of

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
STREET = "350203002000"
BENCH_TITLE = "基准工单"
TARGETS = {"district_p95_ms": 300.0, "grid_p95_ms": 50.0, "street_year_s": 10.0}


def settings_of(db: str) -> Any:
    from linli.config import Settings

    env = linli_environment(url_of(db))
    return Settings(
        env="development",
        database_url=url_of(db),
        data_key_file=Path(env["LINLI_DATA_KEY_FILE"]),
        secret_key=env["LINLI_SECRET_KEY"],
    )


def add_orders(runtime: Any, wanted: int) -> dict[str, Any]:
    """Add bench work orders over the last year until there are ``wanted``; return how many were added."""
    from linli.accounts.models import Assignment
    from linli.areas.models import Area
    from linli.needs import catalogue
    from linli.needs.models import ServiceCategory, UrgencyLevel, WorkOrder

    with runtime.sessions() as session:
        have = session.scalar(select(func.count()).where(WorkOrder.title == BENCH_TITLE)) or 0
        if have >= wanted:
            return {"orders": have, "added": 0}
        catalogue.seed(session)
        categories = list(session.scalars(select(ServiceCategory.id)))
        urgencies = {u.code: u for u in session.scalars(select(UrgencyLevel))}
        grids = list(session.scalars(select(Area.id).where(Area.level == "grid")))
        workers = dict(
            session.execute(
                select(Assignment.area_id, Assignment.user_id).where(Assignment.role == "grid_worker")
            ).all()
        )
    rng = random.Random(2026)
    now = datetime.now(UTC)
    started = time.perf_counter()
    made = 0
    with runtime.engine.begin() as conn:
        while made < wanted - have:
            rows = []
            for _ in range(min(5000, wanted - have - made)):
                grid = rng.choice(grids)
                urgency = urgencies["ordinary" if rng.random() < 0.7 else rng.choice(("emergency", "urgent"))]
                state = rng.choices(("rated", "closed", "dismissed", "handling"), (30, 55, 3, 12))[0]
                row = _order(
                    rng, grid, now - timedelta(days=365 * rng.random()), urgency, rng.choice(categories), state, now
                )
                if state not in ("dismissed",) and grid in workers:
                    row["assignee_user_id"] = workers[grid]
                rows.append(row)
            conn.execute(insert(WorkOrder), rows)
            made += len(rows)
            print(f"  {have + made:,} orders", end="\r", flush=True)
    print()
    return {"orders": wanted, "added": made, "seconds": round(time.perf_counter() - started, 1)}


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def api_timings(client: Any, path: str, params: dict[str, Any], requests: int) -> dict[str, Any]:
    for _ in range(10):
        client.get(path, params=params)
    samples = []
    for _ in range(requests):
        seconds, response = timed(lambda: client.get(path, params=params))
        assert response.status_code == 200, response.text
        samples.append(seconds)
    return percentiles(samples) | {"children": len(response.json()["children"])}


def measure(db: str, requests: int, orders: int) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from linli.accounts.models import User
    from linli.accounts.services import load_scope
    from linli.app import create_app
    from linli.areas.models import Area
    from linli.lib import clock
    from linli.reports import rollup
    from linli.reports.workbook import report_workbook

    app = create_app(settings_of(db))
    runtime = app.state.runtime
    out: dict[str, Any] = {"date": clock.today().isoformat(), "orders": add_orders(runtime, orders)}
    today = clock.today()
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    with runtime.sessions() as session:
        out["grids"] = session.scalar(select(func.count()).select_from(Area).where(Area.level == "grid")) or 0
        seconds, done = timed(lambda: rollup.backfill(session, 12))
        out["backfill"] = {"seconds": round(seconds, 1), "rows": done["reports.rows"]}
        print(f"1. rollups of 12 months from the raw tables: {out['backfill']}", flush=True)
        rollup.refresh_due(session)  # the months beyond the 12 (kept 24) once
        seconds, done = timed(lambda: rollup.refresh_due(session))
        out["job"] = {"seconds": round(seconds, 1), "months": done["reports.months"]}
        print(f"   the job's regular run afterwards: {out['job']}", flush=True)

    with TestClient(app) as client:
        assert client.post("/api/v1/auth/login", json={"username": "admin", "password": PASSWORD}).status_code == 200
        out["district"] = api_timings(client, "/api/v1/dashboard", {"period": last_month}, requests)
        print(f"2. the district's dashboard for {last_month} via the API: {out['district']}", flush=True)
        client.cookies.clear()
        assert client.post("/api/v1/auth/login", json={"username": "wangge1", "password": PASSWORD}).status_code == 200
        out["grid"] = api_timings(client, "/api/v1/dashboard", {"period": last_month}, requests)
        print(f"3. grid 1's dashboard for {last_month} via the API: {out['grid']}", flush=True)

    with runtime.sessions() as session:
        admin = session.scalar(select(User).where(User.username == "admin"))
        assert admin is not None
        scope = load_scope(session, admin.id, admin.session_version)
        street = session.scalar(select(Area.id).where(Area.code == STREET))
        weights = runtime.settings.evaluation_weights
        runs = []
        for _ in range(4):
            seconds, (content, _) = timed(lambda: report_workbook(session, scope, street, str(today.year), weights))
            runs.append(round(seconds, 2))
        out["street_year"] = {"first": runs[0], "best": min(runs[1:]), "runs": runs, "kb": len(content) // 1024}
        print(f"4. 开元街道's workbook for {today.year}: {out['street_year']}", flush=True)
    runtime.engine.dispose()
    return out


def mark(figure: float, target: float) -> str:
    return "✓" if figure <= target else "✗"


def section() -> str:
    results = {
        db: json.loads((OUT / f"dashboard-{db}.json").read_text())
        for db in ("sqlite", "postgresql")
        if (OUT / f"dashboard-{db}.json").exists()
    }
    lines = [
        "## Dashboards and reports: `bench/dashboard.py`",
        "",
        "bench/visits.py's database (the district demo with a year of grid logs) with 100,000 work orders over the",
        "last year added in bulk. The dashboard reads monthly rollups (`figure_month`) kept by the job runner; the",
        "rollups of 12 months are computed first from the raw tables, as `linli rollup --months 12` does. The",
        "dashboards through the API with an in-process ASGI client (sequential, after warm-up); the workbook by",
        "calling the service as the district administrator.",
        "Run: `.venv/bin/python bench/dashboard.py --db sqlite` and `--db postgresql`.",
        "",
        "| figure | target | " + " | ".join(results) + " |",
        "|---|---|" + "---|" * len(results),
    ]

    def row(name: str, target: str, cell: Callable[[dict[str, Any]], str]) -> None:
        lines.append(f"| {name} | {target} | " + " | ".join(cell(r) for r in results.values()) + " |")

    row("database", "", lambda r: f"{r['grids']} grids, {r['orders']['orders']:,} bench orders")
    row(
        "district dashboard, a month, API p95 (p50)",
        "≤ 300 ms",
        lambda r: (
            f"{r['district']['p95_ms']} ms ({r['district']['p50_ms']}; "
            f"{r['district']['children']} streets) {mark(r['district']['p95_ms'], TARGETS['district_p95_ms'])}"
        ),
    )
    row(
        "grid dashboard, a month, API p95 (p50)",
        "≤ 50 ms",
        lambda r: (
            f"{r['grid']['p95_ms']} ms ({r['grid']['p50_ms']}) {mark(r['grid']['p95_ms'], TARGETS['grid_p95_ms'])}"
        ),
    )
    row(
        "a street's yearly workbook (first, best of 3)",
        "≤ 10 s",
        lambda r: (
            f"{r['street_year']['first']} s, {r['street_year']['best']} s "
            f"({r['street_year']['kb']} KB) {mark(r['street_year']['first'], TARGETS['street_year_s'])}"
        ),
    )
    row(
        "rollups of 12 months from the raw tables",
        "",
        lambda r: f"{r['backfill']['seconds']} s ({r['backfill']['rows']:,} rows)",
    )
    row("the job's regular run (the month under way)", "", lambda r: f"{r['job']['seconds']} s")
    row("measured on", "", lambda r: f"{r['date']}, load {r['machine']['load']}, nice {r['machine'].get('nice', 0)}")
    lines += [""]
    lines.extend(machine_lines(results))
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--orders", type=int, default=100_000)
    args = parser.parse_args()
    prepared = prepare(args.db, 365)
    results = measure(args.db, args.requests, args.orders) | {
        "prepared": {k: v for k, v in prepared.items() if k != "drift"},
        "machine": machine(url_of(args.db)),
    }
    (OUT / f"dashboard-{args.db}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str))
    write_section("dashboard", section())
    print(f"wrote {OUT / f'dashboard-{args.db}.json'} and the Dashboard section of bench/README.md")


if __name__ == "__main__":
    main()
