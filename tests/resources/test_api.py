"""The resources API: each refusal is a 4xx with a stable code, never a 500, and nothing leaks across areas."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.audit.models import AuditEvent
from linli.lib import clock
from linli.needs import catalogue
from tests.conftest import login
from tests.factories import World
from tests.resources.helpers import make_resource

BODY = {
    "kind": "skill",
    "name": "骨科义诊",
    "owner": "王医生",
    "contact_phone": "13800001234",
    "capacity": 3,
    "capacity_unit": "week",
    "opening_hours": [{"weekday": 5, "start": 540, "end": 690}],
    "categories": ["free_clinic"],
}


def test_it_adds_shows_changes_and_retires_a_resource(client: TestClient, db: Session, world: World) -> None:
    catalogue.seed(db)
    login(client, "secretary")
    created = client.post("/api/v1/resources", json={**BODY, "area_id": world.grid2.id})
    assert created.status_code == 201, created.text
    made = created.json()
    assert made["contact_phone"] == "*******1234" and made["valid"] is True and made["in_use"] == 0
    assert made["categories"] == [
        {
            "id": made["categories"][0]["id"],
            "code": "free_clinic",
            "name": "义诊",
            "name_en": "Free medical consultation",
        }
    ]
    assert made["area"] == "第二网格" and made["opening_hours"] == [{"weekday": 5, "start": 540, "end": 690}]
    assert client.get(f"/api/v1/resources/{made['id']}").json() == made
    changed = client.patch(f"/api/v1/resources/{made['id']}", json={"version": 1, "capacity": 4})
    assert changed.status_code == 200 and changed.json()["capacity"] == 4 and changed.json()["version"] == 2
    stale = client.patch(f"/api/v1/resources/{made['id']}", json={"version": 1, "capacity": 9})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "resource.stale"
    retired = client.post(f"/api/v1/resources/{made['id']}/retire", json={"version": 2})
    assert retired.status_code == 200 and retired.json()["active"] is False
    assert client.post(f"/api/v1/resources/{made['id']}/retire").status_code == 200  # no body, already retired
    assert client.get("/api/v1/resources").json()["items"] == []
    assert [r["id"] for r in client.get("/api/v1/resources", params={"status": "retired"}).json()["items"]] == [
        made["id"]
    ]


def test_it_refuses_bad_values_with_a_code_never_a_500(client: TestClient, db: Session, world: World) -> None:
    catalogue.seed(db)
    login(client, "secretary")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"categories": ["no_such"]}, "resource.unknown_category"),
        ({"category_ids": [424242]}, "resource.unknown_category"),
        ({"category_ids": [2**40]}, "resource.unknown_category"),
        ({"opening_hours": [{"weekday": 1, "start": 900, "end": 600}]}, "resource.bad_hours"),
        ({"opening_hours": [{"weekday": 9, "start": 0, "end": 60}]}, "resource.bad_hours"),
        ({"kind": "rocket"}, "resource.unknown_kind"),
        ({"capacity": 0}, "resource.bad_capacity"),
        ({"capacity": 2**40}, "resource.bad_capacity"),
        ({"capacity_unit": "year"}, "resource.unknown_unit"),
        ({"contact_phone": "110"}, "resource.phone_invalid"),
        ({"handler_user_id": 2**62}, "resource.unknown_handler"),
        ({"opening_hours": [{"weekday": 1}]}, "request.invalid"),
        ({"name": "x" * 101}, "request.invalid"),
        ({"valid_until": "明天"}, "request.invalid"),
    ]
    for change, code in cases:
        response = client.post("/api/v1/resources", json={**BODY, "area_id": world.grid1.id, **change})
        assert response.status_code == 422, (change, response.text)
        assert response.json()["error"]["code"] == code, change
    refused = client.post(
        "/api/v1/resources",
        json={**BODY, "area_id": world.grid1.id, "kind": "rocket", "categories": ["no_such"]},
        headers={"accept-language": "zh-CN"},
    ).json()["error"]
    assert [e["code"] for e in refused["errors"]] == ["resource.unknown_kind", "resource.unknown_category"]
    assert "服务类别不存在或已停用" in refused["errors"][1]["message"]
    assert client.get("/api/v1/resources").json()["total"] == 0


def test_it_gives_an_outsider_nothing_of_grid_1(client: TestClient, db: Session, world: World) -> None:
    made = make_resource(db, world.grid1.id)
    login(client, "outsider")
    assert client.get(f"/api/v1/resources/{made.id}").status_code == 404
    assert client.get("/api/v1/resources").json() == {
        "items": [],
        "total": 0,
        "page": 1,
        "page_size": 20,
        "total_capped": False,
    }
    assert client.get("/api/v1/resources", params={"area_id": world.grid1.id}).status_code == 404
    assert client.get("/api/v1/resources/on-hand", params={"area_id": world.grid1.id}).status_code == 404
    assert client.post(f"/api/v1/resources/{made.id}/unmask", json={"reason": "好奇"}).status_code == 404
    assert client.patch(f"/api/v1/resources/{made.id}", json={"version": 1, "name": "x"}).status_code == 404
    assert client.post(f"/api/v1/resources/{made.id}/retire").status_code == 404
    created = client.post("/api/v1/resources", json={**BODY, "area_id": world.grid1.id})
    assert created.status_code == 403  # a grid worker sees resources but does not keep them


def test_it_lets_a_supervisor_read_but_not_keep(client: TestClient, db: Session, world: World) -> None:
    made = make_resource(db, world.grid1.id)
    login(client, "supervisor")
    assert client.get(f"/api/v1/resources/{made.id}").json()["name"] == made.name
    assert client.patch(f"/api/v1/resources/{made.id}", json={"version": 1, "name": "x"}).status_code == 403
    assert client.post(f"/api/v1/resources/{made.id}/retire").status_code == 403
    assert client.post(f"/api/v1/resources/{made.id}/unmask", json={"reason": "核实"}).status_code == 404


def test_it_unmasks_the_contact_with_a_reason(client: TestClient, db: Session, world: World) -> None:
    made = make_resource(db, world.grid1.id)
    login(client, "grid1")
    without = client.post(f"/api/v1/resources/{made.id}/unmask", json={"reason": ""})
    assert without.status_code == 422 and without.json()["error"]["code"] == "resource.unmask_reason"
    shown = client.post(f"/api/v1/resources/{made.id}/unmask", json={"reason": "预约活动室"})
    assert shown.status_code == 200 and shown.json() == {"contact_phone": "13912345678"}
    assert db.scalar(select(AuditEvent.username).where(AuditEvent.action == "resource.unmask")) == "grid1"


def test_it_searches_filters_and_counts_on_hand(client: TestClient, db: Session, world: World) -> None:
    make_resource(db, world.grid1.id, name="电脑教室", categories=["computer_lessons"])
    make_resource(db, world.grid2.id, name="调解室", kind="venue", categories=["dispute_mediation"])
    make_resource(db, world.grid2.id, name="过期的", valid_until=clock.today() - timedelta(days=1))
    make_resource(db, world.grid2.id, name="律师", kind="skill", categories=["legal_advice"])
    login(client, "secretary")

    def names(**params: Any) -> list[str]:
        response = client.get("/api/v1/resources", params=params)
        assert response.status_code == 200, response.text
        return [r["name"] for r in response.json()["items"]]

    assert names() == ["电脑教室", "调解室", "过期的", "律师"]
    assert names(q="调解") == ["调解室"]
    assert names(kind="skill") == ["律师"]
    assert names(category=str(2**40)) == [] == names(category="no_such")
    assert names(category="legal_advice") == ["律师"] == names(category="法务咨询")
    assert names(area_id=world.grid2.id, valid=True) == ["调解室", "律师"]
    assert names(page=2, page_size=3) == ["律师"]
    assert client.get("/api/v1/resources", params={"kind": "rocket"}).status_code == 422
    on_hand = client.get("/api/v1/resources/on-hand", params={"area_id": world.community.id})
    assert on_hand.json() == {"area_id": world.community.id, "count": 3}
    assert client.get("/api/v1/resources/on-hand", params={"area_id": 2**62}).status_code in (404, 422)
