"""Who a ledger command acts as: a named user's reach, or the system over every area (the CLI)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.permissions import Holding, Scope
from linli.accounts.services import load_scope
from linli.areas.models import Area
from linli.errors import Invalid

SYSTEM_NAME = "cli"


def acting_scope(session: Session, username: str | None) -> Scope:
    """Return the reach of ``username``, or without one an administrator's reach over every top area.

    The second acts as no account and is audited as ``cli``. Refuses an unknown or inactive user.
    """
    if username:
        user = session.scalar(select(User).where(User.username == username.strip()))
        if user is None or not user.active:
            raise Invalid("ledger.user_unknown", "There is no active user {username}.", "user", username=username)
        return load_scope(session, user.id, user.session_version, SYSTEM_NAME)
    roots = session.execute(select(Area.id, Area.path, Area.name).where(Area.parent_id.is_(None))).all()
    return Scope(None, SYSTEM_NAME, SYSTEM_NAME, tuple(Holding("admin", i, p, n) for i, p, n in roots), SYSTEM_NAME)
