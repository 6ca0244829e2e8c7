"""The volunteer pages render in Chinese and English, and their forms make the same changes as the API."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.volunteers.models import Availability, Qualification, ServiceHours, Volunteer, VolunteerTask
from tests.conftest import login
from tests.factories import ID_NUMBERS, World, make_resident
from tests.matching.helpers import grid1_task, grid1_volunteer

WALKER = "Stairwell-Pass-2026"  # the password of grid1_task's volunteer account


def errors_beside(page: str) -> dict[str, str]:
    """Return each field's error message on a refused form."""
    return {k: html.unescape(v) for k, v in re.findall(r'<p class="error" id="e-([\w.]+)">([^<]*)</p>', page)}


def willing(db: Session, world: World) -> int:
    """Return a grid-2 resident who said they would help and has no profile."""
    return make_resident(db, world.household2, name="周敏", skills="会做饭，会修电脑", willing_to_help=True).id


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "zh",
            ["志愿者", "登记志愿者", "可能的志愿者", "征得同意后登记", "未经本人同意", "志愿服务记录证明", "水电维修"],
        ),
        (
            "en",
            [
                "Volunteers",
                "Enrol a volunteer",
                "Possible volunteers",
                "Enrol once they agree",
                "consent",
                "Volunteer service record",
                "Plumbing and wiring",
            ],
        ),
    ],
)
def test_it_renders_every_volunteer_page_for_staff(
    client: TestClient, db: Session, world: World, lang: str, words: list[str]
) -> None:
    volunteer = grid1_volunteer(db, world)
    resident = willing(db, world)
    login(client, "secretary")
    shown = ""
    for path in (
        "/volunteers",
        "/volunteers/possible",
        f"/volunteers/new?resident_id={resident}",
        f"/volunteers/{volunteer}",
        f"/volunteers/{volunteer}/record",
        "/volunteers/me",
    ):
        response = client.get(path, params={"lang": lang})
        assert response.status_code == 200, (path, response.text[:500])
        shown += response.text
    for word in words:
        assert word in shown, word
    assert "曾伟" in shown and "周敏" in shown
    home = client.get("/", params={"lang": lang}).text
    assert 'href="/volunteers"' in home and 'href="/matching"' in home  # the menu entries


def test_it_searches_and_filters_the_list(client: TestClient, db: Session, world: World) -> None:
    grid1_volunteer(db, world)
    login(client, "secretary")
    assert "曾伟" in client.get("/volunteers", params={"q": "电工"}).text
    found = client.get("/volunteers", params={"q": "厨师"}, headers={"hx-request": "true"}).text
    assert "曾伟" not in found and "<html" not in found  # htmx gets only the results
    assert "曾伟" not in client.get("/volunteers", params={"status": "left"}).text
    assert "曾伟" in client.get("/volunteers", params={"area_id": str(world.grid1.id), "page": "x"}).text


def test_it_refuses_a_missing_consent_beside_the_field_and_keeps_what_was_typed(
    client: TestClient, db: Session, world: World
) -> None:
    resident = willing(db, world)
    login(client, "secretary")
    form = {
        "resident_id": str(resident),
        "consent_note": "",
        "profession": "厨师",
        "skills_text": "会做饭",
        "load_limit": "3",
        "slot_day_0": "5",
        "slot_start_0": "09:00",
        "slot_end_0": "11:30",
        "notes": "周末有空",
    }
    refused = client.post("/volunteers/new", data=form)
    assert refused.status_code == 422
    assert errors_beside(refused.text) == {"consent": "登记志愿者须经居民本人同意，并写明同意的方式。"}
    for kept in ('value="厨师"', ">会做饭</textarea>", 'value="09:00"', 'value="11:30"', ">周末有空</textarea>"):
        assert kept in refused.text, kept
    assert re.search(r'<option value="5" selected>', refused.text)
    assert db.scalar(select(Volunteer.id)) is None
    english = client.post("/volunteers/new", params={"lang": "en"}, data={**form, "consent": "1"})
    assert errors_beside(english.text) == {
        "consent": "A volunteer profile needs the resident's yes and how it was given."
    }


def test_it_enrols_a_volunteer_who_said_yes(client: TestClient, db: Session, world: World) -> None:
    resident = willing(db, world)
    login(client, "secretary")
    form = {"resident_id": str(resident), "consent": "1", "consent_note": "本人签字", "profession": "厨师"}
    bad_slot = client.post("/volunteers/new", data={**form, "slot_day_1": "2", "slot_start_1": "上午"})
    assert bad_slot.status_code == 422 and "slots.1" in errors_beside(bad_slot.text)
    form |= {"slot_day_2": "5", "slot_start_2": "09:00", "slot_end_2": "11：30", "load_limit": "3"}
    created = client.post("/volunteers/new", data=form, follow_redirects=False)
    assert created.status_code == 303, created.text[:800]
    profile = client.get(created.headers["location"]).text
    assert "周敏" in profile and "周六" in profile and "09:00–11:30" in profile and "本人签字" in profile
    db.commit()  # end the test's own read snapshot (SQLite)
    assert [(s.weekday, s.start_minute, s.end_minute) for s in db.scalars(select(Availability))] == [(5, 540, 690)]
    again = client.post("/volunteers/new", data=form)
    assert again.status_code == 422 and "该居民已登记为志愿者" in again.text


def test_staff_add_time_away_a_qualification_and_hours(client: TestClient, db: Session, world: World) -> None:
    volunteer = grid1_volunteer(db, world)
    login(client, "secretary")
    backwards = client.post(f"/volunteers/{volunteer}/away", data={"starts_on": "2030-05-02", "ends_on": "2030-05-01"})
    assert backwards.status_code == 422
    assert errors_beside(backwards.text) == {"ends_on": "结束日期不能早于开始日期。"}
    assert 'value="2030-05-02"' in backwards.text
    away = {"starts_on": "2030-05-01", "ends_on": "2030-05-03", "reason": "回老家"}
    assert client.post(f"/volunteers/{volunteer}/away", data=away, follow_redirects=False).status_code == 303
    qualification = {"kind": "first_aid", "name": "红十字救护员证", "number": "HZ-001", "confirmed": "1"}
    saved = client.post(f"/volunteers/{volunteer}/qualifications", data=qualification, follow_redirects=False)
    assert saved.status_code == 303
    no_hours = client.post(f"/volunteers/{volunteer}/hours", data={"day": "2025-03-01", "hours": "很多", "note": ""})
    assert no_hours.status_code == 422 and set(errors_beside(no_hours.text)) == {"hours", "note"}
    hours = {"day": "2025-03-01", "hours": "2.5", "note": "社区义诊帮忙"}
    assert client.post(f"/volunteers/{volunteer}/hours", data=hours, follow_redirects=False).status_code == 303
    profile = client.get(f"/volunteers/{volunteer}").text
    assert "回老家" in profile and "红十字救护员证" in profile and "有效" in profile and "核验" in profile
    record = client.get(f"/volunteers/{volunteer}/record").text
    assert "社区义诊帮忙" in record and "工作人员补录" in record and "2.5" in record
    db.commit()
    assert db.scalar(select(ServiceHours.by_staff)) is True
    assert db.scalar(select(Qualification.confirmed_by_id)) is not None


def test_an_outsider_gets_404_on_a_grid_1_volunteer(client: TestClient, db: Session, world: World) -> None:
    volunteer = grid1_volunteer(db, world)
    login(client, "outsider")
    for path in (f"/volunteers/{volunteer}", f"/volunteers/{volunteer}/record"):
        response = client.get(path)
        assert response.status_code == 404 and "曾伟" not in response.text, path
    assert "曾伟" not in client.get("/volunteers").text
    assert client.get("/volunteers/possible").status_code == 403


def test_the_record_shows_no_id_number_and_no_phone(client: TestClient, db: Session, world: World) -> None:
    volunteer = grid1_volunteer(db, world)
    login(client, "secretary")
    record = client.get(f"/volunteers/{volunteer}/record").text
    assert "曾伟" in record and "阳台山社区" in record and "打印日期" in record and "@media print" not in record
    assert 'href="/static/css/volunteers.css' in record
    for secret in (ID_NUMBERS[0], ID_NUMBERS[0][:6], "002X", "13912345678", "5678"):
        assert secret not in record, secret


def test_a_volunteer_sees_their_hours_on_their_own_page(client: TestClient, db: Session, world: World) -> None:
    task = grid1_task(db, world)
    order = db.scalar(select(VolunteerTask.order_id).where(VolunteerTask.id == task))
    login(client, "walker", WALKER)
    mine = client.get("/volunteers/me").text
    assert f'href="/needs/{order}"' in mine and "水龙头漏水" in mine
    client.post(f"/needs/{order}/move", data={"action": "accept"})
    bad = client.post(f"/needs/{order}/move", data={"action": "report_done", "hours": "两个钟"})
    assert bad.status_code == 422 and "hours" in errors_beside(bad.text)
    too_long = client.post(f"/needs/{order}/move", data={"action": "report_done", "hours": "100"})
    assert too_long.status_code == 422 and "hours" in errors_beside(too_long.text)
    done = client.post(f"/needs/{order}/move", data={"action": "report_done", "hours": "2.5"}, follow_redirects=False)
    assert done.status_code == 303
    page = client.get("/volunteers/me")
    assert page.status_code == 200
    this_year = re.search(r"今年服务时长（小时）</dt><dd>([^<]*)</dd>", page.text)
    assert this_year is not None and this_year.group(1) == "2.5"
    assert client.get(f"/volunteers/{grid1_volunteer(db, world)}/record").status_code == 200  # their own record


def test_staff_mark_a_no_show_after_confirming(client: TestClient, db: Session, world: World) -> None:
    task = grid1_task(db, world)
    volunteer = grid1_volunteer(db, world)
    login(client, "secretary")
    assert f"/tasks/{task}/no-show" in client.get(f"/volunteers/{volunteer}").text
    asked = client.post(f"/volunteers/{volunteer}/tasks/{task}/no-show")
    assert asked.status_code == 200 and 'id="confirm-no-show"' in asked.text
    db.commit()
    assert db.scalar(select(VolunteerTask.state)) == "invited"
    done = client.post(f"/volunteers/{volunteer}/tasks/{task}/no-show", data={"confirm": "yes"}, follow_redirects=False)
    assert done.status_code == 303
    again = client.post(f"/volunteers/{volunteer}/tasks/{task}/no-show", data={"confirm": "yes"})
    assert again.status_code == 409 and "该任务已结束" in again.text
    db.commit()
    assert db.scalar(select(VolunteerTask.state)) == "no_show"
