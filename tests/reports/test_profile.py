"""The grid profile: counts by age, household size, care, skills and professions — no names, nothing under 5."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from linli.errors import NotFound
from linli.lib import clock
from linli.reports.profile import grid_profile, shown
from tests.factories import make_household, make_resident, root_scope, scope_of

GIVEN = "赵钱孙李周吴郑王冯陈"


def born(years: int) -> date:
    """Return a birthday ``years`` whole years ago (the first of January: the birthday has passed)."""
    return date(clock.today().year - years, 1, 1)


def test_a_count_under_five_is_not_shown_and_zero_stays_zero() -> None:
    assert [shown(n) for n in (0, 1, 4, 5, 12)] == [0, None, None, 5, 12]


def test_the_profile_counts_ages_households_skills_and_professions(db: Session, world) -> None:
    # Grid 1: world's resident + six pensioners of 70 who fix pipes, in one household of 6;
    # three children of 5 in a household of 3.
    big = make_household(db, world.grid1, "501", "7号楼")
    for n in range(6):
        make_resident(db, big, name="老" + GIVEN[n], id_number=None, birth_date=born(70), skills="会修水管")
    small = make_household(db, world.grid1, "502", "8号楼")
    for n in range(3):
        make_resident(db, small, name="小" + GIVEN[n], id_number=None, birth_date=born(5))
    profile = grid_profile(db, scope_of(db, "grid1"), None, "zh")
    assert profile.area.id == world.grid1.id and profile.residents == 10
    ages = {r.key: r.value for r in profile.ages}
    first = world.resident1.birth_date  # from the ID number
    elders = 6 + (first is not None and 60 <= clock.age_on(first, clock.today()) <= 79)
    assert ages["60–79"] == elders and ages["0–6"] is None and ages["18–34"] == 0  # 3 children: under the threshold
    sizes = {r.key: r.value for r in profile.household_sizes}
    assert sizes["5+"] is None and sizes["3"] is None  # one household each
    assert [(r.key, r.value) for r in profile.skills] == [("utility_repair", 6)]
    assert profile.skills[0].name == "水电维修"
    text = profile.model_dump_json()
    for name in ("老赵", "小赵", "曾伟"):
        assert name not in text


def test_a_grid_worker_profiles_their_grid_only(db: Session, world) -> None:
    with pytest.raises(NotFound):
        grid_profile(db, scope_of(db, "grid1"), world.grid2.id)
    assert grid_profile(db, root_scope(), world.community.id).residents is None  # 2 residents: fewer than 5


def test_the_profile_page_and_api(client, db: Session, world) -> None:
    from tests.conftest import login

    login(client, "secretary")
    page = client.get(f"/dashboard/profile?area_id={world.grid1.id}")
    assert page.status_code == 200 and "网格画像" in page.text and "&lt;5" in page.text
    api = client.get("/api/v1/profile", params={"area_id": world.community.id})
    assert api.status_code == 200 and api.json()["threshold"] == 5
    login(client, "grid1")
    assert client.get(f"/api/v1/profile?area_id={world.grid2.id}").status_code == 404
