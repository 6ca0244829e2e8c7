"""Demo people as registry rows, with every derived column the registry services write.

``registry.services.create_resident`` stores the ID number and phone encrypted with a blind index
and a 4-digit tail, adds a ``registered`` event and the search keys of the name in the resident's
grid; a household points at its head (relation 02). These functions produce the same columns for
``BulkWriter``, so a demo resident cannot be told apart from one registered through the API.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from linli.lib import phone
from linli.lib.crypto import FieldCipher
from linli.lib.pinyin import name_keys
from linli.lib.rooms import split_room
from linli.synth.bulk import BUILDING, EVENT, GRADE, HOUSE, HOUSEHOLD, KEY, RESIDENT, TAG, TENANCY, UNIT, RowBuffer
from linli.synth.housing import BuildingPlan
from linli.synth.people import Home, Person

# Houses (实有房屋): a migrant head's household rents; a few registered households live elsewhere (人户分离:
# the house stands empty); an empty room on the ground floor is often a shop.
AWAY = 0.03
OTHER = 0.02
SHOP = 0.3
OWNER_SURNAMES = "陈林黄张李王吴刘蔡杨许郑谢洪郭邱曾廖"
# Written as data (a demo clerk's words), not shown through the catalog.
WHY_GRADED = {"red": "独居高龄，身体状况差，需重点帮扶", "yellow": "需持续关注", "blue": "情况稳定"}


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
        self.houses: dict[str, int] = {}
        # Houses' statuses, owners and grades: drawn apart from the people, so they stay the same people.
        self.rng = random.Random(20261205)

    def _house(self, area_id: int, building_id: int, units: dict[str, int], room: str, status: str) -> int:
        """Add the house of ``room`` (and its unit the first time); return its id."""
        w = self.buffer
        unit_name, house_room = split_room(room)
        if unit_name not in units:
            units[unit_name] = w.next_id(UNIT)
            w.add(
                UNIT,
                {"id": units[unit_name], "area_id": area_id, "building_id": building_id, "name": unit_name}
                | {"created_at": self.now, "updated_at": self.now},
            )
        house_id = w.next_id(HOUSE)
        owner: dict[str, object] = {"owner_name": "", "owner_phone_enc": None, "owner_phone_hash": None}
        owner["owner_phone_tail"] = None
        if status in ("rented", "business") or (status == "vacant" and self.rng.random() < 0.5):
            # An owner living elsewhere: name and phone, the phone sealed as every phone is.
            mobile = f"+861{self.rng.choice('3589')}{self.rng.randrange(10**9):09d}"
            owner = {
                "owner_name": self.rng.choice(OWNER_SURNAMES) + self.rng.choice(("先生", "女士")),
                "owner_phone_enc": self.cipher.encrypt(mobile),
                "owner_phone_hash": self.cipher.blind_index(mobile),
                "owner_phone_tail": phone.tail(mobile),
            }
        w.add(
            HOUSE,
            {
                "id": house_id,
                "area_id": area_id,
                "building_id": building_id,
                "unit_id": units[unit_name],
                "room": house_room,
                "status": status,
                "owner_resident_id": None,
                **owner,
                "floor_area": round(self.rng.uniform(45, 140), 1) if self.rng.random() < 0.7 else None,
                "note": "",
                "created_at": self.now,
                "updated_at": self.now,
            },
        )
        self.houses[status] = self.houses.get(status, 0) + 1
        return house_id

    def _status(self, home: Home) -> str:
        if home.members and home.members[0].kind == "02":
            return "rented"
        draw = self.rng.random()
        return "vacant" if draw < AWAY else "other" if draw < AWAY + OTHER else "owner_occupied"

    def _grade(self, home: Home) -> str | None:
        tags = {t for m in home.members for t in m.tags}
        draw = self.rng.random()
        if tags:
            return "red" if draw < 0.2 else "yellow" if draw < 0.55 else None
        return "blue" if draw < 0.03 else None

    def building(self, area_id: int, plan: BuildingPlan) -> list[tuple[int, Person]]:
        """Add one building, its units and houses, its households and their members; return ``(resident id,
        person)`` pairs. A rented house has its tenancy, some households a care grade with its reason."""
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
        units: dict[str, int] = {}
        for room in plan.empty:
            shop = room.endswith(("101", "102")) and self.rng.random() < SHOP
            self._house(area_id, building_id, units, room, "business" if shop else "vacant")
        for room, home in plan.homes:
            status = self._status(home)
            house_id = self._house(area_id, building_id, units, room, status)
            grade = self._grade(home)
            household_id = w.next_id(HOUSEHOLD)
            if status == "rented":
                w.add(
                    TENANCY,
                    {
                        "id": w.next_id(TENANCY),
                        "area_id": area_id,
                        "house_id": house_id,
                        "household_id": household_id,
                        "starts_on": self.live_since - timedelta(days=self.rng.randrange(30, 900)),
                        "ends_on": None,
                        "note": "",
                        "user_id": None,
                    }
                    | stamp,
                )
            if grade is not None:
                w.add(
                    GRADE,
                    {
                        "id": w.next_id(GRADE),
                        "household_id": household_id,
                        "grade": grade,
                        "previous": None,
                        "reason": WHY_GRADED[grade],
                        "user_id": None,
                        "username": "demo",
                        "created_at": self.now,
                    },
                )
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
                    "house_id": house_id,
                    "care_grade": grade,
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
