"""API tokens for integrations: made per user with a scope and an expiry, shown once, stored hashed."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import ApiToken, User
from linli.accounts.permissions import Scope
from linli.audit import services as audit
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import Forbidden, Invalid, NotFound, Unauthenticated
from linli.runtime import settings_of

PREFIX = "lt_"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiTokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    scope: str
    expires_at: str
    last_used_at: str | None
    revoked: bool


class NewApiToken(ApiTokenOut):
    token: str


def looks_like_api_token(value: str) -> bool:
    return value.startswith(PREFIX)


def _hash(token: str) -> str:
    # A token has 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def _out(t: ApiToken) -> ApiTokenOut:
    return ApiTokenOut(
        id=t.id,
        name=t.name,
        prefix=t.prefix,
        scope=t.scope,
        expires_at=t.expires_at.isoformat(),
        last_used_at=t.last_used_at.isoformat() if t.last_used_at else None,
        revoked=t.revoked_at is not None,
    )


def create_token(session: Session, scope: Scope, name: str, access: str, days: int) -> NewApiToken:
    """Return a new token of the caller (the only time its text is shown); ``access`` is read or write."""
    if access not in ("read", "write"):
        raise Invalid("token.scope", "A token's scope is read or write.", "scope")
    limit = settings_of(session).api_token_max_days
    if not 1 <= days <= limit:
        raise Invalid("token.days", "A token lasts from 1 to {days} days.", "days", days=limit)
    if not name.strip():
        raise Invalid("token.name_required", "Give the token a name that says what uses it.", "name")
    plain = PREFIX + secrets.token_urlsafe(32)
    with transaction(session):
        token = ApiToken(
            user_id=scope.user_id,
            name=name.strip()[:80],
            token_hash=_hash(plain),
            prefix=plain[:10],
            scope=access,
            expires_at=utcnow() + timedelta(days=days),
        )
        session.add(token)
        session.flush()
        audit.record(
            session,
            "api_token.create",
            user_id=scope.user_id,
            username=scope.username,
            client=scope.client,
            entity="api_token",
            entity_id=token.id,
            changes={"name": [None, token.name], "scope": [None, access], "days": [None, days]},
        )
        return NewApiToken(**_out(token).model_dump(), token=plain)


def list_tokens(session: Session, scope: Scope) -> list[ApiTokenOut]:
    """Return the caller's tokens, newest first (never their text)."""
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == scope.user_id).order_by(ApiToken.id.desc()))
    return [_out(t) for t in rows]


def revoke_token(session: Session, scope: Scope, token_id: int) -> None:
    """Revoke one of the caller's tokens; it stops working at once."""
    with transaction(session):
        token = session.get(ApiToken, token_id)
        if token is None or token.user_id != scope.user_id:
            raise NotFound("api_token")
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            audit.record(
                session,
                "api_token.revoke",
                user_id=scope.user_id,
                username=scope.username,
                client=scope.client,
                entity="api_token",
                entity_id=token.id,
            )


def authenticate_token(session: Session, plain: str, method: str, path: str, client: str) -> User:
    """Return the user of a live token, audit the use, or refuse.

    A read token may only read; an expired or revoked token is refused like no token.
    """
    with transaction(session):
        token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(plain)))
        now = utcnow()
        if token is None or token.revoked_at is not None or token.expires_at <= now:
            raise Unauthenticated()
        user = session.get(User, token.user_id)
        if user is None or not user.active:
            raise Unauthenticated()
        if token.scope == "read" and method not in SAFE_METHODS:
            audit.record(
                session,
                "api_token.refused",
                user_id=user.id,
                username=user.username,
                client=client,
                entity="api_token",
                entity_id=token.id,
                changes={"request": [None, f"{method} {path}"]},
            )
            refusal = Forbidden("This token may only read.", "token.read_only")
        else:
            token.last_used_at = now
            audit.record(
                session,
                "api_token.use",
                user_id=user.id,
                username=user.username,
                client=client,
                entity="api_token",
                entity_id=token.id,
                changes={"request": [None, f"{method} {path}"]},
            )
            return user
    raise refusal
