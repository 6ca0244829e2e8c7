"""The needs pages render for each persona, and their forms make the same moves as the API."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from linli.needs import escalation
from tests.conftest import login
from tests.needs.conftest import NeedsWorld, closed, dispatched, new_order, slipped


def test_it_renders_the_staff_pages(client: TestClient, db: Session, nw: NeedsWorld) -> None:
    order = dispatched(db, nw)
    login(client, "secretary")
    for path in ("/needs", "/needs?state=dispatched&overdue=1", "/needs/new", f"/needs/{order.id}", "/needs/figures"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
    detail = client.get(f"/needs/{order.id}").text
    assert 'data-action="dispatch"' in detail and 'data-action="supervise"' in detail
    assert "水龙头漏水" in client.get("/needs").text


def test_it_files_and_dispatches_through_the_forms(client: TestClient, db: Session, nw: NeedsWorld) -> None:
    login(client, "staff")
    filed = client.post(
        "/needs/new",
        data={
            "category_id": str(nw.repairs),
            "urgency": "urgent",
            "household_id": str(nw.world.household1),
            "description": "电梯异响",
        },
        follow_redirects=False,
    )
    assert filed.status_code == 303, filed.text[:400]
    need_id = int(filed.headers["location"].rsplit("/", 1)[1])
    client.post(f"/needs/{need_id}/move", data={"action": "register"})
    refused = client.post(f"/needs/{need_id}/move", data={"action": "dispatch"})
    assert refused.status_code == 422 and "请选择一名人员或一个服务队派遣" in refused.text
    moved = client.post(
        f"/needs/{need_id}/move",
        data={"action": "dispatch", "assignee_user_id": str(nw.volunteer)},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    login(client, "volunteer")
    mine = client.get("/needs/mine").text
    assert "电梯异响" in mine
    client.post(f"/needs/{need_id}/move", data={"action": "accept", "back": "/needs/mine"})
    assert 'data-action="progress"' in client.get(f"/needs/{need_id}").text


def test_it_shows_a_stale_form_its_conflict(client: TestClient, db: Session, nw: NeedsWorld) -> None:
    order = new_order(db, nw)
    login(client, "grid1")
    version = re.search(r'name="version" value="(\d+)"', client.get(f"/needs/{order.id}").text)
    assert version is not None
    client.post(f"/needs/{order.id}/move", data={"action": "register", "version": version.group(1)})
    stale = client.post(
        f"/needs/{order.id}/move", data={"action": "dismiss", "reason": "x", "version": version.group(1)}
    )
    assert stale.status_code == 409


def test_it_lets_a_resident_ask_and_rate_on_the_phone_pages(client: TestClient, db: Session, nw: NeedsWorld) -> None:
    login(client, "resident")
    sent = client.post(
        "/needs/requested", data={"category_id": str(nw.meals), "description": "想预约助浴服务"}, follow_redirects=False
    )
    assert sent.status_code == 303
    assert "想预约助浴服务" in client.get("/needs/requested").text
    order = closed(db, nw)
    page = client.get("/needs/requested").text
    assert 'data-action="rate"' in page
    rated = client.post(
        f"/needs/{order.id}/move",
        data={"action": "rate", "rating": "satisfied", "caused_by_handling": "0", "back": "/needs/requested"},
        follow_redirects=False,
    )
    assert rated.status_code == 303 and rated.headers["location"] == "/needs/requested"


def test_it_takes_a_request_without_an_account_on_public_pages(client: TestClient, nw: NeedsWorld) -> None:
    assert client.get("/ask").status_code == 200
    sent = client.post(
        "/ask",
        data={
            "community_id": str(nw.world.community.id),
            "category_id": str(nw.repairs),
            "description": "楼下垃圾没人清",
            "phone": "13800000009",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"].startswith("/track/")
    tracked = client.get(sent.headers["location"])
    assert tracked.status_code == 200 and 'id="tracking-code"' in tracked.text
    bad = client.post("/ask", data={"community_id": "0", "category_id": "0", "description": "x", "phone": "1"})
    assert bad.status_code == 422
    assert client.get("/track", params={"code": "abc"}, follow_redirects=False).headers["location"] == "/track/ABC"
    assert client.get("/track/NOSUCH").status_code == 404


def test_the_messages_page_lists_an_escalation_and_marks_all_read(
    client: TestClient, db: Session, nw: NeedsWorld
) -> None:
    order = dispatched(db, nw)
    slipped(db, order.id, 240)
    escalation.tick(db)
    login(client, "supervisor")
    page = client.get("/notifications")
    assert page.status_code == 200 and f"工单超期升级至街道：{order.title}" in page.text and "未读" in page.text
    assert 'href="/notifications"' in page.text  # in the menu
    badge = client.get("/notifications/unread")
    assert badge.status_code == 200 and 'aria-label="1 条未读"' in badge.text and ">1</span>" in badge.text
    assert 'hx-get="/notifications/unread"' in page.text  # the menu fetches it once the page loads
    done = client.post("/notifications/read-all", follow_redirects=False)
    assert done.status_code == 303
    again = client.get("/notifications")
    assert "未读" not in again.text and f"工单超期升级至街道：{order.title}" in again.text
    assert client.get("/notifications/unread").text == ""
    login(client, "outsider")
    assert order.title not in client.get("/notifications").text


def test_a_resident_and_a_volunteer_open_on_what_their_roles_let_them_do(client: TestClient, nw: NeedsWorld) -> None:
    login(client, "resident")
    home = client.get("/").text
    assert 'href="/needs/requested"' in home and "向社区求助，随时查看办理进度" in home
    assert 'href="/needs/mine"' not in home and 'href="/residents' not in home
    client.cookies.clear()
    login(client, "volunteer")
    home = client.get("/").text
    assert 'href="/needs/mine"' in home and "派给您或您所在服务队的任务，按期限排列" in home


def test_the_volunteer_sees_where_to_go_but_no_registry_link(client: TestClient, db: Session, nw: NeedsWorld) -> None:
    order = dispatched(db, nw)
    assert order.address == "图强小区 3号楼 301"  # filed at a household without an address: the household's
    given = new_order(db, nw, address="3号楼楼下车棚")
    assert given.address == "3号楼楼下车棚"  # an address the filer gave is kept
    login(client, "volunteer")
    page = client.get(f"/needs/{order.id}").text
    assert "图强小区 3号楼 301" in page and f'href="/households/{order.household_id}"' not in page
    client.cookies.clear()
    login(client, "secretary")
    assert f'href="/households/{order.household_id}"' in client.get(f"/needs/{order.id}").text


def test_an_english_page_names_service_categories_in_english(client: TestClient, db: Session, nw: NeedsWorld) -> None:
    order = dispatched(db, nw)
    login(client, "secretary")
    client.cookies.set("linli_lang", "en")
    for url in ("/needs", f"/needs/{order.id}", "/needs/new"):
        page = client.get(url).text
        assert "Repairs" in page, url
    assert ">Repairs</th>" in client.get("/needs/figures").text
    client.cookies.set("linli_lang", "zh")
    assert "维修服务 ·" in client.get("/needs").text and "Repairs" not in client.get("/needs").text


def test_the_entry_form_says_which_household_it_is_for(client: TestClient, nw: NeedsWorld) -> None:
    login(client, "grid1")
    form = client.get("/needs/new", params={"household_id": nw.world.household1}).text
    assert "图强小区 3号楼 301 · 曾伟" in form
    for other in (nw.world.other_household, 99999999999999999999, "x"):  # out of reach, absurd, not a number
        page = client.get("/needs/new", params={"household_id": other})
        assert page.status_code == 200 and "图强小区 1号楼 101" not in page.text


def test_the_public_form_asks_for_the_community_unless_its_poster_link_names_it(
    client: TestClient, nw: NeedsWorld
) -> None:
    blank = client.get("/ask").text
    assert '<option value="">请选择所在社区</option>' in blank
    assert re.search(r'<option value="\d+" selected>', blank) is None  # nothing chosen for the resident
    poster = client.get("/ask", params={"community": nw.world.community.code}).text
    assert f'<option value="{nw.world.community.id}" selected>' in poster
    unknown = client.get("/ask", params={"community": "nonsense"})
    assert unknown.status_code == 200 and re.search(r'<option value="\d+" selected>', unknown.text) is None
    refused = client.post(
        "/ask", data={"community_id": "", "category_id": str(nw.repairs), "description": "x", "phone": "13800000009"}
    )
    assert refused.status_code == 422 and "请选择" in refused.text
