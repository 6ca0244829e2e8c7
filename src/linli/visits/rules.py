"""A community's rules as the rhythm reads them, and the default policy every community starts with."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.audit import services as audit
from linli.visits.cadence import RuleSpec
from linli.visits.models import VisitRule

# The source's rhythm: close care contact every 3 days and a door visit every 5; other people under
# care monthly; everyone else quarterly.
DEFAULT_RULES = (
    ("重点关爱对象", "close_care", "", 3, 5),
    ("其他关爱对象", "tagged", "", None, 30),
    ("所有住户", "everyone", "", None, 90),
)
# The default rules' names in English: a rule is data (staff rename it), but the defaults are ours.
DEFAULT_NAMES_EN = {"重点关爱对象": "Close care", "其他关爱对象": "Others under care", "所有住户": "Every household"}
MAX_INTERVAL = 366


def rule_specs(session: Session, community_id: int) -> list[RuleSpec]:
    """Return the active rules of a community in order (possibly none)."""
    rows = session.scalars(
        select(VisitRule)
        .where(VisitRule.community_id == community_id, VisitRule.active.is_(True))
        .order_by(VisitRule.position, VisitRule.id)
    ).all()
    return [
        RuleSpec(r.id, r.position, r.name, r.condition, r.value, r.contact_every_days, r.visit_every_days) for r in rows
    ]


def ensure_default_policy(session: Session, community_id: int) -> bool:
    """Give a community the default rules when it has none at all; return whether it did.

    Called inside a write transaction: by the rhythm computation the first time a community's
    households are computed, and by the policy page. A community that disabled every rule keeps them
    disabled (only a community with no rule rows is seeded).
    """
    if session.scalar(select(VisitRule.id).where(VisitRule.community_id == community_id).limit(1)):
        return False
    for position, (name, condition, value, contact, visit) in enumerate(DEFAULT_RULES, start=1):
        session.add(
            VisitRule(
                community_id=community_id,
                position=position * 10,
                name=name,
                condition=condition,
                value=value,
                contact_every_days=contact,
                visit_every_days=visit,
            )
        )
    session.flush()
    audit.record(
        session,
        "visit_rule.seed",
        username="system",
        entity="area",
        entity_id=community_id,
        area_id=community_id,
        changes={"rules": [None, [r[0] for r in DEFAULT_RULES]]},
    )
    return True
