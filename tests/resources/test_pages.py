"""The resource pages render in Chinese and English, and their forms make the same changes as the API."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.audit.models import AuditEvent
from linli.needs import catalogue
from linli.resources.models import Resource
from tests.conftest import login
from tests.factories import World
from tests.resources.helpers import make_resource


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", ["资源", "新增资源", "场地", "同时 2 单", "电脑教学"]),
        ("en", ["Resources", "New resource", "Venue", "2 at the same time", "Computer lessons"]),
    ],
)
def test_it_renders_the_list_form_and_card(
    client: TestClient, db: Session, world: World, lang: str, words: list[str]
) -> None:
    made = make_resource(db, world.grid1.id)
    login(client, "secretary")
    shown = ""
    for path in ("/resources", "/resources/new", f"/resources/{made.id}", f"/resources/{made.id}/edit"):
        response = client.get(path, params={"lang": lang})
        assert response.status_code == 200, (path, response.text[:500])
        shown += response.text
    for word in words:
        assert word in shown, word
    assert 'href="/resources"' in client.get("/", params={"lang": lang}).text  # the menu entry
    assert "13912345678" not in shown and "*******5678" in shown


def test_it_searches_and_filters_the_list(client: TestClient, db: Session, world: World) -> None:
    make_resource(db, world.grid1.id, name="老年活动中心")
    make_resource(db, world.grid2.id, name="法律援助站", kind="institution", categories=["legal_advice"])
    login(client, "secretary")
    assert "法律援助站" not in client.get("/resources", params={"q": "老年"}).text
    found = client.get("/resources", params={"q": "援助"}, headers={"hx-request": "true"}).text
    assert "法律援助站" in found and "<html" not in found  # htmx gets only the results
    assert "老年活动中心" not in client.get("/resources", params={"kind": "institution"}).text
    assert "老年活动中心" in client.get("/resources", params={"area_id": str(world.grid1.id), "page": "x"}).text


def test_it_adds_a_resource_through_the_form(client: TestClient, db: Session, world: World) -> None:
    catalogue.seed(db)
    login(client, "secretary")
    form = {
        "name": "爱心厨房",
        "kind": "venue",
        "area_id": str(world.grid1.id),
        "contact_phone": "0592-1234567",
        "capacity": "10",
        "capacity_unit": "week",
        "hours_1": "09:00-12:00, 14:00-17:30",
        "hours_6": "10：00-11：00",
        "category_ids": [str(c.id) for c in catalogue.list_categories(db)[2:4]],
    }
    created = client.post("/resources/new", data=form, follow_redirects=False)
    assert created.status_code == 303, created.text[:800]
    card = client.get(created.headers["location"]).text
    assert "爱心厨房" in card and "********4567" in card and "14:00-17:30" in card and "10:00-11:00" in card
    assert "入户关怀" in card and "每周 10 单" in card
    db.commit()  # end the test's own read snapshot (SQLite)
    hours = db.scalar(select(Resource.opening_hours).where(Resource.name == "爱心厨房"))
    assert hours == [
        {"weekday": 1, "start": 540, "end": 720},
        {"weekday": 1, "start": 840, "end": 1050},
        {"weekday": 6, "start": 600, "end": 660},
    ]


def errors_beside(page: str) -> dict[str, str]:
    """Return each field's error message on a refused form."""
    return dict(re.findall(r'<p class="error" id="e-([\w.]+)">([^<]*)</p>', page))


def test_it_shows_each_refusal_beside_its_field(client: TestClient, db: Session, world: World) -> None:
    catalogue.seed(db)
    login(client, "secretary")
    form = {
        "name": " ",
        "kind": "venue",
        "area_id": str(world.grid1.id),
        "contact_phone": "12345",
        "capacity": "0",
        "hours_2": "上午",
        "hours_3": "18:00-09:00",
    }
    refused = client.post("/resources/new", data=form)
    assert refused.status_code == 422
    errors = errors_beside(refused.text)
    assert errors["name"] == "资源须有名称。" and errors["capacity"] == "承接能力须在 1 到 100000 之间。"
    assert "contact_phone" in errors and "opening_hours" in errors  # 18:00-09:00 reads, but runs backwards
    assert errors["hours_2"] == "时间请写成 09:00-12:00，多段用逗号隔开。"
    unread = client.post("/resources/new", data={**form, "hours_2": "", "capacity": "很多", "name": "活动室"})
    errors = errors_beside(unread.text)
    assert unread.status_code == 422 and set(errors) == {"capacity", "contact_phone", "opening_hours"}
    backwards = client.post(
        "/resources/new", data={**form, "hours_2": "", "name": "活动室", "capacity": "1", "contact_phone": ""}
    )
    assert "开放时间须写明星期几" in backwards.text and backwards.status_code == 422
    assert db.scalar(select(Resource.id)) is None
    english = client.post("/resources/new", params={"lang": "en"}, data=form)
    assert errors_beside(english.text)["name"] == "A resource needs a name."


def test_it_edits_a_resource_and_shows_a_stale_form_its_conflict(client: TestClient, db: Session, world: World) -> None:
    made = make_resource(db, world.grid1.id)
    login(client, "secretary")
    edit = client.get(f"/resources/{made.id}/edit").text
    version = re.search(r'name="version" value="(\d+)"', edit)
    assert version is not None and 'value="09:00-17:00"' in edit
    form = {"name": "党群服务站", "kind": "venue", "area_id": str(world.grid1.id), "capacity": "3"}
    form |= {"capacity_unit": "once", "version": version.group(1), "hours_0": "09:00-17:00"}
    saved = client.post(f"/resources/{made.id}/edit", data=form, follow_redirects=False)
    assert saved.status_code == 303
    card = client.get(f"/resources/{made.id}").text
    assert "党群服务站" in card and "*******5678" in card  # the phone left empty stays
    stale = client.post(f"/resources/{made.id}/edit", data={**form, "name": "晚了"})
    assert stale.status_code == 422 and "该资源已被他人修改" in stale.text
    removed = client.post(
        f"/resources/{made.id}/edit", data={**form, "version": "2", "remove_phone": "1"}, follow_redirects=False
    )
    assert removed.status_code == 303
    assert db.scalar(select(Resource.contact_phone_enc).where(Resource.id == made.id)) is None


def test_it_unmasks_the_phone_with_a_reason(client: TestClient, db: Session, world: World) -> None:
    made = make_resource(db, world.grid1.id)
    login(client, "grid1")
    card = client.get(f"/resources/{made.id}").text
    assert f'action="/resources/{made.id}/unmask"' in card and f"/resources/{made.id}/edit" not in card
    without = client.post(f"/resources/{made.id}/unmask", data={"reason": " "})
    assert without.status_code == 422 and "13912345678" not in without.text
    shown = client.post(f"/resources/{made.id}/unmask", data={"reason": "预约活动室"})
    assert shown.status_code == 200 and "13912345678" in shown.text
    assert db.scalar(select(AuditEvent.username).where(AuditEvent.action == "resource.unmask")) == "grid1"


def test_it_retires_only_after_a_confirmation(client: TestClient, db: Session, world: World) -> None:
    made = make_resource(db, world.grid1.id)
    login(client, "secretary")
    asked = client.post(f"/resources/{made.id}/retire")
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in asked.text and "停用「" in asked.text
    assert db.scalar(select(Resource.active).where(Resource.id == made.id)) is True
    done = client.post(f"/resources/{made.id}/retire", data={"confirm": "yes", "version": "1"}, follow_redirects=False)
    assert done.status_code == 303
    card = client.get(f"/resources/{made.id}").text
    assert "已停用" in card and f"/resources/{made.id}/edit" not in card


def test_it_keeps_the_pages_from_those_outside(client: TestClient, db: Session, world: World) -> None:
    made = make_resource(db, world.grid1.id)
    login(client, "outsider")
    for path in (f"/resources/{made.id}", f"/resources/{made.id}/edit"):
        assert client.get(path).status_code == 404
    assert client.post(f"/resources/{made.id}/retire", data={"confirm": "yes"}).status_code == 404
    assert made.name not in client.get("/resources").text
    assert client.get("/resources/new").status_code == 403
