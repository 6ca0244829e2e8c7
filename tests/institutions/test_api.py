"""The institutions API: each refusal a 4xx with a stable code, never a 500; nothing across areas."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from linli.lib import clock
from tests.conftest import login
from tests.factories import World, scope_of
from tests.institutions.helpers import inspect, make_institution, results, template_id
from tests.institutions.test_inspections import PNG

BODY: dict[str, Any] = {
    "name": "小书虫课后托管",
    "owner": "小书虫教育咨询有限公司",
    "contact_phone": "13800001234",
    "capacity": 25,
    "kind": "tutoring",
    "licence_no": "思教民 42",
}


def test_it_adds_shows_lists_and_changes_an_institution(client: TestClient, db: Session, world: World) -> None:
    login(client, "secretary")
    until = (clock.today() + timedelta(days=10)).isoformat()
    created = client.post(
        "/api/v1/institutions", json={**BODY, "area_id": world.grid2.id, "licence_valid_until": until}
    )
    assert created.status_code == 201, created.text
    made = created.json()
    assert made["contact_phone"] == "*******1234" and made["licence"] == "expiring" and made["area"] == "第二网格"
    assert client.get(f"/api/v1/institutions/{made['id']}").json() == made
    assert client.get(f"/api/v1/resources/{made['resource_id']}").json()["kind"] == "institution"
    changed = client.patch(f"/api/v1/institutions/{made['id']}", json={"version": 1, "status": "suspended"})
    assert changed.status_code == 200 and changed.json()["status"] == "suspended" and changed.json()["version"] == 2
    stale = client.patch(f"/api/v1/institutions/{made['id']}", json={"version": 1, "name": "晚了"})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "institution.stale"

    def names(**params: Any) -> list[str]:
        response = client.get("/api/v1/institutions", params=params)
        assert response.status_code == 200, response.text
        return [i["name"] for i in response.json()["items"]]

    assert names() == ["小书虫课后托管"] == names(expiring=True) == names(status="suspended", kind="tutoring")
    assert names(kind="training") == [] == names(open_findings=True)
    warned = client.get("/api/v1/institutions/licence-warnings").json()
    assert [i["name"] for i in warned["items"]] == ["小书虫课后托管"]


def test_it_refuses_bad_input_with_422_never_a_500(client: TestClient, db: Session, world: World) -> None:
    login(client, "secretary")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "casino"}, "institution.unknown_kind"),
        ({"status": "asleep"}, "institution.unknown_status"),
        ({"capacity": 2**40}, "resource.bad_capacity"),
        ({"contact_phone": "110"}, "resource.phone_invalid"),
        ({"licence_no": "", "licence_valid_until": "2030-01-01"}, "institution.licence"),
        ({"handler_user_id": 2**62}, "resource.unknown_handler"),
        ({"licence_valid_until": "明年"}, "request.invalid"),
        ({"name": "x" * 101}, "request.invalid"),
        ({"area_id": None}, "institution.area_required"),
    ]
    for change, code in cases:
        response = client.post("/api/v1/institutions", json={**BODY, "area_id": world.grid1.id, **change})
        assert response.status_code == 422, (change, response.text)
        assert response.json()["error"]["code"] == code, change
    for params in ({"kind": "casino"}, {"status": "x"}, {"page": 0}, {"page_size": 1000}, {"area_id": 2**40}):
        assert client.get("/api/v1/institutions", params=params).status_code == 422, params
    assert client.get("/api/v1/findings", params={"state": "late"}).status_code == 422
    assert client.get("/api/v1/institutions/figures", params={"area_id": "x"}).status_code == 422
    assert client.get(f"/api/v1/institutions/{2**40}").status_code == 404
    assert client.post("/api/v1/institutions", json={**BODY, "area_id": 2**40}).status_code == 404
    assert client.get("/api/v1/institutions").json()["total"] == 0


def test_it_records_an_inspection_with_a_photo_and_lists_its_finding(
    client: TestClient, db: Session, world: World, app: FastAPI, tmp_path: Path
) -> None:
    app.state.runtime.settings.upload_dir = tmp_path
    institution = make_institution(db, world.grid1.id)
    login(client, "grid1")
    body = {
        "institution_id": institution.id,
        "template_id": template_id(db),
        "inspected_on": clock.today().isoformat(),
        "inspector_user_ids": [scope_of(db, "grid1").user_id],
        "results": results(insurance=("fail", "保险已过期")),
    }
    recorded = client.post("/api/v1/inspections", json=body)
    assert recorded.status_code == 201, recorded.text
    shown = recorded.json()
    assert shown["score"] == 90.9 and [f["item_code"] for f in shown["findings"]] == ["insurance"]
    photo = client.post(f"/api/v1/inspections/{shown['id']}/photos", files={"photo": ("p.png", PNG, "image/png")})
    assert photo.status_code == 201, photo.text
    name = photo.json()["photos"][0]
    got = client.get(f"/api/v1/inspections/{shown['id']}/photos/{name}")
    assert got.status_code == 200 and got.content == PNG and got.headers["content-type"] == "image/png"
    wrong = client.post(f"/api/v1/inspections/{shown['id']}/photos", files={"photo": ("a.png", b"<svg/>", "image/png")})
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "inspection.photo_type"
    listed = client.get("/api/v1/findings").json()
    assert [(f["item_code"], f["text"]) for f in listed["items"]] == [("insurance", "保险已过期")]
    finding = listed["items"][0]["id"]
    assert client.get(f"/api/v1/findings/{finding}").json()["institution"] == "阳光托管中心"
    refused = client.post("/api/v1/inspections", json={**body, "results": results(pupil_teacher_ratio=99.0)})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "inspection.score_range"
    card = client.get(f"/api/v1/institutions/{institution.id}/card").json()
    assert card["inspections"][0]["failed"] == 1 and card["institution"]["open_findings"] == 1
    login(client, "outsider")
    assert client.get(f"/api/v1/inspections/{shown['id']}").status_code == 404
    assert client.get(f"/api/v1/inspections/{shown['id']}/photos/{name}").status_code == 404
    assert client.get(f"/api/v1/findings/{finding}").status_code == 404
    assert client.get("/api/v1/findings").json()["items"] == []
    assert client.post("/api/v1/inspections", json=body).status_code == 404


def test_it_links_a_complaint_and_keeps_checklists(client: TestClient, db: Session, world: World) -> None:
    from tests.api.walk_ids import grid1_order

    institution = make_institution(db, world.grid1.id)
    order = grid1_order(db, world)
    login(client, "grid1")
    linked = client.post(f"/api/v1/institutions/{institution.id}/complaints", json={"order_id": order})
    assert linked.status_code == 201, linked.text
    again = client.post(f"/api/v1/institutions/{institution.id}/complaints", json={"order_id": order})
    assert again.status_code == 409
    assert [c["order_id"] for c in client.get(f"/api/v1/institutions/{institution.id}/complaints").json()] == [order]
    assert client.post(f"/api/v1/institutions/{institution.id}/complaints", json={"order_id": 0}).status_code == 422
    assert client.post("/api/v1/inspection-templates/defaults").status_code == 403
    login(client, "secretary")
    assert client.post("/api/v1/inspection-templates/defaults").json()["templates"] == ["tutoring_safety"]
    listed = client.get("/api/v1/inspection-templates").json()
    assert [t["code"] for t in listed] == ["tutoring_safety"]
    items = [{"code": "exits", "text": "消防通道", "type": "score", "weight": 1}]
    bad = client.post("/api/v1/inspection-templates", json={"code": "fire", "name": "消防", "items": items})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "template.item_max_score"
    changed = client.patch(f"/api/v1/inspection-templates/{listed[0]['id']}", json={"version": 1, "name": "安全检查"})
    assert changed.status_code == 200 and changed.json()["name"] == "安全检查"


def test_it_gives_figures_by_grid(client: TestClient, db: Session, world: World) -> None:
    institution = make_institution(db, world.grid1.id)
    inspect(db, institution.id, results=results(insurance="fail"))
    login(client, "supervisor")
    shown = client.get("/api/v1/institutions/figures", params={"area_id": world.community.id})
    assert shown.status_code == 200, shown.text
    rows = {r["name"]: r for r in shown.json()["by_area"]}
    assert rows["第一网格"]["inspected"] == 1 and rows["第一网格"]["open_findings"] == 1
    login(client, "outsider")
    assert client.get("/api/v1/institutions/figures", params={"area_id": world.community.id}).status_code == 404
