"""A resident whose name is a script tag is shown as text: nothing runs, in the card, the list or search."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from linli.registry import services
from linli.registry.models import Resident
from linli.registry.schemas import ResidentIn
from linli.runtime import Runtime
from tests.browser.conftest import Served
from tests.conftest import make_settings
from tests.factories import root_scope

pytestmark = pytest.mark.browser
NAME = "<script>alert(1)</script>"


def test_it_renders_a_script_name_as_text(browser: Any, served: Served, tmp_path: Any) -> None:
    from playwright.sync_api import expect

    runtime = Runtime(make_settings(f"sqlite:///{tmp_path / 'linli.db'}"))
    with runtime.sessions() as session:
        hostile = services.create_resident(
            session, root_scope(), ResidentIn(name="脚本", household_id=served.world.household1, relation="99")
        )
        # The form refuses digits in a name; an old ledger or a database edit need not have.
        session.execute(update(Resident).where(Resident.id == hostile.id).values(name=NAME))
        session.commit()
    runtime.engine.dispose()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        page.goto(served.url + "/login")
        page.fill("#f-username", "grid1")
        page.fill("#f-password", "Persona-pass-2026")
        page.locator("main button[type=submit]").click()
        page.goto(f"{served.url}/residents/{hostile.id}")
        expect(page.locator("h1")).to_have_text(NAME)
        page.goto(f"{served.url}/households/{served.world.household1}")
        expect(page.locator("#members")).to_contain_text(NAME)
        page.goto(f"{served.url}/residents?q=script")
        assert page.locator("script:not([src])").count() == 0
        assert dialogs == []
    finally:
        context.close()
