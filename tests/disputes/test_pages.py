"""The dispute pages: the register with counts, the form, the dispute's page with names shown or hidden,
closing after a confirmation and only with an outcome; a fixed number of queries on the list."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from linli.lib import clock
from tests.conftest import login
from tests.disputes.helpers import OUTSIDER_NAME, agree, make_dispute, mediate
from tests.factories import World


def test_a_grid_worker_registers_from_the_form_and_sees_no_names(client: TestClient, world: World) -> None:
    login(client, "grid1")
    assert client.get("/disputes/new").status_code == 200
    form = {
        "area_id": str(world.grid1.id),
        "kind": "family",
        "summary": "兄弟为老宅分割争执",
        "found_on": clock.today().isoformat(),
        "party_name_1": OUTSIDER_NAME,
        "party_phone_1": "13800001111",
        "resident_id": str(world.resident1.id),
    }
    created = client.post("/disputes/new", data=form, follow_redirects=False)
    assert created.status_code == 303, created.text
    page = client.get(created.headers["location"])
    assert page.status_code == 200 and 'id="names-hidden"' in page.text
    assert OUTSIDER_NAME not in page.text and world.resident1.name not in page.text
    refused = client.post("/disputes/new", data={**form, "summary": "", "party_phone_1": "12"})
    assert refused.status_code == 422


def test_the_secretary_sees_the_names_and_closes_after_confirming(
    client: TestClient, db: Session, world: World
) -> None:
    made = make_dispute(db, world)
    login(client, "secretary")
    page = client.get(f"/disputes/{made.id}")
    assert OUTSIDER_NAME in page.text and world.resident1.name in page.text and "13800001111" not in page.text
    asked = client.post(f"/disputes/{made.id}/close", data={})
    assert asked.status_code == 200 and 'id="confirm-close"' in asked.text
    refused = client.post(f"/disputes/{made.id}/close", data={"confirm": "yes"})
    assert refused.status_code == 409
    closed = client.post(
        f"/disputes/{made.id}/close",
        data={"confirm": "yes", "outcome": "referred", "referred_to": "police"},
        follow_redirects=False,
    )
    assert closed.status_code == 303
    assert "派出所" in client.get(f"/disputes/{made.id}").text


def test_the_register_lists_filters_and_counts_in_a_fixed_number_of_queries(
    client: TestClient, db: Session, world: World, app
) -> None:
    first = make_dispute(db, world)
    mediate(db, first.id)
    agree(db, first.id)
    login(client, "secretary")

    def queries(path: str) -> int:
        count = 0

        def bump(*args: object) -> None:
            nonlocal count
            count += 1

        engine = app.state.runtime.engine
        event.listen(engine, "before_cursor_execute", bump)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", bump)
        return count

    few = queries("/disputes")
    for _ in range(4):
        make_dispute(db, world, mediated=False)
    assert queries("/disputes") == few
    page = client.get("/disputes", params={"state": "agreed"})
    assert page.text.count('href="/disputes/') - page.text.count('href="/disputes/new"') == 1
    assert OUTSIDER_NAME not in client.get("/disputes").text


def test_a_mediator_records_a_session_and_the_outcome_from_the_page(
    client: TestClient, db: Session, world: World
) -> None:
    made = make_dispute(db, world)
    login(client, "mediator")
    recorded = client.post(
        f"/disputes/{made.id}/mediations",
        data={"held_on": clock.today().isoformat(), "place": "调解室", "notes": "各退一步"},
        follow_redirects=False,
    )
    assert recorded.status_code == 303
    stated = client.post(
        f"/disputes/{made.id}/outcome", data={"outcome": "agreed", "agreement": "修好墙面"}, follow_redirects=False
    )
    assert stated.status_code == 303
    page = client.get(f"/disputes/{made.id}").text
    assert "修好墙面" in page and "各退一步" in page
