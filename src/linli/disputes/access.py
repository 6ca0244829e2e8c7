"""Who may see a dispute, who may read its parties' names, who may mediate and keep it.

- The parties' names (and whatever names people: the mediation sessions, the agreement) are read by the
  dispute's mediators and by holders of ``DISPUTES_READ`` at or above its area (the community's
  secretary, administrators).
- Holders of ``DISPUTES_REPORT`` there (grid workers, staff) see that it exists and its state, not who.
- Mediating (sessions, outcome, follow-up) is for its mediators and ``DISPUTES_MANAGE`` holders; closing
  and naming mediators only for ``DISPUTES_MANAGE`` holders.
- Anyone else: ``NotFound``, so its existence stays hidden. Supervisors and dashboards only count.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from linli.accounts.permissions import DISPUTES_MANAGE, DISPUTES_READ, DISPUTES_REPORT, Scope
from linli.areas.models import Area
from linli.disputes.models import Dispute, DisputeMediator
from linli.errors import Forbidden, NotFound


@dataclass(frozen=True)
class Reach:
    """What one reader may do with one dispute."""

    dispute: Dispute
    area_path: str
    mediator: bool
    names: bool
    mediate: bool
    manage: bool


def can_register(scope: Scope) -> bool:
    return scope.can(DISPUTES_REPORT) or scope.can(DISPUTES_READ) or scope.can(DISPUTES_MANAGE)


def visible(scope: Scope) -> ColumnElement[bool]:
    """Return the condition on ``Dispute`` of the disputes the caller may see listed."""
    mine = Dispute.id.in_(select(DisputeMediator.dispute_id).where(DisputeMediator.user_id == (scope.user_id or 0)))
    return or_(scope.filter(DISPUTES_REPORT, Dispute.area_id), scope.filter(DISPUTES_READ, Dispute.area_id), mine)


def reach(session: Session, scope: Scope, dispute_id: int, *, lock: bool = False) -> Reach:
    """Return the caller's reach over a dispute, or raise ``NotFound`` when they may not even see it."""
    query = select(Dispute, Area.path).join(Area, Area.id == Dispute.area_id).where(Dispute.id == dispute_id)
    row = session.execute(query.with_for_update(of=Dispute) if lock else query).first()
    if row is None:
        raise NotFound("dispute")
    dispute, path = row
    mediator = scope.user_id is not None and (
        session.scalar(
            select(DisputeMediator.user_id).where(
                DisputeMediator.dispute_id == dispute.id, DisputeMediator.user_id == scope.user_id
            )
        )
        is not None
    )
    names = mediator or scope.reaches(DISPUTES_READ, path)
    if not (names or scope.reaches(DISPUTES_REPORT, path)):
        raise NotFound("dispute")
    manage = scope.reaches(DISPUTES_MANAGE, path)
    return Reach(dispute, path, mediator, names, mediator or manage, manage)


def require_names(r: Reach) -> None:
    """Raise ``Forbidden`` unless the reader may read the parties' names (they know the dispute exists)."""
    if not r.names:
        raise Forbidden(
            "Only the dispute's mediators and the community's secretary see the parties.", "dispute.names_hidden"
        )


def require_mediate(r: Reach) -> None:
    if not r.mediate:
        raise Forbidden(
            "Only the dispute's mediators and those who keep the register may do this.", "dispute.not_mediator"
        )


def require_manage(r: Reach) -> None:
    if not r.manage:
        raise Forbidden("Only those who keep the dispute register may do this.", "dispute.not_keeper")
