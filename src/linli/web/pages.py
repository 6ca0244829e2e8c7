"""The home page after login, and the language switch."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from linli.accounts.permissions import CAPABILITIES, READ
from linli.areas import services as areas
from linli.areas.schemas import AreaOut
from linli.i18n import LOCALES, translate
from linli.web.deps import Access, SessionDep, current_scope, get_locale
from linli.web.render import plain_error_page, render

router = APIRouter(dependencies=[Depends(current_scope)])
public = APIRouter()

LANG_COOKIE = "linli_lang"


def safe_next(value: str | None, default: str = "/") -> str:
    """Return ``value`` when it is a path on this site, else ``default`` (no open redirects).

    ``//evil.example`` and ``/\\evil.example`` are hosts to a browser, so they are refused too.
    """
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ch in value for ch in "\r\n"):
        return default
    return value


@dataclass(frozen=True)
class HeldArea:
    role: str
    area: AreaOut


@router.get("/", include_in_schema=False)
def home(request: Request, scope: Access, session: SessionDep) -> Response:
    """Return the home page: a search box and the areas the user holds, with their counts."""
    held = scope.paths(READ)
    shown: dict[int, HeldArea] = {}
    for h in scope.holdings:
        if h.area_path in held and READ in CAPABILITIES[h.role] and h.area_id not in shown:
            shown[h.area_id] = HeldArea(h.role, areas.get_area(session, scope, h.area_id))
    areas_ = list(shown.values())
    return render(request, "home.html", {"scope": scope, "nav": "home", "areas": areas_, "can_read": bool(held)})


@public.get("/lang/{locale}", include_in_schema=False)
def switch_language(locale: str, request: Request, next: str = "/") -> Response:
    """Remember the display language in a cookie and go back to the page the switch was pressed on."""
    if locale not in LOCALES:
        return plain_error_page(request, 404, translate("Not found, or outside your area.", get_locale(request)))
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(LANG_COOKIE, locale, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response
