"""The demo's 阳光小课堂: about twenty free courses of 阳台山社区, as the source tells of them.

Grid 3, with many young families, recruits the pupils; grid 5's 小喇叭巡逻队 brings the teachers (its
volunteers, and the teachers of the tutoring institutions it assesses). Six courses ran last summer,
with their class lists and attendance; fourteen winter-holiday courses take sign-ups now, a few of them
full with a waitlist (泥塑 among them, where ``jiazhang``, a mother of grid 3 with a six-year-old, can
join the waitlist and see her child promoted when another family cancels).

Written as ORM rows in one transaction, after the supply side (teachers, venues and institutions are its
volunteers and resources). Deterministic from the seed, with dates counted from today (the winter
courses begin a few weeks ahead, so sign-ups are open whenever the demo is built).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.models import User
from linli.areas.models import Area
from linli.audit import services as audit
from linli.courses.models import Attendance, Course, CourseArea, CourseSession, Enrolment
from linli.db.base import utcnow
from linli.db.engine import transaction
from linli.lib import clock
from linli.registry.models import Resident
from linli.resources.models import Resource
from linli.synth import layout
from linli.volunteers.models import Volunteer

# (title, category, ages, capacity, hold hours, description)
SUMMER = (
    ("闽南语童谣", "language", (5, 9), 20, 0, "跟着阿公阿嬷学说闽南话、唱童谣"),
    ("国学经典诵读", "culture", (6, 12), 25, 0, "《三字经》《弟子规》诵读与讲解"),
    ("少儿素描", "art", (7, 12), 15, 0, "从静物开始学观察和线条"),
    ("硬笔写字", "calligraphy", (6, 10), 20, 0, "握笔姿势、笔画笔顺，写一手端正的字"),
    ("泥塑手工（暑期班）", "craft", (5, 10), 12, 0, "用陶泥捏出小动物和家乡的红砖厝"),
    ("科学小实验", "science", (8, 12), 16, 0, "会变色的水、会跳舞的盐：动手做实验"),
)
WINTER = (
    ("泥塑手工", "craft", (5, 10), 6, 0, "用陶泥捏出小动物和家乡的红砖厝；家长可报名当助教"),
    ("闽南语讲古", "language", (6, 12), 20, 0, "听老人讲厦门的古早故事，学说闽南话"),
    ("国学小讲堂", "culture", (7, 12), 20, 0, "古诗词和节气里的传统文化"),
    ("儿童水彩画", "art", (5, 9), 6, 24, "色彩启蒙，画我们的社区"),
    ("少儿素描进阶", "art", (9, 13), 12, 0, "透视与明暗"),
    ("硬笔书法", "calligraphy", (6, 10), 15, 0, "寒假练字，一天一页"),
    ("毛笔书法入门", "calligraphy", (8, 13), 10, 0, "文房四宝与基本笔画"),
    ("剪纸与窗花", "craft", (6, 12), 15, 0, "春节前剪一对窗花带回家"),
    ("手工折纸", "craft", (4, 7), 15, 0, "折出会跳的青蛙和纸飞机"),
    ("科学探索营", "science", (8, 12), 16, 0, "简单电路与小发明"),
    ("围棋启蒙", "sport", (6, 12), 12, 0, "围棋规则与对弈礼仪"),
    ("少儿篮球", "sport", (8, 13), 20, 0, "运球、传球和小比赛"),
    ("绘本阅读", "other", (4, 7), 15, 0, "亲子共读，社区图书阅览室"),
    ("防溺水与安全自护", "other", (6, 13), 40, 0, "小喇叭巡逻队讲安全：防溺水、防拐骗、防火"),
)
FULL = {"泥塑手工": 1, "儿童水彩画": 2, "少儿素描进阶": 1}  # full winter courses and how many wait
SESSIONS = 4
CHILD_AGES = (4, 13)


@dataclass
class CourseSummary:
    courses: int = 0
    enrolments: int = 0
    waitlisted: int = 0


def grow_courses(session: Session, seed: int) -> CourseSummary:
    """Return what was added: 阳台山社区's courses, sign-ups, waitlists, helpers and attendance."""
    summary = CourseSummary()
    with transaction(session):
        _Courses(session, random.Random(f"{seed}-courses"), summary).grow()
    return summary


class _Courses:
    def __init__(self, session: Session, rng: random.Random, summary: CourseSummary) -> None:
        self.session, self.rng, self.summary = session, rng, summary
        self.community = session.scalars(select(Area).where(Area.code == layout.COMMUNITY[0])).one()
        grids = dict(session.execute(select(Area.code, Area.id).where(Area.parent_id == self.community.id)).all())
        self.grid3 = grids.get(layout.COMMUNITY[0] + "003")
        self.grid5 = grids.get(layout.COMMUNITY[0] + "005")
        self.today = clock.today()
        self.children = self._children()
        self.used: set[int] = set()
        self.teachers = list(
            session.execute(
                select(Volunteer.id, Resident.name)
                .join(Resident, Resident.id == Volunteer.resident_id)
                .where(Volunteer.area_id == (self.grid5 or self.community.id), Volunteer.status == "active")
                .order_by(Volunteer.id)
                .limit(12)
            ).all()
        )
        self.venues = list(session.execute(select(Resource.id, Resource.name).where(Resource.kind == "venue")).all())
        self.schools = list(
            session.execute(
                select(Resource.id, Resource.name).where(Resource.kind == "institution", Resource.name.contains("托"))
            ).all()
        )

    def _children(self) -> list[Resident]:
        """Return the community's children of course age, grid 3's first (it recruits the pupils)."""
        oldest, youngest = clock.birth_range(CHILD_AGES[0], CHILD_AGES[1], self.today)
        rows = self.session.scalars(
            select(Resident)
            .join(Area, Area.id == Resident.area_id)
            .where(
                Area.parent_id == self.community.id,
                Resident.status == "active",
                Resident.birth_date.between(oldest, youngest),
                Resident.household_id.is_not(None),
            )
            .order_by(Resident.id)
        ).all()
        return sorted(rows, key=lambda r: (r.area_id != self.grid3, r.id))

    def grow(self) -> None:
        summer_start = date(self.today.year if self.today.month > 8 else self.today.year - 1, 7, 6)
        winter_start = self.today + timedelta(days=28 + (7 - (self.today + timedelta(days=28)).weekday()) % 7)
        for index, row in enumerate(SUMMER):
            self._course(row, index, summer_start, past=True)
        for index, row in enumerate(WINTER):
            self._course(row, index, winter_start, past=False)
        self._parent()

    def _course(
        self, row: tuple[str, str, tuple[int, int], int, int, str], index: int, start: date, past: bool
    ) -> None:
        title, category, (low, high), capacity, hold, description = row
        first = start + timedelta(days=index % 5)
        hour = 9 + 2 * (index % 4) if not past else 9 + 2 * (index % 3)
        venue, venue_name = self.venues[index % len(self.venues)] if self.venues else (None, "")
        teacher_id, teacher_name, institution = None, "", None
        if self.schools and index % 4 == 3:
            institution, school = self.schools[index % len(self.schools)]
            teacher_name = f"{school}老师"
        elif self.teachers:
            teacher_id, teacher_name = self.teachers[index % len(self.teachers)]
        opens = (first - timedelta(days=60)) if past else self.today - timedelta(days=7)
        course = Course(
            area_id=self.community.id,
            title=title,
            category=category,
            description=description,
            age_min=low,
            age_max=high,
            capacity=capacity,
            taken=0,
            next_queue=1,
            teacher_volunteer_id=teacher_id,
            teacher_resource_id=institution,
            teacher_name=teacher_name,
            signup_opens_on=opens,
            signup_closes_on=first - timedelta(days=1),
            helpers_wanted=2 if category in ("craft", "art") else 1,
            hold_hours=hold,
            status="open",
        )
        self.session.add(course)
        self.session.flush()
        self.session.add_all(
            CourseArea(course_id=course.id, area_id=a) for a in (self.grid3, self.grid5) if a is not None
        )
        meetings = []
        for week in range(SESSIONS):
            day = first + timedelta(days=7 * week)
            starts = datetime.combine(day, time(hour), clock.LOCAL)
            meeting = CourseSession(
                course_id=course.id,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=90),
                venue_resource_id=venue,
                venue=venue_name,
            )
            self.session.add(meeting)
            meetings.append(meeting)
        self.session.flush()
        self.summary.courses += 1
        wanted = capacity + FULL.get(title, 0) if (past or title in FULL) else capacity * 2 // 3
        eligible = [c for c in self.children if c.id not in self.used and low <= _age(c, first) <= high]
        queue = 0
        for child in eligible[:wanted]:
            self.used.add(child.id)
            seated = course.taken < capacity
            queue += 0 if seated else 1
            enrolment = Enrolment(
                course_id=course.id,
                resident_id=child.id,
                household_id=child.household_id,
                status="enrolled" if seated else "waitlisted",
                queue_seq=None if seated else queue,
                created_at=utcnow() - timedelta(days=self.rng.randint(1, 6)),
                changed_at=utcnow(),
            )
            self.session.add(enrolment)
            if seated:
                course.taken += 1
            else:
                self.summary.waitlisted += 1
            self.summary.enrolments += 1
        course.next_queue = queue + 1
        self.session.flush()
        if past:
            self._attendance(course, meetings)

    def _attendance(self, course: Course, meetings: list[CourseSession]) -> None:
        enrolled = list(
            self.session.scalars(
                select(Enrolment.id).where(Enrolment.course_id == course.id, Enrolment.status == "enrolled")
            )
        )
        for meeting in meetings:
            for enrolment_id in enrolled:
                self.session.add(
                    Attendance(session_id=meeting.id, enrolment_id=enrolment_id, present=self.rng.random() < 0.88)
                )

    def _parent(self) -> None:
        """Give ``jiazhang`` a mother of grid 3 whose six-year-old is signed up to nothing yet."""
        user = self.session.scalar(select(User).where(User.username == "jiazhang"))
        if user is None:
            return
        for child in self.children:
            born = child.birth_date
            if child.id in self.used or child.area_id != self.grid3 or born is None:
                continue
            if clock.age_on(born, self.today) not in (5, 6, 7):
                continue
            mother = self.session.scalar(
                select(Resident.id)
                .where(
                    Resident.household_id == child.household_id,
                    Resident.gender == "2",
                    Resident.birth_date < born - timedelta(days=365 * 18),
                )
                .order_by(Resident.birth_date.desc())
                .limit(1)
            )
            if mother is not None:
                user.resident_id = mother
                audit.record(self.session, "demo.parent", username="demo", entity="resident", entity_id=mother)
                return


def _age(child: Resident, day: date) -> int:
    return clock.age_on(child.birth_date, day) if child.birth_date else -1
