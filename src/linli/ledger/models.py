"""Ledger import jobs: an upload imported in the background, its progress, counts and report.

The state lives in the database so any worker process can answer the page's poll; the report is
kept there (encrypted) for the same reason.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from linli.db.base import Base, UTCDateTime, encrypted, utcnow


class LedgerJob(Base):
    """One import of one file: queued → running (stages reading, checking, writing) → done or failed."""

    __tablename__ = "ledger_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    username: Mapped[str] = mapped_column(String(60), default="")
    file_name: Mapped[str] = mapped_column(String(200))
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    partial: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    stage: Mapped[str] = mapped_column(String(12), default="")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    committed: Mapped[bool] = mapped_column(Boolean, default=False)
    unknown_columns: Mapped[str] = mapped_column(Text, default="")
    error_code: Mapped[str] = mapped_column(String(60), default="")
    # Why a job failed (a file without a header, an unreadable file), in both languages.
    error_zh: Mapped[str] = mapped_column(Text, default="")
    error_en: Mapped[str] = mapped_column(Text, default="")
    report_name: Mapped[str] = mapped_column(String(220), default="")
    # The report copies the uploaded ledger, full ID numbers included: stored encrypted (base64 of the
    # workbook, sealed by the personal-data cipher) like every personal field.
    report_enc: Mapped[str | None] = deferred(mapped_column(Text, info=encrypted()))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
