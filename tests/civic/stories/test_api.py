"""Stories through the API and the pages: refusals are 4xx with a stable code, photos go only to readers, the
booklet holds what is published now."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.civic.stories.helpers import PNG, consent_of, log_with_story, make_story, name, published
from tests.conftest import login
from tests.factories import World


def code(response: Any) -> str:
    return response.json()["error"]["code"]


def test_a_story_is_written_named_consented_to_published_and_withdrawn(client: TestClient, sw: World) -> None:
    login(client, "grid1")
    made = client.post(
        "/api/v1/stories",
        json={
            "area_id": sw.grid1.id,
            "title": "老邻居帮忙照看独居老人",
            "body": "每天早上，楼下的老李都会去敲曾伯的门。",
        },
    )
    assert made.status_code == 201, made.text
    story = made.json()
    assert (story["state"], story["source"], story["people"]) == ("draft", "direct", [])
    sid = story["id"]
    named = client.post(f"/api/v1/stories/{sid}/people", json={"resident_id": sw.resident1.id})
    assert named.status_code == 201 and named.json()["people"][0]["name"] == "曾伟"
    other = client.post(f"/api/v1/stories/{sid}/people", json={"name": "老李"}).json()["people"][1]["id"]
    person = named.json()["people"][0]["id"]
    assert client.post(f"/api/v1/stories/{sid}/submit").json()["state"] == "review"
    login(client, "secretary")
    refused = client.post(f"/api/v1/stories/{sid}/publish")
    assert refused.status_code == 409 and code(refused) == "story.consent_missing"
    assert "曾伟" in refused.json()["error"]["message"] and refused.json()["error"]["field"] == "people"
    no_witness = client.post(
        f"/api/v1/stories/{sid}/people/{person}/consent", json={"consent": "given", "way": "in_person"}
    )
    assert no_witness.status_code == 422 and code(no_witness) == "story.witness"
    online = client.post(f"/api/v1/stories/{sid}/people/{person}/consent", json={"consent": "given"})
    assert online.status_code == 403 and code(online) == "forbidden"
    for pid in (person, other):
        given = client.post(
            f"/api/v1/stories/{sid}/people/{pid}/consent",
            json={"consent": "given", "way": "in_person", "witness": "王主任", "on": "2026-01-05"},
        )
        assert given.status_code == 200, given.text
    done = client.post(f"/api/v1/stories/{sid}/publish")
    assert done.status_code == 200 and done.json()["state"] == "published"
    login(client, "jumin")
    assert [s["id"] for s in client.get("/api/v1/stories").json()["items"]] == [sid]
    assert client.get(f"/api/v1/stories/{sid}").json()["people"][1]["witness"] == ""
    withdrawn = client.post(
        f"/api/v1/stories/{sid}/people/{person}/consent", json={"consent": "withdrawn", "way": "online"}
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    again = client.post(f"/api/v1/stories/{sid}/people/{other}/consent", json={"consent": "withdrawn", "way": "online"})
    assert again.status_code == 403 and code(again) == "story.not_you"
    login(client, "secretary")
    assert code(client.post(f"/api/v1/stories/{sid}/publish")) == "story.not_in_review"
    assert client.delete(f"/api/v1/stories/{sid}/people/{person}").status_code == 200
    assert client.post(f"/api/v1/stories/{sid}/submit").json()["state"] == "review"
    assert client.post(f"/api/v1/stories/{sid}/publish").json()["state"] == "published"


def test_a_withdrawal_takes_the_story_off_the_page_and_the_booklet(client: TestClient, db: Session, sw: World) -> None:
    gone, person = published(db, sw, title="楼道里的共享雨伞")
    kept, _ = published(db, sw, title="一碗饺子")
    login(client, "jumin")
    assert client.get(f"/stories/{gone.id}").status_code == 200
    book = client.get("/stories/booklet")
    assert book.status_code == 200 and "楼道里的共享雨伞" in book.text and "一碗饺子" in book.text
    consent_of(db, gone.id, person, "withdrawn", way="phone", witness="")
    assert client.get(f"/stories/{gone.id}").status_code == 404
    assert client.get(f"/api/v1/stories/{gone.id}").status_code == 404
    book = client.get("/stories/booklet")
    assert "楼道里的共享雨伞" not in book.text and "一碗饺子" in book.text
    assert [s["id"] for s in client.get("/api/v1/stories").json()["items"]] == [kept.id]


def test_a_grid_log_is_collected_once(client: TestClient, db: Session, sw: World) -> None:
    log = log_with_story(db, sw)
    login(client, "grid1")
    listed = client.get("/api/v1/stories/from-logs").json()
    assert [c["log_id"] for c in listed["items"]] == [log] and listed["items"][0]["household"]
    made = client.post("/api/v1/stories/from-logs", json={"log_id": log})
    assert made.status_code == 201 and (made.json()["source"], made.json()["grid_log_id"]) == ("log", log)
    twice = client.post("/api/v1/stories/from-logs", json={"log_id": log})
    assert twice.status_code == 409 and code(twice) == "story.collected"
    assert client.get("/api/v1/stories/from-logs").json()["items"] == []
    login(client, "grid2")
    assert client.post("/api/v1/stories/from-logs", json={"log_id": log + 1000}).status_code == 404


def test_photos_are_served_only_to_those_who_read_the_story(
    app: FastAPI, client: TestClient, db: Session, sw: World, tmp_path: Path
) -> None:
    app.state.runtime.settings.upload_dir = tmp_path
    story = make_story(db, sw)
    login(client, "grid1")
    bad = client.post(f"/api/v1/stories/{story.id}/photos", files={"photo": ("a.txt", b"not a photo", "text/plain")})
    assert bad.status_code == 422 and code(bad) == "story.photo_type"
    added = client.post(
        f"/api/v1/stories/{story.id}/photos", files={"photo": ("a.png", PNG, "image/png")}, data={"caption": "雨伞架"}
    )
    assert added.status_code == 201, added.text
    url = added.json()["photos"][0]["url"]
    assert client.get(url).content == PNG
    for username in ("jumin", "jumin2", "outsider"):
        login(client, username)
        assert client.get(url).status_code == 404, username
    client.post("/api/v1/auth/logout")
    login(client, "grid1")
    assert client.post(f"/api/v1/stories/{story.id}/submit").status_code == 200
    login(client, "secretary")
    assert client.post(f"/api/v1/stories/{story.id}/publish").status_code == 200
    login(client, "jumin")
    assert client.get(url).content == PNG
    assert client.get("/stories/booklet").text.count(url) == 1
    login(client, "jumin2")
    assert client.get(url).status_code == 404
    login(client, "grid1")
    removed = client.delete(url)
    assert removed.status_code == 200 and removed.json()["photos"] == [] and removed.json()["state"] == "review"
    assert client.get(url).status_code == 404 and not any(tmp_path.rglob("*.png"))


def test_the_api_refuses_bad_input_with_codes(client: TestClient, db: Session, sw: World) -> None:
    story = make_story(db, sw)
    login(client, "grid1")
    assert client.post("/api/v1/stories", json={"area_id": sw.grid1.id, "title": "", "body": "x"}).status_code == 422
    assert client.post("/api/v1/stories", json={"area_id": sw.grid2.id, "title": "x", "body": "x"}).status_code == 404
    stale = client.patch(f"/api/v1/stories/{story.id}", json={"version": 99, "title": "新标题"})
    assert stale.status_code == 409 and code(stale) == "story.stale"
    changed = client.patch(f"/api/v1/stories/{story.id}", json={"version": story.version, "title": "新标题"})
    assert changed.status_code == 200 and changed.json()["title"] == "新标题"
    wrong = client.post(f"/api/v1/stories/{story.id}/people", json={"resident_id": sw.resident2.id})
    assert wrong.status_code == 422 and code(wrong) == "story.resident"
    person = name(db, story.id)
    odd = client.post(f"/api/v1/stories/{story.id}/people/{person}/consent", json={"consent": "maybe", "way": "phone"})
    assert odd.status_code == 422 and code(odd) == "story.consent"
    found = client.get(f"/api/v1/stories/{story.id}/residents", params={"q": "曾"}).json()
    assert [r["id"] for r in found] == [sw.resident1.id]
    assert client.get("/api/v1/stories", params={"state": "nope"}).status_code == 422
    login(client, "jumin")
    assert client.post("/api/v1/stories", json={"area_id": sw.grid1.id, "title": "x", "body": "x"}).status_code == 403
    assert client.get(f"/api/v1/stories/{story.id}").status_code == 404


# ---- pages ------------------------------------------------------------------------------------------


def test_the_pages_show_write_and_review_a_story(client: TestClient, db: Session, sw: World) -> None:
    log_with_story(db, sw)
    login(client, "grid1")
    for path in ("/stories", "/stories/new", "/stories/from-logs", "/stories/booklet"):
        assert client.get(path).status_code == 200, path
    assert "曾伯年轻时是渔民" in client.get("/stories/from-logs").text
    made = client.post(
        "/stories/new",
        data={"area_id": str(sw.grid1.id), "title": "一碗饺子", "body": "冬至那天。\n饺子还冒着热气。"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    page = made.headers["location"]
    shown = client.get(page)
    assert shown.status_code == 200 and "饺子还冒着热气" in shown.text and "草稿" in shown.text
    assert client.post("/stories/new", data={"title": "", "body": ""}).status_code == 422
    assert client.get(page + "?resident_q=曾").text.count("曾伟") >= 1
    sid = int(page.rsplit("/", 1)[1])
    client.post(f"{page}/people", data={"resident_id": str(sw.resident1.id)})
    person = client.get(f"/api/v1/stories/{sid}").json()["people"][0]["id"]
    missing = client.post(
        f"{page}/people/{person}/consent", data={"consent": "given", "way": "in_person", "witness": ""}
    )
    assert missing.status_code == 422 and "见证人" in missing.text
    client.post(f"{page}/submit")
    login(client, "secretary")
    refused = client.post(f"{page}/publish")
    assert refused.status_code == 409 and "曾伟" in refused.text
    assert (
        client.post(
            f"{page}/people/{person}/consent",
            data={"consent": "given", "way": "in_person", "witness": "王主任"},
            follow_redirects=False,
        ).status_code
        == 303
    )
    assert client.post(f"{page}/publish", follow_redirects=False).status_code == 303
    book = client.get("/stories/booklet")
    assert "一碗饺子" in book.text and "/static/css/stories.css" in book.text and "data-print" in book.text
    assert "《远亲不如近邻》" in book.text and "微故事集" in book.text
    assert "stories.css" not in client.get("/stories").text
    login(client, "jumin")
    mine = client.get(page)
    assert "撤回我的同意" in mine.text
    ask = client.post(f"{page}/people/{person}/consent", data={"consent": "withdrawn", "way": "online"})
    assert ask.status_code == 200 and "请确认" in ask.text
    assert client.get(f"/api/v1/stories/{sid}").json()["state"] == "published"
    sure = client.post(
        f"{page}/people/{person}/consent",
        data={"consent": "withdrawn", "way": "online", "confirm": "yes"},
        follow_redirects=False,
    )
    assert sure.status_code == 303 and client.get(f"/api/v1/stories/{sid}").json()["state"] == "withdrawn"
    login(client, "outsider")
    assert client.get(page).status_code == 404
