"""Accounts: creating users, granting roles, signing in, and loading what a user can reach."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import Assignment, User
from linli.accounts.permissions import ROLES, Holding, Scope
from linli.areas.models import Area
from linli.audit import services as audit
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import DomainError, Invalid, Unauthenticated
from linli.runtime import hasher_of

MAX_FAILURES = 5
LOCK_MINUTES = 15


def create_user(
    session: Session,
    username: str,
    password: str,
    *,
    display_name: str = "",
    roles: Sequence[tuple[str, str]] = (),
    actor: Scope | None = None,
) -> User:
    """Return a new user holding ``roles``, each a ``(role, area code)`` pair.

    Refuses an existing user name, an unknown role and an unknown area.
    """
    username = username.strip()
    with transaction(session):
        if not username:
            raise Invalid("user.username_required", "A user name is required.", "username")
        if session.scalar(select(User.id).where(User.username == username)):
            raise Invalid("user.exists", "The user name {username} is taken.", "username", username=username)
        user = User(
            username=username, display_name=display_name or username, password_hash=hasher_of(session).hash(password)
        )
        session.add(user)
        session.flush()
        for role, code in roles:
            if role not in ROLES:
                raise Invalid("user.unknown_role", "Unknown role {role}.", "role", role=role)
            area_id = session.scalar(select(Area.id).where(Area.code == code))
            if area_id is None:
                raise Invalid("area.unknown", "Unknown area code {code}.", "area", code=code)
            session.add(Assignment(user_id=user.id, role=role, area_id=area_id))
        audit.record(
            session,
            "user.create",
            user_id=actor.user_id if actor else None,
            username=actor.username if actor else "cli",
            entity="user",
            entity_id=user.id,
            changes={"username": [None, username], "roles": [None, [list(r) for r in roles]]},
        )
    return user


def authenticate(session: Session, username: str, password: str, client: str = "") -> User:
    """Return the user whose password matches, or raise ``Unauthenticated``.

    Five failures in a row lock the account for 15 minutes; while locked even the right password is
    refused. Every success and failure is audited.
    """
    with transaction(session):
        user = session.scalar(select(User).where(User.username == username.strip()))
        now = utcnow()
        if user is None or not user.active:
            audit.record(
                session,
                "login.failed",
                username=username[:60],
                client=client,
                changes={"reason": [None, "unknown user"]},
            )
            raise_after_commit: DomainError = Unauthenticated()
        elif user.locked_until and user.locked_until > now:
            audit.record(session, "login.locked", user_id=user.id, username=user.username, client=client)
            raise_after_commit = _locked()
        elif not _verify(session, user.password_hash, password):
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILURES:
                user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
                user.failed_logins = 0
            audit.record(
                session,
                "login.failed",
                user_id=user.id,
                username=user.username,
                client=client,
                changes={"reason": [None, "bad password"]},
            )
            raise_after_commit = Unauthenticated()
        else:
            user.failed_logins = 0
            user.locked_until = None
            user.last_login_at = now
            audit.record(session, "login", user_id=user.id, username=user.username, client=client)
            return user
    # The failure is recorded and committed first, then refused.
    raise raise_after_commit


def _locked() -> Invalid:
    error = Invalid(
        "auth.locked", "Too many failed attempts; the account is locked for {minutes} minutes.", minutes=LOCK_MINUTES
    )
    error.status = 403
    return error


def _verify(session: Session, password_hash: str, password: str) -> bool:
    try:
        return hasher_of(session).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def load_scope(session: Session, user_id: int, session_version: int, client: str = "") -> Scope:
    """Return the reach of an active user whose session is still current, or raise ``Unauthenticated``."""
    user = session.get(User, user_id)
    if user is None or not user.active or user.session_version != session_version:
        raise Unauthenticated()
    rows = session.execute(
        select(Assignment.role, Area.id, Area.path, Area.name)
        .join(Area, Area.id == Assignment.area_id)
        .where(Assignment.user_id == user_id)
        .order_by(Area.path)
    ).all()
    return Scope(user.id, user.username, user.display_name, tuple(Holding(*row) for row in rows), client)


def logout(session: Session, scope: Scope) -> None:
    """End every session of the user (the session version moves on)."""
    with transaction(session):
        user = session.get(User, scope.user_id)
        if user is not None:
            user.session_version += 1
            audit.record(session, "logout", user_id=user.id, username=user.username, client=scope.client)
