"""The visit policy as data: a community's ordered rules, the defaults, and households' own rhythms."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.accounts.permissions import READ, Scope
from linli.areas.models import Area
from linli.audit import services as audit
from linli.db.engine import transaction
from linli.errors import DomainError, Invalid, NotFound, ValidationErrors
from linli.registry.models import CARE_GRADES, HOUSE_STATUSES, Household, Tag
from linli.visits import rhythm
from linli.visits.models import CONDITIONS, HouseholdCadence, VisitRule
from linli.visits.permissions import can_edit_policy, require_policy
from linli.visits.rules import MAX_INTERVAL, ensure_default_policy
from linli.visits.schemas import CadenceIn, CadenceOut, PolicyOut, RuleIn, RuleOut, RuleUpdate


def _community(session: Session, scope: Scope, community_id: int) -> Area:
    """Return a community the caller reaches, or one of whose grids they work in (its rules apply to them)."""
    area = session.get(Area, community_id)
    if area is None or area.level != "community":
        raise NotFound("area")
    if not scope.reaches(READ, area.path) and not any(p.startswith(area.path) for p in scope.paths(READ)):
        raise NotFound("area")
    return area


def _out(rule: VisitRule) -> RuleOut:
    return RuleOut.model_validate(rule, from_attributes=True)


def get_policy(session: Session, scope: Scope, community_id: int) -> PolicyOut:
    """Return a community's rules in order, seeding the defaults the first time."""
    area = _community(session, scope, community_id)
    if session.scalar(select(VisitRule.id).where(VisitRule.community_id == community_id).limit(1)) is None:
        with transaction(session):
            ensure_default_policy(session, community_id)
    rules = session.scalars(
        select(VisitRule).where(VisitRule.community_id == community_id).order_by(VisitRule.position, VisitRule.id)
    ).all()
    return PolicyOut(
        community_id=area.id,
        community=area.name,
        editable=can_edit_policy(scope, area.path),
        rules=[_out(r) for r in rules],
    )


def _validate(session: Session, condition: str, value: str, contact: int | None, visit: int | None) -> str:
    """Return the rule's value in its stored form, or raise every problem at once."""
    problems: list[DomainError] = []
    value = value.strip()
    if condition not in CONDITIONS:
        problems.append(
            Invalid("visits.rule_condition", "Unknown condition {condition}.", "condition", condition=condition)
        )
    elif condition == "tag":
        if not session.scalar(select(Tag.id).where(Tag.code == value, Tag.active.is_(True))):
            problems.append(Invalid("visits.rule_tag", "Choose a tag.", "value"))
    elif condition == "min_age":
        if not value.isdigit() or not 0 < int(value) <= 150:
            problems.append(Invalid("visits.rule_age", "The age is a whole number from 1 to 150.", "value"))
        else:
            value = str(int(value))
    elif condition == "kind":
        if value not in ("01", "02", "03"):
            problems.append(Invalid("visits.rule_kind", "Choose a registration kind.", "value"))
    elif condition == "house_status":
        if value not in HOUSE_STATUSES:
            problems.append(Invalid("visits.rule_house_status", "Choose a house status.", "value"))
    elif condition == "care_grade":
        if value not in CARE_GRADES:
            problems.append(Invalid("visits.rule_care_grade", "Choose a care grade: red, yellow or blue.", "value"))
    else:
        value = ""
    for field, every in (("contact_every_days", contact), ("visit_every_days", visit)):
        if every is not None and not 1 <= every <= MAX_INTERVAL:
            problems.append(
                Invalid("visits.rule_interval", "An interval is from 1 to {most} days.", field, most=MAX_INTERVAL)
            )
    if contact is None and visit is None:
        problems.append(
            Invalid("visits.rule_empty", "Give a contact interval, a visit interval, or both.", "visit_every_days")
        )
    if problems:
        raise ValidationErrors(problems)
    return value


def _affected(session: Session, community_id: int) -> list[int]:
    grids = select(Area.id).where(Area.parent_id == community_id)
    return list(session.scalars(select(Household.id).where(Household.area_id.in_(grids))))


def _snapshot(rule: VisitRule) -> dict[str, object]:
    return {
        "position": rule.position,
        "name": rule.name,
        "condition": rule.condition,
        "value": rule.value,
        "contact_every_days": rule.contact_every_days,
        "visit_every_days": rule.visit_every_days,
        "active": rule.active,
    }


def create_rule(session: Session, scope: Scope, data: RuleIn) -> RuleOut:
    """Add a rule to a community's policy (at the end unless a position is given) and recompute its households."""
    with transaction(session):
        area = _community(session, scope, data.community_id)
        require_policy(scope, area.path)
        ensure_default_policy(session, area.id)
        value = _validate(session, data.condition, data.value, data.contact_every_days, data.visit_every_days)
        last = session.scalar(select(func.max(VisitRule.position)).where(VisitRule.community_id == area.id)) or 0
        rule = VisitRule(
            community_id=area.id,
            position=data.position if data.position is not None else last + 10,
            name=data.name,
            condition=data.condition,
            value=value,
            contact_every_days=data.contact_every_days,
            visit_every_days=data.visit_every_days,
            active=data.active,
        )
        session.add(rule)
        session.flush()
        _audit(session, scope, "visit_rule.create", rule, audit.diff({}, _snapshot(rule)))
        rhythm.recompute_rhythm(session, _affected(session, area.id))
        return _out(rule)


def update_rule(session: Session, scope: Scope, rule_id: int, data: RuleUpdate) -> RuleOut:
    """Change, reorder, disable or enable a rule and recompute the community's households."""
    with transaction(session):
        rule = session.get(VisitRule, rule_id)
        if rule is None:
            raise NotFound("visit_rule")
        area = _community(session, scope, rule.community_id)
        require_policy(scope, area.path)
        before = _snapshot(rule)
        given = data.model_dump(exclude_unset=True)
        merged = {**before, **given}
        value = _validate(
            session,
            str(merged["condition"]),
            str(merged["value"] or ""),
            merged["contact_every_days"],
            merged["visit_every_days"],
        )
        for key, new in given.items():
            setattr(rule, key, new)
        rule.value = value
        changes = audit.diff(before, _snapshot(rule))
        if changes:
            session.flush()
            _audit(session, scope, "visit_rule.update", rule, changes)
            rhythm.recompute_rhythm(session, _affected(session, area.id))
        return _out(rule)


def _audit(session: Session, scope: Scope, action: str, rule: VisitRule, changes: dict[str, list[object]]) -> None:
    audit.record(
        session,
        action,
        user_id=scope.user_id,
        username=scope.username,
        client=scope.client,
        entity="visit_rule",
        entity_id=rule.id,
        area_id=rule.community_id,
        changes=changes,
    )


def _household_path(session: Session, scope: Scope, household_id: int) -> tuple[Household, str]:
    row = session.execute(
        select(Household, Area.path).join(Area, Area.id == Household.area_id).where(Household.id == household_id)
    ).first()
    if row is None or not scope.reaches(READ, row[1]):
        raise NotFound("household")
    return row[0], row[1]


def get_cadence(session: Session, scope: Scope, household_id: int) -> CadenceOut | None:
    """Return a household's own rhythm, or None when the rules decide."""
    _household_path(session, scope, household_id)
    own = session.get(HouseholdCadence, household_id)
    return CadenceOut.model_validate(own, from_attributes=True) if own else None


def set_cadence(session: Session, scope: Scope, household_id: int, data: CadenceIn) -> CadenceOut:
    """Give a household its own rhythm (with a reason), which wins over the rules."""
    with transaction(session):
        _, path = _household_path(session, scope, household_id)
        require_policy(scope, path)
        _validate(session, "everyone", "", data.contact_every_days, data.visit_every_days)
        own = session.get(HouseholdCadence, household_id)
        before = (
            {}
            if own is None
            else {"contact": own.contact_every_days, "visit": own.visit_every_days, "reason": own.reason}
        )
        if own is None:
            own = HouseholdCadence(household_id=household_id)
            session.add(own)
        own.contact_every_days, own.visit_every_days = data.contact_every_days, data.visit_every_days
        own.reason, own.user_id = data.reason, scope.user_id
        session.flush()
        after = {"contact": own.contact_every_days, "visit": own.visit_every_days, "reason": own.reason}
        _audit_household(session, scope, "household_cadence.set", household_id, audit.diff(before, after))
        rhythm.recompute_rhythm(session, [household_id])
        return CadenceOut.model_validate(own, from_attributes=True)


def clear_cadence(session: Session, scope: Scope, household_id: int) -> None:
    """Remove a household's own rhythm; the rules decide again."""
    with transaction(session):
        _, path = _household_path(session, scope, household_id)
        require_policy(scope, path)
        own = session.get(HouseholdCadence, household_id)
        if own is None:
            raise NotFound("household_cadence")
        before = {"contact": own.contact_every_days, "visit": own.visit_every_days, "reason": own.reason}
        session.delete(own)
        session.flush()
        _audit_household(
            session, scope, "household_cadence.clear", household_id, {k: [v, None] for k, v in before.items()}
        )
        rhythm.recompute_rhythm(session, [household_id])


def _audit_household(
    session: Session, scope: Scope, action: str, household_id: int, changes: dict[str, list[object]]
) -> None:
    area_id = session.scalar(select(Household.area_id).where(Household.id == household_id))
    audit.record(
        session,
        action,
        user_id=scope.user_id,
        username=scope.username,
        client=scope.client,
        entity="household",
        entity_id=household_id,
        area_id=area_id,
        changes=changes,
    )
