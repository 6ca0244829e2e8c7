"""Importing a ledger: every row read, checked, matched to the registry on its ID number, and written.

An import is one transaction: all valid rows or nothing (the default, when any row is refused), or
with ``partial`` the valid rows and a report of the rest. A process killed half-way leaves nothing,
and the same file imported twice changes nothing the second time. A dry run decides exactly as an
import would and writes nothing.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from linli.accounts.permissions import LEDGER_IMPORT, Scope
from linli.audit import services as audit
from linli.db.engine import transaction
from linli.errors import DomainError
from linli.ledger import matching
from linli.ledger.checking import TagBook, check_fields, place_row, refuse_duplicates
from linli.ledger.columns import BY_FIELD
from linli.ledger.normalise import LedgerRow, normalise
from linli.ledger.places import Grids
from linli.ledger.reading import Ledger, open_ledger
from linli.runtime import cipher_of

Progress = Callable[[str, int, int], None]
STEP = 2000  # rows between progress reports


def _silent(stage: str, done: int, total: int) -> None:
    """Report nothing."""


@dataclass(frozen=True)
class Rejection:
    """One reason a row was refused: its sheet row, the column (Chinese header), code and message."""

    line: int
    column: str
    code: str
    zh: str
    en: str


@dataclass
class ImportResult:
    """What an import did (or, for a dry run or a refused file, would do)."""

    file_name: str
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    buildings: int = 0
    households: int = 0
    committed: bool = False
    dry_run: bool = False
    partial: bool = False
    unknown_columns: tuple[str, ...] = ()
    rejections: list[Rejection] = field(default_factory=list)

    def reasons(self) -> dict[int, tuple[str, str]]:
        """Return, for each refused row, its reasons joined in Chinese and in English."""
        zh: dict[int, list[str]] = {}
        en: dict[int, list[str]] = {}
        for r in self.rejections:
            zh.setdefault(r.line, []).append(f"{r.column}：{r.zh}" if r.column else r.zh)
            en.setdefault(r.line, []).append(f"{r.column}: {r.en}" if r.column else r.en)
        return {line: ("；".join(zh[line]), "; ".join(en[line])) for line in zh}


def _rejection(line: int, error: DomainError) -> Rejection:
    column = BY_FIELD[error.field].header if error.field in BY_FIELD else ""
    return Rejection(line, column, error.code, error.text("zh"), error.text("en"))


def read_rows(ledger: Ledger, progress: Progress) -> list[LedgerRow]:
    """Return every non-blank row of ``ledger`` normalised and its person fields checked."""
    index = ledger.columns.index
    rows: list[LedgerRow] = []
    progress("checking", 0, ledger.total)
    for line, values in ledger.rows():
        width = len(values)
        cells = {name: values[at] for name, at in index.items() if at < width}
        row = normalise(line, cells)
        check_fields(row)
        rows.append(row)
        if len(rows) % STEP == 0:
            progress("checking", len(rows), ledger.total)
    return rows


_pauses = 0
_pauses_lock = threading.Lock()


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block (reference counting still frees memory).

    A 100,000-row import allocates millions of objects and makes next to no reference cycles, yet
    the collector keeps walking the growing heap: ~7 % of the import's time. Nested and concurrent
    pauses are counted, so the collector comes back when the last one ends.
    """
    global _pauses
    with _pauses_lock:
        _pauses += 1
        gc.disable()
    try:
        yield
    finally:
        with _pauses_lock:
            _pauses -= 1
            if _pauses == 0:
                gc.enable()


def import_ledger(
    session: Session,
    scope: Scope,
    path: Path,
    *,
    file_name: str = "",
    dry_run: bool = False,
    partial: bool = False,
    progress: Progress | None = None,
    job_id: int | None = None,
) -> ImportResult:
    """Return what importing the ledger in ``path`` into the caller's grids did, row by row.

    Refuses (``Invalid``) a file that cannot be read or has no 姓名 header; refuses rows one by one
    with their reasons; refuses (``Conflict``) to write when the registry changed under the plan.
    Progress is reported as ``(stage, done, total)`` while rows are read and checked (``checking``),
    matched (``matching``) and prepared (``preparing``), and once (``writing``) before the write
    transaction starts; nothing is reported inside it, so a progress writer on another connection
    never waits for the import's own lock.
    """
    scope.require(LEDGER_IMPORT)
    with cyclic_gc_paused():
        return _import(session, scope, path, file_name or path.name, dry_run, partial, progress or _silent, job_id)


def _import(
    session: Session,
    scope: Scope,
    path: Path,
    name: str,
    dry_run: bool,
    partial: bool,
    report: Progress,
    job_id: int | None,
) -> ImportResult:
    """Return the result of one import (``import_ledger`` checks the permission and pauses the collector)."""
    report("reading", 0, 0)
    ledger = open_ledger(path, name)
    result = ImportResult(name, dry_run=dry_run, partial=partial, unknown_columns=ledger.columns.unknown)
    rows = read_rows(ledger, report)
    result.total = len(rows)
    grids, tags = Grids(session, scope, LEDGER_IMPORT), TagBook(session, scope)
    for row in rows:
        if row.grid_id is None:
            place_row(row, grids)
        tags.resolve(row)
    refuse_duplicates(rows, cipher_of(session))
    report("matching", result.total, result.total)
    try:
        plan = matching.plan(session, scope, rows, tags)
    finally:
        session.rollback()  # end the read: the write below starts afresh and takes the write lock
    _count(result, rows, plan)
    if dry_run:
        return result
    write = result.rejected == 0 or partial
    if write:
        plan.prepare(session, report)
    report("writing", result.total, result.total)
    with transaction(session):
        created_ids: list[int] = []
        if write:
            plan.check_fresh(session)
            created_ids = plan.apply(session, scope)
            result.committed = True
        audit.record(
            session,
            "ledger.import",
            user_id=scope.user_id,
            username=scope.username,
            client=scope.client,
            entity="ledger_import",
            entity_id=job_id or "",
            changes={
                "file": [None, name],
                "rows": [None, result.total],
                "created": [None, result.created if result.committed else 0],
                "updated": [None, result.updated if result.committed else 0],
                "unchanged": [None, result.unchanged],
                "rejected": [None, result.rejected],
                "committed": [None, result.committed],
                "partial": [None, partial],
                "resident_ids": [None, id_ranges(created_ids)],
            },
        )
    report("done", result.total, result.total)
    return result


def _count(result: ImportResult, rows: list[LedgerRow], plan: matching.Plan) -> None:
    for row in rows:
        for error in row.errors:
            result.rejections.append(_rejection(row.line, error))
    result.rejected = sum(1 for row in rows if row.errors)
    result.created, result.updated, result.unchanged = len(plan.creates), len(plan.changes), plan.unchanged
    result.buildings, result.households = plan.homes.counts


def id_ranges(ids: list[int]) -> str:
    """Return ids as compact ranges: ``[1, 2, 3, 7]`` → ``"1-3,7"``."""
    parts: list[str] = []
    for i in sorted(ids):
        if parts and i == _last(parts[-1]) + 1:
            parts[-1] = f"{parts[-1].split('-')[0]}-{i}"
        else:
            parts.append(str(i))
    return ",".join(parts)


def _last(part: str) -> int:
    return int(part.rsplit("-", 1)[-1])
