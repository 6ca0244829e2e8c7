"""The language switch, and where a form may send the browser next."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from linli.i18n import LOCALES, translate
from linli.web.deps import get_locale
from linli.web.forms import safe_next
from linli.web.render import plain_error_page

public = APIRouter()

LANG_COOKIE = "linli_lang"


@public.get("/lang/{locale}", include_in_schema=False)
def switch_language(locale: str, request: Request, next: str = "/") -> Response:
    """Remember the display language in a cookie and go back to the page the switch was pressed on."""
    if locale not in LOCALES:
        return plain_error_page(request, 404, translate("Not found, or outside your area.", get_locale(request)))
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(LANG_COOKIE, locale, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response
