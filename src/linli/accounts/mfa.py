"""The second factor: TOTP (RFC 6238) with a QR code for enrolment, and one-time recovery codes."""

from __future__ import annotations

import hmac
import secrets
import time

import pyotp
import segno

ISSUER = "linli 邻里"
RECOVERY_CODES = 10


def new_secret() -> str:
    """Return a new base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str) -> str:
    """Return the otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """Return the QR code of ``uri`` as an inline SVG document (no network, no image files)."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, dark="#1f2933", light="#ffffff"))


def verify(secret: str, code: str, last_step: int | None = None) -> int | None:
    """Return the time step ``code`` matches (allowing one step of clock drift), or None.

    A step at or before ``last_step`` is refused, so a code cannot be replayed.
    """
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(time.time()) // totp.interval
    for step in (current, current - 1, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Return fresh recovery codes as shown once to the user (``xxxx-xxxx``)."""
    return [f"{secrets.token_hex(2)}-{secrets.token_hex(2)}" for _ in range(RECOVERY_CODES)]
