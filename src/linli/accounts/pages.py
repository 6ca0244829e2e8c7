"""Signing in and out on the web: the login form and the logout button."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from linli.accounts import services, tokens
from linli.accounts.api import set_session_cookie
from linli.errors import DomainError, Unauthenticated
from linli.i18n import translate
from linli.web.deps import Access, SessionDep, client_of, current_scope, get_locale, get_runtime
from linli.web.pages import safe_next
from linli.web.render import render

public = APIRouter()
router = APIRouter(dependencies=[Depends(current_scope)])


def _form(request: Request, username: str, next_: str, error: str | None = None, status: int = 200) -> Response:
    context = {"username": username, "next": safe_next(next_), "error": error}
    return render(request, "login.html", context, status=status)


@public.get("/login", include_in_schema=False)
def login_form(request: Request, next: str = "/") -> Response:
    """Return the login form; after signing in the user goes on to ``next``."""
    return _form(request, "", next)


@public.post("/login", include_in_schema=False)
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Sign in and go on to ``next``; a refusal is shown on the form with the user name kept."""
    locale = get_locale(request)
    if not username.strip() or not password:
        return _form(request, username, next, translate("Enter your user name and password.", locale), 422)
    try:
        user = services.authenticate(session, username, password, client_of(request))
    except Unauthenticated:
        return _form(request, username, next, translate("The user name or password is wrong.", locale), 401)
    except DomainError as error:
        return _form(request, username, next, error.text(locale), error.status)
    token = tokens.issue(get_runtime(request).settings.secret_key, user.id, user.session_version)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(request, response, token)
    return response


@router.post("/logout", include_in_schema=False)
def logout(scope: Access, session: SessionDep) -> Response:
    """End every session of the user and return to the login form."""
    services.logout(session, scope)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(tokens.COOKIE)
    return response
