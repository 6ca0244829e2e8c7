from fastapi.testclient import TestClient

from linli import migrations
from tests.conftest import login


def test_it_reports_health(client: TestClient) -> None:
    body = client.get("/api/v1/health").json()
    assert body["status"] == "ok" and body["database"] in ("sqlite", "postgresql")
    assert body["schema"] == migrations.head()


def test_it_finds_a_resident_by_initials_in_the_workers_grid(client: TestClient, world) -> None:
    login(client, "grid1")
    names = [r["name"] for r in client.get("/api/v1/residents", params={"q": "zw"}).json()["items"]]
    assert names == ["曾伟"]
    assert client.get(f"/api/v1/residents/{world.resident2.id}").status_code == 404
