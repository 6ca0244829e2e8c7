"""Coverage figures, recomputed by a hand-written SQL query straight from the grid logs."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from linli.lib import clock
from linli.visits import coverage
from linli.visits.coverage import day_start
from tests.conftest import login
from tests.factories import World, make_household, make_resident, scope_of
from tests.visits.helpers import days_ago, log, registered

BY_HAND = """
WITH bounds(every, lo) AS (VALUES {bounds}),
h AS (
  SELECT r.household_id, r.area_id, r.contact_every, r.visit_every, r.close_care, r.registered_on,
    (SELECT max(g.started_at) FROM grid_log g WHERE g.household_id = r.household_id AND g.started_at < :hi) AS lc,
    (SELECT max(g.started_at) FROM grid_log g
      WHERE g.household_id = r.household_id AND g.channel = 'door' AND g.started_at < :hi) AS lv
  FROM household_rhythm r
  WHERE r.active = :yes AND r.registered_on <= :as_of
),
f AS (
  SELECT h.area_id, h.contact_every, h.visit_every,
    CASE WHEN h.contact_every IS NULL THEN NULL WHEN h.lc >= bc.lo THEN 1 ELSE 0 END AS c_ok,
    CASE WHEN h.visit_every IS NULL THEN NULL WHEN h.lv >= bv.lo THEN 1 ELSE 0 END AS v_ok
  FROM h
  LEFT JOIN bounds bc ON bc.every = h.contact_every
  LEFT JOIN bounds bv ON bv.every = h.visit_every
)
SELECT area_id, count(*), count(contact_every), sum(coalesce(c_ok, 0)), count(visit_every), sum(coalesce(v_ok, 0)),
  sum(CASE WHEN coalesce(c_ok, 1) = 1 AND coalesce(v_ok, 1) = 1 THEN 0 ELSE 1 END)
FROM f GROUP BY area_id
"""
LOGS_BY_HAND = """
SELECT area_id, count(*), avg(duration_minutes) FROM grid_log
WHERE started_at >= :lo AND started_at < :hi GROUP BY area_id
"""
CARE_BY_HAND = """
SELECT r.area_id, r.registered_on,
  (SELECT max(g.started_at) FROM grid_log g WHERE g.household_id = r.household_id AND g.started_at < :hi)
FROM household_rhythm r WHERE r.active = :yes AND r.registered_on <= :as_of AND r.close_care = :yes
"""


def stamp(db: Session, moment: datetime) -> Any:
    """Return a time as each database compares it: SQLite keeps UTC text, PostgreSQL a timestamptz."""
    if db.get_bind().dialect.name == "sqlite":
        return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return moment


def day(db: Session, value: date) -> Any:
    return value.isoformat() if db.get_bind().dialect.name == "sqlite" else value


def as_local_day(value: Any) -> date:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(clock.LOCAL).date()


def by_hand(db: Session, start: date, end: date, as_of: date) -> dict[int, dict[str, Any]]:
    """Return every grid's figures computed by the queries above, with the median taken in Python."""
    everies = sorted(
        {e for row in db.execute(text("SELECT contact_every, visit_every FROM household_rhythm")) for e in row if e}
    )
    bounds = ", ".join(f"({e}, :lo{e})" for e in everies)
    hi = stamp(db, day_start(as_of + timedelta(days=1)))
    params = {f"lo{e}": stamp(db, day_start(as_of - timedelta(days=e))) for e in everies}
    params.update(hi=hi, as_of=day(db, as_of), yes=True)
    grids: dict[int, dict[str, Any]] = {}
    for area, n, cn, cok, vn, vok, overdue in db.execute(text(BY_HAND.format(bounds=bounds)), params):
        grids[area] = dict(
            households=n, contact_households=cn, contacted_on_time=cok, visit_households=vn, visited_on_time=vok,
            overdue=overdue, logs=0, avg_duration=None, median_days_since_contact=None,
        )  # fmt: skip
    window = {"lo": stamp(db, day_start(start)), "hi": stamp(db, day_start(end + timedelta(days=1)))}
    for area, n, avg in db.execute(text(LOGS_BY_HAND), window):
        grids[area].update(logs=n, avg_duration=round(float(avg), 1))
    care: dict[int, list[int]] = {}
    for area, registered_on, last in db.execute(text(CARE_BY_HAND), {"hi": hi, "as_of": day(db, as_of), "yes": True}):
        since = as_local_day(last) if last else date.fromisoformat(str(registered_on))
        care.setdefault(area, []).append((as_of - since).days)
    for area, days in care.items():
        grids[area]["median_days_since_contact"] = float(statistics.median(days))
    return grids


def populate(db: Session, world: World) -> None:
    """Give both grids households under every rule, logs before, inside and after last month."""
    registered(db, world.household1, days_ago(120))
    registered(db, world.household2, days_ago(120))
    for n in range(6):
        grid = world.grid1 if n % 2 == 0 else world.grid2
        household = make_household(db, grid, f"{n + 1}01", f"{n + 10}号楼")
        tags = [["living_alone"], ["veteran"], []][n % 3]
        make_resident(db, household, name="住户" + "甲乙丙丁戊己"[n], relation="02", tags=tags)
        registered(db, household, days_ago(100 + n))
        for ago in range(60 - n * 7, 0, -(4 + n)):
            log(db, household, "door" if ago % 3 else "phone", days_ago(ago), duration_minutes=20 + ago % 25)
    for ago in (45, 33, 31, 29, 3):
        log(db, world.household1, "phone" if ago % 2 else "door", days_ago(ago))


def test_it_agrees_with_a_hand_written_query_for_a_past_and_a_running_period(db: Session, world: World) -> None:
    populate(db, world)
    today = clock.today()
    last_month_end = today.replace(day=1) - timedelta(days=1)
    for start, end in ((last_month_end.replace(day=1), last_month_end), (today - timedelta(days=29), today)):
        figures = coverage.coverage(db, scope_of(db, "admin"), start, end)
        expected = by_hand(db, start, end, min(end, today))
        got = {
            g.area_id: {k: v for k, v in g.model_dump().items() if k in expected[world.grid1.id]}
            for g in figures.grids
            if g.area_id in expected
        }
        assert got == expected, (start, end)
        assert figures.total.households == sum(e["households"] for e in expected.values())


def test_it_gives_each_worker_the_figures_of_their_grids_and_their_own_logs(
    client: TestClient, db: Session, world: World
) -> None:
    populate(db, world)
    login(client, "supervisor")
    today = clock.today()
    body = client.get(
        "/api/v1/visits/coverage", params={"start": (today - timedelta(days=29)).isoformat(), "end": today.isoformat()}
    ).json()
    grids = {g["area_id"]: g for g in body["grids"]}
    workers = {w["name"]: w for w in body["workers"]}
    assert workers["grid1"]["households"] == grids[world.grid1.id]["households"]
    assert workers["grid1"]["logs"] == 0  # the system scope wrote every log
    assert body["total"]["visit_rate"] is not None
    client.cookies.clear()
    login(client, "grid1")
    mine = client.get("/api/v1/visits/coverage", params={"start": today.isoformat(), "end": today.isoformat()}).json()
    assert [g["area_id"] for g in mine["grids"]] == [world.grid1.id]


def test_it_refuses_a_reversed_or_endless_period(client: TestClient, world: World) -> None:
    login(client, "supervisor")
    reversed_ = client.get("/api/v1/visits/coverage", params={"start": "2026-03-02", "end": "2026-03-01"})
    assert reversed_.status_code == 422 and reversed_.json()["error"]["code"] == "visits.period_reversed"
    endless = client.get("/api/v1/visits/coverage", params={"start": "2020-01-01", "end": "2026-03-01"})
    assert endless.json()["error"]["code"] == "visits.period_long"


def test_a_supervisor_sees_each_grid_with_its_community(client: TestClient, world: World) -> None:
    login(client, "supervisor")
    today = clock.today().isoformat()
    body = client.get("/api/v1/visits/coverage", params={"start": today, "end": today}).json()
    names = [g["name"] for g in body["grids"]]
    assert names == ["阳台山社区 · 第一网格", "阳台山社区 · 第二网格", "厦禾社区 · 厦禾第一网格"]
    # And each community's figures, the sum of its grids'.
    grids = {g["area_id"]: g for g in body["grids"]}
    communities = {c["name"]: c for c in body["communities"]}
    assert set(communities) == {"阳台山社区", "厦禾社区"}
    assert communities["阳台山社区"]["households"] == sum(grids[g.id]["households"] for g in (world.grid1, world.grid2))
    assert communities["厦禾社区"]["households"] == grids[world.other_grid.id]["households"] > 0
    page = client.get("/visits/coverage").text
    assert "阳台山社区 · 第一网格" in page and 'id="communities"' in page
    client.cookies.clear()
    login(client, "secretary")  # one community: its grids need no prefix
    page = client.get("/visits/coverage").text
    assert "第一网格" in page and "阳台山社区 · 第一网格" not in page and 'id="communities"' not in page
    mine = client.get("/api/v1/visits/coverage", params={"start": today, "end": today}).json()
    assert mine["communities"] == []  # one community: its total says it all
