"""Accounts through the API: sign in and out, passwords, the second factor, API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from linli.accounts import api_tokens, second_factor, services, tokens
from linli.accounts.permissions import ROLE_NAMES, Scope
from linli.accounts.schemas import (
    CodeIn,
    EnrolmentOut,
    LoginIn,
    LoginOut,
    PasswordChangeIn,
    PasswordResetIn,
    RecoveryCodesOut,
    RoleOut,
    TokenIn,
    UserOut,
)
from linli.web import sessions
from linli.web.deps import Access, SessionDep, client_of, current_scope
from linli.web.ratelimit import login_limit

public = APIRouter(prefix="/api/v1/auth", tags=["auth"])
router = APIRouter(prefix="/api/v1/auth", tags=["auth"], dependencies=[Depends(current_scope)])
users = APIRouter(prefix="/api/v1/users", tags=["auth"], dependencies=[Depends(current_scope)])


def user_out(scope: Scope) -> UserOut:
    roles = [
        RoleOut(
            role=h.role, role_name=ROLE_NAMES[h.role], area_id=h.area_id, area_name=h.area_name, area_path=h.area_path
        )
        for h in scope.holdings
    ]
    return UserOut(id=scope.user_id or 0, username=scope.username, display_name=scope.display_name, roles=roles)


@public.post("/login", response_model=LoginOut, dependencies=[Depends(login_limit)])
def login(data: LoginIn, request: Request, response: Response, session: SessionDep) -> LoginOut:
    """Sign in: sets the session cookie and returns the user, their roles, a bearer token and any first step."""
    user = services.authenticate(session, data.username, data.password, client_of(request), data.otp)
    token, stage = sessions.start(request, response, session, user)
    scope = services.load_scope(session, user.id, user.session_version)
    return LoginOut(user=user_out(scope), token=token, stage=stage)


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


@router.post("/password", response_model=LoginOut)
def change_password(
    data: PasswordChangeIn, scope: Access, session: SessionDep, request: Request, response: Response
) -> LoginOut:
    """Choose a new password; other sessions end and this one goes on with a new token."""
    user = services.change_password(session, scope, data.current, data.new)
    token, stage = sessions.start(request, response, session, user)
    return LoginOut(user=user_out(scope), token=token, stage=stage)


@router.post("/mfa", response_model=EnrolmentOut)
def start_enrolment(scope: Access, session: SessionDep) -> EnrolmentOut:
    """Begin setting up the second factor: a secret and its QR code for an authenticator app."""
    enrolment = second_factor.start_enrolment(session, scope)
    return EnrolmentOut(secret=enrolment.secret, uri=enrolment.uri, qr_svg=enrolment.qr_svg)


@router.post("/mfa/confirm", response_model=RecoveryCodesOut)
def confirm_enrolment(
    data: CodeIn, scope: Access, session: SessionDep, request: Request, response: Response
) -> RecoveryCodesOut:
    """Confirm with a code from the app; returns recovery codes, shown this once."""
    codes = second_factor.confirm_enrolment(session, scope, data.code)
    user = services.user_of(session, scope)
    sessions.start(
        request, response, session, user, getattr(request.state, "claims", None) and request.state.claims.signed_in
    )
    return RecoveryCodesOut(recovery_codes=codes)


@router.get("/tokens", response_model=list[api_tokens.ApiTokenOut])
def list_tokens(scope: Access, session: SessionDep) -> list[api_tokens.ApiTokenOut]:
    """Return the caller's API tokens (never their text)."""
    return api_tokens.list_tokens(session, scope)


@router.post("/tokens", response_model=api_tokens.NewApiToken, status_code=201)
def create_token(data: TokenIn, scope: Access, session: SessionDep) -> api_tokens.NewApiToken:
    """Make an API token for an integration; its text is in this answer only."""
    return api_tokens.create_token(session, scope, data.name, data.scope, data.days)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: int, scope: Access, session: SessionDep) -> Response:
    """Revoke one of the caller's API tokens."""
    api_tokens.revoke_token(session, scope, token_id)
    return Response(status_code=204)


@users.post("/{user_id}/password-reset", status_code=204)
def reset_password(user_id: int, data: PasswordResetIn, scope: Access, session: SessionDep) -> Response:
    """Give a user in the administrator's reach a temporary password, to be changed at next sign-in."""
    services.reset_password(session, scope, user_id, data.temporary)
    return Response(status_code=204)
