"""Grid-event pages: the phone form files a report, the list and the event page show it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import login
from tests.events.helpers import PNG, category_id, report
from tests.factories import World, building_of


def test_the_form_reports_an_event_and_the_community_sees_it(client: TestClient, db: Session, world: World) -> None:
    cid = category_id(db)
    login(client, "grid1")
    page = client.get("/events/new")
    assert page.status_code == 200 and 'capture="environment"' in page.text and "<optgroup" in page.text
    sent = client.post(
        "/events/new",
        data={"category_id": str(cid), "building_id": str(building_of(db, world.household1)), "description": "垃圾"},
        files={"photos": ("a.png", PNG, "image/png")},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    shown = client.get(sent.headers["location"])
    assert shown.status_code == 200 and "垃圾" in shown.text
    login(client, "secretary")
    listed = client.get("/events", params={"state": "register"})
    assert listed.status_code == 200 and "垃圾" in listed.text


def test_the_form_shows_open_events_of_the_same_kind(client: TestClient, db: Session, world: World) -> None:
    first = report(db, world)
    login(client, "grid2")
    part = client.post("/events/duplicates", data={"category_id": str(category_id(db)), "area_id": str(world.grid2.id)})
    assert part.status_code == 200 and f"/events/{first.id}" not in part.text  # grid 2 sees not grid 1's
    login(client, "grid1")
    part = client.post(
        "/events/duplicates",
        data={"category_id": str(category_id(db)), "building_id": str(building_of(db, world.household1))},
    )
    assert f"/events/{first.id}/seen" in part.text


def test_a_refused_report_shows_the_form_again(client: TestClient, db: Session, world: World) -> None:
    cid = category_id(db)
    login(client, "grid1")
    sent = client.post(
        "/events/new", data={"category_id": str(cid), "area_id": str(world.grid1.id), "description": "x"}
    )
    assert sent.status_code == 422 and 'id="report"' in sent.text


def test_the_supervision_list_and_an_outsider(client: TestClient, db: Session, world: World) -> None:
    event = report(db, world)
    login(client, "supervisor")
    assert client.get("/events/supervision").status_code == 200
    login(client, "outsider")
    assert client.get(f"/events/{event.id}").status_code == 404
