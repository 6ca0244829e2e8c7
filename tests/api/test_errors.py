"""Bad input is refused with {"error": {code, message, field}} and a 4xx, in Chinese or English; never a 500."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import login
from tests.factories import World

CJK = re.compile(r"[\u4e00-\u9fff]")


def assert_refusal(response: Any, status: int = 422) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert {"code", "message", "field"} <= set(error)
    assert isinstance(error["code"], str) and error["code"] and error["message"]
    return dict(error)


UNREADABLE = [
    (b"{not json", "application/json"),
    (b"", "application/json"),
    (b"[]", "application/json"),
    (b'"name"', "application/json"),
    (b"\xff\xfe\x00", "application/json"),
    (b"name=x", "application/x-www-form-urlencoded"),
    ('{"name": "张伟"}'.encode(), "text/plain"),
]
MALFORMED: list[tuple[dict[str, Any], str]] = [
    ({}, "name"),
    ({"name": 12}, "name"),
    ({"name": "张伟", "household_id": "one"}, "household_id"),
    ({"name": "张伟", "birth_date": "1949-02-30"}, "birth_date"),
    ({"name": "张伟", "tags": "living_alone"}, "tags"),
    ({"name": "张" * 61}, "name"),
    ({"name": "张伟", "willing_to_help": "perhaps"}, "willing_to_help"),
]
BAD_PATHS = [
    "/api/v1/residents?page=0",
    "/api/v1/residents?page_size=1000",
    "/api/v1/residents?min_age=-1",
    "/api/v1/residents?kind=99",
    "/api/v1/residents?status=gone",
    "/api/v1/residents?area_id=x",
    "/api/v1/residents?area_id=99999999999999999999",
    "/api/v1/residents/abc",
    "/api/v1/residents/99999999999999999999999",
    "/api/v1/residents/9223372036854775808/history",
    "/api/v1/households/99999999999999999999",
]


def test_it_refuses_a_body_that_is_not_a_resident(client: TestClient, world: World) -> None:
    login(client, "grid1")
    for content, kind in UNREADABLE:
        assert_refusal(client.post("/api/v1/residents", content=content, headers={"content-type": kind}))


def test_it_names_the_field_of_a_malformed_body(client: TestClient, world: World) -> None:
    login(client, "grid1")
    fields = [assert_refusal(client.post("/api/v1/residents", json=body))["field"] for body, _ in MALFORMED]
    assert fields == [field for _, field in MALFORMED]


def test_it_refuses_bad_query_and_path_values(client: TestClient, world: World) -> None:
    login(client, "grid1")
    for path in BAD_PATHS:
        response = client.get(path)
        assert response.status_code in (404, 422), f"{path}: {response.text}"
        assert_refusal(response, response.status_code)


def test_it_refuses_values_the_database_cannot_hold(client: TestClient, world: World) -> None:
    login(client, "grid1")
    too_big = {"name": "张伟", "household_id": 2**63}
    assert_refusal(client.post("/api/v1/residents", json=too_big))
    error = assert_refusal(
        client.post("/api/v1/residents", json={"name": "张\x00伟", "household_id": world.household1})
    )
    assert error["field"] == "name" and error["code"] == "resident.name_unprintable"
    notes = {"name": "张伟", "household_id": world.household1, "notes": "\x00"}
    assert client.post("/api/v1/residents", json=notes).status_code in (201, 422)


def test_it_answers_an_unknown_api_path_with_the_error_shape(client: TestClient, world: World) -> None:
    login(client, "grid1")
    assert_refusal(client.get("/api/v1/nothing-here"), 404)
    assert_refusal(client.delete(f"/api/v1/residents/{world.resident1.id}"), 405)


def test_it_speaks_the_language_the_browser_asks_for(client: TestClient, world: World) -> None:
    login(client, "grid1")
    path = f"/api/v1/residents/{world.resident2.id}"
    english = assert_refusal(client.get(path, headers={"Accept-Language": "en-US,en;q=0.9"}), 404)
    chinese = assert_refusal(client.get(path, headers={"Accept-Language": "zh-CN,zh;q=0.9"}), 404)
    default = assert_refusal(client.get(path), 404)
    assert english["code"] == chinese["code"] == "resident.not_found"
    assert english["message"] == "Not found, or outside your area."
    assert CJK.search(chinese["message"]) and chinese["message"] == default["message"]
    assert client.get(path, params={"lang": "en"}).json()["error"]["message"] == english["message"]
    bad = {"name": "张伟", "household_id": world.household1, "phone": "123"}
    en = client.post("/api/v1/residents", json=bad, headers={"Accept-Language": "en"}).json()["error"]
    zh = client.post("/api/v1/residents", json=bad, headers={"Accept-Language": "zh-CN"}).json()["error"]
    assert en["code"] == zh["code"] == "resident.phone_invalid"
    assert "phone number" in en["message"] and CJK.search(zh["message"])


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
FIELDS = ["name", "household_id", "area_id", "id_number", "gender", "birth_date", "phone", "relation", "kind"]
FIELDS += ["ethnicity", "tags", "skills", "willing_to_help", "notes", "registered_on"]


@st.composite
def resident_like(draw: st.DrawFn, world: World) -> dict[str, Any]:
    """Return a body that looks like a resident, each field sometimes right and sometimes junk."""
    ids = st.sampled_from([world.household1, world.household2, world.grid1.id, world.community.id, 0, -1, 2**63])
    plausible: dict[str, st.SearchStrategy[Any]] = {
        "name": st.text(max_size=70) | st.sampled_from(["张伟", "买买提·艾力", " ", "a\x00b", "😀"]),
        "household_id": ids,
        "area_id": ids,
        "id_number": st.text(alphabet="0123456789Xx ０１", max_size=20) | st.sampled_from(["11010519491231002X"]),
        "gender": st.sampled_from(["1", "2", "9", "3", ""]),
        "birth_date": st.dates().map(str) | st.text(max_size=12),
        "phone": st.text(alphabet="0123456789+-() ", max_size=16),
        "relation": st.sampled_from(["02", "10", "99", "00", ""]),
        "kind": st.sampled_from(["01", "02", "03", "04"]),
        "tags": st.lists(st.sampled_from(["living_alone", "drug_user", "nope", ""]), max_size=3),
        "registered_on": st.dates().map(str),
        "notes": st.text(max_size=50),
    }
    body = {}
    for field in draw(st.lists(st.sampled_from(FIELDS), unique=True)):
        body[field] = draw(plausible.get(field, JSON) | JSON if draw(st.booleans()) else plausible.get(field, JSON))
    return body


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_it_never_answers_junk_with_a_server_error(client: TestClient, world: World, data: st.DataObject) -> None:
    if "linli_session" not in client.cookies:
        login(client, "grid1")
    body = data.draw(JSON | resident_like(world), label="body")
    response = client.post("/api/v1/residents", json=body)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert_refusal(response, response.status_code)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=60))
def test_it_never_answers_raw_bytes_with_a_server_error(client: TestClient, world: World, raw: bytes) -> None:
    if "linli_session" not in client.cookies:
        login(client, "grid1")
    response = client.post("/api/v1/residents", content=raw, headers={"content-type": "application/json"})
    assert response.status_code < 500, response.text


def test_a_misshapen_area_code_names_the_level_in_each_language(client: TestClient, world: World) -> None:
    login(client, "admin")
    bad = {"parent_id": world.community.id, "code": "350203002019", "name": "第九网格"}
    zh = client.post("/api/v1/areas", json=bad, headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 422 and zh.json()["error"]["code"] == "area.code_shape"
    assert zh.json()["error"]["message"] == "网格代码为 15 位，并以所属社区的代码开头。"
    en = client.post("/api/v1/areas", json=bad, headers={"Accept-Language": "en"}).json()["error"]
    assert en["message"] == "A grid's code has 15 digits and starts with its community's code."
    good = client.post("/api/v1/areas", json={**bad, "code": "350203002011009"})
    assert good.status_code == 201, good.text
