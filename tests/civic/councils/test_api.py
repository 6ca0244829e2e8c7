"""Councils through the API: a council, a topic, a quorate meeting, votes, the count, publication and a
follow-up; each refusal a 4xx with a stable code, never a 500."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from linli.lib import clock
from tests.civic.councils.helpers import add_residents, at, resident_account
from tests.conftest import login
from tests.factories import World


def code(response: Any) -> str:
    return response.json()["error"]["code"]


def test_a_council_decides_a_topic_through_the_api(client: TestClient, db: Session, world: World) -> None:
    login(client, "secretary")
    made = client.post(
        "/api/v1/councils",
        json={"area_id": world.community.id, "name": "议事会", "quorum_percent": 60, "pass_rule": "two_thirds_present"},
    )
    assert made.status_code == 201, made.text
    council = made.json()
    assert (council["quorum_percent"], council["members"], council["cosigners_needed"]) == (60, 0, 10)
    ids = add_residents(db, world, council["id"], 5)
    topic = client.post(f"/api/v1/councils/{council['id']}/topics", json={"title": "加装电梯"}).json()
    assert topic["state"] == "open" and topic["source"] == "staff"
    meeting = client.post(
        f"/api/v1/councils/{council['id']}/meetings",
        json={"title": "议事会", "starts_at": at(clock.today()).isoformat(), "topic_ids": [topic["id"]]},
    ).json()
    short = client.put(f"/api/v1/meetings/{meeting['id']}/attendance", json={"present": ids[:2]}).json()
    assert (short["quorate"], short["members_count"]) == (False, 5)
    resolution = client.post(
        f"/api/v1/meetings/{meeting['id']}/resolutions", json={"topic_id": topic["id"], "text": "同意"}
    ).json()
    refused = client.post(
        f"/api/v1/resolutions/{resolution['id']}/ballots", json={"member_id": ids[0], "choice": "for"}
    )
    assert refused.status_code == 409 and code(refused) == "council.no_quorum"
    held = client.put(f"/api/v1/meetings/{meeting['id']}/attendance", json={"present": ids[:3]}).json()
    assert held["quorate"] is True  # 300 >= 60 × 5
    absent = client.post(f"/api/v1/resolutions/{resolution['id']}/ballots", json={"member_id": ids[4], "choice": "for"})
    assert absent.status_code == 422 and code(absent) == "ballot.absent"
    votes = {"ballots": [{"member_id": ids[0], "choice": "for"}, {"member_id": ids[1], "choice": "for"}]}
    assert client.post(f"/api/v1/resolutions/{resolution['id']}/ballots", json=votes).status_code == 200
    counted = client.post(f"/api/v1/resolutions/{resolution['id']}/count").json()
    assert (counted["outcome"], counted["votes_for"], counted["present"]) == ("passed", 2, 3)  # 6 >= 6
    assert client.post(f"/api/v1/resolutions/{resolution['id']}/count").status_code == 409
    assert client.post(f"/api/v1/resolutions/{resolution['id']}/publish").json()["published_at"]
    follow = client.post(
        f"/api/v1/topics/{topic['id']}/follow-ups",
        json={
            "title": "报价",
            "owner_name": "物业",
            "due_on": clock.today().isoformat(),
            "resolution_id": resolution["id"],
        },
    )
    assert follow.status_code == 201, follow.text
    done = client.patch(f"/api/v1/follow-ups/{follow.json()['id']}", json={"progress": 100, "done": True}).json()
    assert done["state"] == "done"
    shown = client.get(f"/api/v1/topics/{topic['id']}").json()
    assert (shown["state"], shown["progress"]) == ("closed", 100)
    bad = client.post("/api/v1/councils", json={"area_id": world.community.id, "name": "", "quorum_percent": 0})
    assert bad.status_code == 422
    assert client.get("/api/v1/topics/99999").status_code == 404


def test_residents_propose_co_sign_and_read_through_the_api(client: TestClient, db: Session, world: World) -> None:
    login(client, "secretary")
    council = client.post(
        "/api/v1/councils", json={"area_id": world.community.id, "name": "议事会", "cosigners_needed": 2}
    ).json()
    for name in ("jumin", "linju"):
        resident_account(db, world, name)
    login(client, "jumin")
    proposed = client.post(f"/api/v1/councils/{council['id']}/topics", json={"title": "停车难"}).json()
    assert (proposed["state"], proposed["cosigners"]) == ("proposed", 1)
    assert client.post(f"/api/v1/topics/{proposed['id']}/cosign").status_code == 409
    login(client, "linju")
    opened = client.post(f"/api/v1/topics/{proposed['id']}/cosign")
    assert opened.status_code == 200 and opened.json()["state"] == "open"
    again = client.post(f"/api/v1/topics/{proposed['id']}/cosign")
    assert again.status_code == 409 and code(again) == "topic.not_proposed"
    assert client.post(f"/api/v1/topics/{proposed['id']}/posts", json={"body": "同意"}).status_code == 201
    assert (
        client.post(
            f"/api/v1/councils/{council['id']}/meetings", json={"title": "x", "starts_at": "2026-01-01T10:00:00+08:00"}
        ).status_code
        == 403
    )
    assert client.get("/api/v1/follow-ups").status_code == 403
    login(client, "outsider")
    assert client.get(f"/api/v1/councils/{council['id']}").status_code == 404
    assert client.get(f"/api/v1/topics/{proposed['id']}").status_code == 404
    assert client.get("/api/v1/councils").json()["items"] == []


def test_documents_are_attached_and_read_by_those_who_see_the_topic(
    app: Any, client: TestClient, db: Session, world: World, tmp_path: Path
) -> None:
    app.state.runtime.settings.upload_dir = tmp_path
    login(client, "secretary")
    council = client.post("/api/v1/councils", json={"area_id": world.community.id, "name": "议事会"}).json()
    topic = client.post(f"/api/v1/councils/{council['id']}/topics", json={"title": "加装电梯"}).json()
    pdf = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    sent = client.post(
        f"/api/v1/topics/{topic['id']}/documents", files={"file": ("报价单.pdf", pdf, "application/pdf")}
    )
    assert sent.status_code == 201, sent.text
    refused = client.post(f"/api/v1/topics/{topic['id']}/documents", files={"file": ("a.exe", b"MZ\x90", "x")})
    assert refused.status_code == 422 and code(refused) == "topic.document_type"
    document_id = sent.json()["id"]
    got = client.get(f"/api/v1/topic-documents/{document_id}")
    assert got.status_code == 200 and got.content == pdf
    assert client.get(f"/councils/documents/{document_id}").content == pdf
    assert [p.suffix for p in (tmp_path / "topics" / str(topic["id"])).iterdir()] == [".pdf"]
    login(client, "outsider")
    assert client.get(f"/api/v1/topic-documents/{document_id}").status_code == 404
