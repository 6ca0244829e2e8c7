"""Dispute use cases (矛盾纠纷): register, list, read, parties, mediators, sessions, outcome, follow-up, close.

Every function takes the caller's ``Scope`` and asks ``disputes.access`` what it may do: a dispute outside
reach is not found; inside reach but without the names, the parties are left out. Writes are one transaction
each and audited; the trail keeps the parties as ids and phone tails, never names (supervisors read the trail).
A read of the parties' names by someone who is not a mediator of the dispute is audited too
(``dispute.read_parties``): the secretary may look, and the trail says when they did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from linli.accounts.models import Assignment, User
from linli.accounts.permissions import (
    CAPABILITIES,
    DISPUTES_MANAGE,
    DISPUTES_READ,
    DISPUTES_REPORT,
    READ,
    Scope,
)
from linli.areas.models import Area
from linli.areas.services import area_labels
from linli.audit import services as audit
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.db.paging import capped_count
from linli.disputes import access
from linli.disputes.access import Reach
from linli.disputes.models import OPEN_STATES, STATES, Dispute, DisputeMediator, DisputeParty, Mediation
from linli.disputes.schemas import (
    CloseIn,
    DisputeCounts,
    DisputeIn,
    DisputeOut,
    DisputePage,
    DisputeRow,
    FollowUpIn,
    MediationIn,
    MediationOut,
    MediatorOut,
    OutcomeIn,
    PartyIn,
    PartyOut,
)
from linli.errors import Conflict, Forbidden, Invalid, NotFound
from linli.lib import clock, phone
from linli.registry.models import Resident
from linli.runtime import cipher_of
from linli.visits.models import GridLog

# The roles whose holders may be named mediators: those who see the register where the dispute lies.
MEDIATOR_ROLES = tuple(r for r, caps in CAPABILITIES.items() if caps & {DISPUTES_REPORT, DISPUTES_READ})


@dataclass(frozen=True)
class DisputeFilter:
    """What the register is narrowed by: a state (``open`` = registered or mediating), a kind, an area."""

    state: str | None = None
    kind: str | None = None
    area_id: int | None = None


def _stale() -> Conflict:
    return Conflict("dispute.stale", "Someone else changed this dispute meanwhile; reload it and try again.", "version")


def _audit(session: Session, scope: Scope, action: str, dispute: Dispute, changes: dict[str, Any]) -> None:
    audit.record_by(
        session, scope, action, entity="dispute", entity_id=dispute.id, area_id=dispute.area_id, changes=changes
    )


# ---- reading ----------------------------------------------------------------------------------


def _names(session: Session, user_ids: set[int]) -> dict[int, str]:
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    return {uid: name for uid, name in session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))}


def _parties(session: Session, dispute_id: int) -> list[PartyOut]:
    cipher = cipher_of(session)
    rows = session.execute(
        select(DisputeParty, Resident.name, Resident.phone_enc)
        .outerjoin(Resident, Resident.id == DisputeParty.resident_id)
        .where(DisputeParty.dispute_id == dispute_id)
        .order_by(DisputeParty.id)
    ).all()
    out = []
    for p, resident_name, resident_phone in rows:
        stored = p.phone_enc or resident_phone
        out.append(
            PartyOut(
                id=p.id,
                resident_id=p.resident_id,
                name=resident_name or p.name,
                phone=phone.mask(cipher.decrypt(stored)) if stored else None,
                role=p.role,
            )
        )
    return out


def _mediations(session: Session, dispute_id: int) -> list[MediationOut]:
    rows = session.scalars(
        select(Mediation).where(Mediation.dispute_id == dispute_id).order_by(Mediation.held_on, Mediation.id)
    ).all()
    names = _names(session, {m.recorded_by_id or 0 for m in rows})
    return [
        MediationOut(
            id=m.id,
            held_on=m.held_on,
            place=m.place,
            attendees=m.attendees,
            notes=m.notes,
            result=m.result,
            recorded_by=names.get(m.recorded_by_id or 0),
        )
        for m in rows
    ]


def present(session: Session, r: Reach) -> DisputeOut:
    """Return a dispute as its reader may see it: without names, sessions or agreement unless ``r.names``."""
    d = r.dispute
    mediator_ids = list(
        session.scalars(select(DisputeMediator.user_id).where(DisputeMediator.dispute_id == d.id)).all()
    )
    names = _names(session, {*mediator_ids, d.registered_by_id or 0})
    party_count = session.scalar(select(func.count()).where(DisputeParty.dispute_id == d.id)) or 0
    mediation_count = session.scalar(select(func.count()).where(Mediation.dispute_id == d.id)) or 0
    return DisputeOut(
        id=d.id,
        area_id=d.area_id,
        area=area_labels(session, [d.area_id]).get(d.area_id, ""),
        kind=d.kind,
        summary=d.summary,
        source=d.source,
        grid_log_id=d.grid_log_id,
        found_on=d.found_on,
        state=d.state,
        outcome=d.outcome,
        agreement=d.agreement if r.names else "",
        referred_to=d.referred_to,
        outcome_note=d.outcome_note if r.names else "",
        outcome_at=d.outcome_at,
        follow_up_on=d.follow_up_on,
        follow_up_note=d.follow_up_note if r.names else "",
        closed_at=d.closed_at,
        registered_by=names.get(d.registered_by_id or 0),
        created_at=d.created_at,
        version=d.version,
        names_shown=r.names,
        party_count=party_count,
        parties=_parties(session, d.id) if r.names else [],
        mediators=[MediatorOut(user_id=u, name=names.get(u, "")) for u in mediator_ids],
        mediations=_mediations(session, d.id) if r.names else [],
        mediation_count=mediation_count,
        may_mediate=r.mediate,
        may_manage=r.manage,
    )


def _note_read(session: Session, scope: Scope, r: Reach) -> None:
    """Record that someone other than a mediator read the parties' names (in its own transaction)."""
    if r.names and not r.mediator:
        with transaction(session):
            _audit(session, scope, "dispute.read_parties", r.dispute, {})


def get_dispute(session: Session, scope: Scope, dispute_id: int) -> DisputeOut:
    """Return one dispute as the caller may see it, or raise ``NotFound``.

    A read of the names by someone who is not its mediator is audited.
    """
    r = access.reach(session, scope, dispute_id)
    out = present(session, r)
    _note_read(session, scope, r)
    return out


def list_parties(session: Session, scope: Scope, dispute_id: int) -> list[PartyOut]:
    """Return the parties (phones masked); ``Forbidden`` for a reader who may know only that the dispute exists."""
    r = access.reach(session, scope, dispute_id)
    access.require_names(r)
    out = _parties(session, dispute_id)
    _note_read(session, scope, r)
    return out


def list_mediations(session: Session, scope: Scope, dispute_id: int) -> list[MediationOut]:
    """Return the mediation sessions, oldest first (they name people: the same readers as the parties)."""
    r = access.reach(session, scope, dispute_id)
    access.require_names(r)
    return _mediations(session, dispute_id)


def _filtered(session: Session, scope: Scope, f: DisputeFilter) -> Select[Any]:
    query = select(Dispute).where(access.visible(scope))
    if f.area_id is not None:
        path = session.scalar(select(Area.path).where(Area.id == f.area_id))
        if path is None:
            raise NotFound("area")
        query = query.where(Dispute.area_id.in_(select(Area.id).where(Area.path.startswith(path, autoescape=True))))
    if f.kind:
        query = query.where(Dispute.kind == f.kind)
    return query


def list_disputes(session: Session, scope: Scope, f: DisputeFilter, page: int = 1, page_size: int = 20) -> DisputePage:
    """Return one page of the register the caller sees, newest first, with the counts by state.

    No row names a party, whoever reads it. The same seven queries whatever the page size: the counts by
    state, the total, the page, area names, party counts, session counts, the caller's own mediations.
    """
    if not access.can_register(scope):
        raise Forbidden()
    base = _filtered(session, scope, f)
    counts = {state: 0 for state in STATES}
    for state, n in session.execute(
        base.with_only_columns(Dispute.state, func.count()).group_by(Dispute.state).order_by(None)
    ):
        counts[state] = n
    counts["open"] = sum(counts[s] for s in OPEN_STATES)
    query = base
    if f.state == "open":
        query = query.where(Dispute.state.in_(OPEN_STATES))
    elif f.state:
        query = query.where(Dispute.state == f.state)
    total, capped = capped_count(session, query.with_only_columns(Dispute.id))
    rows = session.scalars(
        query.order_by(Dispute.found_on.desc(), Dispute.id.desc()).offset((page - 1) * page_size).limit(page_size)
    ).all()
    ids = [d.id for d in rows]
    labels = area_labels(session, {d.area_id for d in rows})
    parties = _count_by(session, DisputeParty.dispute_id, ids)
    sessions = _count_by(session, Mediation.dispute_id, ids)
    mine = set(
        session.scalars(
            select(DisputeMediator.dispute_id).where(
                DisputeMediator.dispute_id.in_(ids), DisputeMediator.user_id == (scope.user_id or 0)
            )
        )
    )
    items = [
        DisputeRow(
            id=d.id,
            area_id=d.area_id,
            area=labels.get(d.area_id, ""),
            kind=d.kind,
            summary=d.summary,
            state=d.state,
            found_on=d.found_on,
            party_count=parties.get(d.id, 0),
            mediation_count=sessions.get(d.id, 0),
            mine=d.id in mine,
        )
        for d in rows
    ]
    return DisputePage(items=items, total=total, page=page, page_size=page_size, total_capped=capped, counts=counts)


def _count_by(session: Session, column: Any, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.execute(select(column, func.count()).where(column.in_(ids)).group_by(column))
    return {key: n for key, n in rows}


# ---- registering ------------------------------------------------------------------------------


def area_choices(session: Session, scope: Scope) -> list[tuple[int, str]]:
    """Return the grids and communities the caller may register a dispute in, by name."""
    reached = [scope.area_ids(c) for c in (DISPUTES_REPORT, DISPUTES_READ)]
    conditions = [c for c in reached if c is not None]
    if not conditions:
        return []
    rows = session.execute(
        select(Area.id).where(or_(*conditions), Area.level.in_(("community", "grid"))).order_by(Area.path)
    ).scalars()
    ids = list(rows)
    labels = area_labels(session, ids)
    return [(i, labels[i]) for i in ids]


def _area_to_register(session: Session, scope: Scope, area_id: int) -> Area:
    area = session.get(Area, area_id)
    if area is None or not (scope.reaches(DISPUTES_REPORT, area.path) or scope.reaches(DISPUTES_READ, area.path)):
        raise NotFound("area")
    if area.level not in ("community", "grid"):
        raise Invalid("dispute.area_level", "A dispute belongs to a grid or a community.", "area_id")
    return area


def _party(session: Session, scope: Scope, dispute: Dispute, data: PartyIn) -> DisputeParty:
    """Return a new party row; a resident must lie in the caller's reach, an outside phone must be a phone."""
    party = DisputeParty(dispute_id=dispute.id, role=data.role.strip())
    if data.resident_id is not None:
        row = session.execute(
            select(Resident.id, Area.path)
            .join(Area, Area.id == Resident.area_id)
            .where(Resident.id == data.resident_id)
        ).first()
        if row is None or not scope.reaches(READ, row[1]):
            raise NotFound("resident")
        party.resident_id = data.resident_id
        return party
    name = data.name.strip()
    if not name.isprintable():
        raise Invalid("dispute.party_name", "A name cannot contain control characters.", "name")
    party.name = name
    if data.phone and data.phone.strip():
        try:
            value = phone.validate(data.phone)
        except phone.PhoneProblem:
            raise Invalid("dispute.party_phone", "This is not a phone number we can call.", "phone") from None
        cipher = cipher_of(session)
        party.phone_enc, party.phone_hash, party.phone_tail = (
            cipher.encrypt(value),
            cipher.blind_index(value),
            phone.tail(value),
        )
    return party


def _party_trail(party: DisputeParty) -> dict[str, Any]:
    """Return what the audit trail keeps of a party: ids and the phone's tail, never a name."""
    return {
        "party_id": party.id,
        "resident_id": party.resident_id,
        "outside": party.resident_id is None,
        "phone": f"****{party.phone_tail}" if party.phone_tail else None,
    }


def _check_mediators(session: Session, area_path: str, user_ids: list[int]) -> list[int]:
    """Return the distinct user ids, each an active account holding a register role at or above the area."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return []
    rows = session.execute(
        select(Assignment.user_id, Area.path)
        .join(Area, Area.id == Assignment.area_id)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.user_id.in_(ids), Assignment.role.in_(MEDIATOR_ROLES), User.active.is_(True))
    ).all()
    fit = {uid for uid, path in rows if area_path.startswith(path) or path.startswith(area_path)}
    if set(ids) - fit:
        raise Invalid(
            "dispute.mediator_unknown", "A mediator must be a staff account of the dispute's community.", "mediator_ids"
        )
    return ids


def mediator_choices(session: Session, scope: Scope, area_id: int) -> list[tuple[int, str]]:
    """Return the staff accounts that may mediate a dispute of ``area_id``: register roles at, above or below it."""
    area = session.get(Area, area_id)
    if area is None:
        return []
    community = area.path if area.level != "grid" else area.path.rsplit("/", 2)[0] + "/"
    rows = session.execute(
        select(User.id, User.display_name, Area.path)
        .join(Assignment, Assignment.user_id == User.id)
        .join(Area, Area.id == Assignment.area_id)
        .where(Assignment.role.in_(MEDIATOR_ROLES), User.active.is_(True))
        .order_by(User.display_name, User.id)
    ).all()
    seen: dict[int, str] = {}
    for uid, name, path in rows:
        if path.startswith(community) or community.startswith(path):
            seen.setdefault(uid, name)
    return list(seen.items())


def register_dispute(session: Session, scope: Scope, data: DisputeIn) -> DisputeOut:
    """Return a new dispute, registered in a grid or community the caller reaches, with its parties.

    Mediators may be named only by those who keep the register (``DISPUTES_MANAGE``). A grid log given
    must lie in the caller's reach; a dispute found on a visit has ``source`` ``visit``.
    """
    if not access.can_register(scope):
        raise Forbidden()
    with transaction(session):
        area = _area_to_register(session, scope, data.area_id)
        if data.mediator_ids and not scope.reaches(DISPUTES_MANAGE, area.path):
            raise Forbidden("Only those who keep the dispute register may do this.", "dispute.not_keeper")
        if data.grid_log_id is not None:
            log_path = session.scalar(
                select(Area.path).join(GridLog, GridLog.area_id == Area.id).where(GridLog.id == data.grid_log_id)
            )
            if log_path is None or not scope.reaches(READ, log_path):
                raise NotFound("grid_log")
        mediators = _check_mediators(session, area.path, data.mediator_ids)
        dispute = Dispute(
            area_id=area.id,
            kind=data.kind,
            summary=data.summary.strip(),
            source="visit" if data.grid_log_id else "report",
            grid_log_id=data.grid_log_id,
            found_on=data.found_on or clock.today(),
            state="registered",
            registered_by_id=scope.user_id,
            agreement="",
            outcome_note="",
            follow_up_note="",
        )
        if not dispute.summary:
            raise Invalid("dispute.summary_missing", "Say what the dispute is about.", "summary")
        session.add(dispute)
        session.flush()
        parties = [_party(session, scope, dispute, p) for p in data.parties]
        session.add_all(parties)
        session.add_all(DisputeMediator(dispute_id=dispute.id, user_id=u) for u in mediators)
        session.flush()
        _audit(
            session,
            scope,
            "dispute.register",
            dispute,
            {
                "kind": [None, dispute.kind],
                "area_id": [None, dispute.area_id],
                "grid_log_id": [None, dispute.grid_log_id],
                "parties": [None, [_party_trail(p) for p in parties]],
                "mediators": [None, mediators],
            },
        )
        return present(session, access.reach(session, scope, dispute.id))


# ---- parties and mediators --------------------------------------------------------------------


def _open(r: Reach) -> None:
    if r.dispute.state == "closed":
        raise Conflict("dispute.closed", "This dispute is closed.")


def add_party(session: Session, scope: Scope, dispute_id: int, data: PartyIn) -> PartyOut:
    """Return a party added to an open dispute by someone who reads its names (a mediator, the secretary)."""
    with transaction(session):
        r = access.reach(session, scope, dispute_id, lock=True)
        access.require_names(r)
        _open(r)
        party = _party(session, scope, r.dispute, data)
        session.add(party)
        session.flush()
        _audit(session, scope, "dispute.party_add", r.dispute, {"party": [None, _party_trail(party)]})
        return next(p for p in _parties(session, dispute_id) if p.id == party.id)


def remove_party(session: Session, scope: Scope, dispute_id: int, party_id: int) -> None:
    """Remove a party entered by mistake from an open dispute."""
    with transaction(session):
        r = access.reach(session, scope, dispute_id, lock=True)
        access.require_names(r)
        party = session.get(DisputeParty, party_id)
        if party is None or party.dispute_id != dispute_id:
            raise NotFound("party")
        _open(r)
        _audit(session, scope, "dispute.party_remove", r.dispute, {"party": [_party_trail(party), None]})
        session.delete(party)


def set_mediators(session: Session, scope: Scope, dispute_id: int, user_ids: list[int]) -> DisputeOut:
    """Return the dispute with its mediators replaced (those who keep the register name them)."""
    with transaction(session):
        r = access.reach(session, scope, dispute_id, lock=True)
        access.require_manage(r)
        _open(r)
        ids = _check_mediators(session, r.area_path, user_ids)
        before = sorted(
            session.scalars(select(DisputeMediator.user_id).where(DisputeMediator.dispute_id == dispute_id)).all()
        )
        for row in session.scalars(select(DisputeMediator).where(DisputeMediator.dispute_id == dispute_id)).all():
            if row.user_id not in ids:
                session.delete(row)
        session.add_all(DisputeMediator(dispute_id=dispute_id, user_id=u) for u in ids if u not in before)
        session.flush()
        if before != sorted(ids):
            _audit(session, scope, "dispute.mediators", r.dispute, {"mediators": [before, sorted(ids)]})
        return present(session, access.reach(session, scope, dispute_id))


# ---- mediation, outcome, follow-up, closing -----------------------------------------------------


def record_mediation(session: Session, scope: Scope, dispute_id: int, data: MediationIn) -> MediationOut:
    """Return a mediation session recorded on a dispute without an outcome yet; the first one starts mediating."""
    with transaction(session):
        r = access.reach(session, scope, dispute_id, lock=True)
        access.require_mediate(r)
        _open(r)
        d = r.dispute
        if d.state not in OPEN_STATES:
            raise Conflict("dispute.outcome_stated", "This dispute's outcome is already stated.")
        if data.held_on > clock.today():
            raise Invalid("dispute.future_session", "A session is recorded once it has been held.", "held_on")
        if data.held_on < d.found_on:
            raise Invalid("dispute.session_early", "A session cannot come before the dispute was found.", "held_on")
        m = Mediation(
            dispute_id=d.id,
            held_on=data.held_on,
            place=data.place.strip(),
            attendees=data.attendees.strip(),
            notes=data.notes.strip(),
            result=data.result.strip(),
            recorded_by_id=scope.user_id,
        )
        session.add(m)
        changes: dict[str, Any] = {"mediation": [None, {"held_on": data.held_on.isoformat()}]}
        if d.state == "registered":
            d.state = "mediating"
            changes["state"] = ["registered", "mediating"]
        session.flush()
        _audit(session, scope, "dispute.mediation", d, changes)
        return next(x for x in _mediations(session, d.id) if x.id == m.id)


def _state_outcome(session: Session, scope: Scope, r: Reach, data: OutcomeIn) -> None:
    d = r.dispute
    if d.state not in OPEN_STATES:
        raise Conflict("dispute.outcome_stated", "This dispute's outcome is already stated.")
    if data.outcome == "agreed":
        if not data.agreement.strip():
            raise Invalid("dispute.agreement_missing", "Write down what the parties agreed.", "agreement")
        if not session.scalar(select(func.count()).where(Mediation.dispute_id == d.id)):
            raise Conflict(
                "dispute.no_mediation", "An agreement is reached in a mediation session: record the session first."
            )
        d.agreement, d.referred_to = data.agreement.strip(), None
    else:
        if data.referred_to is None:
            raise Invalid("dispute.referral_missing", "Say where the dispute is referred to.", "referred_to")
        d.referred_to = data.referred_to
    before = d.state
    d.outcome, d.state, d.outcome_at, d.outcome_note = data.outcome, data.outcome, utcnow(), data.note.strip()
    session.flush()
    _audit(
        session,
        scope,
        "dispute.outcome",
        d,
        {"state": [before, d.state], "outcome": [None, d.outcome], "referred_to": [None, d.referred_to]},
    )


def state_outcome(session: Session, scope: Scope, dispute_id: int, data: OutcomeIn) -> DisputeOut:
    """Return the dispute with its outcome stated: an agreement (after a session, with its text) or a referral."""
    try:
        with transaction(session):
            r = access.reach(session, scope, dispute_id, lock=True)
            access.require_mediate(r)
            _open(r)
            if data.version is not None and data.version != r.dispute.version:
                raise _stale()
            _state_outcome(session, scope, r, data)
            return present(session, access.reach(session, scope, dispute_id))
    except StaleDataError:
        raise _stale() from None


def record_follow_up(session: Session, scope: Scope, dispute_id: int, data: FollowUpIn) -> DisputeOut:
    """Return the dispute with its follow-up visit recorded (after the outcome: does the agreement hold?)."""
    try:
        with transaction(session):
            r = access.reach(session, scope, dispute_id, lock=True)
            access.require_mediate(r)
            d = r.dispute
            if d.outcome is None:
                raise Conflict("dispute.follow_up_early", "A follow-up visit comes after the outcome.")
            if data.visited_on > clock.today():
                raise Invalid("dispute.future_visit", "A visit is recorded once it has been made.", "visited_on")
            before = d.follow_up_on.isoformat() if d.follow_up_on else None
            d.follow_up_on, d.follow_up_note = data.visited_on, data.note.strip()
            session.flush()
            _audit(session, scope, "dispute.follow_up", d, {"follow_up_on": [before, data.visited_on.isoformat()]})
            return present(session, access.reach(session, scope, dispute_id))
    except StaleDataError:
        raise _stale() from None


def close_dispute(session: Session, scope: Scope, dispute_id: int, data: CloseIn) -> DisputeOut:
    """Return the dispute closed; only with a stated outcome (stated before, or given here).

    Refused with ``dispute.no_outcome`` (409) when neither is there, ``dispute.closed`` when already closed.
    """
    try:
        with transaction(session):
            r = access.reach(session, scope, dispute_id, lock=True)
            access.require_manage(r)
            _open(r)
            d = r.dispute
            if data.version is not None and data.version != d.version:
                raise _stale()
            if d.outcome is None:
                if data.outcome is None:
                    raise Conflict(
                        "dispute.no_outcome",
                        "A dispute closes only with a stated outcome: an agreement reached or a referral.",
                        "outcome",
                    )
                _state_outcome(session, scope, r, data.outcome)
            before = d.state
            d.state, d.closed_at, d.closed_by_id = "closed", utcnow(), scope.user_id
            session.flush()
            _audit(session, scope, "dispute.close", d, {"state": [before, "closed"]})
            return present(session, access.reach(session, scope, dispute_id))
    except StaleDataError:
        raise _stale() from None


# ---- counting ---------------------------------------------------------------------------------


def count_disputes(session: Session, scope: Scope, area_id: int) -> DisputeCounts:
    """Return the counts of an area's disputes (in it and below it), never a name: for supervisors too.

    Anyone who reads the registry or the register there may count; an area beside the caller's reach is not found.
    """
    area = session.get(Area, area_id)
    if area is None or not any(scope.reaches(c, area.path) for c in (READ, DISPUTES_REPORT, DISPUTES_READ)):
        raise NotFound("area")
    rows = session.execute(
        select(Dispute.state, Dispute.outcome, func.count())
        .join(Area, Area.id == Dispute.area_id)
        .where(Area.path.startswith(area.path, autoescape=True))
        .group_by(Dispute.state, Dispute.outcome)
    ).all()
    total = sum(n for _, _, n in rows)
    return DisputeCounts(
        area_id=area.id,
        registered=total,
        agreed=sum(n for _, outcome, n in rows if outcome == "agreed"),
        referred=sum(n for _, outcome, n in rows if outcome == "referred"),
        open=sum(n for state, _, n in rows if state in OPEN_STATES),
        closed=sum(n for state, _, n in rows if state == "closed"),
    )
