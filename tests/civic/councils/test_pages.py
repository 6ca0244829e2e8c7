"""Council pages on both databases: staff run a council from the list to a published resolution; a resident
reads and co-signs on a phone-sized page; lists take a fixed number of queries."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from linli.civic.councils.models import Council
from linli.lib import clock
from tests.civic.councils.helpers import add_residents, decided, make_council, raise_topic, resident_account
from tests.conftest import login
from tests.factories import World


def test_staff_run_a_council_through_its_pages(client: TestClient, db: Session, world: World) -> None:
    login(client, "secretary")
    made = client.post(
        "/councils/new",
        data={"area_id": str(world.community.id), "name": "阳台山议事会", "kind": "council", "quorum_percent": "50",
              "pass_rule": "majority_present", "cosigners_needed": "3", "description": "社区公共事务"},
        follow_redirects=False,
    )  # fmt: skip
    assert made.status_code == 303, made.text
    council_page = made.headers["location"]
    council_id = int(council_page.rsplit("/", 1)[1])
    ids = add_residents(db, world, council_id, 3)
    found = client.get(council_page, params={"member_q": "曾"})
    assert found.status_code == 200 and "曾伟" in found.text
    member = {"resident_id": str(world.resident1.id), "represents": "楼栋长"}
    added = client.post(f"/councils/{council_id}/members", data=member, follow_redirects=False)
    assert added.status_code == 303
    page = client.get(council_page)
    assert "楼栋长" in page.text and "委员甲" in page.text
    raised = client.post(
        f"/councils/{council_id}/topics", data={"title": "加装电梯", "body": "三号楼"}, follow_redirects=False
    )
    assert raised.status_code == 303
    topic_id = int(raised.headers["location"].rsplit("/", 1)[1])
    assert client.get("/councils/topics", params={"q": "电梯"}).text.count("加装电梯") >= 1
    tomorrow = clock.today() + timedelta(days=1)
    planned = client.post(
        f"/councils/{council_id}/meetings/new",
        data={"title": "议事会", "day": clock.today().isoformat(), "time": "19:30", "place": "议事厅",
              "topic_ids": [str(topic_id)]},
        follow_redirects=False,
    )  # fmt: skip
    assert planned.status_code == 303, planned.text
    meeting_page = planned.headers["location"]
    meeting_id = int(meeting_page.rsplit("/", 1)[1])
    bad_day = client.post(f"/councils/{council_id}/meetings/new", data={"title": "x", "day": "明天", "time": "7"})
    assert bad_day.status_code == 422 and str(tomorrow) not in bad_day.text
    attended = client.post(f"/councils/meetings/{meeting_id}/attendance", data={"present": [str(i) for i in ids]},
                           follow_redirects=False)  # fmt: skip
    assert attended.status_code == 303
    assert "3 of 4 present" in client.get(meeting_page, params={"lang": "en"}).text
    motion = {"topic_id": str(topic_id), "text": "同意加装"}
    moved = client.post(f"/councils/meetings/{meeting_id}/resolutions", data=motion, follow_redirects=False)
    assert moved.status_code == 303
    resolution_id = int(re.findall(r"/councils/resolutions/(\d+)/ballots", client.get(meeting_page).text)[0])
    votes = {f"vote-{ids[0]}": "for", f"vote-{ids[1]}": "for", f"vote-{ids[2]}": "against"}
    assert (
        client.post(f"/councils/resolutions/{resolution_id}/ballots", data=votes, follow_redirects=False).status_code
        == 303
    )
    absent = client.post(f"/councils/resolutions/{resolution_id}/ballots", data={"vote-999": "for"})
    assert absent.status_code == 422
    assert client.post(f"/councils/resolutions/{resolution_id}/count", follow_redirects=False).status_code == 303
    assert client.post(f"/councils/resolutions/{resolution_id}/publish", follow_redirects=False).status_code == 303
    topic = client.get(f"/councils/topics/{topic_id}", params={"lang": "en"})
    assert "Passed" in topic.text and "For 2, against 1, abstained 0; 3 present" in topic.text
    follow = client.post(
        f"/councils/topics/{topic_id}/follow-ups",
        data={"title": "联系厂家", "owner_name": "物业", "due_on": clock.today().isoformat()},
        follow_redirects=False,
    )
    assert follow.status_code == 303
    asked = client.post(f"/councils/members/{ids[0]}/leave")
    assert asked.status_code == 200 and "confirm" in asked.text
    assert (
        client.post(f"/councils/members/{ids[0]}/leave", data={"confirm": "yes"}, follow_redirects=False).status_code
        == 303
    )
    assert client.get("/councils/follow-ups", params={"state": "all"}).text.count("联系厂家") == 1


def test_a_resident_reads_co_signs_and_posts_but_sees_no_draft(client: TestClient, db: Session, world: World) -> None:
    council, _, topic, meeting, resolution = decided(db, world)
    for name in ("jumin", "linju"):
        resident_account(db, world, name)
    proposal = raise_topic(db, "linju", council.id, "小区停车难")
    login(client, "jumin")
    listed = client.get("/councils")
    assert listed.status_code == 200 and council.name in listed.text
    page = client.get(f"/councils/topics/{topic.id}")
    assert page.status_code == 200 and "同意加装电梯" not in page.text  # counted, not published
    assert client.get(f"/councils/meetings/{meeting.id}").status_code == 200
    assert "Record attendance" not in client.get(f"/councils/meetings/{meeting.id}", params={"lang": "en"}).text
    signed = client.post(f"/councils/topics/{proposal.id}/cosign", follow_redirects=False)
    assert signed.status_code == 303
    again = client.post(f"/councils/topics/{proposal.id}/cosign")
    assert again.status_code == 409
    posted = client.post(f"/councils/topics/{proposal.id}/posts", data={"body": "我家也没车位"}, follow_redirects=False)
    assert posted.status_code == 303 and "我家也没车位" in client.get(f"/councils/topics/{proposal.id}").text
    assert client.get(f"/councils/{council.id}/edit").status_code in (403, 404)
    assert client.post(f"/councils/resolutions/{resolution.id}/publish").status_code == 404
    assert client.get("/councils/follow-ups").status_code == 403


def test_an_outsider_gets_nothing_of_the_council(client: TestClient, db: Session, world: World) -> None:
    council, _, topic, meeting, _resolution = decided(db, world)
    login(client, "outsider")
    for path in (f"/councils/{council.id}", f"/councils/topics/{topic.id}", f"/councils/meetings/{meeting.id}"):
        assert client.get(path).status_code == 404, path
    assert council.name not in client.get("/councils").text


def test_the_lists_take_a_fixed_number_of_queries(client: TestClient, db: Session, world: World) -> None:
    login(client, "secretary")

    def queries(path: str) -> int:
        count = 0

        def seen(*_: object) -> None:
            nonlocal count
            count += 1

        engine = db.get_bind()
        event.listen(engine, "before_cursor_execute", seen)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        return count

    council = make_council(db, world)
    raise_topic(db, "secretary", council.id)
    few = (queries("/councils"), queries("/councils/topics"))
    for i in range(6):
        other = make_council(db, world, name=f"议事会{'甲乙丙丁戊己'[i]}")
        raise_topic(db, "secretary", other.id, f"议题{'甲乙丙丁戊己'[i]}")
    assert (queries("/councils"), queries("/councils/topics")) == few
    assert db.query(Council).count() == 7
