"""Response hardening: security headers on every response, and sliding web sessions.

The session cookie is re-signed on each signed-in page or API request, so the idle timeout counts
from the last request, while the sign-in time it carries keeps the absolute timeout.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from linli.accounts import tokens
from linli.web import csrf
from linli.web.deps import get_runtime

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)


def install(app: FastAPI) -> None:
    @app.middleware("http")
    async def _harden(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        csrf.token_of(request)
        response = await call_next(request)
        csrf.set_cookie(request, response)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if request.url.scheme == "https":
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        _slide_session(request, response)
        return response


def _slide_session(request: Request, response: Response) -> None:
    claims = getattr(request.state, "claims", None)
    if claims is None or tokens.COOKIE not in request.cookies or "set-cookie" in response.headers:
        return
    settings = get_runtime(request).settings
    token = tokens.issue(settings.secret_key, claims.user_id, claims.version, claims.signed_in, claims.stage)
    response.set_cookie(
        tokens.COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=settings.session_max_hours * 3600,
    )
