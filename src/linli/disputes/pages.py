"""The disputes: pages."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from linli.web.deps import current_scope

router = APIRouter(dependencies=[Depends(current_scope)])
