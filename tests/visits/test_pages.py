"""The 千户访 pages: each renders for the people who use it, and forms show refusals beside the fields."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.lib import clock
from linli.visits.models import GridLog, VisitRule
from tests.conftest import login
from tests.factories import World
from tests.visits.helpers import days_ago, registered, rhythm


def form_log(world: World, **extra: str) -> dict[str, object]:
    data: dict[str, object] = {
        "household_id": str(world.household1),
        "channel": "door",
        "started_at": f"{clock.today().isoformat()}T00:05",
        "duration_minutes": "30",
        "narrative": "聊了半小时，老人身体还好。",
        "need_category": ["生活照料"],
        "need_description": ["需要有人陪同去医院复查"],
        "need_resident": [str(world.resident1.id)],
        f"skill_{world.resident1.id}": "剪纸",
        f"willing_{world.resident1.id}": "on",
        "urgency": "",
    }
    data.update(extra)
    return data


def test_a_worker_sees_todays_list_with_reasons_and_a_log_button(client: TestClient, world: World) -> None:
    login(client, "grid1")
    page = client.get("/visits/worklist")
    assert page.status_code == 200
    assert "独居老人" in page.text and f"/visits/log?household_id={world.household1}" in page.text
    assert "李娜" not in page.text


def test_a_supervisor_sees_the_workers_and_opens_a_list(client: TestClient, db: Session, world: World) -> None:
    login(client, "supervisor")
    page = client.get("/visits/worklist")
    assert page.status_code == 200 and "grid1" in page.text and "grid2" in page.text
    grid1 = db.scalar(select(User.id).where(User.username == "grid1"))
    assert "3号楼" in client.get("/visits/worklist", params={"user_id": grid1}).text


def test_logging_through_the_form_takes_the_household_off_the_list(client: TestClient, world: World) -> None:
    login(client, "grid1")
    form = client.get("/visits/log", params={"household_id": world.household1})
    assert form.status_code == 200 and "曾伟" in form.text
    saved = client.post("/visits/log", data=form_log(world), follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert f'id="h-{world.household1}"' not in client.get(saved.headers["location"]).text
    resident = client.get(f"/api/v1/residents/{world.resident1.id}").json()
    assert resident["skills"] == "剪纸" and resident["willing_to_help"] is True
    timeline = client.get(f"/visits/households/{world.household1}")
    assert "需要有人陪同去医院复查" in timeline.text and "剪纸" in timeline.text


def test_the_form_shows_a_refusal_beside_the_field_and_keeps_what_was_typed(client: TestClient, world: World) -> None:
    login(client, "grid1")
    page = client.post("/visits/log", data=form_log(world, channel="", narrative="记得这句话"))
    assert page.status_code == 422 and "记得这句话" in page.text and 'class="error"' in page.text
    future = client.post("/visits/log", data=form_log(world, started_at="2099-01-01T10:00"))
    assert future.status_code == 422 and "走访开始时间不能晚于现在" in future.text


def test_it_adds_another_need_row(client: TestClient, world: World) -> None:
    login(client, "grid1")
    row = client.get("/visits/log/need-row", params={"household_id": world.household1})
    assert row.status_code == 200 and 'name="need_description"' in row.text


def test_the_author_corrects_and_anyone_notes_on_the_timeline(client: TestClient, db: Session, world: World) -> None:
    login(client, "grid1")
    client.post("/visits/log", data=form_log(world))
    log_id = db.scalar(select(GridLog.id))
    form = client.get(f"/visits/logs/{log_id}/edit")
    assert form.status_code == 200
    saved = client.post(
        f"/visits/logs/{log_id}/edit",
        data={"version": "1", "channel": "phone", "duration_minutes": "15", "narrative": "改为电话联系"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    stale = client.post(f"/visits/logs/{log_id}/edit", data={"version": "1", "narrative": "旧版本"})
    assert stale.status_code == 409 and "已被他人修改" in stale.text
    client.post(f"/visits/logs/{log_id}/notes", data={"text": "已陪同复查"})
    page = client.get(f"/visits/households/{world.household1}")
    assert "改为电话联系" in page.text and "已陪同复查" in page.text


def test_the_alert_page_lists_and_resolves_an_urgent_log(client: TestClient, world: World) -> None:
    login(client, "grid1")
    client.post("/visits/log", data=form_log(world, urgency="urgent", problem="老人摔倒"))
    client.cookies.clear()
    login(client, "secretary")
    page = client.get("/visits/alerts")
    assert page.status_code == 200 and "老人摔倒" in page.text
    alert_id = client.get("/api/v1/visit-alerts").json()[0]["id"]
    client.post(f"/visits/alerts/{alert_id}/resolve", data={"resolution": "已送医"})
    assert "老人摔倒" not in client.get("/visits/alerts").text


def test_the_coverage_page_shows_grids_and_workers(client: TestClient, world: World) -> None:
    login(client, "supervisor")
    page = client.get("/visits/coverage")
    assert page.status_code == 200 and "第一网格" in page.text and "grid2" in page.text
    bad = client.get("/visits/coverage", params={"start": "2026-03-02", "end": "2026-03-01"})
    assert bad.status_code == 422


def test_staff_edit_the_policy_on_its_page(client: TestClient, db: Session, world: World) -> None:
    login(client, "secretary")
    page = client.get("/visits/policy")
    assert page.status_code == 200 and "重点关爱对象" in page.text and "Add" not in page.text
    added = client.post(
        "/visits/policy/rules",
        data={
            "community_id": str(world.community.id),
            "name": "流动人口",
            "condition": "kind",
            "value": "02",
            "visit_every_days": "30",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    refused = client.post(
        "/visits/policy/rules",
        data={"community_id": str(world.community.id), "name": "坏规则", "condition": "min_age", "value": "老"},
    )
    assert refused.status_code == 422 and "年龄须为 1 到 150 之间的整数" in refused.text
    rule = db.scalar(select(VisitRule).where(VisitRule.name == "流动人口"))
    assert rule is not None
    client.post(f"/visits/policy/rules/{rule.id}", data={"community_id": str(world.community.id), "toggle": "off"})
    db.rollback()  # end the read snapshot taken above
    assert db.get(VisitRule, rule.id).active is False  # type: ignore[union-attr]


def test_a_grid_worker_reads_the_policy_without_forms(client: TestClient, world: World) -> None:
    login(client, "grid1")
    page = client.get("/visits/policy")
    assert page.status_code == 200 and "重点关爱对象" in page.text and "/visits/policy/rules" not in page.text
    client.cookies.set("linli_lang", "en")
    english = client.get("/visits/policy").text
    assert "Close care" in english and "重点关爱对象" not in english  # the default rules' own English names


def test_every_page_renders_in_english_too(client: TestClient, db: Session, world: World) -> None:
    login(client, "grid1")
    client.post("/visits/log", data=form_log(world, urgency="hard"))
    log_id = db.scalar(select(GridLog.id))
    client.cookies.set("linli_lang", "en")
    for path in (
        "/visits/worklist",
        f"/visits/log?household_id={world.household1}",
        f"/visits/households/{world.household1}",
        f"/visits/logs/{log_id}/edit",
        "/visits/alerts",
        "/visits/coverage",
        "/visits/policy",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        assert 'lang="en"' in page.text, path


def test_the_household_rhythm_says_how_late_a_due_day_is(client: TestClient, db: Session, world: World) -> None:
    registered(db, world.household1, days_ago(40))
    due = rhythm(db, world.household1)
    late = (clock.today() - due.visit_due_on).days
    assert late > 0
    page = login(client, "grid1").get(f"/visits/households/{world.household1}").text
    assert f"超期 {late} 天" in page
    registered(db, world.household1, clock.today())  # registered today: nothing is late
    assert "超期" not in client.get(f"/visits/households/{world.household1}").text
