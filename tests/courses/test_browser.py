"""The parent's walk on a phone: a mother signs her six-year-old up for a full course and lands on the
waitlist; another family cancels on their phone; the child is promoted at once and the mother sees it,
with a message. Screenshots land in test-results/."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from linli.accounts.models import User
from linli.accounts.services import create_user
from linli.courses import enrolment, services
from linli.courses.schemas import CourseIn, EnrolmentIn, SessionIn
from linli.db.engine import transaction
from linli.lib import clock
from linli.runtime import Runtime
from tests.browser.conftest import RESULTS, Served, browser, served  # noqa: F401  (fixtures)
from tests.conftest import make_settings
from tests.factories import PASSWORD, make_resident, scope_of
from tests.needs.test_browser import signed_in

pytestmark = pytest.mark.browser


def _setup(site: Served, db_path: Path) -> int:
    """Make a full course (one seat, taken by grid 2's child) and the two guardians' accounts."""
    world = site.world
    runtime = Runtime(make_settings(f"sqlite:///{db_path}"))
    with runtime.sessions() as session:
        first = clock.today() + timedelta(days=10)
        starts = datetime.combine(first, time(9), clock.LOCAL)
        course = services.create_course(
            session,
            scope_of(session, "secretary"),
            CourseIn(
                area_id=world.community.id,
                title="泥塑手工",
                category="craft",
                age_min=5,
                age_max=8,
                capacity=1,
                signup_opens_on=clock.today() - timedelta(days=1),
                signup_closes_on=first - timedelta(days=1),
                organising_area_ids=[world.grid1.id, world.grid2.id],
                sessions=[SessionIn(starts_at=starts, ends_at=starts + timedelta(minutes=90), venue="社区活动室")],
            ),
        )
        born = first.replace(year=first.year - 6)
        make_resident(session, world.household1, name="曾小宇", relation="20", id_number=None, birth_date=born)
        other = make_resident(session, world.household2, name="李小红", relation="20", id_number=None, birth_date=born)
        for username, code, resident_id in (
            ("mama", world.grid1.code, world.resident1.id),
            ("baba", world.grid2.code, world.resident2.id),
        ):
            create_user(session, username, PASSWORD, roles=[("resident", code)])
            with transaction(session):
                session.scalars(select(User).where(User.username == username)).one().resident_id = resident_id
        enrolment.enrol(session, scope_of(session, "baba"), course.id, EnrolmentIn(child_resident_id=other.id))
        course_id = course.id
    runtime.engine.dispose()
    return course_id


def test_a_parent_joins_the_waitlist_and_is_promoted_when_another_family_cancels(
    browser: Any,  # noqa: F811
    served: Served,  # noqa: F811
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    course_id = _setup(served, tmp_path / "linli.db")
    RESULTS.mkdir(exist_ok=True)
    problems: list[str] = []

    # The mother opens the course on her phone: it is full, so her son can join the waitlist.
    mama = signed_in(browser, served, "mama", f"/courses/{course_id}")
    mama.on("pageerror", lambda e: problems.append(str(e)))
    expect(mama.locator("#seats")).to_contain_text("已满")
    signup = mama.locator("#signup")
    expect(signup).to_contain_text("曾小宇")
    signup.get_by_role("button", name="加入候补").click()
    mama.wait_for_load_state()
    mama.goto(f"{served.url}/courses/family")
    child = mama.locator(".enrolment", has_text="泥塑手工")
    expect(child.locator("[data-status]")).to_have_attribute("data-status", "waitlisted")
    expect(child).to_contain_text("候补第 1 位")
    mama.screenshot(path=str(RESULTS / "courses-waitlisted-390.png"), full_page=True)
    assert mama.evaluate("document.documentElement.scrollWidth") <= 390

    # The other family cancels on their phone, after a confirmation.
    baba = signed_in(browser, served, "baba", "/courses/family")
    baba.locator(".enrolment", has_text="泥塑手工").get_by_role("button", name="取消").click()
    expect(baba.locator("#confirm-cancel")).to_contain_text("名额将立即转给候补第一位的孩子")
    baba.get_by_role("button", name="取消报名").click()
    baba.wait_for_url(f"{served.url}/courses/family")
    expect(baba.locator(".enrolment [data-status]")).to_have_attribute("data-status", "cancelled")

    # The mother's page now shows the seat, and her messages say so.
    mama.reload()
    expect(mama.locator(".enrolment", has_text="泥塑手工").locator("[data-status]")).to_have_attribute(
        "data-status", "enrolled"
    )
    mama.screenshot(path=str(RESULTS / "courses-promoted-390.png"), full_page=True)
    mama.goto(f"{served.url}/notifications")
    expect(mama.locator("main")).to_contain_text("候补转正")
    assert problems == []
