"""The district's supply side at bench scale: volunteers, resources and teams of every community but the demo's.

A district of 1,000,000 residents in 1,500 grids gets about 50,000 volunteers (5% of each grid's residents,
~33 a grid, drawn from the residents who said they are willing) and about 5,000 resources (~3.3 a grid,
five every community has and the rest drawn from ``supply_table.DISTRICT_SOME``); one community in each
street has a team that covers one or two neighbours too. Rows go in through ``synth.bulk.BulkWriter`` (Core
``insert()`` in batches on SQLite, COPY on PostgreSQL) with ids allotted here, 20,000 rows at a time.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session

from linli.areas.models import Area
from linli.audit import services as audit
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.lib import clock
from linli.lib.crypto import FieldCipher
from linli.lib.skills import categories_for
from linli.needs.catalogue import DEFAULT_CATEGORIES
from linli.needs.models import ServiceCategory, Team, TeamArea, TeamCategory
from linli.registry.models import Resident
from linli.resources.models import Resource, ResourceCategory
from linli.runtime import cipher_of
from linli.synth.bulk import BulkWriter, Rows
from linli.synth.housing import ROADS
from linli.synth.names import surname
from linli.synth.people import REFERENCE
from linli.synth.supply import (
    COMMON_OFFERS,
    CONSENT_NOTES,
    MEDICAL,
    SupplySummary,
    job_in,
    load_limit,
    volunteer_skills,
    weekly_slots,
)
from linli.synth.supply_table import DISTRICT_EVERY, DISTRICT_SOME, ResourceRow, contact, opening_hours
from linli.volunteers.models import Availability, Away, Qualification, Volunteer, VolunteerArea, VolunteerCategory

VOLUNTEER_SHARE = 0.05  # of a grid's residents: 50,000 in a district of 1,000,000
RESOURCES_PER_GRID = 10 / 3  # 5,000 in a district of 1,500 grids
TEAM_KINDS = ("邻里互助队", "党员先锋服务队", "银龄志愿服务队", "巾帼志愿服务队", "青年志愿服务队")
BATCH = 20_000

VOLUNTEER: Table = Volunteer.__table__  # type: ignore[assignment]
V_CATEGORY: Table = VolunteerCategory.__table__  # type: ignore[assignment]
V_AREA: Table = VolunteerArea.__table__  # type: ignore[assignment]
SLOT: Table = Availability.__table__  # type: ignore[assignment]
AWAY: Table = Away.__table__  # type: ignore[assignment]
QUALIFICATION: Table = Qualification.__table__  # type: ignore[assignment]
RESOURCE: Table = Resource.__table__  # type: ignore[assignment]
R_CATEGORY: Table = ResourceCategory.__table__  # type: ignore[assignment]
TEAM: Table = Team.__table__  # type: ignore[assignment]
T_AREA: Table = TeamArea.__table__  # type: ignore[assignment]
T_CATEGORY: Table = TeamCategory.__table__  # type: ignore[assignment]
# Parents before children, so every foreign key finds its row.
ORDER = (TEAM, T_AREA, T_CATEGORY, VOLUNTEER, V_CATEGORY, V_AREA, SLOT, AWAY, QUALIFICATION, RESOURCE, R_CATEGORY)
WITH_IDS = (TEAM, VOLUNTEER, SLOT, AWAY, QUALIFICATION, RESOURCE)


def grow_district_supply(session: Session, seed: int, skip: str, summary: SupplySummary) -> None:
    """Add the supply side of every community whose code does not start with ``skip``, in one transaction."""
    with transaction(session):
        district = _District(session, seed, skip)
        district.grow(summary)
        district.rows.finish()
        audit.record(
            session,
            "demo.supply",
            username="demo",
            entity="district",
            changes={k: [None, v] for k, v in district.counts.items()},
        )


class _Rows:
    """Rows waiting to be written, with ids allotted from the tables' largest."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._next = {t.name: (session.scalar(select(func.max(t.c.id))) or 0) + 1 for t in WITH_IDS}
        self.writer = BulkWriter(session)
        self.rows: Rows = {t.name: [] for t in ORDER}
        self.waiting = 0

    def id(self, table: Table) -> int:
        value = self._next[table.name]
        self._next[table.name] = value + 1
        return value

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.rows[table.name].append(row)
        self.waiting += 1
        if self.waiting >= BATCH:
            self.write()

    def write(self) -> None:
        self.writer.write(self.rows, ORDER)
        self.rows = {t.name: [] for t in ORDER}
        self.waiting = 0

    def finish(self) -> None:
        """Write what waits, move PostgreSQL's sequences past the ids allotted, and gather statistics."""
        self.write()
        postgres = self.session.get_bind().dialect.name == "postgresql"
        for table in ORDER:
            if postgres and table in WITH_IDS:
                sequence = f"pg_get_serial_sequence('{table.name}', 'id')"
                self.session.execute(text(f'SELECT setval({sequence}, (SELECT max(id) FROM "{table.name}"))'))
            self.session.execute(text(f'ANALYZE "{table.name}"'))


@dataclass(frozen=True)
class _Community:
    id: int
    street: int | None
    code: str
    name: str


class _District:
    def __init__(self, session: Session, seed: int, skip: str) -> None:
        self.session, self.seed = session, seed
        self.today, self.now = clock.today(), utcnow()
        self.cipher: FieldCipher = cipher_of(session)
        self.rows = _Rows(session)
        self.categories = {c: id_ for c, id_ in session.execute(select(ServiceCategory.code, ServiceCategory.id))}
        areas = session.execute(
            select(Area.id, Area.parent_id, Area.level, Area.code, Area.name)
            .where(Area.level.in_(("community", "grid")))
            .order_by(Area.code)
        ).all()
        self.communities = [
            _Community(id_, street, code, name)
            for id_, street, level, code, name in areas
            if level == "community" and not code.startswith(skip)
        ]
        self.grids: dict[int, list[int]] = {c.id: [] for c in self.communities}
        for id_, parent, level, _, _ in areas:
            if level == "grid" and parent in self.grids:
                self.grids[parent].append(id_)
        self.counts = dict.fromkeys(("volunteers", "resources", "on_hand", "teams"), 0)

    def grow(self, summary: SupplySummary) -> None:
        counted = select(Resident.area_id, func.count()).where(Resident.status == "active").group_by(Resident.area_id)
        people: dict[int, int] = {area: n for area, n in self.session.execute(counted)}
        willing: dict[int, list[tuple[int, date, str]]] = {}
        for id_, area, born, skills in self.session.execute(
            select(Resident.id, Resident.area_id, Resident.birth_date, Resident.skills)
            .where(Resident.willing_to_help.is_(True), Resident.status == "active")
            .order_by(Resident.id)
        ):
            if born is not None and 18 <= clock.age_on(born, REFERENCE) <= 80:
                willing.setdefault(area, []).append((id_, born, skills))
        neighbours = self._neighbours()
        for community in self.communities:
            rng = random.Random(f"{self.seed}/supply/{community.code}")
            for grid in self.grids[community.id]:
                candidates = willing.get(grid, [])
                wanted = min(round(people.get(grid, 0) * VOLUNTEER_SHARE), len(candidates))
                for id_, born, skills in sorted(rng.sample(candidates, wanted)):
                    self._volunteer(rng, id_, grid, community.id, neighbours.get(community.id), born, skills)
            self._resources(rng, community)
        self._teams()
        summary.volunteers += self.counts["volunteers"]
        summary.resources += self.counts["resources"]
        summary.teams += self.counts["teams"]

    def _neighbours(self) -> dict[int, int]:
        """Return, for each community, the next one of its street (the last one's is the first)."""
        by_street: dict[int | None, list[_Community]] = {}
        for community in self.communities:
            by_street.setdefault(community.street, []).append(community)
        return {c.id: cs[(i + 1) % len(cs)].id for cs in by_street.values() if len(cs) > 1 for i, c in enumerate(cs)}

    def _volunteer(
        self,
        rng: random.Random,
        resident: int,
        grid: int,
        community: int,
        neighbour: int | None,
        born: date,
        text_: str,
    ) -> None:
        rows, age = self.rows, clock.age_on(born, REFERENCE)
        profession = job_in(text_)
        extra = rng.sample(COMMON_OFFERS, rng.randint(1, 2)) if not text_ or rng.random() < 0.3 else []
        offers = "、".join(extra)
        skills = volunteer_skills(profession, text_, offers)
        id_ = rows.id(VOLUNTEER)
        consent: datetime = self.now - timedelta(days=rng.randint(20, 1500), minutes=rng.randint(0, 600))
        rows.add(
            VOLUNTEER,
            {
                "id": id_,
                "resident_id": resident,
                "user_id": None,
                "area_id": grid,
                "profession": profession,
                "skills": skills,
                "skills_text": "、".join(t for t in (text_, offers) if t),
                "load_limit": load_limit(rng),
                "status": "paused" if rng.random() < 0.03 else "active",
                "consent_at": consent,
                "consent_note": rng.choice(CONSENT_NOTES),
                "consent_recorded_by_id": None,
                "notes": "",
                **dict.fromkeys(("invited", "accepted", "declined", "no_shows", "done", "open_tasks"), 0),
                "hours_served": 0.0,
                "rating_count": 0,
                "rating_sum": 0.0,
                "last_task_at": None,
                "version": 1,
                "created_at": self.now,
                "updated_at": self.now,
            },
        )
        for code in sorted(categories_for(skills)):
            rows.add(V_CATEGORY, {"volunteer_id": id_, "category_id": self.categories[code]})
        rows.add(V_AREA, {"volunteer_id": id_, "area_id": community})
        if neighbour is not None and rng.random() < 0.05:
            rows.add(V_AREA, {"volunteer_id": id_, "area_id": neighbour})
        for day, start, end in weekly_slots(rng, age, "巡逻" in text_):
            rows.add(
                SLOT,
                {"id": rows.id(SLOT), "volunteer_id": id_, "weekday": day, "start_minute": start, "end_minute": end},
            )
        if rng.random() < 0.04:
            starts = self.today + timedelta(days=rng.randint(-20, 40))
            away = {"volunteer_id": id_, "starts_on": starts, "ends_on": starts + timedelta(days=rng.randint(2, 20))}
            rows.add(AWAY, {"id": rows.id(AWAY), **away, "reason": rng.choice(("回老家探亲", "外出旅游", "出差"))})
        medical = next((item for item in text_.split("、") if item in MEDICAL), None)
        if medical is not None:
            nurse = medical == "护士"
            rows.add(
                QUALIFICATION,
                {
                    "id": rows.id(QUALIFICATION),
                    "volunteer_id": id_,
                    "kind": "nurse_licence" if nurse else "medical_licence",
                    "name": "护士执业证书" if nurse else "医师执业证书",
                    "number": f"{rng.randrange(10**14, 10**15)}",
                    "confirmed_by_id": None,
                    "confirmed_at": None,
                    "expires_on": self.today + timedelta(days=rng.randint(-60, 1800)),
                    "created_at": self.now,
                    "updated_at": self.now,
                },
            )
        self.counts["volunteers"] += 1

    def _resources(self, rng: random.Random, community: _Community) -> None:
        grids = self.grids[community.id]
        count = round(len(grids) * RESOURCES_PER_GRID)
        weights = [w for w, _ in DISTRICT_SOME]
        drawn = rng.choices([r for _, r in DISTRICT_SOME], weights, k=max(0, count - len(DISTRICT_EVERY)))
        for row in (*DISTRICT_EVERY, *drawn):
            self._resource(rng, community, grids, row)

    def _resource(self, rng: random.Random, community: _Community, grids: list[int], row: ResourceRow) -> None:
        name, phone = contact(rng)
        fill = {"c": community.name, "s": surname(rng), "road": rng.choice(ROADS)}
        draw = rng.random()
        state = "expired" if draw < 0.06 else "retired" if draw < 0.08 else "until" if draw < 0.2 else ""
        days = rng.randint(10, 300)
        until = self.today - timedelta(days=days) if state == "expired" else None
        until = self.today + timedelta(days=days) if state == "until" else until
        id_ = self.rows.id(RESOURCE)
        self.rows.add(
            RESOURCE,
            {
                "id": id_,
                "area_id": community.id if row.where == "c" or not grids else rng.choice(grids),
                "kind": row.kind,
                "name": row.name.format(**fill),
                "owner": f"{name}（个体户）" if row.owner == "个体户" else row.owner.format(**fill),
                "description": row.description,
                "address": f"{fill['road']}{rng.randint(1, 300)}号",
                "contact_name": name,
                "contact_phone_enc": self.cipher.encrypt(phone),
                "contact_phone_hash": self.cipher.blind_index(phone),
                "contact_phone_tail": phone[-4:],
                "handler_user_id": None,
                "capacity": row.capacity,
                "capacity_unit": row.unit,
                "opening_hours": opening_hours(row.hours),
                "valid_until": until,
                "active": state != "retired",
                "version": 1,
                "created_at": self.now,
                "updated_at": self.now,
            },
        )
        for code in row.categories:
            self.rows.add(R_CATEGORY, {"resource_id": id_, "category_id": self.categories[code]})
        self.counts["resources"] += 1
        self.counts["on_hand"] += state in ("", "until")

    def _teams(self) -> None:
        """Give one community of each street a team covering it and one or two of its neighbours."""
        by_street: dict[int | None, list[_Community]] = {}
        for community in self.communities:
            by_street.setdefault(community.street, []).append(community)
        codes = [code for code, _, _ in DEFAULT_CATEGORIES]
        for street, communities in sorted(by_street.items(), key=lambda item: item[1][0].code):
            rng = random.Random(f"{self.seed}/supply/team/{street}")
            at = rng.randrange(len(communities))
            home = communities[at]
            id_ = self.rows.id(TEAM)
            name = f"{home.name}{rng.choice(TEAM_KINDS)}"
            stamp = {"created_at": self.now, "updated_at": self.now}
            self.rows.add(TEAM, {"id": id_, "area_id": home.id, "name": name, "active": True, **stamp})
            covered = _around(communities, at, rng.randint(1, 2))
            for community in covered:
                self.rows.add(T_AREA, {"team_id": id_, "area_id": community.id})
            for code in sorted(rng.sample(codes, rng.randint(3, 6))):
                self.rows.add(T_CATEGORY, {"team_id": id_, "category_id": self.categories[code]})
            self.counts["teams"] += 1


def _around(items: list[_Community], at: int, count: int) -> Iterable[_Community]:
    """Return up to ``count`` items next to ``items[at]``, the following ones first."""
    others = [items[(at + step) % len(items)] for step in range(1, len(items))]
    return others[:count]
