"""Rate limits per client address, for sign-in and for the public forms.

slowapi's decorator fixes its limits at import time; linli reads them from settings per app, so it
uses slowapi's engine, the ``limits`` package, directly: a moving window kept in the process (one
`linli serve`), or in Redis with ``LINLI_RATE_LIMIT_STORAGE=redis://…`` when several run.
"""

from __future__ import annotations

from fastapi import Request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from linli.errors import DomainError
from linli.web.deps import client_of, get_runtime


class TooManyRequests(DomainError):
    status = 429

    def __init__(self) -> None:
        super().__init__("rate_limited", "Too many attempts from this address; wait a minute and try again.")


def _limiter(request: Request) -> MovingWindowRateLimiter:
    state = request.app.state
    if not hasattr(state, "rate_limiter"):
        state.rate_limiter = MovingWindowRateLimiter(
            storage_from_string(get_runtime(request).settings.rate_limit_storage)
        )
    return state.rate_limiter


def check(request: Request, bucket: str, limit: str) -> None:
    """Count one attempt of the client at ``bucket``; raise ``TooManyRequests`` past ``limit`` ("20/minute")."""
    if not _limiter(request).hit(parse(limit), bucket, client_of(request)):
        raise TooManyRequests()


def login_limit(request: Request) -> None:
    """The dependency that rate-limits sign-in per client address."""
    check(request, "login", get_runtime(request).settings.login_rate_limit)
