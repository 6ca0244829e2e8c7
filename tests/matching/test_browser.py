"""The matching walk on real pages: staff open a need and see its ranked candidates with reasons, dispatch
the best, the volunteer sees it on their phone, accepts, reports it done with hours, and the hours show on
their record. Screenshots land in test-results/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from linli.db.engine import transaction
from linli.needs import intake, lifecycle
from linli.needs.schemas import NeedIn, TransitionIn
from linli.runtime import Runtime
from linli.volunteers.models import Volunteer
from tests.browser.conftest import RESULTS, Served, browser, served  # noqa: F401  (fixtures)
from tests.conftest import make_settings
from tests.factories import make_resident, scope_of
from tests.matching.helpers import make_volunteer
from tests.needs.conftest import make_needs_world
from tests.needs.test_browser import PHONE, move, signed_in

pytestmark = pytest.mark.browser
DESK = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


def test_staff_dispatch_the_best_candidate_and_the_volunteer_reports_hours(
    browser: Any,  # noqa: F811
    served: Served,  # noqa: F811
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    runtime = Runtime(make_settings(f"sqlite:///{tmp_path / 'linli.db'}"))
    with runtime.sessions() as session:
        nw = make_needs_world(session, served.world)
        world = served.world
        # The best candidate: an electrician in the need's own building with the volunteer account; a
        # weaker one in grid 2 who repairs appliances.
        best = make_volunteer(session, world.resident1.id, profession="电工", skills_text="修水管")
        other = make_resident(session, world.household2, name="李强", id_number=None, phone=None)
        make_volunteer(session, other.id, profession="", skills_text="家电维修")
        with transaction(session):
            session.scalars(select(Volunteer).where(Volunteer.id == best)).one().user_id = nw.volunteer
        order = intake.create_order(
            session,
            scope_of(session, "grid1"),
            NeedIn(category="repairs", description="厨房水管漏水，需要修水管", household_id=world.household1),
        )
        lifecycle.transition(session, scope_of(session, "secretary"), order.id, TransitionIn(action="register"))
        order_id = order.id
    runtime.engine.dispose()
    RESULTS.mkdir(exist_ok=True)
    problems: list[str] = []

    # Staff open the need: the candidates load ranked, the best first, with reasons naming the parts.
    staff = signed_in(browser, served, "secretary", f"/needs/{order_id}")
    staff.on("pageerror", lambda e: problems.append(str(e)))
    first = staff.locator("#candidate-list > li").first
    expect(first).to_contain_text(world.resident1.name)
    expect(first).to_contain_text("技能 +2.00")
    expect(first).to_contain_text("水电维修")
    expect(staff.locator("#candidate-list > li")).to_have_count(2)
    staff.screenshot(path=str(RESULTS / "matching-candidates.png"), full_page=True)
    first.locator("button[type=submit]").click()
    expect(staff.locator("main")).to_contain_text("已派遣")

    # The volunteer sees it on the phone, accepts it, and reports it done with the hours served.
    volunteer = signed_in(browser, served, "volunteer", "/needs/mine")
    volunteer.on("pageerror", lambda e: problems.append(str(e)))
    expect(volunteer.locator("#mine")).to_contain_text("厨房水管漏水")
    volunteer.get_by_role("button", name="签收").click()
    volunteer.goto(f"{served.url}/needs/{order_id}")
    move(volunteer, "report_done", note="换了阀芯", hours="1.5")
    expect(volunteer.locator("main")).to_contain_text("已反馈")

    # The hours show on their record.
    volunteer.goto(f"{served.url}/volunteers/me")
    expect(volunteer.locator("#this-year")).to_contain_text(re.compile(r"今年服务时长（小时）\s*1\.5"))
    volunteer.screenshot(path=str(RESULTS / "matching-volunteer-record-390.png"), full_page=True)
    assert volunteer.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]  # type: ignore[index]
    assert not problems, problems
