"""The resource list runs as many SQL statements for 60 resources as for 10, through the API and the page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from linli.accounts.services import create_user
from linli.needs import intake
from linli.needs.schemas import NeedIn
from linli.runtime import Runtime
from tests.api.test_query_counts import counted, statements_for
from tests.conftest import login
from tests.factories import PASSWORD, World, scope_of
from tests.resources.helpers import make_resource, use


def add_resources(db: Session, world: World, count: int, start: int) -> None:
    """Give the community ``count`` more resources, each with two categories, a phone, a handler and an open use."""
    grid1 = scope_of(db, "grid1")
    handler = scope_of(db, "handler").user_id
    for i in range(start, start + count):
        made = make_resource(
            db,
            world.grid1.id if i % 2 else world.grid2.id,
            name=f"资源{i}",
            contact_phone=f"139{i:08d}",
            handler_user_id=handler,
            categories=["repairs", "home_care"],
        )
        order = intake.create_order(
            db, grid1, NeedIn(category="repairs", description=f"需要帮忙{i}", household_id=world.household1)
        )
        use(db, made.id, order.id)


def page_statements(client: TestClient, runtime: Runtime) -> int:
    with counted(runtime) as statements:
        response = client.get("/resources")
    assert response.status_code == 200
    return len(statements)


def test_it_lists_resources_in_as_many_statements_for_60_as_for_10(
    client: TestClient, runtime: Runtime, db: Session, world: World
) -> None:
    create_user(db, "handler", PASSWORD, roles=[("staff", world.community.code)])
    add_resources(db, world, 10, 0)
    login(client, "secretary")
    few, small = statements_for(client, runtime, "/api/v1/resources", page_size=100)
    page_few = page_statements(client, runtime)
    add_resources(db, world, 50, 10)
    many, large = statements_for(client, runtime, "/api/v1/resources", page_size=100)
    assert len(small["items"]) == 10 and len(large["items"]) == 60
    assert all(
        r["in_use"] == 1 and len(r["categories"]) == 2 and r["contact_phone"] and r["handler"] and r["area"]
        for r in large["items"]
    )
    assert few == many
    assert page_statements(client, runtime) == page_few
