"""The visit policy through the API: defaults, who may change it, validation, overrides."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.audit.models import AuditEvent
from tests.conftest import login
from tests.factories import World


def test_it_shows_the_default_rules_in_order(client: TestClient, world: World) -> None:
    login(client, "grid1")
    policy = client.get("/api/v1/visit-rules", params={"community_id": world.community.id}).json()
    assert [(r["condition"], r["contact_every_days"], r["visit_every_days"]) for r in policy["rules"]] == [
        ("close_care", 3, 5),
        ("tagged", None, 30),
        ("everyone", None, 90),
    ]
    assert policy["editable"] is False


def test_a_grid_worker_may_not_change_the_policy(client: TestClient, world: World) -> None:
    login(client, "grid1")
    rule = {
        "community_id": world.community.id,
        "name": "流动人口",
        "condition": "kind",
        "value": "02",
        "visit_every_days": 30,
    }
    response = client.post("/api/v1/visit-rules", json=rule)
    assert response.status_code == 403 and response.json()["error"]["code"] == "visits.policy_forbidden"


def test_staff_add_and_disable_a_rule_and_it_is_audited(client: TestClient, db: Session, world: World) -> None:
    login(client, "secretary")
    rule = {
        "community_id": world.community.id,
        "name": "流动人口",
        "condition": "kind",
        "value": "02",
        "visit_every_days": 30,
    }
    created = client.post("/api/v1/visit-rules", json=rule)
    assert created.status_code == 201 and created.json()["position"] == 40
    rule_id = created.json()["id"]
    disabled = client.patch(f"/api/v1/visit-rules/{rule_id}", json={"active": False})
    assert disabled.json()["active"] is False
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.entity == "visit_rule")).all()
    assert actions == ["visit_rule.create", "visit_rule.update"]


def test_it_refuses_a_bad_rule_with_every_reason(client: TestClient, world: World) -> None:
    login(client, "secretary")
    bad = {"community_id": world.community.id, "name": "x", "condition": "min_age", "value": "abc"}
    error = client.post("/api/v1/visit-rules", json=bad).json()["error"]
    assert {e["code"] for e in error["errors"]} == {"visits.rule_age", "visits.rule_empty"}
    assert error["message"] == "年龄须为 1 到 150 之间的整数。"
    tag = {"community_id": world.community.id, "name": "x", "condition": "tag", "value": "nope", "visit_every_days": 0}
    codes = {e["code"] for e in client.post("/api/v1/visit-rules", json=tag).json()["error"]["errors"]}
    assert codes == {"visits.rule_tag", "visits.rule_interval"}


def test_a_rule_of_another_community_is_not_found(client: TestClient, world: World) -> None:
    login(client, "outsider")
    assert client.get("/api/v1/visit-rules", params={"community_id": world.community.id}).status_code == 404
    rule = {"community_id": world.community.id, "name": "x", "condition": "everyone", "visit_every_days": 9}
    assert client.post("/api/v1/visit-rules", json=rule).status_code == 404


def test_staff_give_a_household_its_own_rhythm(client: TestClient, world: World) -> None:
    login(client, "secretary")
    own = {"contact_every_days": 2, "visit_every_days": 7, "reason": "术后康复期"}
    assert client.put(f"/api/v1/households/{world.household1}/cadence", json=own).status_code == 200
    timeline = client.get(f"/api/v1/households/{world.household1}/grid-logs").json()
    assert timeline["rhythm"]["contact_every"] == 2 and timeline["rhythm"]["reason"] == "术后康复期"
    assert timeline["rhythm"]["override"] is True
    assert client.delete(f"/api/v1/households/{world.household1}/cadence").status_code == 204
    assert client.get(f"/api/v1/households/{world.household1}/cadence").json() is None
    client.cookies.clear()
    login(client, "grid1")
    assert client.put(f"/api/v1/households/{world.household1}/cadence", json=own).status_code == 403
