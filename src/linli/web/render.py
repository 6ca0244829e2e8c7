"""Rendering pages: Jinja2 templates (with jinja2-fragments, so an htmx request can get one block).

Every page is rendered in the request's language: templates call ``_("English text")``, bound here to
the locale that ``web.deps.get_locale`` picks. Pages carry personal data, so none is cached.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from babel.dates import format_date
from fastapi import Request
from fastapi.responses import Response
from jinja2_fragments.fastapi import Jinja2Blocks

from linli import __version__
from linli.accounts import permissions as perms
from linli.accounts.permissions import Scope
from linli.errors import DomainError
from linli.i18n import translate
from linli.lib import clock, codes
from linli.web import csrf
from linli.web.deps import get_locale

TEMPLATES = Path(__file__).parent / "templates"

# English msgids (translated in linli.po) for the names the domain keeps as codes.
ROLE_LABELS = {
    "admin": "Administrator",
    "supervisor": "Street supervisor",
    "secretary": "Community secretary",
    "staff": "Community staff",
    "grid_worker": "Grid worker",
    "volunteer": "Volunteer",
    "resident": "Resident",
}
LEVEL_LABELS = {"district": "District", "street": "Street", "community": "Community", "grid": "Grid"}
EVENT_LABELS = {
    "registered": "Registered",
    "moved": "Moved household",
    "moved_out": "Moved out",
    "deceased": "Deceased",
}
CODE_TABLES = {
    "gender": codes.GENDERS,
    "kind": codes.KINDS,
    "relation": codes.RELATIONS,
    "status": codes.STATUSES,
}


@cache
def templates() -> Jinja2Blocks:
    """Return the template set (built once: it only reads files shipped with the package)."""
    blocks = Jinja2Blocks(directory=str(TEMPLATES))
    blocks.env.trim_blocks = True
    blocks.env.lstrip_blocks = True
    blocks.env.globals["version"] = __version__
    return blocks


def translator(locale: str) -> Any:
    """Return ``_`` for templates: ``_("Page {page}", page=2)`` translates, then fills the fields."""

    def _(message: str, **fields: Any) -> str:
        text = translate(message, locale)
        return text.format(**fields) if fields else text

    return _


def show_date(value: date | datetime | None, locale: str) -> str:
    """Return a date as people read it in ``locale``; a datetime (stored in UTC) is shown in Asia/Shanghai."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(clock.LOCAL).strftime("%Y-%m-%d %H:%M")
    return format_date(value, "long" if locale == "zh" else "medium", locale="zh_CN" if locale == "zh" else "en")


def here(request: Request) -> str:
    """Return the path and query of ``request``, for a ``next=`` parameter."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _context(request: Request, context: dict[str, Any]) -> dict[str, Any]:
    locale = get_locale(request)
    _ = translator(locale)
    base: dict[str, Any] = {
        "request": request,
        "locale": locale,
        "_": _,
        "signed_in": getattr(request.state, "claims", None) is not None,
        "here": quote(here(request), safe="/"),
        "show_date": lambda value: show_date(value, locale),
        "label": lambda table, code: codes.label(CODE_TABLES[table], code, locale),
        "role_label": lambda role: _(ROLE_LABELS.get(role, role)),
        "level_label": lambda level: _(LEVEL_LABELS.get(level, level)),
        "event_label": lambda kind: _(EVENT_LABELS.get(kind, kind)),
        "tag_name": lambda tag: tag_name(tag.code, tag.name, locale),
        # Data named in both languages (service categories): the English name when there is one.
        "localized": lambda zh, en: en if locale == "en" and en else zh,
    }
    base["csrf_token"] = csrf.token_of(request)
    base.update(context)
    scope = base.get("scope")
    base["nav_items"] = nav_items(scope) if isinstance(scope, Scope) else []
    return base


# The main menu: (key, path, English msgid, the capability that shows it — or any of several; None:
# everyone signed in).
NAV = (
    ("home", "/", "Home", None),
    ("dashboard", "/dashboard", "Dashboard", perms.READ),
    ("areas", "/areas", "Areas", perms.READ),
    ("residents", "/residents", "Residents", perms.READ),
    ("visits", "/visits", "Visits", perms.READ),
    ("needs", "/needs", "Needs", perms.NEEDS_READ),
    ("mine", "/needs/mine", "My tasks", perms.NEEDS_HANDLE),
    ("requested", "/needs/requested", "My requests", perms.NEEDS_REQUEST),
    ("resources", "/resources", "Resources", perms.SUPPLY_READ),
    ("volunteers", "/volunteers", "Volunteers", perms.SUPPLY_READ),
    ("my_record", "/volunteers/me", "My service record", perms.VOLUNTEER_SELF),
    ("matching", "/matching", "Matching", perms.NEEDS_DISPATCH),
    ("institutions", "/institutions", "Institutions", perms.INSTITUTION_READ),
    ("courses", "/courses", "Courses", perms.COURSE_READ),
    ("family_courses", "/courses/family", "My children's courses", perms.COURSE_JOIN),
    ("events", "/events", "Grid events", perms.EVENTS_READ),
    ("councils", "/councils", "Councils", (perms.CIVIC_READ, perms.CIVIC_JOIN)),
    ("selections", "/selections", "Selections", (perms.CIVIC_READ, perms.CIVIC_JOIN)),
    ("stories", "/stories", "Stories", (perms.CIVIC_READ, perms.CIVIC_JOIN)),
    ("disputes", "/disputes", "Disputes", (perms.DISPUTES_REPORT, perms.DISPUTES_READ)),
    ("ledger", "/ledger", "Ledger", perms.LEDGER_EXPORT),
    ("audit", "/audit", "Audit trail", perms.AUDIT_READ),
    ("messages", "/notifications", "Messages", None),
)


def nav_items(scope: Scope) -> list[tuple[str, str, str]]:
    """Return the menu entries ``(key, path, msgid)`` the user's roles open."""
    return [(key, path, label) for key, path, label, capability in NAV if _opens(scope, capability)]


def _opens(scope: Scope, capability: str | tuple[str, ...] | None) -> bool:
    """Return whether a menu entry's capability (or any of several) is held; None opens it to everyone."""
    if capability is None:
        return True
    return any(scope.can(c) for c in ((capability,) if isinstance(capability, str) else capability))


def tag_name(code: str, name: str, locale: str) -> str:
    """Return a tag's name in ``locale``: tags are data (named in Chinese); the default ones have English names."""
    if locale == "zh":
        return name
    english = {row[0]: row[2] for row in codes.DEFAULT_TAGS}
    return english.get(code, name)


def pager_url(request: Request) -> Callable[[int], str]:
    """Return the function the pager macro calls: this page's address with ``page`` set to a number."""

    def url_of(number: int) -> str:
        url = request.url.include_query_params(page=number)
        return f"{url.path}?{url.query}"

    return url_of


def is_htmx(request: Request) -> bool:
    """Return whether htmx asked for a part of a page (not a history restore, which wants it all)."""
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-history-restore-request") != "true"


def render(
    request: Request, template: str, context: dict[str, Any], block: str | None = None, status: int = 200
) -> Response:
    """Return ``template`` (or only its ``block``) rendered in the request's language."""
    response = templates().TemplateResponse(
        request, template, _context(request, context), status_code=status, block_name=block
    )
    # Every POST form carries the CSRF token, whichever template wrote it.
    response.body = csrf.protect_forms(bytes(response.body).decode(), csrf.token_of(request)).encode()
    response.headers["content-length"] = str(len(response.body))
    # Pages show personal data: nothing is kept by browsers or proxies, and a partial never
    # stands in for a whole page.
    response.headers["cache-control"] = "no-store"
    response.headers["vary"] = "HX-Request, Cookie, Accept-Language"
    return response


def error_page(request: Request, error: DomainError) -> Response:
    """Return a page explaining a refusal, with the refusal's status."""
    locale = get_locale(request)
    return render(request, "error.html", {"status": error.status, "message": error.text(locale)}, status=error.status)


def plain_error_page(request: Request, status: int, message: str) -> Response:
    """Return a page for an HTTP error that is not a domain refusal (an unknown path, a wrong method)."""
    return render(request, "error.html", {"status": status, "message": message}, status=status)
