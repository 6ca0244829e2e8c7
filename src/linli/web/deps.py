"""Request dependencies: the database session, the language, and who is asking.

``current_scope`` is the permission dependency: every route outside ``PUBLIC_ROUTES`` depends on it
(through its router), and a test walks the app to prove it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from linli.accounts import tokens
from linli.accounts.api_tokens import authenticate_token, looks_like_api_token
from linli.accounts.permissions import Scope
from linli.accounts.services import load_scope
from linli.errors import Forbidden, Unauthenticated
from linli.i18n import pick_locale
from linli.runtime import Runtime

# Paths served to anyone: the login, the health probe, static files and the API description.
PUBLIC_ROUTES = {
    "/api/v1/health",
    "/api/v1/auth/login",
    "/login",
    "/static",
    "/api/docs",
    "/docs/oauth2-redirect",  # FastAPI serves the Swagger UI OAuth2 redirect here, not under /api
    "/api/v1/openapi.json",
    "/lang/{locale}",
    # needs: a resident without an account sends a request, follows and rates it (rate-limited)
    "/ask",
    "/track",
    "/track/{tracking_code}",
    "/track/{tracking_code}/rating",
    "/api/v1/public/needs/form",
    "/api/v1/public/needs",
    "/api/v1/public/needs/{tracking_code}",
    "/api/v1/public/needs/{tracking_code}/rating",
}


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def get_session(request: Request) -> Iterator[Session]:
    """Yield a session for one request; services commit their own transactions, the rest is rolled back."""
    session = get_runtime(request).sessions()
    try:
        yield session
    finally:
        session.close()


def get_locale(request: Request) -> str:
    return pick_locale(
        request.query_params.get("lang"),
        request.cookies.get("linli_lang"),
        request.headers.get("accept-language"),
        get_runtime(request).settings.default_locale,
    )


def client_of(request: Request) -> str:
    return request.client.host if request.client else ""


def session_token(request: Request) -> str | None:
    """Return the bearer token, or else the session cookie."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.cookies.get(tokens.COOKIE)


# Where a page sends a session that must first finish a step.
STAGE_PAGES = {"password": "/account/password", "enrol": "/account/mfa"}
# A session that must first change its password or set up a second factor reaches only these.
STAGE_ROUTES = {
    "password": {"/api/v1/auth/password", "/account/password", "/api/v1/auth/me", "/api/v1/auth/logout", "/logout"},
    "enrol": {
        "/api/v1/auth/mfa",
        "/api/v1/auth/mfa/confirm",
        "/account/mfa",
        "/api/v1/auth/me",
        "/api/v1/auth/logout",
        "/logout",
    },
}


class StageRequired(Forbidden):
    """The session is signed in but must finish a step (new password, second factor) first."""

    def __init__(self, stage: str) -> None:
        if stage == "password":
            super().__init__("Choose a new password before going on.", "auth.password_change_required")
        else:
            super().__init__("Set up the second factor before going on.", "auth.mfa_enrolment_required")
        self.stage = stage


def current_scope(request: Request, session: Annotated[Session, Depends(get_session)]) -> Scope:
    """Return what the signed-in user can reach, or raise ``Unauthenticated``.

    Three kinds of credentials: the session cookie, the same session as a bearer token, and an API
    token (``lt_…``) made for an integration.
    """
    settings = get_runtime(request).settings
    token = session_token(request)
    if token and looks_like_api_token(token):
        user = authenticate_token(session, token, request.method, request.url.path, client_of(request))
        return load_scope(session, user.id, user.session_version, client_of(request))
    # A cookie is re-signed on every request (web/security.py), so its age is the idle time; a bearer
    # token cannot be re-signed by the client and lives to the absolute limit.
    maximum = settings.session_max_hours * 3600
    idle = maximum if request.headers.get("authorization") else settings.session_idle_minutes * 60
    claims = token and tokens.read(settings.secret_key, token, idle, maximum)
    if not claims:
        raise Unauthenticated()
    scope = load_scope(session, claims.user_id, claims.version, client_of(request))
    request.state.claims = claims
    if claims.stage:
        route = request.scope.get("route")
        if getattr(route, "path", request.url.path) not in STAGE_ROUTES.get(claims.stage, ()):
            raise StageRequired(claims.stage)
    return scope


SessionDep = Annotated[Session, Depends(get_session)]
Access = Annotated[Scope, Depends(current_scope)]
Locale = Annotated[str, Depends(get_locale)]
