"""Every column that holds encrypted personal data, and re-encrypting them all under a new data key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from linli.audit import services as audit
from linli.db.engine import transaction
from linli.runtime import cipher_of

BATCH = 1000


@dataclass(frozen=True)
class EncryptedColumns:
    """A table's encrypted columns: ``(ciphertext column, blind-index column or None)`` pairs."""

    model: Any
    pairs: tuple[tuple[str, str | None], ...]


def encrypted_columns() -> list[EncryptedColumns]:
    """Return every table with encrypted columns (a new one is added here, and rotation covers it)."""
    from linli.accounts.models import User
    from linli.ledger.models import LedgerJob
    from linli.needs.models import WorkOrder
    from linli.registry.models import Resident

    return [
        EncryptedColumns(Resident, (("id_number_enc", "id_number_hash"), ("phone_enc", "phone_hash"))),
        EncryptedColumns(WorkOrder, (("requester_phone_enc", "requester_phone_hash"),)),
        EncryptedColumns(User, (("totp_secret_enc", None),)),
        EncryptedColumns(LedgerJob, (("report_enc", None),)),
    ]


def rotate(session: Session, progress: Callable[[str, int, int], None] | None = None) -> int:
    """Rewrite every encrypted value under the current key; return how many rows changed.

    Each batch is its own transaction, so an interrupted run resumes where it stopped: values
    already under the current key are skipped. A row changed by someone meanwhile is left alone
    (it was just written under the current key anyway).
    """
    cipher = cipher_of(session)
    changed = 0
    for table in encrypted_columns():
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
