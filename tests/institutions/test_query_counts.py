"""The institution and finding lists, and the figures, run as many statements for 30 institutions as for 5."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from linli.accounts.services import create_user
from linli.runtime import Runtime
from tests.api.test_query_counts import counted, statements_for
from tests.conftest import login
from tests.factories import PASSWORD, World, scope_of
from tests.institutions.helpers import inspect, make_institution, results


def add_institutions(db: Session, world: World, count: int, start: int) -> None:
    """Give the community ``count`` more institutions, each with a handler, an inspection and a finding."""
    handler = scope_of(db, "handler").user_id
    for i in range(start, start + count):
        made = make_institution(
            db,
            world.grid1.id if i % 2 else world.grid2.id,
            name=f"托管班{i}",
            contact_phone=f"139{i:08d}",
            handler_user_id=handler,
        )
        inspect(db, made.id, "secretary", results=results(insurance="fail"))


def page_statements(client: TestClient, runtime: Runtime, path: str) -> int:
    with counted(runtime) as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


def test_the_lists_and_figures_run_as_many_statements_for_30_as_for_5(
    client: TestClient, runtime: Runtime, db: Session, world: World
) -> None:
    create_user(db, "handler", PASSWORD, roles=[("staff", world.community.code)])
    add_institutions(db, world, 5, 0)
    login(client, "secretary")
    pages = ("/institutions", "/institutions/findings", "/institutions/licences", "/institutions/figures")
    few, small = statements_for(client, runtime, "/api/v1/institutions", page_size=100)
    few_findings, _ = statements_for(client, runtime, "/api/v1/findings", page_size=100)
    few_figures, _ = statements_for(client, runtime, "/api/v1/institutions/figures", area_id=world.community.id)
    page_few = [page_statements(client, runtime, p) for p in pages]
    add_institutions(db, world, 25, 5)
    many, large = statements_for(client, runtime, "/api/v1/institutions", page_size=100)
    many_findings, found = statements_for(client, runtime, "/api/v1/findings", page_size=100)
    many_figures, _ = statements_for(client, runtime, "/api/v1/institutions/figures", area_id=world.community.id)
    assert len(small["items"]) == 5 and len(large["items"]) == 30 and len(found["items"]) == 30
    assert all(i["open_findings"] == 1 and i["handler"] and i["last_score"] for i in large["items"])
    assert (few, few_findings, few_figures) == (many, many_findings, many_figures)
    assert [page_statements(client, runtime, p) for p in pages] == page_few
