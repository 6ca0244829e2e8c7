"""The institution pages render in Chinese and English, and their forms make the same changes as the API."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.institutions.models import Finding, Inspection, Institution
from linli.lib import clock
from tests.conftest import login
from tests.factories import World, scope_of
from tests.institutions.helpers import inspect, make_institution, results, template_id
from tests.institutions.test_inspections import PNG


def errors_beside(page: str) -> dict[str, str]:
    """Return each field's error message on a refused form."""
    return dict(re.findall(r'<p class="error" id="e-([\w.]+)">([^<]*)</p>', page))


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", ["托教机构", "新增机构", "托管辅导", "登记检查", "待整改事项", "证照预警", "检查模板", "消防通道畅通"]),
        ("en", ["Institutions", "New institution", "Tutoring", "Record an inspection", "Open findings", "Checklists"]),
    ],
)
def test_it_renders_every_page(client: TestClient, db: Session, world: World, lang: str, words: list[str]) -> None:
    made = make_institution(db, world.grid1.id, licence_valid_until=clock.today() + timedelta(days=3))
    done = inspect(db, made.id, results=results(fire_exits=("fail", "楼道堆放杂物")))
    login(client, "secretary")
    shown = ""
    for path in (
        "/institutions",
        "/institutions/new",
        f"/institutions/{made.id}",
        f"/institutions/{made.id}/edit",
        f"/institutions/{made.id}/inspect",
        f"/institutions/inspections/{done.id}",
        "/institutions/findings",
        "/institutions/licences",
        "/institutions/figures",
        "/institutions/templates",
    ):
        response = client.get(path, params={"lang": lang})
        assert response.status_code == 200, (path, response.text[:800])
        shown += response.text
    for word in words:
        assert word in shown, word
    assert 'href="/institutions"' in client.get("/", params={"lang": lang}).text  # the menu entry
    assert "13912345678" not in shown and "*******5678" in shown and "楼道堆放杂物" in shown


def test_it_searches_and_filters_the_list(client: TestClient, db: Session, world: World) -> None:
    make_institution(db, world.grid1.id, name="阳光托管中心")
    make_institution(db, world.grid2.id, name="启航艺术培训", kind="training")
    login(client, "secretary")
    assert "启航艺术培训" not in client.get("/institutions", params={"q": "托管"}).text
    found = client.get("/institutions", params={"q": "启航"}, headers={"hx-request": "true"}).text
    assert "启航艺术培训" in found and "<html" not in found  # htmx gets only the results
    assert "阳光托管中心" not in client.get("/institutions", params={"kind": "training"}).text
    assert "阳光托管中心" in client.get("/institutions", params={"area_id": str(world.grid1.id), "page": "x"}).text


def test_it_adds_an_institution_through_the_form_and_shows_refusals_beside_fields(
    client: TestClient, db: Session, world: World
) -> None:
    login(client, "secretary")
    form = {
        "name": "小书虫课后托管",
        "kind": "tutoring",
        "area_id": str(world.grid1.id),
        "contact_phone": "0592-1234567",
        "capacity": "30",
        "licence_no": "思教民 9",
        "licence_valid_until": "2030-08-31",
        "status": "operating",
    }
    refused = client.post("/institutions/new", data={**form, "name": " ", "capacity": "很多", "contact_phone": "1"})
    assert refused.status_code == 422
    errors = errors_beside(refused.text)
    assert errors["capacity"] == "请填写整数。" and errors["name"] == "资源须有名称。" and "contact_phone" in errors
    no_number = client.post("/institutions/new", data={**form, "licence_no": ""})
    assert errors_beside(no_number.text)["licence_no"] == "填写证照有效期时，请同时填写证照编号。"
    assert db.scalar(select(Institution.id)) is None
    created = client.post("/institutions/new", data=form, follow_redirects=False)
    assert created.status_code == 303, created.text[:800]
    card = client.get(created.headers["location"]).text
    assert "小书虫课后托管" in card and "********4567" in card and "思教民 9" in card


def test_it_edits_and_shows_a_stale_form_its_conflict(client: TestClient, db: Session, world: World) -> None:
    made = make_institution(db, world.grid1.id)
    login(client, "secretary")
    edit = client.get(f"/institutions/{made.id}/edit").text
    version = re.search(r'name="version" value="(\d+)"', edit)
    assert version is not None
    form = {"name": "阳光托育中心", "kind": "childcare", "area_id": str(world.grid1.id), "capacity": "20"}
    form |= {"status": "operating", "licence_no": "思教民 350203001", "version": version.group(1)}
    saved = client.post(f"/institutions/{made.id}/edit", data=form, follow_redirects=False)
    assert saved.status_code == 303
    card = client.get(f"/institutions/{made.id}").text
    assert "阳光托育中心" in card and "*******5678" in card and "托育" in card
    stale = client.post(f"/institutions/{made.id}/edit", data={**form, "name": "晚了"})
    assert stale.status_code == 422 and "该机构已被他人修改" in stale.text


def test_it_records_an_inspection_through_the_form(
    client: TestClient, db: Session, world: World, app: FastAPI, tmp_path: Path
) -> None:
    app.state.runtime.settings.upload_dir = tmp_path
    made = make_institution(db, world.grid1.id)
    template = template_id(db)
    login(client, "grid1")
    page = client.get(f"/institutions/{made.id}/inspect").text
    assert 'name="outcome_fire_exits"' in page and 'name="score_pupil_teacher_ratio"' in page
    assert 'name="csrf_token"' in page  # the form carries the token
    form: dict[str, str | list[str]] = {
        "template_id": str(template),
        "inspected_on": clock.today().isoformat(),
        "inspector_user_ids": [str(scope_of(db, "grid1").user_id)],
        "outcome_fire_exits": "fail",
        "note_fire_exits": "安全出口上锁",
        "outcome_food_hygiene": "na",
        "outcome_staff_qualifications": "pass",
        "score_pupil_teacher_ratio": "8",
        "outcome_licence_displayed": "pass",
        "outcome_insurance": "pass",
        "note_remarks": "负责人配合检查",
        "rectify_days": "7",
    }
    refused = client.post(
        f"/institutions/{made.id}/inspect",
        data={**form, "score_pupil_teacher_ratio": "很多", "outcome_insurance": "", "inspector_user_ids": []},
    )
    assert refused.status_code == 422
    errors = errors_beside(refused.text)
    assert (
        errors["results.pupil_teacher_ratio"] == "得分请填写数字。"
        and errors["inspectors"] == "请至少选择一名检查人员。"
    )
    assert db.scalar(select(Inspection.id)) is None
    wrong = client.post(f"/institutions/{made.id}/inspect", data=form, headers={"x-csrf-token": "forged"})
    assert wrong.status_code == 403
    recorded = client.post(f"/institutions/{made.id}/inspect", data=form, follow_redirects=False)
    assert recorded.status_code == 303, recorded.text[:800]
    shown = client.get(recorded.headers["location"]).text
    assert "安全出口上锁" in shown and "负责人配合检查" in shown and 'id="score">' in shown
    db.commit()  # end the test's own read snapshot (SQLite)
    finding = db.scalars(select(Finding)).one()
    assert finding.item_code == "fire_exits" and finding.due_on == clock.today() + timedelta(days=7)
    inspection = recorded.headers["location"].rsplit("/", 1)[1]
    photo = client.post(
        f"/institutions/inspections/{inspection}/photos",
        files={"photo": ("p.png", PNG, "image/png")},
        follow_redirects=False,
    )
    assert photo.status_code == 303
    assert f"/api/v1/inspections/{inspection}/photos/" in client.get(f"/institutions/inspections/{inspection}").text
    empty = client.post(f"/institutions/inspections/{inspection}/photos", data={})
    assert empty.status_code == 422 and "请选择要添加的照片。" in empty.text


def test_it_links_a_complaint_from_the_card(client: TestClient, db: Session, world: World) -> None:
    from tests.api.walk_ids import grid1_order

    made = make_institution(db, world.grid1.id)
    order = grid1_order(db, world)
    template_id(db)
    login(client, "grid1")
    bad = client.post(f"/institutions/{made.id}/complaints", data={"order_id": "abc"})
    assert bad.status_code == 422 and errors_beside(bad.text)["order_id"] == "请输入工单编号。"
    missing = client.post(f"/institutions/{made.id}/complaints", data={"order_id": "999999"})
    assert missing.status_code == 404 and "order_id" in errors_beside(missing.text)
    linked = client.post(f"/institutions/{made.id}/complaints", data={"order_id": str(order)}, follow_redirects=False)
    assert linked.status_code == 303
    card = client.get(f"/institutions/{made.id}").text
    assert f"/institutions/{made.id}/inspect?order_id={order}" in card  # start an inspection from it
    form = client.get(f"/institutions/{made.id}/inspect", params={"order_id": str(order)}).text
    assert f'<option value="{order}" selected>' in form


def test_it_adds_the_default_checklist_from_the_page(client: TestClient, db: Session, world: World) -> None:
    made = make_institution(db, world.grid1.id)
    login(client, "secretary")
    assert "还没有检查模板" in client.get(f"/institutions/{made.id}/inspect").text
    added = client.post("/institutions/templates/defaults", follow_redirects=False)
    assert added.status_code == 303
    assert "托教机构安全检查" in client.get("/institutions/templates").text


def test_it_keeps_the_pages_from_those_outside(client: TestClient, db: Session, world: World) -> None:
    made = make_institution(db, world.grid1.id)
    done = inspect(db, made.id)
    login(client, "outsider")
    for path in (
        f"/institutions/{made.id}",
        f"/institutions/{made.id}/edit",
        f"/institutions/{made.id}/inspect",
        f"/institutions/inspections/{done.id}",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/institutions/{made.id}/complaints", data={"order_id": "1"}).status_code == 404
    assert made.name not in client.get("/institutions").text
    assert client.get("/institutions/new").status_code == 403
    login(client, "supervisor")
    assert client.get(f"/institutions/{made.id}").status_code == 200
    assert client.get(f"/institutions/{made.id}/inspect").status_code == 403
