"""Cross-site request forgery protection for the pages (double-submit token).

Every response gives the browser a random ``linli_csrf`` cookie (HttpOnly, SameSite=Lax); every
page form carries the same value in a hidden ``csrf_token`` field, put there by ``protect_forms``
when the page is rendered, so no template can forget it; htmx sends it as ``X-CSRF-Token``. A
state-changing page request whose token does not match the cookie is refused. The JSON API is not
a form target: a browser cannot send JSON across sites without a CORS preflight, which linli never
grants.
"""

from __future__ import annotations

import hmac
import re
import secrets

from fastapi import Request, Response
from markupsafe import escape

from linli.errors import Forbidden

COOKIE = "linli_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_POST_FORM = re.compile(r"(<form\b[^>]*\bmethod=\"post\"[^>]*>)", re.IGNORECASE)


def token_of(request: Request) -> str:
    """Return the request's CSRF token: the cookie's, or a new one the response will set."""
    token = getattr(request.state, "csrf", None)
    if token is None:
        token = request.cookies.get(COOKIE) or secrets.token_urlsafe(32)
        request.state.csrf = token
    return token


def set_cookie(request: Request, response: Response) -> None:
    """Give the browser the token cookie when it does not have it yet."""
    token = getattr(request.state, "csrf", None) or secrets.token_urlsafe(32)
    if request.cookies.get(COOKIE) != token:
        response.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=request.url.scheme == "https")


def protect_forms(html: str, token: str) -> str:
    """Return ``html`` with the token as a hidden field at the start of every POST form."""
    field = f'<input type="hidden" name="{FIELD}" value="{escape(token)}">'
    return _POST_FORM.sub(lambda m: m.group(1) + field, html)


async def csrf_protect(request: Request) -> None:
    """Refuse a state-changing page request that does not carry the cookie's token."""
    if request.method in SAFE_METHODS or request.url.path.startswith("/api/"):
        return
    expected = request.cookies.get(COOKIE)
    sent = request.headers.get(HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise Forbidden("This form has expired or did not come from linli; reload the page and try again.", "csrf")
