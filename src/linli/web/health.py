"""The health probe: is the database reachable, which kind, which schema revision."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from fastapi import APIRouter, Request

from linli.web.deps import SessionDep, get_runtime

router = APIRouter(prefix="/api/v1", tags=["health"])


@router.get("/health")
def health(request: Request, session: SessionDep) -> dict[str, str | None]:
    """Return ``{"status": "ok", "database": "sqlite"|"postgresql", "schema": revision}``."""
    revision = "+".join(sorted(MigrationContext.configure(session.connection()).get_current_heads())) or None
    return {"status": "ok", "database": get_runtime(request).settings.database_kind, "schema": revision}
