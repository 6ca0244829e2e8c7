"""The demo's visit rules for houses and care grades: a vacant house's monthly check, a red household's weekly call.

The houses themselves (every status, owners, tenancies of rented houses) and the care grades are written with
the households (``synth.rows``); this adds, to every community of the demo, the two rules that read them —
as data, like every rule — and moves the rhythm of the households they pick.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from linli.areas.models import Area
from linli.db.engine import transaction
from linli.registry.models import House, Household
from linli.visits.models import VisitRule
from linli.visits.rhythm import recompute_rhythm
from linli.visits.rules import ensure_default_policy

# (name, condition, value, contact every, visit every): placed before the community's catch-all rule.
RULES = (
    ("红色关爱户", "care_grade", "red", 7, 14),
    ("空置房屋巡查", "house_status", "vacant", None, 30),
)


def grow_houses(session: Session, seed: int) -> int:
    """Give every community with households the house and care-grade rules; return how many rules were added.

    Idempotent: a community that has a rule of that name keeps it. ``seed`` is unused (nothing is drawn).
    """
    del seed
    added = 0
    with transaction(session):
        grids = select(Household.area_id).distinct()
        communities = list(session.scalars(select(Area.parent_id).where(Area.id.in_(grids)).distinct()))
        for community in sorted(c for c in communities if c is not None):
            ensure_default_policy(session, community)
            names = set(session.scalars(select(VisitRule.name).where(VisitRule.community_id == community)))
            last = session.scalar(
                select(func.max(VisitRule.position)).where(
                    VisitRule.community_id == community, VisitRule.condition != "everyone"
                )
            )
            for offset, (name, condition, value, contact, visit) in enumerate(RULES, start=1):
                if name in names:
                    continue
                session.add(
                    VisitRule(
                        community_id=community,
                        position=(last or 0) + offset,
                        name=name,
                        condition=condition,
                        value=value,
                        contact_every_days=contact,
                        visit_every_days=visit,
                    )
                )
                added += 1
        session.flush()
        picked = select(Household.id).outerjoin(House, House.id == Household.house_id)
        picked = picked.where(or_(House.status == "vacant", Household.care_grade == "red"))
        recompute_rhythm(session, list(session.scalars(picked)))
    return added
