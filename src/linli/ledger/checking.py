"""The checks a ledger row passes before it may touch the registry.

The person's fields go through ``registry.validation.check_person`` (so a row is refused for the same
reasons, in the same words, as the registry form); then its grid must lie in the user's reach, its
tags must exist, and its ID number may appear only once in the file.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.permissions import SENSITIVE, Scope
from linli.errors import Invalid, ValidationErrors
from linli.ledger.normalise import LedgerRow
from linli.ledger.places import Grids, place_key, room_key
from linli.lib.crypto import FieldCipher
from linli.registry.models import Tag
from linli.registry.validation import check_person


def check_fields(row: LedgerRow) -> None:
    """Clean the person's fields of ``row`` in place, or add the reasons they are refused."""
    given: dict[str, Any] = {"name": row.name}
    for name in ("id_number", "phone", "gender", "birth_date", "relation", "kind"):
        value = getattr(row, name)
        if value is not None and not any(e.field == name for e in row.errors):
            given[name] = value
    try:
        clean = check_person(given)
    except ValidationErrors as refused:
        row.errors.extend(refused.errors)
        # Clean what was not refused, so that a good ID number still finds its duplicates.
        rest = {k: v for k, v in given.items() if not any(e.field == k for e in refused.errors)}
        try:
            clean = check_person(rest)
        except ValidationErrors:
            clean = rest
    row.name = clean.get("name", row.name)
    for name in ("id_number", "phone", "gender", "birth_date"):
        if name in clean:
            setattr(row, name, clean[name])
    if (row.building == "") != (row.room == ""):
        row.errors.append(
            Invalid("ledger.place_incomplete", "Fill in both the building and the room, or neither.", "room")
        )


class TagBook:
    """The tags a user may set, by name or code; sensitive (key) tags only for those who may see them."""

    def __init__(self, session: Session, scope: Scope) -> None:
        rows = session.execute(select(Tag.id, Tag.code, Tag.name, Tag.kind).where(Tag.active.is_(True))).all()
        sensitive = scope.can(SENSITIVE)
        self.ids: dict[str, int] = {}
        self.codes: dict[int, str] = {}
        self.hidden: set[int] = set()
        for tag_id, code, name, kind in rows:
            self.codes[tag_id] = code
            if kind == "key" and not sensitive:
                self.hidden.add(tag_id)
                continue
            self.ids[place_key(code)] = tag_id
            self.ids[place_key(name)] = tag_id

    def resolve(self, row: LedgerRow) -> None:
        """Set ``row.tag_ids`` from its tag cell, or add the reason an unknown tag is refused."""
        if row.tags is None:
            return
        found, missing = [], []
        for word in row.tags:
            tag_id = self.ids.get(place_key(word))
            (found.append(tag_id) if tag_id is not None else missing.append(word))
        if missing:
            row.errors.append(Invalid("resident.tag_unknown", "Unknown tag: {tags}.", "tags", tags="、".join(missing)))
        else:
            row.tag_ids = tuple(dict.fromkeys(found))


def place_row(row: LedgerRow, grids: Grids) -> None:
    """Set ``row.grid_id``, or add the reason its community or grid is refused."""
    try:
        row.grid_id = grids.find(row.community, row.grid).id
    except Invalid as error:
        row.errors.append(error)


def refuse_duplicates(rows: list[LedgerRow], cipher: FieldCipher) -> None:
    """Refuse every row whose ID number (or, without one, name, birth date and home) occurs twice.

    Both rows are refused, each naming the other: which one is right is for the clerk to say.
    """
    seen: dict[object, list[LedgerRow]] = {}
    for row in rows:
        if row.id_number and not any(e.field == "id_number" for e in row.errors):
            row.id_hash = cipher.blind_index(row.id_number)
            seen.setdefault(row.id_hash, []).append(row)
        elif not row.id_number and row.name:
            key = (row.name, row.birth_date, row.grid_id, place_key(row.building), room_key(row.room, row.unit))
            seen.setdefault(key, []).append(row)
    for group in seen.values():
        if len(group) < 2:
            continue
        for row in group:
            others = "、".join(str(o.line) for o in group if o is not row)
            if row.id_hash:
                row.errors.append(
                    Invalid(
                        "ledger.duplicate_id", "The same ID number is also on row {lines}.", "id_number", lines=others
                    )
                )
            else:
                row.errors.append(
                    Invalid(
                        "ledger.duplicate_person",
                        "The same person (name, birth date and home) is also on row {lines}.",
                        "name",
                        lines=others,
                    )
                )
