"""Ledger payloads: the state of an import job as the API and the page show it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class JobOut(BaseModel):
    """An import job. ``status``: queued, running, done, failed, or interrupted (its process died)."""

    id: int
    file_name: str
    status: str
    stage: str = Field(description="reading, checking, writing, report or done")
    done: int
    total: int
    percent: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    committed: bool = Field(description="Whether rows were written (false for a dry run or a refused file)")
    dry_run: bool
    partial: bool
    unknown_columns: list[str]
    error: str | None
    report_ready: bool
    created_at: datetime
    finished_at: datetime | None
