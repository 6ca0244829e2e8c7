"""The service team and standing service pages render in Chinese and English, and their forms make the
same changes as the API."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.lib import clock
from linli.needs.models import Team, TeamCategory
from linli.volunteers import standing
from linli.volunteers.models import ServiceSignup, StandingService
from tests.conftest import login
from tests.factories import World, scope_of
from tests.matching.helpers import category_id, grid1_standing, grid1_volunteer


def errors_beside(page: str) -> dict[str, str]:
    """Return each field's error message on a refused form."""
    return {k: html.unescape(v) for k, v in re.findall(r'<p class="error" id="e-([\w.]+)">([^<]*)</p>', page)}


def next_session(db: Session, service_id: int) -> str:
    service = db.get_one(StandingService, service_id)
    today = clock.today()
    return standing.sessions_between(service.schedule, today, today + timedelta(days=60))[0].isoformat()


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", ["服务队", "常态服务", "新增服务队", "每月15日 09:00–11:30", "骨科义诊", "报名", "记入本场服务时长"]),
        (
            "en",
            [
                "Service teams",
                "Standing services",
                "Add a team",
                "Monthly on day 15 09:00–11:30",
                "Sign a household up",
                "Credit this session",
            ],
        ),
    ],
)
def test_it_renders_the_team_and_service_pages_for_the_secretary(
    client: TestClient, db: Session, world: World, lang: str, words: list[str]
) -> None:
    service = grid1_standing(db, world)
    login(client, "secretary")
    shown = ""
    for path in ("/volunteers", "/volunteers/teams", "/volunteers/services", f"/volunteers/services/{service}"):
        response = client.get(path, params={"lang": lang})
        assert response.status_code == 200, (path, response.text[:500])
        shown += response.text
    for word in words:
        assert word in shown, word
    assert 'href="/volunteers/teams"' in shown and 'href="/volunteers/services"' in shown
    assert "曾伟" in shown  # who gives the service


def test_it_adds_a_team_with_its_categories_from_the_form(client: TestClient, db: Session, world: World) -> None:
    login(client, "secretary")
    secretary = scope_of(db, "secretary").user_id
    repair = category_id(db, "free_clinic")
    form: dict[str, Any] = {"name": "天使服务队", "area_id": str(world.community.id), "member_ids": f"{secretary}，x"}
    form |= {"leader_id": str(secretary), "category_ids": [str(repair)], "covers_area_ids": [str(world.grid2.id)]}
    refused = client.post("/volunteers/teams", data=form)
    assert refused.status_code == 422
    assert "逗号" in errors_beside(refused.text)["member_ids"]
    assert 'value="天使服务队"' in refused.text  # nothing typed is lost
    created = client.post("/volunteers/teams", data={**form, "member_ids": str(secretary)}, follow_redirects=False)
    assert created.status_code == 303, created.text[:500]
    db.commit()  # end the test's own read snapshot (SQLite)
    team = db.scalar(select(Team).where(Team.name == "天使服务队"))
    assert team is not None
    assert db.scalars(select(TeamCategory.category_id).where(TeamCategory.team_id == team.id)).all() == [repair]
    assert "天使服务队" in client.get("/volunteers/teams").text


def test_it_adds_a_standing_service_from_the_form(client: TestClient, db: Session, world: World) -> None:
    volunteer = grid1_volunteer(db, world)
    login(client, "secretary")
    form = {
        "title": "周六理发",
        "area_id": str(world.grid1.id),
        "category_id": str(category_id(db, "free_clinic")),
        "volunteer_id": str(volunteer),
        "schedule_kind": "weekly",
        "schedule_day": "9",
        "start": "14:00",
        "end": "16:00",
        "capacity": "5",
        "place": "社区活动室",
    }
    refused = client.post("/volunteers/services", data=form)
    assert refused.status_code == 422
    assert "周日" in errors_beside(refused.text)["schedule"] and 'value="周六理发"' in refused.text
    created = client.post("/volunteers/services", data={**form, "schedule_day": "6"}, follow_redirects=False)
    assert created.status_code == 303, created.text[:500]
    db.commit()  # end the test's own read snapshot (SQLite)
    service = db.scalar(select(StandingService).where(StandingService.title == "周六理发"))
    assert service is not None and service.schedule == "weekly:5" and service.start_minute == 14 * 60
    assert "每周六 14:00–16:00" in client.get("/volunteers/services").text


def test_it_signs_a_household_up_and_says_when_a_session_is_full(client: TestClient, db: Session, world: World) -> None:
    service = grid1_standing(db, world)  # two households a session
    on = next_session(db, service)
    login(client, "secretary")
    for household in (world.household1, world.household2):
        done = client.post(
            f"/volunteers/services/{service}/signups",
            data={"household_id": str(household), "session_on": on},
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text[:500]
    db.commit()  # end the test's own read snapshot (SQLite)
    assert db.scalar(select(ServiceSignup.id).where(ServiceSignup.household_id == world.household1)) is not None
    page = client.get(f"/volunteers/services/{service}").text
    assert "已满" in page
    full = client.post(
        f"/volunteers/services/{service}/signups", data={"household_id": str(world.other_household), "session_on": on}
    )
    assert full.status_code == 422
    assert errors_beside(full.text)["session_on"] == "该场次已满。"
    english = client.post(
        f"/volunteers/services/{service}/signups",
        params={"lang": "en"},
        data={"household_id": str(world.household1), "session_on": on},
    )
    assert "That session is full." in errors_beside(english.text).values()


def test_it_credits_a_sessions_hours(client: TestClient, db: Session, world: World) -> None:
    service = grid1_standing(db, world)
    volunteer = grid1_volunteer(db, world)
    login(client, "secretary")
    wrong_day = client.post(
        f"/volunteers/services/{service}/hours", data={"credit_on": "2030-05-16", "volunteer_ids": str(volunteer)}
    )
    assert wrong_day.status_code == 422 and "credit_on" in errors_beside(wrong_day.text)
    done = client.post(
        f"/volunteers/services/{service}/hours",
        data={"credit_on": "2030-05-15", "volunteer_ids": str(volunteer), "hours": "2"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text[:500]
    assert "1" in done.headers["location"]


def test_an_outsider_gets_404_on_a_grid_1_service(client: TestClient, db: Session, world: World) -> None:
    service = grid1_standing(db, world)
    login(client, "outsider")
    assert client.get(f"/volunteers/services/{service}").status_code == 404
    signup = client.post(f"/volunteers/services/{service}/signups", data={"household_id": str(world.household1)})
    assert signup.status_code == 404
    assert "骨科义诊" not in client.get("/volunteers/services").text
