"""The matching pages: an order's candidates (an htmx fragment) and dispatching from them, proposals accepted
in part, and "why not this one", in Chinese and English."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.services import create_user
from linli.db.engine import transaction
from linli.matching.models import ProposalItem
from linli.needs import intake, lifecycle
from linli.needs.models import WorkOrder
from linli.needs.schemas import NeedIn, TransitionIn
from tests.conftest import login
from tests.factories import World, scope_of
from tests.matching.helpers import make_volunteer


def account(db: Session, world: World, username: str = "helper") -> int:
    with transaction(db):
        user = create_user(db, username, "Volunteer-Pass-2026", roles=[("volunteer", world.community.code)])
    return user.id


def waiting_order(db: Session, world: World, text: str = "厨房水管漏水，需要修水管") -> int:
    """Return a registered order on grid 1's household, waiting to be dispatched."""
    data = NeedIn(category="repairs", description=text, household_id=world.household1)
    order = intake.create_order(db, scope_of(db, "grid1"), data)
    lifecycle.transition(db, scope_of(db, "secretary"), order.id, TransitionIn(action="register"))
    return order.id


def state_of(db: Session, order_id: int) -> str:
    db.commit()  # end the test's own read snapshot (SQLite)
    return db.scalar(select(WorkOrder.state).where(WorkOrder.id == order_id)) or ""


@pytest.mark.parametrize(
    ("lang", "words"),
    [("zh", ["派给此人", "得分", "技能 +2.00"]), ("en", ["Give it to this person", "Score", "Skill +2.00"])],
)
def test_it_lists_the_candidates_as_a_fragment_and_as_a_page(
    client: TestClient, db: Session, world: World, lang: str, words: list[str]
) -> None:
    volunteer = make_volunteer(db, world.resident1.id, user_id=account(db, world))
    order = waiting_order(db, world)
    login(client, "secretary")
    fragment = client.get(f"/needs/{order}/candidates", params={"lang": lang}, headers={"hx-request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert f'data-kind="volunteer" data-id="{volunteer}"' in fragment.text and "曾伟" in fragment.text
    for word in words:
        assert word in fragment.text, word
    page = client.get(f"/needs/{order}/candidates", params={"lang": lang})
    assert page.status_code == 200 and "<html" in page.text and "曾伟" in page.text
    detail = client.get(f"/needs/{order}").text
    assert f'hx-get="/needs/{order}/candidates"' in detail and 'name="override"' in detail


def test_dispatching_from_a_candidate_moves_the_order(client: TestClient, db: Session, world: World) -> None:
    volunteer = make_volunteer(db, world.resident1.id, user_id=account(db, world))
    order = waiting_order(db, world)
    login(client, "secretary")
    moved = client.post(
        f"/needs/{order}/dispatch-to", data={"kind": "volunteer", "id": str(volunteer)}, follow_redirects=False
    )
    assert moved.status_code == 303 and moved.headers["location"] == f"/needs/{order}"
    assert state_of(db, order) == "dispatched"
    assert "helper" in client.get(f"/needs/{order}").text  # the volunteer's account


def test_htmx_is_sent_to_the_order_after_dispatching(client: TestClient, db: Session, world: World) -> None:
    volunteer = make_volunteer(db, world.resident1.id, user_id=account(db, world))
    order = waiting_order(db, world)
    login(client, "secretary")
    moved = client.post(
        f"/needs/{order}/dispatch-to", data={"kind": "volunteer", "id": str(volunteer)}, headers={"hx-request": "true"}
    )
    assert moved.status_code == 204 and moved.headers["hx-redirect"] == f"/needs/{order}"


def test_a_volunteer_without_an_account_is_taken_on_by_the_caller(
    client: TestClient, db: Session, world: World
) -> None:
    no_account = make_volunteer(db, world.resident1.id)
    order = waiting_order(db, world)
    login(client, "secretary")
    answer = client.post(f"/needs/{order}/dispatch-to", data={"kind": "volunteer", "id": str(no_account)})
    assert answer.status_code in (200, 303)
    assert state_of(db, order) == "dispatched"
    db.expire_all()
    assert db.get_one(WorkOrder, order).assignee_user_id == scope_of(db, "secretary").user_id


def test_a_clash_can_be_overridden_from_the_fragment(client: TestClient, db: Session, world: World) -> None:
    from datetime import UTC, datetime, timedelta

    user_id = account(db, world)
    volunteer = make_volunteer(db, world.resident1.id, user_id=user_id, load_limit=3)
    at = datetime.now(UTC) + timedelta(days=2)
    first, second = (
        intake.create_order(
            db,
            scope_of(db, "grid1"),
            NeedIn(category="repairs", description=text, household_id=world.household1, wanted_at=when),
        ).id
        for text, when in (("修水管", at), ("修水龙头", at + timedelta(hours=1)))
    )
    secretary = scope_of(db, "secretary")
    for order in (first, second):
        lifecycle.transition(db, secretary, order, TransitionIn(action="register"))
    lifecycle.transition(db, secretary, first, TransitionIn(action="dispatch", assignee_user_id=user_id))
    login(client, "secretary")
    chosen = {"kind": "volunteer", "id": str(volunteer)}
    clash = client.post(f"/needs/{second}/dispatch-to", data=chosen, headers={"hx-request": "true"})
    assert "时间已有任务" in clash.text and 'name="override"' in clash.text
    forced = client.post(f"/needs/{second}/dispatch-to", data={**chosen, "override": "1"}, follow_redirects=False)
    assert forced.status_code == 303 and state_of(db, second) == "dispatched"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", ["生成匹配方案", "接受所选", "方案总分", "为什么不是"]),
        ("en", ["Make a matching proposal", "Accept the chosen", "Total score", "Why not"]),
    ],
)
def test_a_proposal_is_made_shown_and_accepted_in_part(
    client: TestClient, db: Session, world: World, lang: str, words: list[str]
) -> None:
    volunteer = make_volunteer(db, world.resident1.id, user_id=account(db, world), load_limit=1)
    first, second = waiting_order(db, world), waiting_order(db, world, "水龙头坏了")
    login(client, "secretary")
    start = client.get("/matching", params={"lang": lang})
    assert start.status_code == 200 and f'value="{world.community.id}"' in start.text
    made = client.post("/matching/proposals", data={"area_id": str(world.community.id)}, follow_redirects=False)
    assert made.status_code == 303
    url = made.headers["location"]
    page = client.get(url, params={"lang": lang}).text
    shown = start.text + page
    for word in words:
        assert word in shown, word
    assert "曾伟" in page and "水龙头" in page
    chosen = int(re.findall(r'name="need_ids" value="(\d+)" checked', page)[0])
    unmatched = ({first, second} - {chosen}).pop()
    assert f'href="/needs/{unmatched}"' in page and ("总分更高" in page or "higher total" in page)
    accepted = client.post(f"{url}/accept", data={"need_ids": [str(chosen)]}, follow_redirects=False)
    assert accepted.status_code == 303
    assert state_of(db, chosen) == "dispatched"
    assert db.scalar(select(ProposalItem.state).where(ProposalItem.order_id == chosen)) == "accepted"
    after = client.get(url).text
    assert "已按方案派出" in after and 'name="need_ids"' not in after
    nothing = client.post(f"{url}/accept", data={})
    assert nothing.status_code == 422 and "请至少选择一项需求" in nothing.text
    why = client.get(url, params={"need_id": str(chosen), "kind": "volunteer", "supplier_id": str(volunteer)}).text
    assert "方案已选中此候选" in why
    odd = client.get(url, params={"need_id": "x", "kind": "robot", "supplier_id": "1"})
    assert odd.status_code == 422 and "请填写工单号" in odd.text


def test_a_long_proposal_is_shown_a_page_at_a_time_and_accepted_whole(
    client: TestClient, db: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from linli.matching import pages

    monkeypatch.setattr(pages, "PROPOSAL_PAGE", 1)
    make_volunteer(db, world.resident1.id, user_id=account(db, world), load_limit=3)
    orders = [waiting_order(db, world), waiting_order(db, world, "水龙头坏了"), waiting_order(db, world, "修水管")]
    login(client, "secretary")
    url = client.post("/matching/proposals", data={"area_id": str(world.community.id)}).url.path
    first = client.get(url).text
    assert len(re.findall(r'name="need_ids"', first)) == 1 and 'rel="next"' in first
    assert 'name="all"' in first
    second = client.get(url, params={"page": "2"}).text
    assert re.findall(r'name="need_ids" value="(\d+)"', second) != re.findall(r'name="need_ids" value="(\d+)"', first)
    accepted = client.post(f"{url}/accept", data={"all": "1"}, follow_redirects=False)
    assert accepted.status_code == 303
    assert [state_of(db, o) for o in orders] == ["dispatched"] * 3


def test_an_outsider_sees_nothing_of_grid_1s_matching(client: TestClient, db: Session, world: World) -> None:
    make_volunteer(db, world.resident1.id, user_id=account(db, world))
    order = waiting_order(db, world)
    login(client, "secretary")
    made = client.post("/matching/proposals", data={"area_id": str(world.grid1.id)}, follow_redirects=False)
    login(client, "outsider")
    for path in (f"/needs/{order}/candidates", made.headers["location"]):
        response = client.get(path)
        assert response.status_code in (403, 404) and "曾伟" not in response.text, path
    assert client.get("/matching").status_code == 403
