"""Every English text linli shows has a Simplified Chinese translation, and templates stay CSP-clean."""

from __future__ import annotations

import re

from linli.i18n import catalog
from tests.pages.msgids import TEMPLATES, all_msgids

FIELD = re.compile(r"{(\w*)}")


# The foundation (translated in web/i18n/zh/LC_MESSAGES/linli.po); other packages keep their own catalog file.
FOUNDATION = ("registry/", "areas/", "accounts/", "errors.py", "synth/bootstrap.py", "web/templates/registry/")


def in_foundation(where: str) -> bool:
    """Return whether a msgid's place belongs to the foundation: its packages, web/*.py and the shared templates."""
    return (
        where.startswith(FOUNDATION)
        or (where.startswith("web/") and where.count("/") == 1)
        or (where.startswith("web/templates/") and where.count("/") == 2)
    )


def untranslated(foundation: bool) -> list[str]:
    zh = catalog("zh")
    return [
        f"  {where}: {msgid!r}"
        for msgid, where in sorted(all_msgids().items(), key=lambda item: item[1])
        if not zh.get(msgid) and in_foundation(where) == foundation
    ]


def test_it_translates_every_message_of_the_foundation_into_chinese() -> None:
    missing = untranslated(foundation=True)
    assert not missing, "untranslated msgids (add them to linli.po):\n" + "\n".join(missing)


def test_it_translates_every_message_of_every_other_package_into_chinese() -> None:
    missing = untranslated(foundation=False)
    assert not missing, "untranslated msgids (add them to your package's .po under web/i18n/zh):\n" + "\n".join(missing)


def test_it_keeps_every_placeholder_in_the_translation() -> None:
    zh = catalog("zh")
    broken = [m for m in all_msgids() if m in zh and sorted(FIELD.findall(m)) != sorted(FIELD.findall(zh[m]))]
    assert not broken


def test_it_finds_messages_of_every_kind() -> None:
    found = all_msgids()
    assert found["Log in"].endswith("login.html")  # a template
    assert found["Please log in."] == "errors.py"  # an error's own message
    assert found["The ID number may hold only digits and a final X."] == "registry/validation.py"  # a table
    assert "This request is not allowed." in found  # chosen at run time


def test_it_keeps_scripts_and_styles_out_of_the_pages() -> None:
    """A strict Content-Security-Policy (script-src/style-src 'self') forbids inline code and styles."""
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), f"inline <script> in {path.name}"
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=|hx-on|javascript:", text), f"inline code in {path.name}"
