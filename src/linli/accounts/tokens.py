"""Session tokens: signed (itsdangerous), carrying the user, their session version and the sign-in time.

The same token is the web session cookie and the API bearer token.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "linli_session"


@dataclass(frozen=True)
class SessionClaims:
    user_id: int
    version: int
    signed_in: int  # unix seconds
    # What the user must do before anything else: "" (nothing), "password" or "enrol".
    stage: str = ""


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="linli.session")


def issue(secret: str, user_id: int, version: int, signed_in: int | None = None, stage: str = "") -> str:
    """Return a token for the user; re-issuing keeps ``signed_in`` so the absolute timeout holds."""
    return _serializer(secret).dumps([user_id, version, signed_in or int(time.time()), stage])


def read(secret: str, token: str, idle_seconds: int, max_seconds: int) -> SessionClaims | None:
    """Return the claims of a token signed within ``idle_seconds`` and first issued within ``max_seconds``.

    Returns None for a forged, idle or expired token.
    """
    try:
        user_id, version, signed_in, stage = _serializer(secret).loads(token, max_age=idle_seconds)
    except (BadSignature, ValueError, TypeError):
        return None
    if time.time() - signed_in > max_seconds:
        return None
    return SessionClaims(int(user_id), int(version), int(signed_in), str(stage))
