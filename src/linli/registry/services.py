"""Registry use cases: residents registered, found, changed, moved and deregistered.

Every function takes the caller's ``Scope``; what lies outside it is not found. Writes are one
transaction each and audited, personal fields masked in the trail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from linli.accounts.permissions import READ, SENSITIVE, WRITE, Scope, path_under
from linli.areas.models import Area
from linli.audit import services as audit
from linli.db.engine import transaction
from linli.db.paging import capped_count
from linli.errors import Conflict, Invalid, NotFound
from linli.lib import clock, codes, idcard, phone
from linli.lib.crypto import FieldCipher
from linli.lib.pinyin import name_keys
from linli.registry.models import Building, Household, Resident, ResidentEvent, ResidentKey, ResidentTag, Tag
from linli.registry.schemas import (
    DeregisterIn,
    MoveIn,
    Page,
    ResidentEventOut,
    ResidentIn,
    ResidentOut,
    ResidentUpdate,
    TagOut,
)
from linli.registry.validation import check_person
from linli.runtime import cipher_of

PERSON_FIELDS = ("name", "gender", "birth_date", "relation", "kind", "ethnicity", "skills", "willing_to_help", "notes")


@dataclass(frozen=True)
class ResidentFilter:
    """What a resident list is narrowed by; every part is optional."""

    q: str = ""
    area_id: int | None = None
    tag: str | None = None
    min_age: int | None = None
    max_age: int | None = None
    kind: str | None = None
    status: str | None = "active"
    household_id: int | None = None


# ---- reading --------------------------------------------------------------------------------


def search_condition(q: str, cipher: FieldCipher, areas: Select[Any] | None = None) -> Any:
    """Return the condition on ``Resident`` that a search text means.

    Four characters of digits (or ending in X) are the tail of an ID number or phone; a whole ID
    number or phone is looked up by its blind index; anything else is a prefix of a search key
    (full pinyin, initials, or the end of the name). ``areas`` (a select of area ids) narrows the
    key lookup to the caller's areas.
    """
    text = idcard.normalise(q)
    if len(text) == 4 and text[:3].isdigit() and (text[3].isdigit() or text[3] == "X"):
        return (Resident.id_tail == text) | (Resident.phone_tail == text)
    if len(text) in (15, 18) and text[:15].isdigit():
        try:
            return Resident.id_number_hash.in_(cipher.blind_indexes(idcard.validate(text)))
        except idcard.IdCardProblem:
            return Resident.id.is_(None)
    dialled = text.removeprefix("+").replace("-", "").replace("(", "").replace(")", "")
    if dialled.isdigit() and len(dialled) >= 7:  # a whole phone number as people write it: 0592-1234567
        try:
            return Resident.phone_hash.in_(cipher.blind_indexes(phone.validate(text)))
        except phone.PhoneProblem:
            return Resident.id.is_(None)
    key = q.strip().lower().replace(" ", "").replace("·", "")
    if not key:
        return None
    upper = key[:-1] + chr(ord(key[-1]) + 1)
    keys = select(ResidentKey.resident_id).where(ResidentKey.key >= key, ResidentKey.key < upper)
    if areas is not None:
        # A short prefix (zh, ch) matches a fifth of a district; within a grid worker's grid it is a few
        # hundred keys: one range of ix_resident_key_area_key instead of the district-wide key range.
        keys = keys.where(ResidentKey.area_id.in_(areas))
    return Resident.id.in_(keys)


def _key_areas(paths: list[str]) -> Select[Any] | None:
    """Return the areas to narrow a name search's key lookup to, or None to search every key.

    Within a community or a grid (paths of 4 or 5 slashes: ``/350203/002/011/``) the areas are a
    handful of ranges of ``ix_resident_key_area_key``; for a street or a district the single
    district-wide key range is cheaper than hundreds of per-area ranges (measured, bench/README.md).
    """
    if not paths or any(p.count("/") < 4 for p in paths):
        return None
    return select(Area.id).where(or_(*(path_under(Area.path, p) for p in paths)))


def _filtered(session: Session, scope: Scope, f: ResidentFilter) -> Select[Any]:
    query = select(Resident).where(scope.filter(READ, Resident.area_id))
    paths = list(scope.paths(READ))
    if f.status:
        query = query.where(Resident.status == f.status)
    if f.area_id is not None:
        path = session.scalar(select(Area.path).where(Area.id == f.area_id))
        if path is None:
            raise NotFound("area")
        query = query.where(Resident.area_id.in_(select(Area.id).where(Area.path.startswith(path))))
        paths = [path]
    if f.household_id is not None:
        query = query.where(Resident.household_id == f.household_id)
    if f.kind:
        query = query.where(Resident.kind == f.kind)
    if f.tag:
        tag_query = select(Tag.id).where(Tag.code == f.tag)
        if not scope.can(SENSITIVE):
            tag_query = tag_query.where(Tag.kind != "key")
        query = query.where(Resident.id.in_(select(ResidentTag.resident_id).where(ResidentTag.tag_id.in_(tag_query))))
    if f.min_age is not None or f.max_age is not None:
        earliest, latest = clock.birth_range(f.min_age, f.max_age, clock.today())
        if earliest:
            query = query.where(Resident.birth_date >= earliest)
        if latest:
            query = query.where(Resident.birth_date <= latest)
    if f.q.strip():
        condition = search_condition(f.q, cipher_of(session), _key_areas(paths))
        if condition is not None:
            query = query.where(condition)
    return query


def list_residents(
    session: Session, scope: Scope, f: ResidentFilter, page: int = 1, page_size: int = 20
) -> Page[ResidentOut]:
    """Return one page of residents in the caller's reach matching ``f``, newest registrations last.

    Runs the same four queries whatever the page size: count, page, tags, places. The count
    stops at ``paging.COUNT_CAP`` (``total_capped`` says so): an exact count of a whole district's million
    residents costs half a second and tells a person nothing "1000+" does not.
    """
    scope.require(READ)
    query = _filtered(session, scope, f)
    total, capped = capped_count(session, query.with_only_columns(Resident.id))
    rows = session.scalars(query.order_by(Resident.id).offset((page - 1) * page_size).limit(page_size)).all()
    return Page[ResidentOut](
        items=present(session, scope, list(rows)),
        total=total,
        page=page,
        page_size=page_size,
        total_capped=capped,
    )


def present(session: Session, scope: Scope, residents: list[Resident], locale: str = "zh") -> list[ResidentOut]:
    """Return residents as shown to ``scope``: personal fields masked, sensitive tags only to those who may see them.

    Two queries for any number of residents.
    """
    if not residents:
        return []
    ids = [r.id for r in residents]
    tag_rows = session.execute(
        select(ResidentTag.resident_id, Tag.code, Tag.name, Tag.kind)
        .join(Tag)
        .where(ResidentTag.resident_id.in_(ids))
        .order_by(Tag.id)
    ).all()
    sensitive = scope.can(SENSITIVE)
    tags: dict[int, list[TagOut]] = {}
    for rid, code, name, kind in tag_rows:
        if kind != "key" or sensitive:
            tags.setdefault(rid, []).append(TagOut(code=code, name=name, kind=kind))
    place_rows = session.execute(
        select(Resident.id, Area.name, Building.compound, Building.name, Household.room)
        .join(Area, Area.id == Resident.area_id)
        .outerjoin(Household, Household.id == Resident.household_id)
        .outerjoin(Building, Building.id == Household.building_id)
        .where(Resident.id.in_(ids))
    ).all()
    places = {rid: (grid, address(compound, building, room)) for rid, grid, compound, building, room in place_rows}
    cipher, today = cipher_of(session), clock.today()
    return [
        ResidentOut(
            id=r.id,
            name=r.name,
            gender=r.gender,
            gender_label=codes.label(codes.GENDERS, r.gender, locale),
            birth_date=r.birth_date,
            age=clock.age_on(r.birth_date, today) if r.birth_date else None,
            id_number=idcard.mask(cipher.decrypt(r.id_number_enc)) if r.id_number_enc else None,
            phone=phone.mask(cipher.decrypt(r.phone_enc)) if r.phone_enc else None,
            household_id=r.household_id,
            area_id=r.area_id,
            grid=places[r.id][0],
            address=places[r.id][1],
            relation=r.relation,
            kind=r.kind,
            status=r.status,
            tags=tags.get(r.id, []),
            skills=r.skills,
            willing_to_help=r.willing_to_help,
            notes=r.notes,
            registered_on=r.registered_on,
            left_on=r.left_on,
            version=r.version,
        )
        for r in residents
    ]


def _load(session: Session, scope: Scope, resident_id: int, capability: str = READ) -> Resident:
    row = session.execute(
        select(Resident, Area.path).join(Area, Area.id == Resident.area_id).where(Resident.id == resident_id)
    ).first()
    if row is None:
        raise NotFound("resident")
    scope.check(capability, row[1], "resident")
    return row[0]


def get_resident(session: Session, scope: Scope, resident_id: int) -> ResidentOut:
    """Return one resident in the caller's reach (masked), or raise ``NotFound``."""
    return present(session, scope, [_load(session, scope, resident_id)])[0]


def address(compound: str | None, building: str | None, room: str | None) -> str:
    """Return a home as people say it: compound, building and room (图强小区 3号楼 301), leaving out what is empty."""
    return " ".join(part for part in (compound, building, room) if part)


def household_addresses(session: Session, household_ids: Iterable[int]) -> dict[int, str]:
    """Return where each household lives as people say it: compound, building and room (图强小区 3号楼 301)."""
    ids = sorted(set(household_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Household.id, Building.compound, Building.name, Household.room)
        .join(Building, Building.id == Household.building_id)
        .where(Household.id.in_(ids))
    ).all()
    return {i: address(compound, building, room) for i, compound, building, room in rows}


def resident_history(session: Session, scope: Scope, resident_id: int) -> list[ResidentEventOut]:
    """Return the dated registry events of a resident, oldest first, with the homes they moved between."""
    _load(session, scope, resident_id)
    events = session.scalars(
        select(ResidentEvent)
        .where(ResidentEvent.resident_id == resident_id)
        .order_by(ResidentEvent.happened_on, ResidentEvent.id)
    ).all()
    homes = household_addresses(
        session, [h for e in events for h in (e.from_household_id, e.to_household_id) if h is not None]
    )
    return [
        ResidentEventOut.model_validate(e, from_attributes=True).model_copy(
            update={
                "from_address": homes.get(e.from_household_id or 0, ""),
                "to_address": homes.get(e.to_household_id or 0, ""),
            }
        )
        for e in events
    ]


# ---- writing --------------------------------------------------------------------------------


def _household_in_reach(session: Session, scope: Scope, household_id: int) -> tuple[Household, str]:
    row = session.execute(
        select(Household, Area.path).join(Area, Area.id == Household.area_id).where(Household.id == household_id)
    ).first()
    if row is None:
        raise NotFound("household")
    scope.check(WRITE, row[1], "household")
    return row[0], row[1]


def _grid_in_reach(session: Session, scope: Scope, area_id: int) -> Area:
    area = session.get(Area, area_id)
    if area is None or not scope.reaches(WRITE, area.path):
        raise NotFound("area")
    if area.level != "grid":
        raise Invalid("resident.area_not_grid", "A resident belongs to a grid; choose a grid.", "area_id")
    return area


def _tags(session: Session, scope: Scope, codes_: list[str]) -> list[Tag]:
    if not codes_:
        return []
    found = session.scalars(select(Tag).where(Tag.code.in_(codes_), Tag.active.is_(True))).all()
    allowed = [t for t in found if t.kind != "key" or scope.can(SENSITIVE)]
    missing = sorted(set(codes_) - {t.code for t in allowed})
    if missing:
        raise Invalid("resident.tag_unknown", "Unknown tag: {tags}.", "tags", tags=", ".join(missing))
    return allowed


def _refuse_duplicate(session: Session, scope: Scope, id_hashes: list[str], resident_id: int | None = None) -> None:
    row = session.execute(
        select(Resident.id, Resident.name, Area.path, Area.name)
        .join(Area, Area.id == Resident.area_id)
        .where(Resident.id_number_hash.in_(id_hashes), Resident.id != (resident_id or 0))
    ).first()
    if row is None:
        return
    if scope.reaches(READ, row[2]):
        raise Conflict(
            "resident.duplicate_id",
            "This ID number is already registered: {name} (No. {id}, {grid}).",
            "id_number",
            name=row[1],
            id=row[0],
            grid=row[3],
        )
    raise Conflict(
        "resident.duplicate_id_elsewhere",
        "This ID number is already registered in another area ({grid}).",
        "id_number",
        grid=row[3],
    )


def _set_personal(resident: Resident, fields: dict[str, Any], cipher: FieldCipher) -> None:
    if "id_number" in fields:
        number = fields["id_number"]
        resident.id_number_enc = cipher.encrypt(number) if number else None
        resident.id_number_hash = cipher.blind_index(number) if number else None
        resident.id_tail = number[-4:] if number else None
    if "phone" in fields:
        value = fields["phone"]
        resident.phone_enc = cipher.encrypt(value) if value else None
        resident.phone_hash = cipher.blind_index(value) if value else None
        resident.phone_tail = phone.tail(value) if value else None


def index_resident(session: Session, resident: Resident, old_name: str | None = None) -> None:
    """Write the search keys of ``resident``, replacing those of ``old_name`` (after a rename or a move)."""
    if old_name is not None:
        old_keys = sorted(name_keys(old_name))
        session.execute(
            delete(ResidentKey).where(ResidentKey.resident_id == resident.id, ResidentKey.key.in_(old_keys))
        )
    session.add_all(
        ResidentKey(key=k, resident_id=resident.id, area_id=resident.area_id) for k in name_keys(resident.name)
    )


def _snapshot(resident: Resident, tag_codes: list[str]) -> dict[str, Any]:
    data = {f: getattr(resident, f) for f in PERSON_FIELDS}
    data["birth_date"] = resident.birth_date.isoformat() if resident.birth_date else None
    data["id_number"] = f"****{resident.id_tail}" if resident.id_tail else None
    data["phone"] = f"****{resident.phone_tail}" if resident.phone_tail else None
    data["household_id"], data["area_id"], data["status"] = resident.household_id, resident.area_id, resident.status
    data["tags"] = sorted(tag_codes)
    return data


def _tag_codes(session: Session, resident_id: int) -> list[str]:
    return list(session.scalars(select(Tag.code).join(ResidentTag).where(ResidentTag.resident_id == resident_id)))


def create_resident(session: Session, scope: Scope, data: ResidentIn) -> ResidentOut:
    """Register a resident in a household (or directly in a grid) and return them.

    Refuses a bad ID number, phone or code with every reason at once, and a second registration of
    the same ID number, naming the existing record when the caller may see it.
    """
    fields = check_person(data.model_dump())
    cipher = cipher_of(session)
    with transaction(session):
        if data.household_id is not None:
            household, _ = _household_in_reach(session, scope, data.household_id)
            area_id = household.area_id
        elif data.area_id is not None:
            household, area_id = None, _grid_in_reach(session, scope, data.area_id).id
        else:
            raise Invalid("resident.place_required", "Choose a household or a grid.", "household_id")
        if fields.get("id_number"):
            _refuse_duplicate(session, scope, cipher.blind_indexes(fields["id_number"]))
        tags = _tags(session, scope, data.tags)
        on = data.registered_on or clock.today()
        resident = Resident(
            area_id=area_id,
            household_id=data.household_id,
            registered_on=on,
            status="active",
            gender=fields.get("gender") or "9",
            **{f: fields[f] for f in PERSON_FIELDS if f != "gender"},
        )
        _set_personal(resident, fields, cipher)
        session.add(resident)
        session.flush()
        if household is not None and household.head_id is None and resident.relation == "02":
            household.head_id = resident.id
        session.add_all(ResidentTag(resident_id=resident.id, tag_id=t.id) for t in tags)
        session.add(
            ResidentEvent(
                resident_id=resident.id,
                kind="registered",
                happened_on=on,
                to_household_id=data.household_id,
                user_id=scope.user_id,
            )
        )
        index_resident(session, resident)
        audit.record(
            session,
            "resident.create",
            user_id=scope.user_id,
            username=scope.username,
            client=scope.client,
            entity="resident",
            entity_id=resident.id,
            area_id=area_id,
            changes=audit.diff({}, _snapshot(resident, [t.code for t in tags])),
        )
        return present(session, scope, [resident])[0]


def update_resident(session: Session, scope: Scope, resident_id: int, data: ResidentUpdate) -> ResidentOut:
    """Change a resident's fields and return them; a stale ``version`` is refused as a conflict."""
    given = data.model_dump(exclude_unset=True, exclude={"version"})
    fields = check_person(given)
    cipher = cipher_of(session)
    try:
        with transaction(session):
            resident = _load(session, scope, resident_id, WRITE)
            if resident.version != data.version:
                raise _stale()
            before = _snapshot(resident, _tag_codes(session, resident.id))
            if fields.get("id_number"):
                _refuse_duplicate(session, scope, cipher.blind_indexes(fields["id_number"]), resident.id)
            for f in PERSON_FIELDS:
                if f in fields and fields[f] is not None:
                    setattr(resident, f, fields[f])
            _set_personal(resident, {k: fields[k] for k in ("id_number", "phone") if k in fields}, cipher)
            tag_codes = before["tags"]
            if data.tags is not None:
                tags = _tags(session, scope, data.tags)
                # Sensitive tags the caller cannot see are kept as they are.
                hidden = (
                    []
                    if scope.can(SENSITIVE)
                    else list(
                        session.scalars(
                            select(ResidentTag.tag_id)
                            .join(Tag)
                            .where(ResidentTag.resident_id == resident.id, Tag.kind == "key")
                        )
                    )
                )
                session.execute(
                    delete(ResidentTag).where(ResidentTag.resident_id == resident.id, ResidentTag.tag_id.not_in(hidden))
                )
                session.add_all(ResidentTag(resident_id=resident.id, tag_id=t.id) for t in tags)
                tag_codes = [t.code for t in tags]
            session.flush()
            if "name" in fields:
                index_resident(session, resident, before["name"])
            changes = audit.diff(before, _snapshot(resident, tag_codes))
            if changes:
                audit.record(
                    session,
                    "resident.update",
                    user_id=scope.user_id,
                    username=scope.username,
                    client=scope.client,
                    entity="resident",
                    entity_id=resident.id,
                    area_id=resident.area_id,
                    changes=changes,
                )
            return present(session, scope, [resident])[0]
    except StaleDataError:
        raise _stale() from None


def _stale() -> Conflict:
    return Conflict("resident.stale", "Someone else changed this record meanwhile; reload it and try again.", "version")


def move_resident(session: Session, scope: Scope, resident_id: int, data: MoveIn) -> ResidentOut:
    """Move a resident to another household (possibly in another grid of the caller's reach)."""
    with transaction(session):
        resident = _load(session, scope, resident_id, WRITE)
        if resident.status != "active":
            raise Invalid("resident.not_active", "This resident is no longer registered here.")
        target, _ = _household_in_reach(session, scope, data.household_id)
        on = data.on or clock.today()
        # History is read in date order: a move before the registration would come first.
        if on < resident.registered_on:
            raise Invalid("resident.moved_before_registered", "The date is before the resident was registered.", "on")
        if target.id == resident.household_id:
            raise Invalid("resident.same_household", "The resident already lives in this household.", "household_id")
        if data.relation is not None and data.relation not in codes.RELATIONS:
            raise Invalid("resident.relation_unknown", "Unknown code {code}.", "relation", code=data.relation)
        if (data.relation or resident.relation) == "02" and target.head_id is not None:
            raise Invalid(
                "resident.household_has_head",
                "This household already has a head; give the person's relation to the head.",
                "relation",
            )
        before = _snapshot(resident, [])
        old = session.get(Household, resident.household_id) if resident.household_id else None
        if old is not None and old.head_id == resident.id:
            old.head_id = None
        resident.household_id, resident.area_id = target.id, target.area_id
        if data.relation:
            resident.relation = data.relation
        if resident.relation == "02" and target.head_id is None:
            target.head_id = resident.id
        session.add(
            ResidentEvent(
                resident_id=resident.id,
                kind="moved",
                happened_on=on,
                note=data.note,
                from_household_id=old.id if old else None,
                to_household_id=target.id,
                user_id=scope.user_id,
            )
        )
        session.flush()
        index_resident(session, resident, resident.name)
        audit.record(
            session,
            "resident.move",
            user_id=scope.user_id,
            username=scope.username,
            client=scope.client,
            entity="resident",
            entity_id=resident.id,
            area_id=resident.area_id,
            changes=audit.diff(before, _snapshot(resident, [])),
        )
        return present(session, scope, [resident])[0]


def deregister_resident(session: Session, scope: Scope, resident_id: int, data: DeregisterIn) -> ResidentOut:
    """Record that a resident moved out or died; the record and its history stay."""
    with transaction(session):
        resident = _load(session, scope, resident_id, WRITE)
        if resident.status != "active":
            raise Invalid("resident.not_active", "This resident is no longer registered here.")
        on = data.on or clock.today()
        if on < resident.registered_on:
            raise Invalid("resident.left_before_registered", "The date is before the resident was registered.", "on")
        resident.status, resident.left_on = data.reason, on
        household = session.get(Household, resident.household_id) if resident.household_id else None
        if household is not None and household.head_id == resident.id:
            household.head_id = None
        session.add(
            ResidentEvent(
                resident_id=resident.id,
                kind=data.reason,
                happened_on=on,
                note=data.note,
                from_household_id=resident.household_id,
                user_id=scope.user_id,
            )
        )
        audit.record(
            session,
            f"resident.{data.reason}",
            user_id=scope.user_id,
            username=scope.username,
            client=scope.client,
            entity="resident",
            entity_id=resident.id,
            area_id=resident.area_id,
            changes={"status": ["active", data.reason], "left_on": [None, on.isoformat()]},
        )
        session.flush()
        return present(session, scope, [resident])[0]


def list_tags(session: Session, scope: Scope) -> list[TagOut]:
    """Return the active tags the caller may see."""
    query = select(Tag).where(Tag.active.is_(True)).order_by(Tag.id)
    if not scope.can(SENSITIVE):
        query = query.where(Tag.kind != "key")
    return [TagOut(code=t.code, name=t.name, kind=t.kind) for t in session.scalars(query)]
