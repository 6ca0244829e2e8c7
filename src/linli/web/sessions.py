"""Starting a web or API session after a successful sign-in (or a password change)."""

from __future__ import annotations

from fastapi import Request, Response
from sqlalchemy.orm import Session

from linli.accounts import services, tokens
from linli.accounts.models import User
from linli.web.deps import get_runtime


def start(
    request: Request, response: Response, session: Session, user: User, signed_in: int | None = None
) -> tuple[str, str]:
    """Set the session cookie for ``user`` and return ``(token, stage)``.

    The stage says what the user must do before anything else (a new password, a second factor).
    """
    settings = get_runtime(request).settings
    stage = services.sign_in_stage(session, user)
    token = tokens.issue(settings.secret_key, user.id, user.session_version, signed_in, stage)
    response.set_cookie(
        tokens.COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=settings.session_max_hours * 3600,
    )
    return token, stage
