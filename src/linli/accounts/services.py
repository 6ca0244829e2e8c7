"""Accounts: creating users, granting roles, signing in, and loading what a user can reach."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts import second_factor
from linli.accounts.models import Assignment, User
from linli.accounts.permissions import ROLES, USER_MANAGE, Holding, Scope
from linli.areas.models import Area
from linli.audit import services as audit
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import DomainError, Invalid, NotFound, Unauthenticated, ValidationErrors
from linli.lib import passwords
from linli.runtime import hasher_of, settings_of

# Roles whose accounts need a second factor when the setting asks for one.
SECOND_FACTOR_ROLES = frozenset({"admin", "supervisor"})


def check_password(password: str, username: str) -> None:
    """Raise ``Invalid`` naming every way ``password`` breaks the policy (lib/passwords)."""
    found = passwords.problems(password, username)
    if found:
        raise ValidationErrors([Invalid(f"password.{code}", PASSWORD_PROBLEMS[code], "password") for code in found])


PASSWORD_PROBLEMS = {
    "short": "The password needs at least 10 characters.",
    "classes": "The password needs three of: lower-case letters, upper-case letters, digits, other characters.",
    "username": "The password must not contain the user name.",
    "common": "This password is too common; choose another.",
}


def create_user(
    session: Session,
    username: str,
    password: str,
    *,
    display_name: str = "",
    roles: Sequence[tuple[str, str]] = (),
    actor: Scope | None = None,
    must_change: bool = False,
    demo: bool = False,
) -> User:
    """Return a new user holding ``roles``, each a ``(role, area code)`` pair.

    Refuses an existing user name, an unknown role, an unknown area and a password the policy
    refuses. ``must_change`` makes the first sign-in choose a new password (accounts an administrator
    creates); ``demo`` marks the accounts of ``linli demo``, which keep the documented demo password.
    """
    username = username.strip()
    if not demo:
        check_password(password, username)
    with transaction(session):
        if not username:
            raise Invalid("user.username_required", "A user name is required.", "username")
        if session.scalar(select(User.id).where(User.username == username)):
            raise Invalid("user.exists", "The user name {username} is taken.", "username", username=username)
        user = User(
            username=username,
            display_name=display_name or username,
            password_hash=hasher_of(session).hash(password),
            must_change_password=must_change and not demo,
            password_changed_at=utcnow(),
            is_demo=demo,
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


def authenticate(session: Session, username: str, password: str, client: str = "", otp: str = "") -> User:
    """Return the user whose password (and second factor, once enrolled) matches, or raise.

    After ``lockout_failures`` failures in a row the account is locked for ``lockout_minutes``;
    while locked even the right password is refused. A user with a second factor who sent no code
    gets ``auth.otp_required``; a wrong code counts as a failure. Every outcome is audited.
    """
    settings = settings_of(session)
    with transaction(session):
        user = session.scalar(select(User).where(User.username == username.strip()))
        now = utcnow()
        refusal: DomainError | None = None
        if user is None or not user.active:
            audit.record(
                session,
                "login.failed",
                username=username[:60],
                client=client,
                changes={"reason": [None, "unknown user"]},
            )
            refusal = Unauthenticated()
        elif user.locked_until and user.locked_until > now:
            audit.record(session, "login.locked", user_id=user.id, username=user.username, client=client)
            refusal = _locked(settings.lockout_minutes)
        elif not _verify(session, user.password_hash, password):
            refusal = _fail(session, user, now, client, "bad password")
        elif user.totp_enabled_at is not None and not otp:
            refusal = _otp_required()
        elif user.totp_enabled_at is not None and not second_factor.check_login_code(session, user, otp):
            refusal = _fail(session, user, now, client, "bad second factor")
        else:
            user.failed_logins = 0
            user.locked_until = None
            user.last_login_at = now
            audit.record(session, "login", user_id=user.id, username=user.username, client=client)
            return user
    # The failure is recorded and committed first, then refused.
    raise refusal


def _fail(session: Session, user: User, now: datetime, client: str, reason: str) -> DomainError:
    settings = settings_of(session)
    user.failed_logins += 1
    if user.failed_logins >= settings.lockout_failures:
        user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
        user.failed_logins = 0
        audit.record(session, "user.lock", user_id=user.id, username=user.username, client=client)
    audit.record(
        session,
        "login.failed",
        user_id=user.id,
        username=user.username,
        client=client,
        changes={"reason": [None, reason]},
    )
    return Unauthenticated()


def _locked(minutes: int) -> Invalid:
    error = Invalid(
        "auth.locked", "Too many failed attempts; the account is locked for {minutes} minutes.", minutes=minutes
    )
    error.status = 403
    return error


def _otp_required() -> Invalid:
    error = Invalid("auth.otp_required", "Enter the 6-digit code from your authenticator app.", "otp")
    error.status = 401
    return error


def _verify(session: Session, password_hash: str, password: str) -> bool:
    try:
        return hasher_of(session).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def sign_in_stage(session: Session, user: User) -> str:
    """Return what a signed-in user must do before anything else: ``password``, ``enrol`` or ``""``.

    ``password``: a first sign-in, an administrator's reset, or a password older than the
    setting allows (demo accounts excepted). ``enrol``: an administrator or supervisor without a
    second factor where the setting requires one.
    """
    settings = settings_of(session)
    if not user.is_demo:
        if user.must_change_password:
            return "password"
        age = settings.password_max_age_days
        if age and user.password_changed_at and utcnow() - user.password_changed_at > timedelta(days=age):
            return "password"
    if settings.second_factor_required and user.totp_enabled_at is None:
        roles = set(session.scalars(select(Assignment.role).where(Assignment.user_id == user.id)))
        if roles & SECOND_FACTOR_ROLES:
            return "enrol"
    return ""


def change_password(session: Session, scope: Scope, current: str, new: str) -> User:
    """Set a new password after checking the current one; every other session of the user ends.

    Refuses a wrong current password, the same password again and one the policy refuses.
    """
    check_password(new, scope.username)
    with transaction(session):
        user = session.get(User, scope.user_id)
        if user is None:
            raise Unauthenticated()
        if not _verify(session, user.password_hash, current):
            raise Invalid("password.current_wrong", "The current password is wrong.", "current")
        if _verify(session, user.password_hash, new):
            raise Invalid("password.unchanged", "Choose a password different from the current one.", "password")
        user.password_hash = hasher_of(session).hash(new)
        user.password_changed_at = utcnow()
        user.must_change_password = False
        user.session_version += 1
        audit.record(
            session,
            "password.change",
            user_id=user.id,
            username=user.username,
            client=scope.client,
            entity="user",
            entity_id=user.id,
        )
        return user


def reset_password(session: Session, scope: Scope, user_id: int, temporary: str) -> None:
    """Give a user in the administrator's reach a temporary password they must change at next sign-in."""
    check_password(temporary, "")
    with transaction(session):
        user = _user_in_reach(session, scope, user_id)
        user.password_hash = hasher_of(session).hash(temporary)
        user.must_change_password = True
        user.failed_logins, user.locked_until = 0, None
        user.session_version += 1
        audit.record(
            session,
            "password.reset",
            user_id=scope.user_id,
            username=scope.username,
            client=scope.client,
            entity="user",
            entity_id=user.id,
        )


def _user_in_reach(session: Session, scope: Scope, user_id: int) -> User:
    """Return a user all of whose roles lie within the caller's user-management reach."""
    user = session.get(User, user_id)
    paths = session.scalars(
        select(Area.path).join(Assignment, Assignment.area_id == Area.id).where(Assignment.user_id == user_id)
    ).all()
    if user is None or not paths or not all(scope.reaches(USER_MANAGE, p) for p in paths):
        raise NotFound("user")
    return user


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


def user_of(session: Session, scope: Scope) -> User:
    """Return the account behind ``scope``."""
    user = session.get(User, scope.user_id)
    if user is None:
        raise Unauthenticated()
    return user
