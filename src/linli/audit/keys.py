"""Re-encrypting every personal field under a new data key (``linli keys rotate``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import DeclarativeBase, Session

from linli.audit import services as audit
from linli.db.base import ENCRYPTED
from linli.db.engine import transaction
from linli.runtime import cipher_of

BATCH = 1000


@dataclass(frozen=True)
class EncryptedColumns:
    """A table's encrypted columns: ``(ciphertext column, blind-index column or None)`` pairs."""

    model: Any
    pairs: tuple[tuple[str, str | None], ...]


def encrypted_columns(base: type[DeclarativeBase]) -> list[EncryptedColumns]:
    """Return every mapped table with columns marked ``encrypted(...)``, in table order.

    Each module marks its own columns; the caller passes the base whose models are all imported
    (``linli.migrations.models.Base``), so a new encrypted column is rotated without being listed here.
    """
    found: list[EncryptedColumns] = []
    for mapper in sorted(base.registry.mappers, key=lambda m: str(m.class_.__tablename__)):
        pairs = tuple(
            (column.key, column.info[ENCRYPTED] or None) for column in mapper.columns if ENCRYPTED in column.info
        )
        if pairs:
            found.append(EncryptedColumns(mapper.class_, pairs))
    return found


def rotate(
    session: Session, base: type[DeclarativeBase], progress: Callable[[str, int, int], None] | None = None
) -> int:
    """Rewrite every encrypted value under the current key; return how many rows changed.

    Each batch is its own transaction, so an interrupted run resumes where it stopped: values
    already under the current key are skipped. A row changed by someone meanwhile is left alone
    (it was just written under the current key anyway).
    """
    cipher = cipher_of(session)
    changed = 0
    for table in encrypted_columns(base):
        model, columns = table.model, [c for c, _ in table.pairs]
        total = session.scalar(select(func.count()).select_from(model)) or 0
        done, last_id = 0, 0
        while True:
            rows = session.execute(
                select(model.id, *[getattr(model, c) for c in columns])
                .where(model.id > last_id)
                .order_by(model.id)
                .limit(BATCH)
            ).all()
            if not rows:
                break
            with transaction(session):
                for row in rows:
                    values: dict[str, str] = {}
                    for (column, index), stored in zip(table.pairs, row[1:], strict=True):
                        if stored and not cipher.is_current(stored):
                            plain = cipher.decrypt(stored)
                            values[column] = cipher.encrypt(plain)
                            if index:
                                values[index] = cipher.blind_index(plain)
                    if values:
                        unchanged = [
                            getattr(model, c).is_not_distinct_from(v) for c, v in zip(columns, row[1:], strict=True)
                        ]
                        statement = update(model).where(model.id == row[0], *unchanged).values(**values)
                        result = cast(CursorResult[Any], session.execute(statement))
                        changed += result.rowcount or 0
            last_id = rows[-1][0]
            done += len(rows)
            if progress:
                progress(model.__tablename__, done, total)
    with transaction(session):
        audit.record(session, "keys.rotate", username="cli", changes={"rows": [None, changed]})
    return changed
