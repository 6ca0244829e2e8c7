"""The demo's 五好先锋 selections of 阳台山社区 (评选), as the source tells of the one the 百事帮 team organised.

Two selections: last year's, finished — its nominees checked, votes from many households online and on
paper (entered by the grid workers ``wangge1``…``wangge5``), results and statistics published — and this
year's, in its voting window today, with eligible nominees in every category, some households already
voted, and ``jumin``'s household not yet: the demo resident can open it on a phone and vote.

Nominations and votes are written as ORM rows (their windows are long past, or closed, when the demo is
built); the results are published through the real service, so ranks, winners and the tie rule are the
ones the application computes. Deterministic from the seed, with dates counted from today.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import Assignment, User
from linli.accounts.permissions import Scope
from linli.areas.models import Area
from linli.civic.honours import results
from linli.civic.honours.models import Nomination, Selection, SelectionCategory, SelectionVote
from linli.civic.honours.services import FIVE_GOOD
from linli.db.engine import transaction
from linli.lib import clock
from linli.registry.models import Household, Resident
from linli.registry.services import household_addresses
from linli.synth import layout

REASONS = {
    "party_member": (
        "带头参加小区志愿巡逻，风雨无阻",
        "三十年党龄，常给邻居讲政策",
        "组织党员认领楼道，帮独居老人代购",
    ),
    "family": ("三代同堂，邻里和睦，常帮楼里老人", "家里的小院开放给孩子们读书", "全家都是百事帮志愿者"),
    "neighbour": ("天天帮楼下独居阿嬷取快递", "谁家水管坏了都是他上门修", "逢年过节给邻居送自己做的闽南小吃"),
    "volunteer": (
        "爱心厨房掌勺三年，给高龄老人做寿宴",
        "每周义诊，骨科问题随叫随到",
        "小喇叭巡逻队队长，夜里巡逻防火防盗",
    ),
    "grid_worker": ("三天一联系、五天一上门，从不落下", "网格里每户的难事都记在心上", "深夜陪老人去医院"),
}
NOMINEES = 4  # per category (好网格员: the grid workers there are)


def grow_honours(session: Session, seed: int) -> int:
    """Return how many votes were written into 阳台山社区's two selections (0 when it is absent or has selections)."""
    community = session.scalars(select(Area).where(Area.code == layout.COMMUNITY[0])).first()
    if community is None or session.scalar(select(Selection.id).where(Selection.area_id == community.id).limit(1)):
        return 0
    rng = random.Random(f"{seed}-honours")
    jumin_home = session.scalar(
        select(Resident.household_id).join(User, User.resident_id == Resident.id).where(User.username == "jumin")
    )
    with transaction(session):
        done = _Selection(session, rng, community).grow(
            "上一年度“五好先锋”评选",
            days=(-75, -61, -58, -44, -40),
            share=0.55,
            skip=None,
        )
        live = _Selection(session, rng, community).grow(
            "本年度“五好先锋”评选",
            days=(-20, -8, -3, 6, 9),
            share=0.18,
            skip=jumin_home,
        )
        finished_id = done[0]
        written = done[1] + live[1]
    keeper = Scope.system(community.id, community.path, "demo")
    results.publish_results(session, keeper, finished_id)
    results.publish_stats(session, keeper, finished_id)
    return written


class _Selection:
    def __init__(self, session: Session, rng: random.Random, community: Area) -> None:
        self.session, self.rng, self.community = session, rng, community
        grids = select(Area.id).where(Area.parent_id == community.id)
        self.households = list(
            session.scalars(
                select(Household.id)
                .where(Household.area_id.in_(grids), Household.dissolved_on.is_(None))
                .order_by(Household.id)
            )
        )
        self.people = list(
            session.execute(
                select(Resident.id, Resident.name, Resident.household_id)
                .where(
                    Resident.area_id.in_(grids),
                    Resident.status == "active",
                    Resident.household_id.is_not(None),
                    Resident.birth_date < date(clock.today().year - 25, 1, 1),
                )
                .order_by(Resident.id)
            ).all()
        )
        self.workers = list(
            session.execute(
                select(User.id, User.display_name)
                .join(Assignment, Assignment.user_id == User.id)
                .where(Assignment.role == "grid_worker", Assignment.area_id.in_(grids))
                .order_by(User.username)
            ).all()
        )
        self.secretary = session.scalar(select(User.id).where(User.username == "shequ"))

    def grow(self, title: str, days: tuple[int, int, int, int, int], share: float, skip: int | None) -> tuple[int, int]:
        """Return the new selection's id and how many votes it got."""
        today = clock.today()
        nf, nu, vf, vu, ru = (today + timedelta(days=d) for d in days)
        selection = Selection(
            area_id=self.community.id,
            title=title,
            description="由百事帮服务队发起，评选身边的好党员、好家庭、好邻居、好志愿者和好网格员，每户每类一票。",
            rule="household",
            nominate_from=nf,
            nominate_until=nu,
            vote_from=vf,
            vote_until=vu,
            recount_until=ru,
            created_by_id=self.secretary,
        )
        self.session.add(selection)
        self.session.flush()
        ballot: dict[int, list[int]] = {}
        for position, c in enumerate(FIVE_GOOD):
            category = SelectionCategory(selection_id=selection.id, position=position, **c.model_dump())
            self.session.add(category)
            self.session.flush()
            ballot[category.id] = self._nominees(selection.id, category, nf)
        if not self.households:
            return selection.id, 0
        last = min(vu, today)
        voters = [h for h in self.households if h != skip]
        chosen = self.rng.sample(voters, max(1, int(len(voters) * share)))
        rows = []
        for household in chosen:
            paper = self.rng.random() < 0.3
            recorder = self.rng.choice(self.workers)[0] if paper and self.workers else None
            for category_id, nominees in ballot.items():
                if not nominees or self.rng.random() < 0.15:
                    continue  # not every household votes in every category
                # A weighted choice, so the counts differ and the demo has clear winners.
                nominee = self.rng.choices(nominees, weights=range(len(nominees) + 1, 1, -1))[0]
                span = max((last - vf).days, 0)
                day = vf + timedelta(days=self.rng.randint(0, span))
                moment = datetime.combine(day, time(8 + self.rng.randint(0, 12), self.rng.randint(0, 59)), clock.LOCAL)
                rows.append(
                    SelectionVote(
                        selection_id=selection.id,
                        category_id=category_id,
                        nomination_id=nominee,
                        voter_key=f"h{household}",
                        household_id=household,
                        channel="paper" if paper else "online",
                        recorded_by_id=recorder,
                        created_at=min(moment.astimezone(UTC), datetime.now(UTC)),
                    )
                )
        self.session.add_all(rows)
        self.session.flush()
        return selection.id, len(rows)

    def _nominees(self, selection_id: int, category: SelectionCategory, opened: date) -> list[int]:
        """Add a category's nominees (eligible, and one ineligible where there are enough); return the eligible ids."""
        made: list[Nomination] = []
        reasons = REASONS[category.code]
        at = datetime.combine(opened, time(9), clock.LOCAL).astimezone(UTC)
        picks: list[tuple[int | None, int | None, int | None, str, str]]
        if category.nominee_kind == "user":
            picks = [(None, None, uid, name, "") for uid, name in self.workers[:NOMINEES]]
        elif category.nominee_kind == "household":
            homes = self.rng.sample(self.households, min(NOMINEES, len(self.households)))
            heads = {h: n for _, n, h in self.people if h in homes}
            addresses = household_addresses(self.session, homes)
            picks = [(None, h, None, f"{heads.get(h, '邻')[:1]}家", addresses.get(h, "")) for h in homes]
        else:
            people = self.rng.sample(self.people, min(NOMINEES, len(self.people)))
            addresses = household_addresses(self.session, [p[2] for p in people if p[2] is not None])
            picks = [(rid, None, None, name, addresses.get(h or 0, "")) for rid, name, h in people]
        for i, (resident_id, household_id, user_id, name, place) in enumerate(picks):
            made.append(
                Nomination(
                    selection_id=selection_id,
                    category_id=category.id,
                    resident_id=resident_id,
                    household_id=household_id,
                    user_id=user_id,
                    display_name=name[:60],
                    place=place[:100],
                    reason=reasons[i % len(reasons)],
                    nominated_by_id=self.secretary,
                    state="eligible",
                    checked_by_id=self.secretary,
                    check_note="",
                    winner=False,
                    created_at=at + timedelta(hours=i),
                )
            )
        self.session.add_all(made)
        self.session.flush()
        return [n.id for n in made]
