"""Seeing a resident's ID and phone number in full: a permission of its own, with a reason, audited."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.permissions import UNMASK, Scope
from linli.areas.models import Area
from linli.audit import services as audit
from linli.db.engine import transaction
from linli.errors import DomainError, Invalid, NotFound
from linli.lib import phone
from linli.registry.models import Resident
from linli.runtime import cipher_of


class UnmaskIn(BaseModel):
    reason: str = Field("", max_length=200)


class UnmaskedOut(BaseModel):
    id_number: str | None
    phone: str | None


def unmask_resident(session: Session, scope: Scope, resident_id: int, reason: str) -> UnmaskedOut:
    """Return the resident's ID number and phone in full, and record who saw them and why.

    A caller without the unmask permission where the resident lives gets ``NotFound`` (the resident's
    existence stays hidden), and the attempt is recorded all the same.
    """
    reason = reason.strip()
    refusal: DomainError | None = None
    with transaction(session):
        row = session.execute(
            select(Resident, Area.path).join(Area, Area.id == Resident.area_id).where(Resident.id == resident_id)
        ).first()
        if row is None or not scope.reaches(UNMASK, row[1]):
            audit.record(
                session,
                "resident.unmask_refused",
                user_id=scope.user_id,
                username=scope.username,
                client=scope.client,
                entity="resident",
                entity_id=resident_id,
                changes={"reason": [None, reason]},
            )
            refusal = NotFound("resident")
        elif not reason:
            refusal = Invalid("resident.unmask_reason", "A reason is required to see personal data in full.", "reason")
        else:
            resident = row[0]
            cipher = cipher_of(session)
            audit.record(
                session,
                "resident.unmask",
                user_id=scope.user_id,
                username=scope.username,
                client=scope.client,
                entity="resident",
                entity_id=resident.id,
                area_id=resident.area_id,
                changes={"reason": [None, reason]},
            )
            return UnmaskedOut(
                id_number=cipher.decrypt(resident.id_number_enc) if resident.id_number_enc else None,
                phone=phone.national(cipher.decrypt(resident.phone_enc)) if resident.phone_enc else None,
            )
    raise refusal
