"""Enrolling and checking the second factor (TOTP, with one-time recovery codes)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from linli.accounts import mfa
from linli.accounts.models import RecoveryCode, User
from linli.accounts.permissions import Scope
from linli.audit import services as audit
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import Invalid, Unauthenticated
from linli.runtime import cipher_of


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str
    qr_svg: str


def start_enrolment(session: Session, scope: Scope) -> Enrolment:
    """Return the secret being set up with its QR code (a new one unless one is pending).

    It takes effect only once a code from it is confirmed.
    """
    with transaction(session):
        user = _me(session, scope)
        if user.totp_enabled_at is not None:
            raise Invalid("mfa.already_enrolled", "A second factor is already set up for this account.")
        if user.totp_secret_enc is None:
            user.totp_secret_enc = cipher_of(session).encrypt(mfa.new_secret())
        secret = cipher_of(session).decrypt(user.totp_secret_enc)
        uri = mfa.provisioning_uri(secret, user.username)
        return Enrolment(secret, uri, mfa.qr_svg(uri))


def confirm_enrolment(session: Session, scope: Scope, code: str) -> list[str]:
    """Turn the second factor on after a correct code; return the recovery codes, shown this once."""
    with transaction(session):
        user = _me(session, scope)
        if user.totp_secret_enc is None or user.totp_enabled_at is not None:
            raise Invalid("mfa.not_started", "Start setting up the second factor first.")
        step = mfa.verify(cipher_of(session).decrypt(user.totp_secret_enc), code)
        if step is None:
            raise Invalid("mfa.bad_code", "The code is not right; check the time on your phone and try again.", "code")
        user.totp_enabled_at, user.totp_last_step = utcnow(), step
        codes = mfa.new_recovery_codes()
        session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(session, c)) for c in codes)
        audit.record(
            session,
            "mfa.enrol",
            user_id=user.id,
            username=user.username,
            client=scope.client,
            entity="user",
            entity_id=user.id,
        )
        return codes


def check_login_code(session: Session, user: User, code: str) -> bool:
    """Return whether ``code`` is the current TOTP code or an unused recovery code (then used up).

    Runs inside the caller's sign-in transaction; a TOTP code is accepted once only.
    """
    if user.totp_secret_enc is None:
        return False
    step = mfa.verify(cipher_of(session).decrypt(user.totp_secret_enc), code, user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        return True
    spare = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(session, code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if spare is None:
        return False
    spare.used_at = utcnow()
    audit.record(
        session, "mfa.recovery_code_used", user_id=user.id, username=user.username, entity="user", entity_id=user.id
    )
    return True


def _hash(session: Session, code: str) -> str:
    return cipher_of(session).blind_index("recovery:" + code.strip().lower())


def _me(session: Session, scope: Scope) -> User:
    user = session.get(User, scope.user_id)
    if user is None:
        raise Unauthenticated()
    return user
