"""The supply side of the demo: volunteers, service teams, resources and standing services.

阳台山社区 gets what the source tells of it: the 百事帮服务队 of 图强小区 (16 residents with useful
professions, the 12 service items), the 天使服务队 of grid 4's medical workers, the 小喇叭巡逻队 of grid 5,
some forty other willing residents, and exactly 56 resources on hand (beside a few that ran out). It is
written as ORM rows in one transaction, after the demo's accounts and before its year of work, so the
orders given to a volunteer keep their tasks, hours and counters through the volunteers module's
``needs.lifecycle.AFTER_MOVE`` hook, as they would in use.

At district scale every other community gets volunteers (5% of its residents: ~33 a grid, ~50,000 in a
district of 1,500 grids) and resources (~3.3 a grid, ~5,000), and one community in each street a team
that covers its neighbours too: ``synth.supply_bulk``, written with Core inserts in batches.

Deterministic from the seed: one ``random.Random`` per part, ages counted on ``people.REFERENCE`` as the
people were made; only the nonces of the encrypted phones, and dates counted from today, differ between
builds.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.areas.models import Area
from linli.audit import services as audit
from linli.db.engine import transaction
from linli.lib import clock
from linli.lib.skills import PROFESSIONS, canonical_skills, categories_for, profession_skills
from linli.needs import catalogue
from linli.needs.models import ServiceCategory, Team, TeamArea, TeamCategory, TeamMember
from linli.registry.models import Building, Household, Resident, ResidentTag, Tag
from linli.resources.models import Resource, ResourceCategory
from linli.runtime import cipher_of
from linli.synth import layout
from linli.synth.people import REFERENCE
from linli.synth.supply_table import RESOURCES, contact, opening_hours
from linli.volunteers.models import (
    Availability,
    Away,
    Qualification,
    ServiceHours,
    ServiceSignup,
    StandingService,
    Volunteer,
    VolunteerArea,
    VolunteerCategory,
)

# The volunteers' own demo accounts (role volunteer at 阳台山社区, the demo password), besides ``zhiyuan``
# of the 小喇叭巡逻队; ``synth.demo.demo_accounts`` lists them.
VOLUNTEER_ACCOUNTS = (
    ("zhiyuan2", "百事帮服务队队长"),
    ("zhiyuan3", "百事帮服务队厨师"),
    ("zhiyuan4", "百事帮服务队骨科医生"),
    ("zhiyuan5", "百事帮服务队社工"),
    ("zhiyuan6", "百事帮服务队消防员"),
    ("zhiyuan7", "天使服务队队长"),
    ("zhiyuan8", "天使服务队护士"),
    ("zhiyuan9", "小喇叭巡逻队队长"),
)
BAISHIBANG, ANGELS, PATROL = "图强小区百事帮服务队", "第四网格天使服务队", "第五网格小喇叭巡逻队"
FIRST_COMPOUND = "图强小区"
SIGNED_FORM = "本人签字的志愿者登记表"
CONSENT_NOTES = (SIGNED_FORM, SIGNED_FORM, "本人在手机上确认", "入户走访时本人同意，网格员代为登记")
OTHERS = 40  # willing residents with a profile beside the three teams
MEDICAL = ("骨科医生", "全科医生", "医生", "护士", "药剂师", "康复治疗师", "中医")
# What a volunteer offers beside their trade, as written on the 登记表 (read into skills like any text).
COMMON_OFFERS = (
    "陪老人聊天", "帮忙买菜跑腿", "教老人用手机", "陪同就医", "打扫楼道卫生", "治安巡逻", "帮忙网上挂号",
    "送餐上门", "搬东西", "读报给老人听", "代缴水电费", "买火车票",
)  # fmt: skip


@dataclass(frozen=True)
class Slot:
    """A place in a team: the trade, the resident skills that show it, what they offer, their account."""

    profession: str
    words: tuple[str, ...]
    offers: str
    ages: tuple[int, int] = (22, 70)
    username: str | None = None
    leader: bool = False
    # Take the profession from the resident's skills (护士, 全科医生) rather than ``profession``.
    from_skills: bool = False


# Source §3: 16 first members, all residents of 图强小区, chef, doctor, social worker, firefighter and others.
BAISHIBANG_SLOTS = (
    Slot("退休干部", (), "调解邻里纠纷、代办社保医保手续、组织活动", (60, 78), "zhiyuan2", leader=True),
    Slot("厨师", ("厨师",), "爱心厨房掌勺、给独居老人做寿宴", (30, 68), "zhiyuan3"),
    Slot("骨科医生", ("骨科医生",), "骨科义诊、健康讲座", (35, 68), "zhiyuan4"),
    Slot("社工", ("社工",), "入户探访、陪老人聊天", (24, 60), "zhiyuan5"),
    Slot("消防员", ("消防员",), "消防安全检查、教心肺复苏", (24, 55), "zhiyuan6"),
    Slot("律师", ("律师",), "法律咨询、遗产继承手续", (28, 68)),
    Slot("电工", ("电工", "水电维修"), "修水管、换灯泡、修家电", (25, 68)),
    Slot("教师", ("教师",), "辅导作业、教书法", (25, 70)),
    Slot("程序员", ("电脑维修",), "电脑教学、教老人用手机", (22, 50)),
    Slot("护士", ("护士",), "量血压、测血糖、陪同就医", (22, 60)),
    Slot("心理咨询师", ("心理咨询",), "心理疏导、陪老人聊天", (28, 65)),
    Slot("理发师", ("理发",), "上门理发", (22, 68)),
    Slot("会计", ("会计",), "代缴水电费、填表办证", (25, 68)),
    Slot("司机", ("驾驶",), "开车接送老人去医院", (25, 65)),
    Slot("大学生", (), "网上挂号、买火车票、网购代办", (18, 24)),
    Slot("护工", (), "帮老人洗澡、打扫卫生、送餐上门", (35, 65)),
)
ANGEL_OFFERS = {
    "护士": "上门量血压、换药、陪同就医",
    "药剂师": "用药咨询、整理家庭药箱",
    "康复治疗师": "康复训练指导、上门理疗",
    "中医": "推拿、针灸、养生讲座",
}
DOCTOR_OFFERS = "义诊、健康咨询、教老人网上挂号"
# Source §5: grid 4's medical workers; the first three places make sure of a doctor, a nurse, a pharmacist.
ANGEL_SLOTS = (
    Slot("医生", ("全科医生", "骨科医生", "医生"), DOCTOR_OFFERS, (30, 68), "zhiyuan7", True, from_skills=True),
    Slot("护士", ("护士",), ANGEL_OFFERS["护士"], (22, 60), "zhiyuan8", from_skills=True),
    Slot("药剂师", ("药剂师",), ANGEL_OFFERS["药剂师"], (24, 65), from_skills=True),
)
ANGEL_MORE = ("医生", "护士", "护士", "药剂师")  # the trades given when grid 4 has too few medical workers
PATROL_OFFERS = "治安巡逻、邻里纠纷调解、反诈宣传"
PATROL_TRADES = ("", "保安", "", "退休干部", "", "退伍军人")
ANGEL_CATEGORIES = ("free_clinic", "home_care", "hospital_booking", "counselling")


@dataclass(frozen=True, slots=True)
class _Person:
    id: int
    grid: int  # 1 … 5
    household_id: int | None
    born: date
    age: int
    skills: str
    willing: bool
    compound: str


@dataclass
class _Pick:
    person: _Person
    profession: str
    offers: str
    team: str = ""
    username: str | None = None
    leader: bool = False
    load: int | None = None  # open tasks at once; drawn when None


@dataclass
class SupplySummary:
    """What ``grow_supply`` added."""

    volunteers: int = 0
    teams: int = 0
    resources: int = 0  # every resource row written (on hand or not)
    on_hand: int = 0  # 阳台山社区's resources on hand today: active and valid (56)
    services: int = 0


def grow_supply(session: Session, seed: int) -> SupplySummary:
    """Return what was added to 阳台山社区: its volunteers, teams, resources and standing services.

    Call after the demo's accounts exist and before its activity, in no transaction (it runs one). A
    demo too small for a team (a few dozen residents) gets the people it has: places are filled from
    图强小区, then grid 1, then the community, and skipped only when nobody is left.
    """
    summary = SupplySummary()
    with transaction(session):
        catalogue.ensure_defaults(session)
        session.flush()
        _Yangtaishan(session, seed).grow(summary)
    return summary


def job_in(text: str) -> str:
    """Return the item of a resident's skills (厨师、书法) that names a trade, or ``""``."""
    for item in text.split("、"):
        if item and any(item.endswith(p) for p in _JOB_PHRASES):
            return item
    return ""


_JOB_PHRASES = tuple(sorted({p for job in PROFESSIONS for p in (job.name, *job.synonyms) if not p.isascii()}))


def volunteer_skills(profession: str, *texts: str) -> list[str]:
    """Return the skill codes of a trade and texts, in that order, each once (as the volunteers module reads them)."""
    found = [*profession_skills(profession), *(c for t in texts for c in canonical_skills(t))]
    return list(dict.fromkeys(found))


def weekly_slots(rng: random.Random, age: int, patrol: bool = False) -> list[tuple[int, int, int]]:
    """Return ``(weekday, start, end)`` slots: the retired in the mornings, the working on evenings and a weekend."""
    if patrol:
        return [(d, 19 * 60, 21 * 60) for d in sorted(rng.sample(range(7), rng.randint(3, 5)))]
    if age >= 60:
        days = sorted(rng.sample(range(5), rng.randint(2, 4)))
        slots = [(d, 8 * 60 + 30, 11 * 60 + 30) for d in days]
        if rng.random() < 0.4:
            slots.append((days[0], 15 * 60, 17 * 60 + 30))
        return slots
    evenings = [(d, 19 * 60, 21 * 60) for d in sorted(rng.sample(range(5), rng.randint(1, 3)))]
    weekend = rng.choice((5, 6))
    start = rng.choice((9 * 60, 14 * 60))
    return [*evenings, (weekend, start, start + 180)]


def load_limit(rng: random.Random) -> int:
    """Return how many open tasks a volunteer takes at once: 1 to 3, 2 most often."""
    return rng.choices((1, 2, 3), (35, 45, 20))[0]


def at_local(day: date, minute: int) -> datetime:
    """Return ``minute`` after midnight of ``day`` in Asia/Shanghai, as an aware time."""
    return datetime.combine(day, time(minute // 60, minute % 60), clock.LOCAL)


def next_session(schedule: str, today: date) -> date:
    """Return the first day on or after ``today`` of a ``weekly:<0-6>`` or ``monthly:<1-28>`` schedule."""
    kind, value = schedule.split(":")
    if kind == "weekly":
        return today + timedelta(days=(int(value) - today.weekday()) % 7)
    day = today.replace(day=int(value))
    if day >= today:
        return day
    return (today.replace(day=1) + timedelta(days=32)).replace(day=int(value))


def past_sessions(schedule: str, since: date, today: date) -> list[date]:
    """Return the days of a schedule from ``since`` up to yesterday."""
    days, day = [], next_session(schedule, since)
    while day < today:
        days.append(day)
        day = next_session(schedule, day + timedelta(days=1))
    return days


class _Yangtaishan:
    """阳台山社区's supply, built in the caller's transaction."""

    def __init__(self, session: Session, seed: int) -> None:
        self.session = session
        self.rng = random.Random(f"{seed}/supply/{layout.COMMUNITY[0]}")
        self.today = clock.today()
        code = layout.COMMUNITY[0]
        areas = {c: i for c, i in session.execute(select(Area.code, Area.id).where(Area.code.startswith(code)))}
        self.community = areas[code]
        self.grids = {n: areas[f"{code}{n:03d}"] for n in range(1, 6) if f"{code}{n:03d}" in areas}
        self.users = {name: id_ for name, id_ in session.execute(select(User.username, User.id))}
        self.categories = {c: id_ for c, id_ in session.execute(select(ServiceCategory.code, ServiceCategory.id))}
        self.people = self._people()
        self.taken: set[int] = set()

    def _people(self) -> list[_Person]:
        grid_of = {area_id: n for n, area_id in self.grids.items()}
        rows = self.session.execute(
            select(
                Resident.id,
                Resident.area_id,
                Resident.household_id,
                Resident.birth_date,
                Resident.skills,
                Resident.willing_to_help,
                Building.compound,
            )
            .outerjoin(Household, Household.id == Resident.household_id)
            .outerjoin(Building, Building.id == Household.building_id)
            .where(Resident.area_id.in_(grid_of), Resident.status == "active")
            .order_by(Resident.id)
        )
        return [
            _Person(id_, grid_of[area], household, born, clock.age_on(born, REFERENCE), skills, willing, compound or "")
            for id_, area, household, born, skills, willing, compound in rows
            if born is not None  # every demo resident's comes from their ID number
        ]

    def grow(self, summary: SupplySummary) -> None:
        picks = [*self._baishibang(), *self._angels(), *self._patrol(), *self._others()]
        volunteers = self._volunteers(picks)
        teams = self._teams(picks, volunteers)
        self._qualifications_and_time_away(picks, volunteers)
        services = self._services(picks, volunteers, teams)
        resources = self._resources()
        summary.volunteers += len(volunteers)
        summary.teams += len(teams)
        summary.resources += len(resources)
        summary.services += len(services)
        summary.on_hand = sum(
            1 for r in resources if r.active and (r.valid_until is None or r.valid_until >= self.today)
        )
        audit.record(
            self.session,
            "demo.supply",
            username="demo",
            entity="area",
            entity_id=self.community,
            area_id=self.community,
            changes={
                "volunteers": [None, len(volunteers)],
                "teams": [None, sorted(teams)],
                "resources": [None, len(resources)],
                "on_hand": [None, summary.on_hand],
                "services": [None, len(services)],
            },
        )

    # ---- who ----------------------------------------------------------------------------------

    def _pick(self, pools: Sequence[Sequence[_Person]], slot: Slot) -> _Person | None:
        """Return someone for ``slot``: by trade and willingness first, then anyone free of the right age."""

        def trade(p: _Person) -> bool:
            return any(w in p.skills for w in slot.words)

        def of_age(p: _Person) -> bool:
            return slot.ages[0] <= p.age <= slot.ages[1]

        tests: tuple[Callable[[_Person], bool], ...] = (
            lambda p: p.willing and trade(p) and of_age(p),
            lambda p: trade(p) and of_age(p),
            lambda p: p.willing and not p.skills and of_age(p),
            lambda p: not p.skills and of_age(p),
            lambda p: 18 <= p.age <= 80,
        )
        for pool in pools:
            for test in tests:
                found = [p for p in pool if p.id not in self.taken and test(p)]
                if found:
                    person = self.rng.choice(found)
                    self.taken.add(person.id)
                    return person
        return None

    def _grid(self, n: int) -> list[_Person]:
        return [p for p in self.people if p.grid == n]

    def _fill(self, slots: Sequence[Slot], pools: Sequence[Sequence[_Person]], team: str) -> list[_Pick]:
        picks = []
        for slot in slots:
            person = self._pick(pools, slot)
            if person is None:
                continue
            profession = slot.profession
            if slot.from_skills:
                profession = next((i for i in person.skills.split("、") if i in MEDICAL), profession)
            offers = slot.offers if not slot.from_skills else ANGEL_OFFERS.get(profession, DOCTOR_OFFERS)
            profession = "中医师" if profession == "中医" else profession
            picks.append(_Pick(person, profession, offers, team, slot.username, slot.leader))
        return picks

    def _baishibang(self) -> list[_Pick]:
        grid1 = self._grid(1)
        pools = ([p for p in grid1 if p.compound == FIRST_COMPOUND], grid1, self.people)
        return self._fill(BAISHIBANG_SLOTS, pools, BAISHIBANG)

    def _angels(self) -> list[_Pick]:
        count = self.rng.randint(8, 12)
        more = [
            Slot(ANGEL_MORE[i % len(ANGEL_MORE)], MEDICAL, "", (24, 66), from_skills=True)
            for i in range(count - len(ANGEL_SLOTS))
        ]
        return self._fill((*ANGEL_SLOTS, *more), (self._grid(4),), ANGELS)

    def _patrol(self) -> list[_Pick]:
        grid5 = self._grid(5)
        picks: list[_Pick] = []
        # ``zhiyuan`` (linked to a patrol volunteer of grid 5 by ``synth.demo``) is the first member.
        zhiyuan = self.session.scalar(select(User).where(User.username == "zhiyuan"))
        own = next((p for p in grid5 if zhiyuan is not None and p.id == zhiyuan.resident_id), None)
        if own is not None:
            self.taken.add(own.id)
            # The demo's year of work leaves three orders open with zhiyuan (``synth.activity``).
            picks.append(_Pick(own, "", PATROL_OFFERS, PATROL, "zhiyuan", load=3))
        count = self.rng.randint(10, 15)  # zhiyuan, the leader and the others
        slots = [Slot("退伍军人", ("巡逻",), PATROL_OFFERS, (40, 75), "zhiyuan9", leader=True)]
        if own is None:  # a demo too small to give zhiyuan a patrol resident: the next member is theirs
            slots.append(Slot("", ("巡逻",), PATROL_OFFERS, (25, 78), "zhiyuan"))
        slots += [
            Slot(PATROL_TRADES[i % len(PATROL_TRADES)], ("巡逻",), PATROL_OFFERS, (25, 78)) for i in range(count - 2)
        ]
        return picks + self._fill(slots, (grid5,), PATROL)

    def _others(self) -> list[_Pick]:
        willing = [p for p in self.people if p.willing and p.id not in self.taken and 18 <= p.age <= 80]
        chosen = sorted(self.rng.sample(willing, min(OTHERS, len(willing))), key=lambda p: p.id)
        self.taken.update(p.id for p in chosen)
        picks = []
        for person in chosen:
            extra = (
                self.rng.sample(COMMON_OFFERS, self.rng.randint(1, 2))
                if not person.skills or self.rng.random() < 0.3
                else []
            )
            picks.append(_Pick(person, job_in(person.skills), "、".join(extra)))
        return picks

    # ---- profiles -----------------------------------------------------------------------------

    def _volunteers(self, picks: list[_Pick]) -> list[Volunteer]:
        rng, session = self.rng, self.session
        founded = self.today - timedelta(days=820)  # the 百事帮服务队 signed its first members up together
        volunteers = []
        for pick in picks:
            p = pick.person
            skills = volunteer_skills(pick.profession, p.skills, pick.offers)
            if pick.team == BAISHIBANG:
                signed, note, by = founded + timedelta(days=rng.randint(0, 14)), SIGNED_FORM, "shequ"
            else:
                signed = self.today - timedelta(days=rng.randint(30, 700))
                note, by = rng.choice(CONSENT_NOTES), "shequ" if pick.team else f"wangge{p.grid}"
            volunteers.append(
                Volunteer(
                    resident_id=p.id,
                    user_id=self.users.get(pick.username) if pick.username else None,
                    area_id=self.grids[p.grid],
                    profession=pick.profession,
                    skills=skills,
                    skills_text="、".join(t for t in (p.skills, pick.offers) if t),
                    load_limit=pick.load or (3 if pick.leader else load_limit(rng)),
                    consent_at=at_local(signed, rng.randint(9 * 60, 17 * 60)),
                    consent_note=note,
                    consent_recorded_by_id=self.users.get(by),
                    # The team's members without an account are known by this line only (a team lists accounts).
                    notes=f"{pick.team}{'队长' if pick.leader else '队员'}" if pick.team else "",
                )
            )
        session.add_all(volunteers)
        session.flush()
        for pick, volunteer in zip(picks, volunteers, strict=True):
            if pick.username and pick.username in self.users:
                user = session.get(User, self.users[pick.username])
                if user is not None and user.resident_id is None:
                    user.resident_id = pick.person.id
            codes = categories_for(volunteer.skills)
            session.add_all(
                VolunteerCategory(volunteer_id=volunteer.id, category_id=self.categories[c])
                for c in sorted(codes)
                if c in self.categories
            )
            session.add(VolunteerArea(volunteer_id=volunteer.id, area_id=self.community))
            patrol = pick.team == PATROL
            session.add_all(
                Availability(volunteer_id=volunteer.id, weekday=d, start_minute=s, end_minute=e)
                for d, s, e in weekly_slots(rng, pick.person.age, patrol)
            )
        return volunteers

    def _teams(self, picks: list[_Pick], volunteers: list[Volunteer]) -> dict[str, Team]:
        session = self.session
        spec = {
            BAISHIBANG: (1, [c for c, _, _ in catalogue.DEFAULT_CATEGORIES], True),
            ANGELS: (4, list(ANGEL_CATEGORIES), True),
            PATROL: (5, ["dispute_mediation"], False),
        }
        teams: dict[str, Team] = {}
        for name, (grid, codes, whole_community) in spec.items():
            if grid not in self.grids:
                continue
            team = Team(area_id=self.grids[grid], name=name)
            session.add(team)
            session.flush()
            teams[name] = team
            session.add_all(TeamCategory(team_id=team.id, category_id=self.categories[c]) for c in codes)
            if whole_community:
                session.add(TeamArea(team_id=team.id, area_id=self.community))
        for pick, volunteer in zip(picks, volunteers, strict=True):
            if pick.team in teams and volunteer.user_id is not None:
                session.add(TeamMember(team_id=teams[pick.team].id, user_id=volunteer.user_id, leader=pick.leader))
        return teams

    def _qualifications_and_time_away(self, picks: list[_Pick], volunteers: list[Volunteer]) -> None:
        rng, today, shequ = self.rng, self.today, self.users.get("shequ")
        first_aid: list[Volunteer] = []
        for pick, volunteer in zip(picks, volunteers, strict=True):
            confirmed = volunteer.consent_at + timedelta(days=rng.randint(1, 20))
            if pick.profession.endswith("医生") or pick.profession == "中医师":
                kind, name, years = "medical_licence", "医师执业证书", rng.randint(1, 5)
            elif pick.profession == "护士":
                kind, name, years = "nurse_licence", "护士执业证书", rng.randint(1, 5)
            else:
                if pick.profession in ("消防员", "退伍军人"):
                    first_aid.append(volunteer)
                continue
            number = f"{rng.randrange(10**14, 10**15)}"
            self.session.add(
                Qualification(
                    volunteer_id=volunteer.id,
                    kind=kind,
                    name=name,
                    number=number,
                    confirmed_by_id=shequ,
                    confirmed_at=confirmed,
                    expires_on=today + timedelta(days=365 * years - rng.randint(0, 200)),
                )
            )
        patrol = [v for p, v in zip(picks, volunteers, strict=True) if p.team == PATROL and v not in first_aid]
        first_aid += patrol[:2]
        # One certificate ran out last month (matching must not count it): the one seen longest ago.
        oldest = min(first_aid, key=lambda v: v.consent_at, default=None)
        for volunteer in first_aid:
            lasts = rng.randint(200, 900)
            expires = today - timedelta(days=40) if volunteer is oldest else today + timedelta(days=lasts)
            self.session.add(
                Qualification(
                    volunteer_id=volunteer.id,
                    kind="first_aid",
                    name="红十字救护员证（急救证）",
                    number=f"HS{rng.randrange(10**8, 10**9)}",
                    confirmed_by_id=shequ,
                    confirmed_at=volunteer.consent_at + timedelta(days=3),
                    expires_on=expires,
                )
            )
        others = [v for p, v in zip(picks, volunteers, strict=True) if not p.team]
        trips = ((7, 21, "回老家探亲"), (-30, -16, "外出旅游"), (2, 60, "去外地帮子女带孩子"), (14, 16, "住院做小手术"))
        for volunteer, (start, end, reason) in zip(
            rng.sample(others, min(len(trips), len(others))), trips, strict=False
        ):
            self.session.add(
                Away(
                    volunteer_id=volunteer.id,
                    starts_on=today + timedelta(days=start),
                    ends_on=today + timedelta(days=end),
                    reason=reason,
                )
            )

    # ---- standing services, their sign-ups and past hours ---------------------------------------

    def _services(
        self, picks: list[_Pick], volunteers: list[Volunteer], teams: dict[str, Team]
    ) -> list[StandingService]:
        by_trade = {(p.team, p.profession): v for p, v in zip(picks, volunteers, strict=True)}
        angel = next((v for p, v in zip(picks, volunteers, strict=True) if p.team == ANGELS and p.leader), None)
        plans = (
            (by_trade.get((BAISHIBANG, "骨科医生")), BAISHIBANG, "free_clinic", "骨科义诊", "monthly:15", 540, 690, 20,
             "社区党群服务中心多功能厅", "百事帮服务队骨科医生坐诊：颈肩腰腿痛、骨质疏松咨询，每月15日上午。"),
            (by_trade.get((BAISHIBANG, "厨师")), BAISHIBANG, "charity_kitchen", "独居老人生日宴", "monthly:20", 660,
             780, 10, "长者食堂", "百事帮服务队厨师掌勺，为当月过生日的独居老人做寿宴。"),
            (by_trade.get((BAISHIBANG, "程序员")), BAISHIBANG, "computer_lessons", "智能手机和电脑课堂", "weekly:5",
             870, 960, 15, "社区活动室（电脑教室）", "每周六下午：视频通话、网上挂号、防诈骗。"),
            (angel, ANGELS, "free_clinic", "健康小屋量血压测血糖", "weekly:1", 510, 630, 30, "第四网格健康小屋",
             "天使服务队每周二上午坐诊。"),
        )  # fmt: skip
        services = []
        for volunteer, team, category, title, schedule, start, end, capacity, place, description in plans:
            if volunteer is None or team not in teams:
                continue
            service = StandingService(
                area_id=self.community,
                category_id=self.categories[category],
                title=title,
                description=description,
                volunteer_id=volunteer.id,
                team_id=teams[team].id,
                schedule=schedule,
                start_minute=start,
                end_minute=end,
                capacity=capacity,
                place=place,
            )
            services.append(service)
        self.session.add_all(services)
        self.session.flush()
        by_id = {v.id: v for v in volunteers}
        for service in services:
            self._past_hours(service, by_id[service.volunteer_id or 0])
        self._signups(services)
        return services

    def _past_hours(self, service: StandingService, volunteer: Volunteer) -> None:
        """Record the sessions held in the last half year as the volunteer's hours (as staff record them)."""
        hours = (service.end_minute - service.start_minute) / 60
        started = max(self.today - timedelta(days=182), clock.local_date(volunteer.consent_at))
        days = past_sessions(service.schedule, started, self.today)
        self.session.add_all(
            ServiceHours(
                volunteer_id=volunteer.id,
                service_id=service.id,
                day=day,
                scheduled_hours=hours,
                served_hours=hours,
                recorded_by_id=self.users.get("shequ"),
                note=service.title,
            )
            for day in days
        )
        volunteer.hours_served += hours * len(days)

    def _signups(self, services: list[StandingService]) -> None:
        """Sign up a few households for each service's next session: the old for the clinic and the class,
        people living alone whose birthday falls in that month for the birthday dinner."""
        alone = set(
            self.session.scalars(
                select(ResidentTag.resident_id)
                .join(Tag, Tag.id == ResidentTag.tag_id)
                .where(Tag.code == "living_alone")
            )
        )
        elders = [p for p in self.people if p.age >= 60 and p.household_id is not None]
        by = self.users.get("shequ")
        for service in services:
            day = next_session(service.schedule, self.today)
            if service.category_id == self.categories["charity_kitchen"]:
                people = [p for p in elders if p.id in alone and p.born.month == day.month][:8]
                note = "本月生日"
            else:
                people = self.rng.sample(elders, min(5, len(elders)))
                note = ""
            homes = sorted({p.household_id for p in people if p.household_id is not None})
            self.session.add_all(
                ServiceSignup(service_id=service.id, household_id=h, session_on=day, note=note, created_by_id=by)
                for h in homes
            )

    # ---- resources ----------------------------------------------------------------------------

    def _resources(self) -> list[Resource]:
        rng, cipher = self.rng, cipher_of(self.session)
        resources, links = [], []
        for row in RESOURCES:
            name, phone = contact(rng)
            grid = int(row.where) if row.where.isdigit() else None
            area_id = self.grids.get(grid, self.community) if grid else self.community
            handler = self.users.get(f"wangge{grid}") if grid else self.users.get("shequ")
            valid_until = None
            if row.state == "expired":
                valid_until = self.today - timedelta(days=rng.randint(10, 200))
            elif row.state == "until":
                valid_until = self.today + timedelta(days=rng.randint(60, 400))
            resource = Resource(
                area_id=area_id,
                kind=row.kind,
                name=row.name,
                owner=row.owner if row.owner != "个体户" else f"{name}（个体户）",
                description=row.description,
                address=row.address or f"阳台山路{rng.randint(1, 120)}号",
                contact_name=name,
                contact_phone_enc=cipher.encrypt(phone),
                contact_phone_hash=cipher.blind_index(phone),
                contact_phone_tail=phone[-4:],
                handler_user_id=handler,
                capacity=row.capacity,
                capacity_unit=row.unit,
                opening_hours=opening_hours(row.hours),
                valid_until=valid_until,
                active=row.state != "retired",
            )
            resources.append(resource)
            links.append(row.categories)
        self.session.add_all(resources)
        self.session.flush()
        self.session.add_all(
            ResourceCategory(resource_id=r.id, category_id=self.categories[c])
            for r, codes in zip(resources, links, strict=True)
            for c in codes
        )
        return resources
