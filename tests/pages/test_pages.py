"""The web pages, signed in as each persona, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from linli.lib import clock
from tests.conftest import login
from tests.factories import ID_NUMBERS, World, make_residents


def field_errors(html: str) -> dict[str, list[str]]:
    """Return the error messages shown beside each field of a form page."""
    found: dict[str, list[str]] = {}
    for field, message in re.findall(r'<p class="error" id="e-([a-z_]+)">([^<]*)</p>', html):
        found.setdefault(field, []).append(message)
    return found


def test_it_sends_a_signed_out_visitor_to_the_login_form(client: TestClient, world: World) -> None:
    response = client.get("/residents?q=zw", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/residents"
    assert "登录" in client.get("/login").text


def test_it_signs_in_through_the_form_and_goes_on_to_next(client: TestClient, world: World) -> None:
    form = {"username": "grid1", "password": "Persona-pass-2026", "next": "/areas"}
    response = client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/areas"
    page = client.get("/areas")
    assert page.status_code == 200 and "第一网格" in page.text


def test_it_shows_a_wrong_password_on_the_form_and_keeps_the_name(client: TestClient, world: World) -> None:
    response = client.post("/login", data={"username": "grid1", "password": "nope", "next": "/"})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text and 'value="grid1"' in response.text
    empty = client.post("/login", data={"username": "", "password": ""})
    assert empty.status_code == 422 and "请输入用户名和密码" in empty.text


def test_it_never_sends_a_login_to_another_site(client: TestClient, world: World) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        form = {"username": "grid1", "password": "Persona-pass-2026", "next": target}
        assert client.post("/login", data=form, follow_redirects=False).headers["location"] == "/"
        assert client.get(f"/lang/en?next={target}", follow_redirects=False).headers["location"] == "/"


def test_it_logs_out_and_the_session_ends(client: TestClient, world: World) -> None:
    login(client, "grid1")
    response = client.post("/logout", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303


def test_it_shows_the_home_page_with_the_users_areas(client: TestClient, world: World) -> None:
    page = login(client, "grid1").get("/").text
    assert "第一网格" in page and "网格员" in page and 'name="q"' in page
    assert "第二网格" not in page
    client.cookies.clear()
    street = login(client, "supervisor").get("/").text  # a supervisor goes from home to the figures
    assert f'href="/visits/coverage?area_id={world.street.id}"' in street
    assert f'href="/needs/figures?area_id={world.street.id}"' in street
    for link in (f"/visits/coverage?area_id={world.street.id}", f"/needs/figures?area_id={world.street.id}"):
        assert client.get(link).status_code == 200, link


def test_it_shows_the_area_tree_with_counts(client: TestClient, world: World) -> None:
    page = login(client, "secretary").get("/areas").text
    assert "阳台山社区" in page and "第一网格" in page and "第二网格" in page
    assert "厦禾" not in page
    assert re.search(r"居民 <b>2</b>", page), "the community counts its two residents"


def test_it_shows_a_grids_buildings_and_households(client: TestClient, world: World) -> None:
    page = login(client, "grid1").get(f"/areas/{world.grid1.id}").text
    assert "图强小区 3号楼 301" in page and "户主：曾伟" in page
    assert f'href="/households/{world.household1}"' in page


def test_it_shows_a_community_with_its_grids_and_their_counts(client: TestClient, world: World) -> None:
    page = login(client, "secretary").get(f"/areas/{world.community.id}").text
    assert "第一网格" in page and "第二网格" in page and "1 户 · 1 人" in page


def test_it_shows_a_household_card_with_members_masked(client: TestClient, world: World) -> None:
    page = login(client, "grid1").get(f"/households/{world.household1}").text
    assert "曾伟" in page and "独居老人" in page and "*******5678" in page
    assert "13912345678" not in page
    assert f"/residents/new?household_id={world.household1}" in page
    assert f'href="/needs/new?household_id={world.household1}">登记诉求' in page  # a need raised on the spot
    client.cookies.clear()
    watching = login(client, "supervisor").get(f"/households/{world.household1}").text
    assert "/needs/new?household_id=" not in watching  # a supervisor reads, files nothing


def test_it_shows_a_resident_card_with_history(client: TestClient, world: World) -> None:
    page = login(client, "grid1").get(f"/residents/{world.resident1.id}").text
    assert "110105********002X" in page and ID_NUMBERS[0] not in page
    assert "1949年12月31日" in page and "登记入册" in page
    assert f'href="/households/{world.household1}"' in page and f"/residents/{world.resident1.id}/edit" in page
    assert "迁入 图强小区 3号楼 301" in page  # the home by its address, not its number
    history = client.get(f"/api/v1/residents/{world.resident1.id}/history").json()
    assert history[0]["to_household_id"] == world.household1 and history[0]["to_address"] == "图强小区 3号楼 301"


def test_it_finds_a_resident_by_pinyin_initials_as_you_type(client: TestClient, world: World) -> None:
    login(client, "grid1")
    page = client.get("/residents", params={"q": "zw"}).text
    assert "曾伟" in page and 'hx-trigger="input changed delay:250ms' in page
    block = client.get("/residents", params={"q": "zw"}, headers={"HX-Request": "true"})
    assert block.status_code == 200 and "曾伟" in block.text
    assert "<html" not in block.text and "共 1 人" in block.text
    restore = client.get("/residents?q=zw", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text


def test_it_pages_and_filters_the_results(client: TestClient, world: World, db) -> None:
    make_residents(db, world.household1, 25)
    login(client, "grid1")
    first = client.get("/residents", params={"q": "zw"}).text
    assert "共 26 人" in first and "第 1 / 2 页" in first and "page=2" in first
    second = client.get("/residents", params={"q": "zw", "page": "2"}).text
    assert second.count('class="row"') == 6
    tagged = client.get("/residents", params={"tag": "living_alone", "min_age": "", "max_age": "abc"}).text
    assert "共 1 人" in tagged and "曾伟" in tagged
    ages = {"min_age": "70", "max_age": "80", "kind": "01"}
    total = client.get("/api/v1/residents", params=ages).json()["total"]
    old = client.get("/residents", params=ages).text
    assert "曾伟" in old and f"共 {total} 人" in old


def test_it_shows_each_field_error_beside_the_field(client: TestClient, world: World) -> None:
    login(client, "grid1")
    form = {
        "household_id": str(world.household1),
        "name": "李1",
        "id_number": "350203198001011234",
        "phone": "12345",
        "birth_date": "not a date",
        "relation": "99",
        "kind": "01",
    }
    response = client.post("/residents/new", data=form)
    assert response.status_code == 422
    errors = field_errors(response.text)
    assert errors["name"] == ["姓名不能包含数字。"]
    assert errors["id_number"] == ["身份证号校验位不正确，请逐位核对。"]
    assert "电话号码无效" in errors["phone"][0]
    assert errors["birth_date"] == ["请输入日期，如 1980-01-31。"]
    assert 'value="李1"' in response.text, "what was typed stays in the form"


def test_it_shows_the_service_errors_beside_the_fields_too(client: TestClient, world: World) -> None:
    login(client, "grid1")
    form = {"household_id": str(world.household1), "name": "李四", "id_number": "350203198001011234", "phone": "12345"}
    errors = field_errors(client.post("/residents/new", data=form).text)
    assert set(errors) == {"id_number", "phone"}
    duplicate = {"household_id": str(world.household1), "name": "曾伟", "id_number": ID_NUMBERS[0].lower()}
    errors = field_errors(client.post("/residents/new", data=duplicate).text)
    assert "曾伟" in errors["id_number"][0]


def test_it_registers_a_resident_and_opens_the_card(client: TestClient, world: World) -> None:
    login(client, "grid1")
    form = {
        "household_id": str(world.household1),
        "name": " 买买提・艾力 ",
        "phone": "0592-7654321",
        "relation": "20",
        "kind": "02",
        "tags": ["veteran", "disabled"],
        "willing_to_help": "on",
        "skills": "修电脑",
    }
    response = client.post("/residents/new", data=form, follow_redirects=False)
    assert response.status_code == 303
    card = client.get(response.headers["location"]).text
    assert "买买提·艾力" in card and "退役军人" in card and "残疾人" in card and "修电脑" in card
    assert "****4321" in card and "流动人口" in card


def test_it_edits_a_resident_and_keeps_what_was_left_empty(client: TestClient, world: World) -> None:
    login(client, "grid1")
    url = f"/residents/{world.resident1.id}/edit"
    page = client.get(url).text
    assert 'value="曾伟"' in page and "110105********002X" in page
    form = {"version": "1", "name": "曾薇", "id_number": "", "phone": "", "relation": "02", "kind": "01"}
    response = client.post(url, data={**form, "tags": ["living_alone", "very_old"]}, follow_redirects=False)
    assert response.status_code == 303
    card = client.get(f"/residents/{world.resident1.id}").text
    assert "曾薇" in card and "高龄老人" in card and "110105********002X" in card and "*******5678" in card
    stale = client.post(url, data=form)
    assert stale.status_code == 422 and "已被他人修改" in stale.text


def test_it_moves_a_resident_only_after_confirmation(client: TestClient, world: World) -> None:
    login(client, "secretary")
    url = f"/residents/{world.resident1.id}/move"
    assert "5号楼 502" in client.get(url, params={"area_id": world.grid2.id}).text
    form = {"area_id": str(world.grid2.id), "household_id": str(world.household2), "relation": "10", "on": ""}
    asking = client.post(url, data=form)
    assert asking.status_code == 200 and "确认迁移" in asking.text and "5号楼 502" in asking.text
    assert "3号楼 301" in client.get(f"/residents/{world.resident1.id}").text, "nothing moved yet"
    done = client.post(url, data={**form, "confirm": "yes"}, follow_redirects=False)
    assert done.status_code == 303
    card = client.get(f"/residents/{world.resident1.id}").text
    assert "5号楼 502" in card and "户内迁移" in card and "第二网格" in card
    assert "请选择住户" in client.post(url, data={"household_id": ""}).text


def test_it_deregisters_a_resident_only_after_confirmation(client: TestClient, world: World) -> None:
    login(client, "grid1")
    url = f"/residents/{world.resident1.id}/deregister"
    assert field_errors(client.post(url, data={"on": ""}).text) == {"reason": ["请选择情况。"]}
    early = client.post(url, data={"reason": "moved_out", "on": "2000-01-15", "confirm": "yes"})
    assert field_errors(early.text) == {"on": ["日期早于该居民的登记日期。"]}
    today = clock.today()
    form = {"reason": "moved_out", "on": today.isoformat(), "note": "随子女迁往泉州"}
    asking = client.post(url, data=form)
    shown = f"{today.year}年{today.month}月{today.day}日"
    assert asking.status_code == 200 and shown in asking.text and "迁出本社区" in asking.text
    done = client.post(url, data={**form, "confirm": "yes"}, follow_redirects=False)
    assert done.status_code == 303
    card = client.get(f"/residents/{world.resident1.id}").text
    assert "已迁出" in card and "随子女迁往泉州" in card and f"{url}" not in card


def test_it_switches_to_english_and_back(client: TestClient, world: World) -> None:
    login(client, "grid1")
    response = client.get("/lang/en", params={"next": "/residents?q=zw"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/residents?q=zw"
    page = client.get("/residents?q=zw").text
    assert "Log out" in page and "1 found" in page and '<html lang="en">' in page
    assert "Elderly living alone".lower() in page.lower()
    client.get("/lang/zh")
    assert "退出" in client.get("/").text
    assert client.get("/lang/fr").status_code == 404


def test_a_grid_worker_gets_404_for_another_grids_pages(client: TestClient, world: World) -> None:
    login(client, "grid1")
    for url in (
        f"/households/{world.household2}",
        f"/residents/{world.resident2.id}",
        f"/areas/{world.grid2.id}",
        f"/residents/{world.resident2.id}/edit",
        f"/residents/new?household_id={world.household2}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "李娜" not in response.text and "未找到" in response.text
    assert "李娜" not in client.get("/residents", params={"q": "ln"}).text


def test_a_supervisor_reads_but_is_offered_no_changes(client: TestClient, world: World) -> None:
    login(client, "supervisor")
    card = client.get(f"/residents/{world.resident1.id}").text
    assert "曾伟" in card and "/edit" not in card
    response = client.post(f"/residents/{world.resident1.id}/edit", data={"version": "1", "name": "X"})
    assert response.status_code in (403, 404) and "X" not in re.findall(r"<h1>(.*?)</h1>", response.text)


def test_a_page_asked_for_with_a_malformed_query_answers_with_a_page(client: TestClient, world: World) -> None:
    login(client, "admin")
    shown = client.get("/audit", params={"page": "abc"})
    assert shown.status_code == 422 and shown.headers["content-type"].startswith("text/html")
    assert "<html" in shown.text and "填写的内容无效。" in shown.text
