"""The events through the API."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from linli.web.deps import current_scope

router = APIRouter(prefix="/api/v1", tags=["events"], dependencies=[Depends(current_scope)])
