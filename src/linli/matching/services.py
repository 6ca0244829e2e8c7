"""Matching needs to supply: one need's ranked candidates, a batch proposal solved exactly, accepting it.

Candidates and proposals read the same facts (``facts``) and the same score (``scoring``). A proposal
stores its inputs (every admissible pair's score, every supplier's capacity, the weights, the minimum)
and says for every need left unmatched why; accepting dispatches through the order lifecycle, so each
dispatch is audited, on the timeline and notified like one made by hand.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from linli.accounts.permissions import NEEDS_DISPATCH, NEEDS_READ, SUPPLY_READ, Scope, path_under
from linli.areas.models import Area
from linli.audit import services as audit
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import Conflict, Invalid, NotFound
from linli.i18n import translate
from linli.lib import clock, skills
from linli.matching import batch, facts, inputs, solver
from linli.matching.models import Proposal, ProposalItem
from linli.matching.schemas import AssignmentOut, CandidateOut, ProposalOut, WhyNotOut
from linli.matching.scoring import PART_NAMES, Scored, refusal, score
from linli.needs import lifecycle
from linli.needs.models import Team, WorkOrder
from linli.needs.schemas import TransitionIn
from linli.registry.models import Resident
from linli.resources.models import Resource, ResourceUse
from linli.runtime import settings_of
from linli.volunteers import tasks
from linli.volunteers.models import Volunteer

# Orders waiting for someone: registered (立案) and not yet dispatched, or returned by their handler.
WAITING = ("registered", "returned")
UNMATCHED_REASONS = {
    "category": "Nobody in reach offers this kind of help.",
    "limit": "Everyone who offers it is at their load limit or away.",
    "minimum": "Every candidate scores below the minimum.",
    "taken": "Its candidates went to needs with a higher total.",
}


def reasons(scored: Scored, weights: dict[str, float], locale: str) -> list[str]:
    """Return the words of a score, one per part with its share: "技能 +2.00：…"."""
    lines = []
    for part, (msgid, params) in scored.notes.items():
        share = weights.get(part, 0.0) * scored.parts[part]
        shown = {
            # Skills are named in the reader's language (水电维修, plumbing and wiring), never by their code.
            key: ("、" if locale == "zh" else ", ").join(skills.skill_name(c, locale) for c in value)
            if key == "skills" and isinstance(value, tuple)
            else value
            for key, value in params.items()
        }
        text = translate(msgid, locale).format(**shown)
        lines.append(f"{translate(PART_NAMES[part], locale)} +{share:.2f}: {text}")
    return lines


def candidates(session: Session, scope: Scope, need_id: int, locale: str = "zh", limit: int = 20) -> list[CandidateOut]:
    """Return the best candidates for one order in reach, best first, each with its score and reasons."""
    order = _order_in_reach(session, scope, need_id)
    need = facts.load_needs(session, [order])[0]
    settings = settings_of(session)
    now = utcnow()
    ranked = []
    for supplier in facts.load_suppliers(session, set(need.reach), {need.category_id}):
        if refusal(need, supplier, clock.today()) is None:
            ranked.append((score(need, supplier, settings.match_weights, now), supplier))
    # Equal scores: the one who worked least lately first (the fairness part), then the older record.
    ranked.sort(key=lambda pair: (-pair[0].score, -pair[0].parts["fairness"], pair[1].kind, pair[1].id))
    return [
        CandidateOut(
            kind=s.kind,
            id=s.id,
            name=s.name,
            score=round(sc.score, 3),
            reasons=reasons(sc, settings.match_weights, locale),
        )
        for sc, s in ranked[:limit]
    ]


def propose(session: Session, scope: Scope, area_id: int, locale: str = "zh") -> ProposalOut:
    """Return a stored proposal: the assignment of the area's waiting orders with the highest total score."""
    path = session.scalar(select(Area.path).where(Area.id == area_id))
    if path is None or not scope.reaches(NEEDS_DISPATCH, path) or not scope.reaches(SUPPLY_READ, path):
        raise NotFound("area")
    settings = settings_of(session)
    orders = session.execute(
        select(*facts.ORDER_COLUMNS)
        .join(Area, Area.id == WorkOrder.area_id)
        .where(path_under(Area.path, path), WorkOrder.state.in_(WAITING))
        .order_by(WorkOrder.id)
    ).all()
    needs = facts.load_needs(session, orders)
    reach = {a for n in needs for a in n.reach}
    suppliers = facts.load_suppliers(session, reach, {n.category_id for n in needs})
    now = utcnow()
    pairs = batch.score_pairs(needs, suppliers, settings.match_weights, settings.match_minimum, now, clock.today())
    solution = solver.solve(
        len(needs), [s.capacity for s in suppliers], pairs.needs, pairs.suppliers, pairs.scores, settings.match_minimum
    )
    with transaction(session):
        proposal = Proposal(
            area_id=area_id,
            created_by_id=scope.user_id,
            method=solution.method,
            objective=solution.objective,
            greedy_objective=solution.greedy_objective,
            needs_count=len(needs),
            inputs={
                "weights": settings.match_weights,
                "minimum": settings.match_minimum,
                "needs": [n.order_id for n in needs],
                "suppliers": [[s.kind, s.id, s.capacity] for s in suppliers],
            },
            pairs=inputs.pack(pairs.needs, pairs.suppliers, pairs.scores),
            unmatched={},
        )
        session.add(proposal)
        session.flush()
        unmatched: dict[str, str] = {}
        items: list[dict[str, Any]] = []
        for i, need in enumerate(needs):
            j = int(solution.supplier_of[i])
            if j == solver.UNMATCHED:
                unmatched[str(need.order_id)] = pairs.why.get(i, "taken")
                continue
            supplier = suppliers[j]
            sc = score(need, supplier, settings.match_weights, now)
            items.append(
                {
                    "proposal_id": proposal.id,
                    "order_id": need.order_id,
                    "kind": supplier.kind,
                    "supplier_id": supplier.id,
                    "score": sc.score,
                    "reasons": reasons(sc, settings.match_weights, locale),
                    "state": "proposed",
                    "note": "",
                }
            )
        if items:
            # Core, not the ORM's bulk path: a street's ten thousand rows go in a few multi-row statements.
            session.connection().execute(insert(ProposalItem), items)
        proposal.unmatched = unmatched
        audit.record_by(
            session,
            scope,
            "match.propose",
            entity="match_proposal",
            entity_id=proposal.id,
            area_id=area_id,
            changes={"needs": [None, len(needs)], "matched": [None, len(needs) - len(unmatched)]},
        )
    # What was just written, without reading ten thousand items back.
    return _present(proposal, items, locale)


def get_proposal(session: Session, scope: Scope, proposal_id: int, locale: str = "zh") -> ProposalOut:
    """Return a proposal in reach with its assignments and the needs it left unmatched (with why)."""
    proposal = _proposal_in_reach(session, scope, proposal_id)
    items = session.execute(
        select(
            ProposalItem.order_id,
            ProposalItem.kind,
            ProposalItem.supplier_id,
            ProposalItem.score,
            ProposalItem.reasons,
            ProposalItem.state,
            ProposalItem.note,
        )
        .where(ProposalItem.proposal_id == proposal.id)
        .order_by(ProposalItem.id)
    ).all()
    return _present(proposal, [row._asdict() for row in items], locale)


def _present(proposal: Proposal, items: list[dict[str, Any]], locale: str) -> ProposalOut:
    """Return a proposal and its items (dicts of their columns) as the API shows them."""
    return ProposalOut(
        id=proposal.id,
        area_id=proposal.area_id,
        created_at=proposal.created_at,
        method=proposal.method,
        objective=round(proposal.objective, 3),
        greedy_objective=round(proposal.greedy_objective, 3),
        assignments=[
            AssignmentOut(
                need_id=item["order_id"],
                kind=item["kind"],
                id=item["supplier_id"],
                score=round(item["score"], 3),
                reasons=item["reasons"],
                state=item["state"],
                note=item["note"],
            )
            for item in items
        ],
        unmatched=[int(k) for k in proposal.unmatched],
        unmatched_reasons={int(k): translate(UNMATCHED_REASONS[v], locale) for k, v in proposal.unmatched.items()},
    )


def accept(session: Session, scope: Scope, proposal_id: int, need_ids: list[int], locale: str = "zh") -> ProposalOut:
    """Dispatch the chosen needs of a proposal as proposed; an order dispatched meanwhile is skipped, not redone.

    Each dispatch is its own move through the lifecycle (audited, on the timeline, notified); a volunteer
    who cannot take it now (a clash, a decline) leaves that need skipped with the reason.
    """
    proposal = _proposal_in_reach(session, scope, proposal_id)
    items = {
        item.order_id: item
        for item in session.scalars(select(ProposalItem).where(ProposalItem.proposal_id == proposal.id))
    }
    unknown = [n for n in need_ids if n not in items]
    if unknown:
        raise Invalid(
            "match.not_in_proposal", "Need {need} is not assigned in this proposal.", "need_ids", need=unknown[0]
        )
    for need_id in need_ids:
        item = items[need_id]
        if item.state != "proposed":
            continue
        note = _dispatch(session, scope, item)
        with transaction(session):
            fresh = session.get(ProposalItem, item.id)
            assert fresh is not None
            fresh.state = "accepted" if note is None else "skipped"
            fresh.note = note or ""
            fresh.decided_by_id, fresh.decided_at = scope.user_id, utcnow()
    return get_proposal(session, scope, proposal_id, locale)


def _dispatch(session: Session, scope: Scope, item: ProposalItem) -> str | None:
    """Dispatch one proposed pairing; return None when done, or why it was skipped."""
    order = session.get(WorkOrder, item.order_id)
    if order is None or order.state not in WAITING:
        return "dispatched meanwhile"
    try:
        dispatch_to(session, scope, item.order_id, item.kind, item.supplier_id)
    except (Conflict, Invalid) as refused:
        return refused.code
    return None


def dispatch_to(
    session: Session, scope: Scope, need_id: int, kind: str, supplier_id: int, override: bool = False
) -> None:
    """Dispatch an order to a volunteer (their account), a team, or a resource (its handler, or the caller).

    The move goes through the lifecycle like any dispatch; a resource's use is recorded against its capacity.
    """
    order = _order_in_reach(session, scope, need_id)
    data: dict[str, Any] = {"action": "dispatch", "version": order.version, "override": override}
    proxied: Volunteer | None = None
    if kind == "volunteer":
        volunteer = session.get(Volunteer, supplier_id)
        if volunteer is None or volunteer.status != "active":
            raise NotFound("volunteer")
        if volunteer.user_id is None:
            # No account to receive it: the caller takes the order on the volunteer's behalf (they will
            # phone them), and the volunteer's task follows the caller's moves.
            proxied = volunteer
            data["assignee_user_id"] = scope.user_id
            data["note"] = f"志愿者 {supplier_name(session, volunteer)} 承接（无账号，由工作人员联系）"
        else:
            data["assignee_user_id"] = volunteer.user_id
    elif kind == "team":
        data["team_id"] = supplier_id
    elif kind == "resource":
        resource = session.get(Resource, supplier_id)
        if resource is None:
            raise NotFound("resource")
        data["assignee_user_id"] = resource.handler_user_id or scope.user_id
    else:
        raise Invalid("match.unknown_kind", "Unknown kind of candidate.", "kind")
    if proxied is not None:
        # The volunteers hook offers the task to this volunteer inside the move's transaction, so a refused
        # task (a clash, a decline) leaves the order as it was.
        session.info[tasks.PROXY] = proxied.id
    try:
        lifecycle.transition(session, scope, need_id, TransitionIn(**data))
    finally:
        session.info.pop(tasks.PROXY, None)
    if kind == "resource":
        with transaction(session):
            session.add(ResourceUse(resource_id=supplier_id, order_id=need_id, created_by_id=scope.user_id))


# Why a candidate did not get a need, by ``WhyNotOut.code``.
WHY_NOT = {
    "not_candidate": (
        "Not a candidate: out of reach, not offering this help, at their load limit, away, or below the minimum."
    ),
    "chosen": "This candidate was chosen.",
    "unmatched": "The need stayed unmatched: giving it this candidate would have lowered the total.",
    "outscored": "The need went to {name} (score {chosen} against {score}): a higher total.",
}


def why_not(
    session: Session, scope: Scope, proposal_id: int, need_id: int, kind: str, supplier_id: int, locale: str = "zh"
) -> WhyNotOut:
    """Return why a candidate did not get a need in a proposal (refused, outscored by whom, or left
    unmatched), in ``locale``."""
    proposal = _proposal_in_reach(session, scope, proposal_id)
    stored = proposal.inputs
    try:
        i = stored["needs"].index(need_id)
    except ValueError:
        raise NotFound("need") from None
    index = next((j for j, s in enumerate(stored["suppliers"]) if s[0] == kind and s[1] == supplier_id), None)
    pair_score: float | None = None
    if index is not None:
        needs, suppliers, scores = inputs.unpack(proposal.pairs)
        hit = np.flatnonzero((needs == i) & (suppliers == index))
        pair_score = float(scores[hit[0]]) if hit.size else None
    chosen = session.scalar(
        select(ProposalItem).where(ProposalItem.proposal_id == proposal.id, ProposalItem.order_id == need_id)
    )
    params: dict[str, object] = {}
    if pair_score is None:
        code = "not_candidate"
    elif chosen and chosen.kind == kind and chosen.supplier_id == supplier_id:
        code = "chosen"
    elif chosen:
        code = "outscored"
        params = {
            "name": _name_of(session, chosen.kind, chosen.supplier_id),
            "chosen": f"{chosen.score:.2f}",
            "score": f"{pair_score:.2f}",
        }
    else:
        code = "unmatched"
    answer = translate(WHY_NOT[code], locale).format(**params)
    return WhyNotOut(need_id=need_id, kind=kind, id=supplier_id, score=pair_score, code=code, answer=answer)


def _name_of(session: Session, kind: str, supplier_id: int) -> str:
    """Return a candidate's name: a volunteer's from the registry, a team's or a resource's own."""
    if kind == "volunteer":
        volunteer = session.get(Volunteer, supplier_id)
        return supplier_name(session, volunteer) if volunteer else str(supplier_id)
    model = Team if kind == "team" else Resource
    return session.scalar(select(model.name).where(model.id == supplier_id)) or str(supplier_id)


def _order_in_reach(session: Session, scope: Scope, need_id: int) -> WorkOrder:
    row = session.execute(
        select(WorkOrder, Area.path).join(Area, Area.id == WorkOrder.area_id).where(WorkOrder.id == need_id)
    ).first()
    if row is None or not scope.reaches(NEEDS_READ, row[1]) or not scope.reaches(SUPPLY_READ, row[1]):
        raise NotFound("need")
    return row[0]


def _proposal_in_reach(session: Session, scope: Scope, proposal_id: int) -> Proposal:
    row = session.execute(
        select(Proposal, Area.path).join(Area, Area.id == Proposal.area_id).where(Proposal.id == proposal_id)
    ).first()
    if row is None or not scope.reaches(NEEDS_DISPATCH, row[1]):
        raise NotFound("proposal")
    return row[0]


def supplier_name(session: Session, volunteer: Volunteer) -> str:
    """Return a volunteer's name as the registry has it."""
    return session.scalar(select(Resident.name).where(Resident.id == volunteer.resident_id)) or str(volunteer.id)


def names_of(session: Session, proposal: ProposalOut) -> dict[tuple[str, int], str]:
    """Return ``(kind, id) → name`` for the suppliers of a proposal, and ``("need", id) → title`` for its orders."""
    wanted: dict[str, set[int]] = {"volunteer": set(), "team": set(), "resource": set()}
    for item in proposal.assignments:
        wanted.setdefault(item.kind, set()).add(item.id)
    wanted["need"] = {a.need_id for a in proposal.assignments} | set(proposal.unmatched)
    queries: dict[str, Any] = {
        "volunteer": select(Volunteer.id, Resident.name)
        .join(Resident, Resident.id == Volunteer.resident_id)
        .where(Volunteer.id.in_(wanted["volunteer"])),
        "team": select(Team.id, Team.name).where(Team.id.in_(wanted["team"])),
        "resource": select(Resource.id, Resource.name).where(Resource.id.in_(wanted["resource"])),
        "need": select(WorkOrder.id, WorkOrder.title).where(WorkOrder.id.in_(wanted["need"])),
    }
    names: dict[tuple[str, int], str] = {}
    for kind, query in queries.items():
        if wanted[kind]:
            names.update({(kind, i): name for i, name in session.execute(query)})
    return names
