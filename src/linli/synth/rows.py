"""Demo people as registry rows, with every derived column the registry services write.

``registry.services.create_resident`` stores the ID number and phone encrypted with a blind index
and a 4-digit tail, adds a ``registered`` event and the search keys of the name in the resident's
grid; a household points at its head (relation 02). These functions produce the same columns for
``BulkWriter``, so a demo resident cannot be told apart from one registered through the API.
"""

from __future__ import annotations

from datetime import date, datetime

from linli.lib import phone
from linli.lib.crypto import FieldCipher
from linli.lib.pinyin import name_keys
from linli.synth.bulk import BUILDING, EVENT, HOUSEHOLD, KEY, RESIDENT, TAG, RowBuffer
from linli.synth.housing import BuildingPlan
from linli.synth.people import Person


class RowMaker:
    """Turn buildings full of households into rows; caches the search keys of each distinct name."""

    def __init__(
        self, buffer: RowBuffer, cipher: FieldCipher, tag_ids: dict[str, int], now: datetime, live_since: date
    ) -> None:
        self.buffer = buffer
        self.live_since = live_since
        self.cipher = cipher
        self.tag_ids = tag_ids
        self.now = now
        self.keys: dict[str, tuple[str, ...]] = {}
        self.residents = 0
        self.households = 0
        self.buildings = 0

    def building(self, area_id: int, plan: BuildingPlan) -> list[tuple[int, Person]]:
        """Add one building, its households and their members; return ``(resident id, person)`` pairs."""
        w = self.buffer
        building_id = w.next_id(BUILDING)
        stamp = {"created_at": self.now, "updated_at": self.now}
        w.add(
            BUILDING,
            {"id": building_id, "area_id": area_id, "compound": plan.compound, "name": plan.name}
            | {"address": plan.address}
            | stamp,
        )
        self.buildings += 1
        people: list[tuple[int, Person]] = []
        for room, home in plan.homes:
            household_id = w.next_id(HOUSEHOLD)
            w.add(
                HOUSEHOLD,
                {
                    "id": household_id,
                    "area_id": area_id,
                    "building_id": building_id,
                    "room": room,
                    "address": "",
                    # Set once the members exist (``BulkWriter.set_heads``), as the service does.
                    "head_id": None,
                    # The day linli took the household on (as a household registered through the app
                    # or a ledger import gets today): its visit rhythm runs from then, not from the
                    # members' 户籍 registration decades ago.
                    "registered_on": self.live_since,
                    "dissolved_on": None,
                }
                | stamp,
            )
            self.households += 1
            for person in home.members:
                people.append((self.resident(area_id, household_id, person), person))
        return people

    def resident(self, area_id: int, household_id: int, person: Person) -> int:
        """Add one resident with its event, search keys and tags; return its id."""
        w, cipher = self.buffer, self.cipher
        resident_id = w.next_id(RESIDENT)
        number, mobile = person.id_number, person.phone
        w.add(
            RESIDENT,
            {
                "id": resident_id,
                "area_id": area_id,
                "household_id": household_id,
                "name": person.name,
                "gender": person.sex,
                "birth_date": person.born,
                "id_number_enc": cipher.encrypt(number),
                "id_number_hash": cipher.blind_index(number),
                "id_tail": number[-4:],
                "phone_enc": cipher.encrypt(mobile) if mobile else None,
                "phone_hash": cipher.blind_index(mobile) if mobile else None,
                "phone_tail": phone.tail(mobile) if mobile else None,
                "relation": person.relation,
                "kind": person.kind,
                "ethnicity": person.ethnicity,
                "skills": person.skills,
                "willing_to_help": person.willing,
                "notes": "",
                "status": "active",
                "registered_on": person.registered_on,
                "left_on": None,
                "version": 1,
                "created_at": self.now,
                "updated_at": self.now,
            },
        )
        w.add(
            EVENT,
            {
                "id": w.next_id(EVENT),
                "resident_id": resident_id,
                "kind": "registered",
                "happened_on": person.registered_on,
                "from_household_id": None,
                "to_household_id": household_id,
                "note": "",
                "user_id": None,
                "created_at": self.now,
            },
        )
        keys = self.keys.get(person.name)
        if keys is None:
            keys = self.keys[person.name] = tuple(sorted(name_keys(person.name)))
        for key in keys:
            w.add(KEY, {"key": key, "resident_id": resident_id, "area_id": area_id})
        for code in person.tags:
            w.add(TAG, {"resident_id": resident_id, "tag_id": self.tag_ids[code]})
        self.residents += 1
        return resident_id
