"""Needs and work orders at district scale: "my orders", a community's open orders, the SLA tick, figures.

    .venv/bin/python bench/needs.py --db sqlite|postgresql [--orders 500000] [--requests 200]

The database is built afresh on every run (bench/out/needs.db, or ``linli_bench_needs``): one district
of 10 streets × 10 communities × 10 grids, a secretary, a supervisor per street and 5 volunteers per
community, the seeded catalogue, and ``--orders`` work orders over the last two years, inserted in bulk
(no timelines or audit rows): ~85 % closed or rated, 3 % dismissed, the rest open (received …
reported), of which about a third are past their deadline and have never been seen by the tick.
Then, in this one process:

1. "my orders" of one volunteer through the API (``GET /api/v1/needs/mine``, in-process ASGI client,
   sequential, after warm-up): p50/p95/max;
2. one community's open orders through the API (``GET /api/v1/needs?state=open&area_id=…&sort=due``
   as its secretary): p50/p95/max;
3. the SLA tick over the whole table: the first run (marks every slipped order overdue and climbs
   levels, with timelines and notifications) and a second run (nothing left to do);
4. the supervisor figures of one street for the last 365 days (the service; first run and best of 3).

Prints what it measured and writes bench/out/needs-<db>.json and the Needs section of bench/README.md
(both databases' latest figures, with the machine).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from common import machine, machine_lines, percentiles, write_section
from sqlalchemy import create_engine, insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


from linli import migrations  # noqa: E402
from linli.accounts.models import Assignment, User  # noqa: E402
from linli.areas.models import Area  # noqa: E402
from linli.config import Settings  # noqa: E402
from linli.needs import catalogue, escalation, figures  # noqa: E402
from linli.needs.models import ServiceCategory, UrgencyLevel, WorkOrder  # noqa: E402
from linli.runtime import Runtime  # noqa: E402

OUT = ROOT / "bench" / "out"
PG_ADMIN = os.environ.get("LINLI_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "Bench-pass-2026"
TARGETS = {"mine_p95_ms": 50.0, "open_p95_ms": 50.0, "tick_s": 10.0, "figures_s": 1.0}
STREETS, COMMUNITIES, GRIDS, VOLUNTEERS = 10, 10, 10, 5
CHUNK = 10_000
# Every bulk row names every column it may set (executemany needs one shape).
NULLABLE = (
    "dispatched_at",
    "due_at",
    "accepted_at",
    "reported_at",
    "closed_at",
    "rating",
    "rated_at",
    "suspended_at",
    "resume_state",
    "assignee_user_id",
    "dispatched_by_id",
)


def url_of(db: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{OUT / 'needs.db'}"
    return PG_ADMIN.rsplit("/", 1)[0] + "/linli_bench_needs"


def settings_of(db: str) -> Settings:
    return Settings(
        env="test",
        database_url=url_of(db),
        secret_key="b" * 40,
        data_key=base64.b64encode(b"n" * 32).decode(),
        argon2_time_cost=1,
        argon2_memory_cost=8192,
        login_rate_limit="100000/minute",
    )


def fresh_database(db: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{OUT / 'needs.db'}{suffix}").unlink(missing_ok=True)
        return
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('DROP DATABASE IF EXISTS "linli_bench_needs" WITH (FORCE)'))
        conn.execute(text('CREATE DATABASE "linli_bench_needs"'))
    admin.dispose()


def build(rt: Runtime, orders: int) -> dict[str, Any]:
    """Fill the district: areas, accounts, the catalogue and ``orders`` work orders; return what was made."""
    started = time.perf_counter()
    migrations.upgrade(rt.engine)
    rng = random.Random(2026)
    now = datetime.now(UTC)
    with rt.sessions() as session:
        catalogue.seed(session)
        password = rt.hasher.hash(PASSWORD)
        with session.begin():
            district = Area(level="district", code="350299", name="基准区", path="/350299/")
            session.add(district)
            session.flush()
            grids: list[tuple[int, int]] = []  # (grid id, community index)
            communities: list[Area] = []
            streets: list[Area] = []
            for s in range(1, STREETS + 1):
                street = Area(
                    level="street",
                    code=f"350299{s:03d}000",
                    name=f"第{s}街道",
                    parent_id=district.id,
                    path=f"/350299/{s:03d}/",
                )
                session.add(street)
                session.flush()
                streets.append(street)
                for c in range(1, COMMUNITIES + 1):
                    community = Area(
                        level="community",
                        code=f"350299{s:03d}{c:03d}",
                        name=f"第{s}街道第{c}社区",
                        parent_id=street.id,
                        path=f"{street.path}{c:03d}/",
                    )
                    session.add(community)
                    session.flush()
                    communities.append(community)
                    for g in range(1, GRIDS + 1):
                        grid = Area(
                            level="grid",
                            code=f"{community.code}{g:03d}",
                            name=f"第{g}网格",
                            parent_id=community.id,
                            path=f"{community.path}{g:03d}/",
                        )
                        session.add(grid)
                        session.flush()
                        grids.append((grid.id, len(communities) - 1))
            accounts: list[tuple[str, str, int]] = [("admin", "admin", district.id)]
            for i, street in enumerate(streets, 1):
                accounts.append((f"supervisor{i}", "supervisor", street.id))
            for i, community in enumerate(communities, 1):
                accounts.append((f"secretary{i}", "secretary", community.id))
                accounts += [(f"volunteer{i}_{v}", "volunteer", community.id) for v in range(1, VOLUNTEERS + 1)]
            users = [
                {
                    "username": u,
                    "display_name": u,
                    "password_hash": password,
                    "active": True,
                    "must_change_password": False,
                }
                for u, _, _ in accounts
            ]
            session.execute(insert(User), users)
            ids = dict(session.execute(select(User.username, User.id)).all())
            session.execute(
                insert(Assignment), [{"user_id": ids[u], "role": role, "area_id": area} for u, role, area in accounts]
            )
        categories = list(session.scalars(select(ServiceCategory.id)))
        urgencies = {u.code: u for u in session.scalars(select(UrgencyLevel))}
    volunteers = [[ids[f"volunteer{c}_{v}"] for v in range(1, VOLUNTEERS + 1)] for c in range(1, len(communities) + 1)]
    secretaries = [ids[f"secretary{c}"] for c in range(1, len(communities) + 1)]
    open_states = ("received", "registered", "dispatched", "handling", "extended", "rework", "reported", "suspended")
    weights = [(0.30, "rated"), (0.55, "closed"), (0.03, "dismissed"), (0.12, "open")]
    made = 0
    with rt.engine.begin() as conn:
        while made < orders:
            rows = []
            for _ in range(min(CHUNK, orders - made)):
                grid_id, community_index = grids[rng.randrange(len(grids))]
                created = now - timedelta(days=730 * rng.random() ** 1.5)
                urgency = urgencies[
                    "ordinary" if rng.random() < 0.7 else rng.choice(("emergency", "urgent", "complex"))
                ]
                kind = rng.choices([w[1] for w in weights], [w[0] for w in weights])[0]
                state = rng.choice(open_states) if kind == "open" else kind
                row = _order(rng, grid_id, created, urgency, rng.choice(categories), state, now)
                if state not in ("received", "registered", "dismissed"):
                    row["assignee_user_id"] = rng.choice(volunteers[community_index])
                    row["dispatched_by_id"] = secretaries[community_index]
                rows.append(row)
            conn.execute(insert(WorkOrder), rows)
            made += len(rows)
            print(f"  {made:,} orders", end="\r", flush=True)
    print()
    if rt.engine.dialect.name == "postgresql":
        with rt.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    else:
        with rt.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    return {"orders": orders, "grids": len(grids), "build_seconds": round(time.perf_counter() - started, 1)}


def _order(
    rng: random.Random, grid_id: int, created: datetime, urgency: Any, category: int, state: str, now: datetime
) -> dict[str, Any]:
    hours = {"hours": urgency.amount, "days": urgency.amount * 24}.get(urgency.unit, urgency.amount * 24 * 1.4)
    dispatched = created + timedelta(hours=rng.random() * 4)
    due = dispatched + timedelta(hours=hours)
    row: dict[str, Any] = dict.fromkeys(NULLABLE) | {
        "area_id": grid_id,
        "category_id": category,
        "urgency_id": urgency.id,
        "title": "基准工单",
        "description": "基准测试生成的需求",
        "address": "",
        "source": rng.choice(("visit", "resident", "staff", "hotline")),
        "requester_name": "",
        "state": state,
        "overdue": False,
        "escalation_level": 0,
        "extension_count": 1 if rng.random() < 0.04 else 0,
        "rework_count": 1 if rng.random() < 0.05 else 0,
        "rating_comment": "",
        "version": 1,
        "created_at": created,
        "updated_at": created,
    }
    if state in ("received", "registered", "dismissed"):
        return row
    row |= {"dispatched_at": dispatched, "due_at": due, "accepted_at": dispatched + timedelta(hours=1)}
    if state in ("closed", "rated"):
        closed = dispatched + timedelta(hours=hours * rng.uniform(0.2, 1.3))
        row |= {"reported_at": closed, "closed_at": closed, "overdue": closed > due}
        if state == "rated":
            row |= {"rating": rng.choices(("satisfied", "basic", "dissatisfied"), (80, 15, 5))[0], "rated_at": closed}
    elif state != "suspended" and rng.random() < 0.35:
        # Open and past its deadline: the tick has not seen it yet.
        row["due_at"] = now - timedelta(hours=rng.uniform(0.5, 200))
    elif state != "suspended":
        row["due_at"] = now + timedelta(hours=rng.uniform(1, 300))
    if state == "suspended":
        row |= {"suspended_at": now - timedelta(days=1), "resume_state": "handling"}
    return row


def api_timings(client: Any, path: str, requests: int) -> tuple[dict[str, float], Any]:
    body = None
    for _ in range(10):
        response = client.get(path)
        assert response.status_code == 200, response.text
        body = response.json()
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200
    return percentiles(samples), body


def measure(db: str, requests: int) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from linli.accounts.services import load_scope
    from linli.app import create_app

    rt = Runtime(settings_of(db))
    app = create_app(rt.settings)
    app.state.runtime = rt
    results: dict[str, Any] = {"date": date.today().isoformat()}
    with rt.sessions() as session:
        results["orders"] = session.scalar(select(text("count(*)")).select_from(WorkOrder))
        community = session.scalar(select(Area).where(Area.code == "350299001001"))
        street = session.scalar(select(Area).where(Area.code == "350299001000"))
        assert community is not None and street is not None
    with TestClient(app) as client:
        for username, key, path in (
            ("volunteer1_1", "mine", "/api/v1/needs/mine"),
            ("secretary1", "open", f"/api/v1/needs?state=open&area_id={community.id}&sort=due"),
        ):
            client.cookies.clear()
            login = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
            assert login.status_code == 200, login.text
            timing, body = api_timings(client, path, requests)
            timing["rows"] = len(body) if isinstance(body, list) else body["total"]
            results[key] = timing
            print(f"{key}: {timing}")
    with rt.sessions() as session:
        first = time.perf_counter()
        tick = escalation.tick(session)
        first = time.perf_counter() - first
        second = time.perf_counter()
        again = escalation.tick(session)
        second = time.perf_counter() - second
        results["tick"] = {
            "first_s": round(first, 2),
            "second_s": round(second, 2),
            "first": tick.model_dump(),
            "second": again.model_dump(),
        }
        print(f"tick: {results['tick']}")
        user_id = session.scalar(select(User.id).where(User.username == "supervisor1"))
        assert user_id is not None
        scope = load_scope(session, user_id, 1)
        runs = []
        for _ in range(4):
            started = time.perf_counter()
            shown = figures.figures(session, scope, street.id, date.today() - timedelta(days=364), date.today())
            runs.append(round(time.perf_counter() - started, 3))
        results["figures"] = {"seconds": runs, "received": shown.total.received, "resolved": shown.total.resolved}
        print(f"figures: {results['figures']}")
    rt.engine.dispose()
    return results


def mark(figure: float, target: float) -> str:
    return "✓" if figure <= target else "✗"


def section() -> str:
    """Return the README section from the latest results of both databases."""
    results = {
        db: json.loads((OUT / f"needs-{db}.json").read_text())
        for db in ("sqlite", "postgresql")
        if (OUT / f"needs-{db}.json").exists()
    }
    lines = [
        "## Needs and work orders: `bench/needs.py`",
        "",
        "A district built by the script (10 streets × 10 communities × 10 grids, a secretary and 5 volunteers per",
        "community) with 500,000 work orders over two years inserted in bulk: ~85 % closed or rated, 3 % dismissed,",
        "12 % open, a third of those past their deadline and not yet seen by the tick. The lists go through the API",
        "(in-process ASGI client, sequential, after warm-up); the tick and the figures call the services.",
        "Run: `.venv/bin/python bench/needs.py --db sqlite` and `--db postgresql`.",
        "",
        "| figure | target | " + " | ".join(results) + " |",
        "|---|---|" + "---|" * len(results),
    ]

    def row(name: str, target: str, cell: Callable[[dict[str, Any]], str]) -> None:
        lines.append(f"| {name} | {target} | " + " | ".join(cell(r) for r in results.values()) + " |")

    row("work orders", "", lambda r: f"{r['orders']:,}")
    row(
        'a volunteer\'s "my orders", API p95 (p50)',
        "≤ 50 ms",
        lambda r: (
            f"{r['mine']['p95_ms']} ms ({r['mine']['p50_ms']}; {r['mine']['rows']} orders) "
            + mark(r["mine"]["p95_ms"], TARGETS["mine_p95_ms"])
        ),
    )
    row(
        "a community's open orders, API p95 (p50)",
        "≤ 50 ms",
        lambda r: (
            f"{r['open']['p95_ms']} ms ({r['open']['p50_ms']}; {r['open']['rows']} open) "
            + mark(r["open"]["p95_ms"], TARGETS["open_p95_ms"])
        ),
    )
    row(
        "SLA tick over all orders: first run (overdue / community / street)",
        "≤ 10 s",
        lambda r: (
            f"{r['tick']['first_s']} s ({r['tick']['first']['overdue']:,} / {r['tick']['first']['community']:,}"
            f" / {r['tick']['first']['street']:,}) " + mark(r["tick"]["first_s"], TARGETS["tick_s"])
        ),
    )
    row(
        "SLA tick, next run (nothing to do)",
        "≤ 10 s",
        lambda r: f"{r['tick']['second_s']} s " + mark(r["tick"]["second_s"], TARGETS["tick_s"]),
    )
    row(
        "figures of a street for a year: first, best of 3",
        "≤ 1 s",
        lambda r: (
            f"{r['figures']['seconds'][0]} s, {min(r['figures']['seconds'][1:])} s "
            f"({r['figures']['received']:,} received) " + mark(r["figures"]["seconds"][0], TARGETS["figures_s"])
        ),
    )
    row("building the data", "", lambda r: f"{r.get('prepared', {}).get('build_seconds', '—')} s")
    row("measured on", "", lambda r: f"{r['date']}, load {r['machine']['load']}")
    lines.append("")
    lines.extend(machine_lines(results))
    lines.append("")
    return "\n".join(lines)


def write_readme() -> None:
    write_section("needs", section())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--orders", type=int, default=500_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    # The tick changes the orders it measures, so every run starts from freshly built data.
    fresh_database(args.db)
    rt = Runtime(settings_of(args.db))
    prepared = build(rt, args.orders)
    rt.engine.dispose()
    print(f"built: {prepared}")
    results = measure(args.db, args.requests) | {"prepared": prepared, "machine": machine(url_of(args.db))}
    (OUT / f"needs-{args.db}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str))
    write_readme()
    print(f"wrote {OUT / f'needs-{args.db}.json'} and the Needs section of bench/README.md")


if __name__ == "__main__":
    main()
