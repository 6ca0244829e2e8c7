"""Re-encrypting personal fields under a new data key, resumably and while the app keeps serving."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from linli.audit import services as audit
from linli.db.engine import transaction
from linli.registry.models import Resident
from linli.runtime import cipher_of

BATCH = 1000


def rotate_resident_fields(session: Session, progress: Callable[[int, int], None] | None = None) -> int:
    """Rewrite every resident's ID number and phone under the current key; return how many rows changed.

    Each batch is its own transaction, so an interrupted run resumes where it stopped: rows already
    under the current key are skipped. A row changed by someone meanwhile is left alone (it was just
    written under the current key anyway).
    """
    cipher = cipher_of(session)
    total = session.scalar(select(func.count()).select_from(Resident)) or 0
    done, changed, last_id = 0, 0, 0
    while True:
        rows = session.execute(
            select(Resident.id, Resident.id_number_enc, Resident.phone_enc)
            .where(Resident.id > last_id)
            .order_by(Resident.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        with transaction(session):
            for rid, id_enc, phone_enc in rows:
                values: dict[str, str] = {}
                if id_enc and not cipher.is_current(id_enc):
                    number = cipher.decrypt(id_enc)
                    values |= {"id_number_enc": cipher.encrypt(number), "id_number_hash": cipher.blind_index(number)}
                if phone_enc and not cipher.is_current(phone_enc):
                    value = cipher.decrypt(phone_enc)
                    values |= {"phone_enc": cipher.encrypt(value), "phone_hash": cipher.blind_index(value)}
                if values:
                    result = session.execute(
                        update(Resident)
                        .where(
                            Resident.id == rid,
                            Resident.id_number_enc.is_not_distinct_from(id_enc),
                            Resident.phone_enc.is_not_distinct_from(phone_enc),
                        )
                        .values(**values)
                    )
                    changed += result.rowcount or 0
        last_id = rows[-1][0]
        done += len(rows)
        if progress:
            progress(done, total)
    with transaction(session):
        audit.record(session, "keys.rotate", username="cli", entity="resident", changes={"rows": [None, changed]})
    return changed
