"""Signing in and out on the web: the login form and the logout button."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from linli.accounts import second_factor, services, tokens
from linli.errors import DomainError, Unauthenticated
from linli.i18n import translate
from linli.web import sessions
from linli.web.deps import STAGE_PAGES, Access, SessionDep, client_of, current_scope, get_locale
from linli.web.forms import field_errors, safe_next
from linli.web.ratelimit import login_limit
from linli.web.render import render

PASSWORD_FIELDS = {"current", "password", "repeat"}

public = APIRouter()
router = APIRouter(dependencies=[Depends(current_scope)])


def _form(
    request: Request, username: str, next_: str, error: str | None = None, status: int = 200, otp: bool = False
) -> Response:
    context = {"username": username, "next": safe_next(next_), "error": error, "ask_otp": otp}
    return render(request, "login.html", context, status=status)


@public.get("/login", include_in_schema=False)
def login_form(request: Request, next: str = "/") -> Response:
    """Return the login form; after signing in the user goes on to ``next``."""
    return _form(request, "", next)


@public.post("/login", include_in_schema=False, dependencies=[Depends(login_limit)])
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    otp: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Sign in and go on to ``next`` (or first to a required step); a refusal is shown on the form."""
    locale = get_locale(request)
    if not username.strip() or not password:
        return _form(request, username, next, translate("Enter your user name and password.", locale), 422)
    try:
        user = services.authenticate(session, username, password, client_of(request), otp)
    except Unauthenticated:
        message = translate("The user name or password is wrong.", locale)
        return _form(request, username, next, message, 401, otp=bool(otp))
    except DomainError as error:
        return _form(request, username, next, error.text(locale), error.status, otp=error.code == "auth.otp_required")
    response = RedirectResponse(safe_next(next), status_code=303)
    _, stage = sessions.start(request, response, session, user)
    if stage:
        response.headers["location"] = STAGE_PAGES[stage]
    return response


@router.post("/logout", include_in_schema=False)
def logout(scope: Access, session: SessionDep) -> Response:
    """End every session of the user and return to the login form."""
    services.logout(session, scope)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(tokens.COOKIE)
    return response


@router.get("/account/password", include_in_schema=False)
def password_form(request: Request, scope: Access) -> Response:
    """Return the form for choosing a new password."""
    return render(request, "account/password.html", {"errors": {}, "forced": _stage(request) == "password"})


@router.post("/account/password", include_in_schema=False)
def password_change(
    request: Request,
    scope: Access,
    session: SessionDep,
    current: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    repeat: Annotated[str, Form()] = "",
) -> Response:
    """Set the new password; other sessions end, this one goes on (to the second factor if required)."""
    locale = get_locale(request)
    if password != repeat:
        errors = {"repeat": [translate("The two new passwords differ.", locale)]}
        return render(
            request, "account/password.html", {"errors": errors, "forced": _stage(request) == "password"}, status=422
        )
    try:
        user = services.change_password(session, scope, current, password)
    except DomainError as error:
        return render(
            request,
            "account/password.html",
            {"errors": field_errors(error, locale, PASSWORD_FIELDS), "forced": _stage(request) == "password"},
            status=error.status,
        )
    response = RedirectResponse("/", status_code=303)
    _, stage = sessions.start(request, response, session, user)
    if stage:
        response.headers["location"] = STAGE_PAGES[stage]
    return response


@router.get("/account/mfa", include_in_schema=False)
def mfa_form(request: Request, scope: Access, session: SessionDep) -> Response:
    """Show a new secret's QR code for the authenticator app, and a box for the first code."""
    try:
        enrolment = second_factor.start_enrolment(session, scope)
    except DomainError as error:
        return render(request, "account/mfa.html", {"done": True, "message": error.text(get_locale(request))})
    return render(request, "account/mfa.html", {"enrolment": enrolment, "errors": {}})


@router.post("/account/mfa", include_in_schema=False)
def mfa_confirm(request: Request, scope: Access, session: SessionDep, code: Annotated[str, Form()] = "") -> Response:
    """Turn the second factor on and show the recovery codes once."""
    locale = get_locale(request)
    try:
        codes = second_factor.confirm_enrolment(session, scope, code)
    except DomainError as error:
        enrolment = second_factor.start_enrolment(session, scope)
        return render(
            request,
            "account/mfa.html",
            {"enrolment": enrolment, "errors": field_errors(error, locale, {"code"})},
            status=error.status,
        )
    response = render(request, "account/mfa.html", {"codes": codes})
    claims = getattr(request.state, "claims", None)
    sessions.start(request, response, session, services.user_of(session, scope), claims.signed_in if claims else None)
    return response


def _stage(request: Request) -> str:
    claims = getattr(request.state, "claims", None)
    return claims.stage if claims else ""
