"""The demo: 思明区 › 开元街道 › 阳台山社区 as the source describes it, with people and an account per role.

``build_demo`` fills an empty database, one community per transaction, and is deterministic: the
same seed gives the same areas, households, names, ID numbers and phones (only the random nonces
of the encrypted fields and the timestamps differ).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.accounts.services import create_user
from linli.areas.models import Area
from linli.audit import services as audit
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.errors import Conflict, Invalid
from linli.lib import clock
from linli.needs.models import WorkOrder
from linli.registry.models import Resident, Tag
from linli.reports import rollup
from linli.runtime import cipher_of
from linli.synth import layout
from linli.synth.activity import LIVE_DAYS, grow_activity
from linli.synth.bootstrap import seed_tags
from linli.synth.bulk import AREA, QUICK_FROM, BulkWriter, RowBuffer, first_ids, quick_sqlite, vacuum_postgres
from linli.synth.community import ahead, batches
from linli.synth.councils import grow_councils
from linli.synth.courses import grow_courses
from linli.synth.disputes import grow_disputes
from linli.synth.events import grow_events
from linli.synth.honours import grow_honours
from linli.synth.houses import grow_houses
from linli.synth.institutions import grow_institutions
from linli.synth.rows import RowMaker
from linli.synth.stories import grow_stories
from linli.synth.supply import VOLUNTEER_ACCOUNTS, grow_supply
from linli.synth.supply_bulk import grow_district_supply
from linli.visits.hooks import DEFER
from linli.visits.models import GridLog
from linli.visits.rhythm import recompute_rhythm

Scale = Literal["community", "district"]
DEMO_PASSWORD = "Linli-Demo-2026"
DEFAULT_SEED = 2019


class Progress(Protocol):
    def __call__(self, what: str, done: int, total: int) -> None: ...


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    area_code: str
    display_name: str


def demo_accounts() -> tuple[DemoAccount, ...]:
    """Return the demo's accounts: one per role, the five grid workers of 阳台山社区's grids."""
    community, grid = layout.COMMUNITY[0], layout.COMMUNITY[0] + "{:03d}"
    return (
        DemoAccount("admin", "admin", layout.DISTRICT[0], "思明区管理员"),
        DemoAccount("jiedao", "supervisor", layout.STREET[0], "开元街道督导"),
        DemoAccount("shequ", "secretary", community, "阳台山社区书记"),
        *(
            DemoAccount(f"wangge{i}", "grid_worker", grid.format(i), f"{layout.YANGTAISHAN_GRIDS[i - 1][0]}网格员")
            for i in range(1, 6)
        ),
        DemoAccount("zhiyuan", "volunteer", community, "小喇叭巡逻队志愿者"),
        *(DemoAccount(username, "volunteer", community, name) for username, name in VOLUNTEER_ACCOUNTS),
        DemoAccount("jumin", "resident", grid.format(1), "第一网格居民"),
        DemoAccount("jiazhang", "resident", grid.format(3), "第三网格家长"),
    )


@dataclass
class DemoSummary:
    """What ``build_demo`` made, for the CLI to print and the audit trail to keep."""

    seed: int
    scale: str
    areas: int = 0
    grids: int = 0
    buildings: int = 0
    households: int = 0
    residents: int = 0
    cared: int = 0
    logs: int = 0  # grid logs of the year before today (community scale)
    orders: int = 0  # work orders in every state (community scale)
    overdue: int = 0
    volunteers: int = 0
    teams: int = 0
    resources: int = 0
    on_hand: int = 0  # 阳台山社区's resources on hand (56)
    courses: int = 0  # 阳台山社区's 阳光小课堂 (20)
    councils: int = 0  # 阳台山社区's deliberation council and a compound's self-governance group
    votes: int = 0  # votes in 阳台山社区's two 五好 selections (one finished, one in its voting window)
    stories: int = 0  # 阳台山社区's 微故事
    events: int = 0  # 阳台山社区's grid events, in every state
    disputes: int = 0  # 阳台山社区's disputes under mediation
    seconds: float = 0.0
    accounts: list[DemoAccount] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        keys = ("areas", "grids", "buildings", "households", "residents", "cared")
        return {k: getattr(self, k) for k in keys}


def has_data(session: Session) -> bool:
    """Return whether the database holds any area, account or resident."""
    return any(session.scalar(select(m.id).limit(1)) is not None for m in (Area, User, Resident))


def build_demo(
    session: Session,
    seed: int = DEFAULT_SEED,
    scale: Scale = "community",
    residents: int | None = None,
    progress: Progress | None = None,
) -> DemoSummary:
    """Return the summary of the demo built into an empty database.

    ``residents`` overrides the size (阳台山社区's people at community scale, the district's at
    district scale) for tests and quick trials. Refuses a database that already has data. The supply
    side (``synth.supply``: 阳台山社区's teams, volunteers and 56 resources on hand; at district scale
    ``synth.supply_bulk`` for every other community) comes before the year of work, whose orders it
    serves. From 100,000 residents on, rows are made in a forked process ahead of the writer and
    SQLite skips fsync while loading (``synth.community.ahead``, ``synth.bulk.quick_sqlite``); a load
    that fails halfway leaves the communities written so far: delete the database and run it again.
    """
    if scale not in ("community", "district"):
        raise Invalid("demo.scale", "The scale is community or district.", "scale")
    if residents is not None and residents < 0:
        raise Invalid("demo.residents", "The number of residents cannot be negative.", "residents")
    if has_data(session):
        raise Conflict("demo.has_data", "The database already has data; the demo loads only into an empty database.")
    started = time.perf_counter()
    if scale == "community":
        plan = layout.community_scale(layout.COMMUNITY_RESIDENTS if residents is None else residents)
    else:
        plan = layout.district_scale(layout.DISTRICT_RESIDENTS if residents is None else residents, seed)
    summary = DemoSummary(seed=seed, scale=scale)
    with transaction(session):
        seed_tags(session)
    tag_ids = {code: id_ for code, id_ in session.execute(select(Tag.code, Tag.id))}
    buffer = RowBuffer(first_ids(session))
    writer = BulkWriter(session)
    now = utcnow()
    with transaction(session):
        area_ids = _areas(buffer, plan, now)
        writer.write(buffer.take())
    summary.areas, summary.grids = len(area_ids), sum(len(c.grids) for c in plan.communities)
    total = sum(c.residents for c in plan.communities)
    maker = RowMaker(buffer, cipher_of(session), tag_ids, now, clock.today() - timedelta(days=LIVE_DAYS))
    # Rows written with Core are not seen by the visit-rhythm hook: each community's households
    # get their rhythm computed in the transaction that writes them.
    session.info[DEFER] = True
    try:
        with quick_sqlite(session, total >= QUICK_FROM):
            made = ahead(lambda: batches(plan, seed, area_ids, maker, buffer), total >= QUICK_FROM)
            for batch in made:
                if progress:
                    progress(batch.name, summary.residents, total)
                with transaction(session):
                    writer.write(batch.rows)
                    if batch.last_household >= batch.first_household:
                        writer.set_heads(batch.first_household, batch.last_household)
                        recompute_rhythm(session, range(batch.first_household, batch.last_household + 1))
                summary.buildings += batch.buildings
                summary.households += batch.households
                summary.residents += batch.residents
                summary.cared += batch.cared
            if progress:
                progress("ANALYZE", summary.residents, total)
            with transaction(session):
                writer.finish()
            vacuum_postgres(session)
    finally:
        session.info.pop(DEFER, None)
    if progress:
        progress("accounts", summary.residents, total)
    summary.accounts = list(demo_accounts())
    with _hashed_once(session):
        for account in summary.accounts:
            create_user(
                session,
                account.username,
                DEMO_PASSWORD,
                display_name=account.display_name,
                roles=[(account.role, account.area_code)],
                demo=True,
            )
    with transaction(session):
        _link_people(session, area_ids)
        audit.record(
            session,
            "demo.load",
            username="demo",
            entity="demo",
            entity_id=seed,
            area_id=area_ids[plan.code],
            changes={"seed": [None, seed], "scale": [None, scale]}
            | {k: [None, v] for k, v in summary.counts().items()},
        )
    # The visit rules for vacant houses and red-graded households (the houses themselves came with the registry).
    grow_houses(session, seed)
    if progress:
        progress("supply", summary.residents, total)
    supply = grow_supply(session, seed)
    # 阳台山社区's tutoring institutions: two over its resources, two with resources of their own (not on hand)
    supply.resources += grow_institutions(session, seed).resources
    if scale == "district":
        grow_district_supply(session, seed, layout.COMMUNITY[0], supply)
    summary.volunteers, summary.teams, summary.resources = supply.volunteers, supply.teams, supply.resources
    summary.on_hand = supply.on_hand
    if progress:
        progress("courses", summary.residents, total)
    summary.courses = grow_courses(session, seed).courses
    if scale == "community" and summary.households:
        if progress:
            progress("activity", summary.residents, total)
        done = grow_activity(session, seed)
        summary.logs, summary.orders, summary.overdue = done.logs, done.orders, done.overdue
    if progress:
        progress("civic", summary.residents, total)
    # 阳台山社区's self-governance: after the activity, so a council's topic can come from its lift orders.
    summary.councils = grow_councils(session, seed)
    summary.votes = grow_honours(session, seed)
    summary.stories = grow_stories(session, seed)
    summary.events = grow_events(session, seed)
    summary.disputes = grow_disputes(session, seed)
    if summary.logs:  # a story's grid log, a council's lift orders, the events reported up: counted again
        summary.logs = session.scalar(select(func.count()).select_from(GridLog)) or 0
        summary.orders = session.scalar(select(func.count()).select_from(WorkOrder)) or 0
    if progress:
        progress("figures", summary.residents, total)
    rollup.backfill(session, 12)  # the dashboard's figures of the last 12 months
    summary.seconds = round(time.perf_counter() - started, 1)
    return summary


class _OneHash:
    """The session's password hasher, hashing each password once however many accounts use it."""

    def __init__(self, hasher: Any) -> None:
        self.hasher = hasher
        self.hashes: dict[str, str] = {}

    def hash(self, password: str) -> str:
        if password not in self.hashes:
            self.hashes[password] = self.hasher.hash(password)
        return self.hashes[password]


@contextmanager
def _hashed_once(session: Session) -> Iterator[None]:
    """Let the demo accounts share one hash of the demo password while they are created.

    argon2 at production cost takes ~0.4 s a hash: 18 accounts would spend 7 s of the build on it. They
    share a salt, which gives nothing away: the password is printed for everyone.
    """
    hasher = session.info["hasher"]
    session.info["hasher"] = _OneHash(hasher)
    try:
        yield
    finally:
        session.info["hasher"] = hasher


def _areas(writer: RowBuffer, plan: layout.DistrictPlan, now: datetime) -> dict[str, int]:
    """Add the whole area tree; return area ids by code."""
    ids: dict[str, int] = {}

    def add(level: str, code: str, name: str, parent: str | None, path: str, **extra: Any) -> None:
        ids[code] = writer.next_id(AREA)
        row = {"id": ids[code], "parent_id": ids[parent] if parent else None, "level": level, "code": code}
        extra = {"character": "", "sort": 0} | extra
        writer.add(AREA, row | {"name": name, "path": path, "created_at": now, "updated_at": now} | extra)

    add("district", plan.code, plan.name, None, f"/{plan.code}/")
    for s, street in enumerate(plan.streets):
        street_path = f"/{plan.code}/{street.code[6:9]}/"
        add("street", street.code, street.name, plan.code, street_path, sort=s)
        for c, community in enumerate(street.communities):
            community_path = f"{street_path}{community.code[9:12]}/"
            add("community", community.code, community.name, street.code, community_path, sort=c)
            for g, grid in enumerate(community.grids):
                path = f"{community_path}{grid.code[12:15]}/"
                add("grid", grid.code, grid.name, community.code, path, character=grid.character, sort=g)
    return ids


def _link_people(session: Session, area_ids: dict[str, int]) -> None:
    """Give ``jumin`` a household head of grid 1 and ``zhiyuan`` a patrol volunteer of grid 5."""
    community = layout.COMMUNITY[0]
    for username, grid, condition in (
        ("jumin", f"{community}001", Resident.relation == "02"),
        ("zhiyuan", f"{community}005", Resident.skills.contains("巡逻")),
    ):
        resident_id = session.scalar(
            select(Resident.id).where(Resident.area_id == area_ids[grid], condition).order_by(Resident.id).limit(1)
        )
        user = session.scalar(select(User).where(User.username == username))
        if user is not None and resident_id is not None:
            user.resident_id = resident_id


__all__ = ["DEMO_PASSWORD", "DemoAccount", "DemoSummary", "Progress", "build_demo", "has_data"]
