"""Courses through the API: each refusal is a 4xx with a stable code, never a 500, and nothing leaks across areas."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from linli.lib import clock
from tests.conftest import login
from tests.courses.helpers import course_in, first_day, guardian, make_child, make_course, years_before
from tests.factories import World


def body(world: World, **overrides: Any) -> dict[str, Any]:
    return course_in(world, **overrides).model_dump(mode="json")


def code(response: Any) -> str:
    return response.json()["error"]["code"]


def test_a_course_is_made_found_signed_up_to_and_a_cancellation_promotes(
    client: TestClient, db: Session, world: World
) -> None:
    login(client, "secretary")
    created = client.post("/api/v1/courses", json=body(world, organising_area_ids=[world.grid1.id]))
    assert created.status_code == 201, created.text
    made = created.json()
    assert (made["area"], made["capacity"], made["taken"], made["waitlisted"]) == ("阳台山社区", 2, 0, 0)
    assert made["open_now"] is True and [a["id"] for a in made["organising_areas"]] == [world.grid1.id]
    assert len(made["sessions"]) == 3 and made["version"] == 1
    today = clock.today()
    past = {"signup_opens_on": today - timedelta(days=3), "signup_closes_on": today - timedelta(days=1)}
    closed = client.post(
        "/api/v1/courses",
        json=body(world, title="已截止", organising_area_ids=[world.grid1.id], start=first_day(12), **past),
    )
    assert closed.status_code == 201, closed.text
    listed = client.get("/api/v1/courses", params={"area_id": world.grid1.id})
    assert listed.status_code == 200 and [c["title"] for c in listed.json()["items"]] == ["书法入门", "已截止"]
    open_now = client.get("/api/v1/courses", params={"area_id": world.grid1.id, "open": "true"}).json()
    assert [c["id"] for c in open_now["items"]] == [made["id"]] and open_now["total"] == 1
    assert client.get("/api/v1/courses", params={"area_id": world.grid2.id}).json()["items"] == []

    kids = [make_child(db, world.household1, 6, name=n) for n in ("曾甲", "曾乙", "曾丙")]
    login(client, "grid1")
    signed = [client.post(f"/api/v1/courses/{made['id']}/enrolments", json={"child_resident_id": k}) for k in kids]
    assert [s.status_code for s in signed] == [201, 201, 201], [s.text for s in signed]
    assert [(s.json()["status"], s.json()["position"]) for s in signed] == [
        ("enrolled", None),
        ("enrolled", None),
        ("waitlisted", 1),
    ]
    assert all(isinstance(s.json()["id"], int) for s in signed)
    again = client.post(f"/api/v1/courses/{made['id']}/enrolments", json={"child_resident_id": kids[0]})
    assert again.status_code == 409 and code(again) == "course.already"
    young = make_child(db, world.household1, born=years_before(first_day(), 5) + timedelta(days=1), name="曾小")
    too_young = client.post(f"/api/v1/courses/{made['id']}/enrolments", json={"child_resident_id": young})
    assert too_young.status_code == 422 and code(too_young) == "course.age"
    shut = client.post(f"/api/v1/courses/{closed.json()['id']}/enrolments", json={"child_resident_id": kids[0]})
    assert shut.status_code == 409 and code(shut) == "course.closed"

    cancelled = client.delete(f"/api/v1/enrolments/{signed[0].json()['id']}")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    promoted = client.get(f"/api/v1/enrolments/{signed[2].json()['id']}").json()
    assert (promoted["status"], promoted["position"]) == ("enrolled", None)
    twice = client.delete(f"/api/v1/enrolments/{signed[0].json()['id']}")
    assert twice.status_code == 409 and code(twice) == "course.not_active"
    now = client.get(f"/api/v1/courses/{made['id']}").json()
    assert (now["taken"], now["waitlisted"]) == (2, 0)


def test_a_new_course_is_refused_with_every_problem_named(client: TestClient, world: World) -> None:
    login(client, "secretary")
    start = first_day()
    refused = client.post(
        "/api/v1/courses",
        json=body(
            world,
            category="knitting",
            age_min=8,
            age_max=5,
            signup_closes_on=start + timedelta(days=1),
            organising_area_ids=[world.other_grid.id],
        ),
    )
    assert refused.status_code == 422
    assert {e["code"] for e in refused.json()["error"]["errors"]} == {
        "course.category",
        "course.age_range",
        "course.window_after_start",
        "course.organiser",
    }
    outside = client.post("/api/v1/courses", json=body(world, area_id=world.other_community.id))
    assert outside.status_code == 404 and code(outside) == "area.not_found"
    naive = body(world)
    naive["sessions"][0]["starts_at"] = naive["sessions"][0]["starts_at"][:19]  # no time zone
    assert code(client.post("/api/v1/courses", json=naive)) == "course.session_zone"
    login(client, "grid1")
    assert client.post("/api/v1/courses", json=body(world)).status_code == 403


def test_a_guardian_sees_their_family_and_no_one_elses(client: TestClient, db: Session, world: World) -> None:
    guardian(db, world, "mum", world.household1)
    made = make_course(db, world, helpers_wanted=1)
    mine = make_child(db, world.household1, 6, name="自家孩子")
    theirs = make_child(db, world.household2, 6, name="邻家孩子")
    login(client, "mum")
    signed = client.post(f"/api/v1/courses/{made.id}/enrolments", json={"child_resident_id": mine})
    assert signed.status_code == 201, signed.text
    other = client.post(f"/api/v1/courses/{made.id}/enrolments", json={"child_resident_id": theirs})
    assert other.status_code == 404 and code(other) == "resident.not_found"
    family = client.get("/api/v1/courses/family").json()
    assert [(c["name"], [e["status"] for e in c["enrolments"]]) for c in family] == [("自家孩子", ["enrolled"])]
    assert client.get(f"/api/v1/courses/{made.id}/roster").status_code == 404
    helper = client.post(f"/api/v1/course-sessions/{made.sessions[0].id}/helpers")
    assert helper.status_code == 201 and helper.json()["name"] == "曾伟"
    full = client.post(f"/api/v1/course-sessions/{made.sessions[0].id}/helpers", json={})
    assert full.status_code == 409 and code(full) == "course.helper_already"
    login(client, "outsider")
    assert client.get(f"/api/v1/courses/{made.id}").status_code == 404
    assert client.get(f"/api/v1/enrolments/{signed.json()['id']}").status_code == 404
    assert client.delete(f"/api/v1/enrolments/{signed.json()['id']}").status_code == 404
    assert client.get("/api/v1/courses").json()["items"] == []


def test_keeping_a_course_through_the_api(client: TestClient, db: Session, world: World) -> None:
    made = make_course(db, world, capacity=1)
    kids = [make_child(db, world.household1, 6, name=n) for n in ("曾甲", "曾乙")]
    login(client, "secretary")
    ids = [
        client.post(f"/api/v1/courses/{made.id}/enrolments", json={"child_resident_id": k}).json()["id"] for k in kids
    ]
    raised = client.patch(f"/api/v1/courses/{made.id}", json={"version": 1, "capacity": 2})
    assert raised.status_code == 200 and (raised.json()["taken"], raised.json()["waitlisted"]) == (2, 0)
    stale = client.patch(f"/api/v1/courses/{made.id}", json={"version": 1, "capacity": 3})
    assert stale.status_code == 409 and code(stale) == "course.stale"
    fewer = client.patch(f"/api/v1/courses/{made.id}", json={"version": 2, "capacity": 1})
    assert fewer.status_code == 422 and code(fewer) == "course.capacity"
    marked = client.put(f"/api/v1/course-sessions/{made.sessions[0].id}/attendance", json={"present": [ids[0]]})
    assert marked.status_code == 200 and marked.json() == {"session_id": made.sessions[0].id, "present": 1, "absent": 1}
    roster = client.get(f"/api/v1/courses/{made.id}/roster")
    assert roster.status_code == 200
    assert [r["guardian_phone"] for r in roster.json()["rows"]] == ["*******5678"] * 2
    assert "13912345678" not in roster.text
    figures = client.get("/api/v1/courses/figures", params={"area_id": world.community.id})
    assert figures.status_code == 200 and figures.json()["total"]["attendance_rate"] == 0.5
    cancelled = client.post(f"/api/v1/courses/{made.id}/cancel", json={"version": 2, "reason": "老师生病"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    login(client, "grid1")
    assert client.post(f"/api/v1/courses/{made.id}/cancel", json={"version": 3, "reason": "x"}).status_code == 403


def test_bad_input_is_refused_never_a_500(client: TestClient, db: Session, world: World) -> None:
    made = make_course(db, world)
    login(client, "secretary")
    huge = 2**70
    cases: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/api/v1/courses", {"params": {"page": 0}}),
        ("GET", "/api/v1/courses", {"params": {"page_size": 0}}),
        ("GET", "/api/v1/courses", {"params": {"page_size": 201}}),
        ("GET", "/api/v1/courses", {"params": {"category": "xyz"}}),
        ("GET", "/api/v1/courses", {"params": {"status": "gone"}}),
        ("GET", "/api/v1/courses", {"params": {"area_id": "abc"}}),
        ("GET", "/api/v1/courses", {"params": {"area_id": 0}}),
        ("GET", "/api/v1/courses", {"params": {"area_id": huge}}),
        ("GET", "/api/v1/courses", {"params": {"open": "perhaps"}}),
        ("GET", "/api/v1/courses", {"params": {"q": "x" * 41}}),
        ("GET", "/api/v1/courses/abc", {}),
        ("GET", f"/api/v1/courses/{huge}", {}),
        ("GET", "/api/v1/courses/-1", {}),
        ("GET", "/api/v1/courses/figures", {}),
        ("GET", "/api/v1/courses/figures", {"params": {"area_id": "abc"}}),
        ("GET", "/api/v1/courses/figures", {"params": {"area_id": huge}}),
        ("GET", "/api/v1/courses/abc/roster", {}),
        ("GET", f"/api/v1/courses/{huge}/roster", {}),
        ("PATCH", f"/api/v1/courses/{made.id}", {"json": {"capacity": 3}}),  # no version
        ("PATCH", f"/api/v1/courses/{made.id}", {"json": {"version": 1, "capacity": 0}}),
        ("PATCH", f"/api/v1/courses/{made.id}", {"json": {"version": 1, "category": "xyz"}}),
        ("PATCH", f"/api/v1/courses/{made.id}", {"json": {"version": 1, "sessions": []}}),
        ("POST", "/api/v1/courses", {"json": {}}),
        ("POST", "/api/v1/courses", {"json": {**body(world), "capacity": "many"}}),
        ("POST", "/api/v1/courses", {"json": {**body(world), "sessions": []}}),
        ("POST", "/api/v1/courses", {"json": {**body(world), "area_id": huge}}),
        ("POST", "/api/v1/courses", {"json": {**body(world), "organising_area_ids": [huge]}}),
        ("POST", "/api/v1/courses", {"json": {**body(world), "teacher_volunteer_id": huge}}),
        ("POST", "/api/v1/courses", {"json": {**body(world), "teacher_resource_id": 4242}}),
        ("POST", "/api/v1/courses", {"content": b"\xff\xfe", "headers": {"content-type": "application/json"}}),
        ("POST", f"/api/v1/courses/{made.id}/enrolments", {"json": {}}),
        ("POST", f"/api/v1/courses/{made.id}/enrolments", {"json": {"child_resident_id": "x"}}),
        ("POST", f"/api/v1/courses/{made.id}/enrolments", {"json": {"child_resident_id": huge}}),
        ("POST", f"/api/v1/courses/{made.id}/enrolments", {"json": {"child_resident_id": -1}}),
        ("POST", "/api/v1/courses/abc/enrolments", {"json": {"child_resident_id": 1}}),
        ("POST", f"/api/v1/courses/{huge}/enrolments", {"json": {"child_resident_id": 1}}),
        ("GET", "/api/v1/enrolments/abc", {}),
        ("GET", f"/api/v1/enrolments/{huge}", {}),
        ("DELETE", "/api/v1/enrolments/abc", {}),
        ("DELETE", f"/api/v1/enrolments/{huge}", {}),
        ("DELETE", "/api/v1/enrolments/0", {}),
        ("POST", "/api/v1/enrolments/abc/confirm", {}),
        ("POST", f"/api/v1/enrolments/{huge}/confirm", {}),
        ("PUT", "/api/v1/course-sessions/abc/attendance", {"json": {"present": []}}),
        ("PUT", f"/api/v1/course-sessions/{huge}/attendance", {"json": {"present": []}}),
        ("PUT", f"/api/v1/course-sessions/{made.sessions[0].id}/attendance", {"json": {"present": ["x"]}}),
        ("PUT", f"/api/v1/course-sessions/{made.sessions[0].id}/attendance", {"json": {"present": [huge]}}),
        ("POST", f"/api/v1/course-sessions/{huge}/helpers", {}),
        ("POST", f"/api/v1/course-sessions/{made.sessions[0].id}/helpers", {"json": {"resident_id": huge}}),
        ("POST", f"/api/v1/course-sessions/{made.sessions[0].id}/helpers", {"json": {"resident_id": "x"}}),
        ("POST", f"/api/v1/courses/{made.id}/cancel", {"json": {"version": 1, "reason": ""}}),
    ]
    for method, path, options in cases:
        response = client.request(method, path, **options)
        assert response.status_code in (404, 409, 422), (method, path, options, response.status_code, response.text)
        assert response.json()["error"]["code"], (method, path, response.text)
    assert client.get(f"/api/v1/courses/{made.id}").json()["version"] == 1  # nothing changed


def test_the_api_asks_for_a_sign_in(client: TestClient, db: Session, world: World) -> None:
    made = make_course(db, world)
    for method, path in (
        ("GET", "/api/v1/courses"),
        ("GET", f"/api/v1/courses/{made.id}"),
        ("POST", f"/api/v1/courses/{made.id}/enrolments"),
        ("GET", "/api/v1/courses/family"),
    ):
        response = client.request(method, path)
        assert response.status_code == 401 and code(response) == "auth.required", (method, path)
