"""Signing in and out through the API."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from linli.accounts import services, tokens
from linli.accounts.permissions import ROLE_NAMES, Scope
from linli.accounts.schemas import LoginIn, LoginOut, RoleOut, UserOut
from linli.web.deps import Access, SessionDep, client_of, current_scope, get_runtime

public = APIRouter(prefix="/api/v1/auth", tags=["auth"])
router = APIRouter(prefix="/api/v1/auth", tags=["auth"], dependencies=[Depends(current_scope)])


def user_out(scope: Scope) -> UserOut:
    return UserOut(
        id=scope.user_id or 0,
        username=scope.username,
        display_name=scope.display_name,
        roles=[
            RoleOut(
                role=h.role,
                role_name=ROLE_NAMES[h.role],
                area_id=h.area_id,
                area_name=h.area_name,
                area_path=h.area_path,
            )
            for h in scope.holdings
        ],
    )


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    settings = get_runtime(request).settings
    response.set_cookie(
        tokens.COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=settings.session_max_hours * 3600,
    )


@public.post("/login", response_model=LoginOut)
def login(data: LoginIn, request: Request, response: Response, session: SessionDep) -> LoginOut:
    """Sign in: sets the session cookie and returns the user, their roles and a bearer token."""
    user = services.authenticate(session, data.username, data.password, client_of(request))
    token = tokens.issue(get_runtime(request).settings.secret_key, user.id, user.session_version)
    set_session_cookie(request, response, token)
    scope = services.load_scope(session, user.id, user.session_version)
    return LoginOut(user=user_out(scope), token=token)


@router.get("/me", response_model=UserOut)
def me(scope: Access) -> UserOut:
    """Return the signed-in user with their roles and areas."""
    return user_out(scope)


@router.post("/logout", status_code=204)
def logout(scope: Access, session: SessionDep, response: Response) -> Response:
    """End every session of the signed-in user."""
    services.logout(session, scope)
    response.status_code = 204
    response.delete_cookie(tokens.COOKIE)
    return response
