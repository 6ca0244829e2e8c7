"""The selection's pages: a resident nominates and votes, staff check, enter paper votes, correct, publish."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from linli.civic.honours.models import Nomination, SelectionVote
from linli.runtime import Runtime
from tests.civic.honours.helpers import make_selection, move_to, resident_account, votes_of
from tests.conftest import login
from tests.factories import World


def test_a_resident_nominates_and_votes_and_staff_check_count_and_publish_on_the_pages(
    client: TestClient, db: Session, world: World
) -> None:
    resident_account(db, world, "jumin", world.household1)
    made = make_selection(db, world)
    login(client, "jumin")
    listed = client.get("/selections")
    assert listed.status_code == 200 and made.title in listed.text
    page = client.get(f"/selections/{made.id}")
    assert page.status_code == 200 and 'id="nominate"' in page.text
    sent = client.post(
        f"/selections/{made.id}/nominate",
        data={"category": "neighbour", "display_name": "陈阿姨", "place": "5号楼", "reason": "热心"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    empty = client.post(
        f"/selections/{made.id}/nominate", data={"category": "neighbour", "display_name": "", "reason": ""}
    )
    assert empty.status_code == 422
    nominee = db.scalars(select(Nomination.id)).one()

    login(client, "secretary")
    checks = client.get(f"/selections/{made.id}/nominations")
    assert checks.status_code == 200 and "陈阿姨" in checks.text
    refused = client.post(f"/nominations/{nominee}/check", data={"state": "ineligible", "note": ""})
    assert refused.status_code == 422
    done = client.post(f"/nominations/{nominee}/check", data={"state": "eligible"}, follow_redirects=False)
    assert done.status_code == 303
    move_to(db, made.id, "voting")

    login(client, "jumin")
    ballot = client.get(f"/selections/{made.id}")
    assert f'action="/selections/{made.id}/vote"' in ballot.text
    voted = client.post(f"/selections/{made.id}/vote", data={"category": "neighbour", "nominee_id": str(nominee)})
    assert voted.status_code == 200 and 'data-voted="1"' in voted.text  # followed to the ballot, marked
    again = client.post(f"/selections/{made.id}/vote", data={"category": "neighbour", "nominee_id": str(nominee)})
    assert again.status_code == 409 and 'id="refusal"' in again.text
    assert client.get(f"/selections/{made.id}/results").status_code == 200

    login(client, "grid2")
    desk = client.get(f"/selections/{made.id}/paper", params={"q": "李娜"})
    assert desk.status_code == 200 and "李娜" in desk.text
    entered = client.post(
        f"/selections/{made.id}/paper",
        data={"choice": f"neighbour:{nominee}", "household_id": str(world.household2), "q": "李娜"},
        follow_redirects=False,
    )
    assert entered.status_code == 303
    vote_id = db.scalars(select(SelectionVote.id).where(SelectionVote.channel == "paper")).one()
    move_to(db, made.id, "recount")
    ask = client.post(
        f"/votes/{vote_id}/correct", data={"selection_id": str(made.id), "nominee_id": "strike", "note": "重复"}
    )
    assert ask.status_code == 200 and 'id="confirm-strike"' in ask.text and len(votes_of(db, made.id)) == 2
    struck = client.post(
        f"/votes/{vote_id}/correct",
        data={"selection_id": str(made.id), "nominee_id": "strike", "note": "重复", "confirm": "yes"},
        follow_redirects=False,
    )
    assert struck.status_code == 303 and len(votes_of(db, made.id)) == 1

    move_to(db, made.id, "after")
    login(client, "secretary")
    confirm = client.post(f"/selections/{made.id}/publish", data={"what": "results", "published": "1"})
    assert confirm.status_code == 200 and 'id="confirm-publish"' in confirm.text
    assert "陈阿姨" not in client.get(f"/selections/{made.id}/results").text.split('id="switches"')[0]
    client.post(f"/selections/{made.id}/publish", data={"what": "results", "published": "1", "confirm": "yes"})
    client.post(f"/selections/{made.id}/publish", data={"what": "stats", "published": "1", "confirm": "yes"})

    login(client, "jumin")
    shown = client.get(f"/selections/{made.id}/results")
    assert 'data-winner="1"' in shown.text and 'id="statistics"' in shown.text
    assert re.search(r'class="votes">1<', shown.text)


def test_the_list_page_costs_the_same_queries_for_one_or_many(
    client: TestClient, db: Session, world: World, runtime: Runtime
) -> None:
    login(client, "secretary")

    def queries() -> int:
        seen: list[str] = []

        def count(*args: object) -> None:
            seen.append(str(args[2]))

        event.listen(runtime.engine, "before_cursor_execute", count)
        try:
            assert client.get("/selections").status_code == 200
        finally:
            event.remove(runtime.engine, "before_cursor_execute", count)
        return len(seen)

    make_selection(db, world)
    one = queries()
    for i in range(5):
        make_selection(db, world, title=f"评选{i}")
    assert queries() == one


def test_an_outsider_gets_no_selection_page(client: TestClient, db: Session, world: World) -> None:
    made = make_selection(db, world)
    login(client, "outsider")
    for path in (f"/selections/{made.id}", f"/selections/{made.id}/results", f"/selections/{made.id}/paper"):
        assert client.get(path).status_code == 404, path


def test_staff_make_and_change_a_selection_on_the_form(client: TestClient, db: Session, world: World) -> None:
    from tests.civic.honours.helpers import windows

    login(client, "secretary")
    assert client.get("/selections/new").status_code == 200
    dates = {k: str(v) for k, v in windows("nominating").items()}
    fields = {"area_id": str(world.community.id), "title": "五好先锋", "rule": "household", **dates}
    wrong = client.post("/selections/new", data=fields | {"vote_from": dates["nominate_until"]})
    assert wrong.status_code == 422 and 'id="e-vote_from"' in wrong.text
    made = client.post("/selections/new", data=fields, follow_redirects=False)
    assert made.status_code == 303
    where = made.headers["location"]
    form = client.get(f"{where}/edit")
    assert form.status_code == 200 and 'value="五好先锋"' in form.text
    version = re.search(r'name="version" value="(\d+)"', form.text)
    assert version is not None
    saved = client.post(
        f"{where}/edit", data=fields | {"title": "五好先锋评选", "version": version.group(1)}, follow_redirects=False
    )
    assert saved.status_code == 303 and "五好先锋评选" in client.get(where).text
