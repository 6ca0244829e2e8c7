"""Households of demo residents: who lives together, their ages, ID numbers, phones and skills.

Pure functions of a ``random.Random``: the same seed gives the same people. Ages are counted on a
fixed day (``REFERENCE``), not today, so a demo built next year is the same demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from stdnum.cn import ric

from linli.lib import phone
from linli.synth.names import person_name, surname

REFERENCE = date(2026, 1, 1)
EARLIEST_REGISTRATION = date(1995, 1, 1)
LATEST_REGISTRATION = date(2025, 12, 31)

# Birthplace codes of ID numbers: Xiamen for registered residents, elsewhere for most migrants.
LOCAL_CODES = ("350203", "350203", "350203", "350206", "350211", "350205", "350212", "350213")
MIGRANT_CODES = (
    "350581", "350583", "350322", "350627", "350724", "350823", "350921", "350128",
    "360121", "360731", "430124", "431021", "421127", "412721", "510121", "511321",
    "522121", "450721", "440981", "362422", "340823", "370882",
)  # fmt: skip
# Mobile number blocks that phonenumbers accepts; every number is still validated.
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "178", "180", "181", "182",
    "183", "184", "185", "186", "187", "188", "189", "198", "199",
)  # fmt: skip
# GB/T 3304: 汉 mostly; 回, 畲 (native to Fujian), 土家, 壮, 满.
ETHNICITIES = ("01",) * 200 + ("03", "22", "22", "15", "08", "11")

GENERAL_SKILLS = (
    "厨师", "电工", "水电维修", "教师", "律师", "社工", "消防员", "电脑维修", "书法", "绘画", "闽南语",
    "心理咨询", "会计", "理发", "家电维修", "驾驶", "摄影", "舞蹈", "太极拳", "英语",
)  # fmt: skip
MEDICAL_SKILLS = ("医生", "护士", "护士", "药剂师", "康复治疗师", "中医", "骨科医生", "全科医生")
PATROL_SKILL = "巡逻"

# Household shapes: (name, weight by grid profile). Sizes run 1..6.
SHAPES = ("single_young", "single_old", "couple_young", "couple_old", "single_parent", "kid1", "kid2",
          "kid1_parent", "kid1_parents", "kid2_parent", "kid2_parents")  # fmt: skip
SHAPE_WEIGHTS = {
    "default": (16, 14, 10, 16, 3, 20, 10, 6, 3, 4, 2),
    "elderly": (8, 24, 6, 24, 2, 14, 6, 7, 4, 3, 2),
    "children": (5, 6, 5, 8, 4, 24, 24, 6, 4, 9, 5),
}


@dataclass(slots=True)
class Person:
    """One demo resident before it becomes a row."""

    name: str
    sex: str
    born: date
    relation: str
    kind: str
    ethnicity: str = "01"
    id_number: str = ""
    phone: str | None = None
    skills: str = ""
    willing: bool = False
    registered_on: date = EARLIEST_REGISTRATION
    surname: str = ""
    tags: list[str] = field(default_factory=list)

    @property
    def age(self) -> int:
        return REFERENCE.year - self.born.year - ((REFERENCE.month, REFERENCE.day) < (self.born.month, self.born.day))


@dataclass(slots=True)
class Home:
    """One demo household: its shape, its members (head first) and the day it was registered."""

    shape: str
    members: list[Person]
    registered_on: date


def birth_date(rng: random.Random, age: int) -> date:
    """Return a birth date of someone ``age`` years old on ``REFERENCE``."""
    latest = REFERENCE.replace(year=REFERENCE.year - age) - timedelta(days=1)
    return latest - timedelta(days=rng.randrange(365))


def id_number(rng: random.Random, place: str, born: date, sex: str, used: set[str]) -> str:
    """Return a new valid 18-character ID number (GB 11643) not in ``used``, and add it there.

    The sequence digit is odd for men and even for women; the check character comes from
    ``stdnum.cn.ric``, which expects the number with a placeholder in the check position.
    """
    while True:
        sequence = rng.randrange(0, 500) * 2 + (1 if sex == "1" else 0)
        body = f"{place}{born:%Y%m%d}{sequence:03d}"
        number = body + ric.calc_check_digit(body + "0")
        if number not in used:
            used.add(number)
            return number


def mobile(rng: random.Random) -> str:
    """Return a valid Chinese mobile number in E.164, checked by ``lib.phone``."""
    while True:
        try:
            return phone.validate(rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}")
        except phone.PhoneProblem:
            continue


def landline(rng: random.Random) -> str:
    """Return a valid Xiamen fixed line (0592 and 7 digits) in E.164."""
    while True:
        try:
            return phone.validate(f"0592-{rng.choice('2356')}{rng.randrange(10**6):06d}")
        except phone.PhoneProblem:
            continue


def _phone_for(rng: random.Random, age: int) -> str | None:
    if age < 12:
        return None
    if age < 18:
        return mobile(rng) if rng.random() < 0.5 else None
    if age <= 75:
        return mobile(rng) if rng.random() < 0.95 else None
    draw = rng.random()
    return mobile(rng) if draw < 0.6 else landline(rng) if draw < 0.75 else None


def _person(
    rng: random.Random, sex: str, age: int, relation: str, kind: str, ethnicity: str, family: str | None
) -> Person:
    born = birth_date(rng, age)
    family = family or surname(rng)
    name = person_name(rng, sex, born.year, family)
    return Person(name=name, sex=sex, born=born, relation=relation, kind=kind, ethnicity=ethnicity, surname=family)


def _family_of(rng: random.Random, relation: str, sex: str, members: list[Person], head_family: str) -> str | None:
    """Return the surname a new member carries: children their father's (now and then their mother's),
    the head's father the head's; a spouse or the head's mother draws their own (None)."""
    if relation == "02":
        return head_family
    if relation == "50":
        return head_family if sex == "1" else None
    if relation not in ("20", "30"):
        return None
    couple = [m for m in members if m.relation in ("02", "10")]
    father = next((m for m in couple if m.sex == "1"), None)
    mother = next((m for m in couple if m.sex == "2"), None)
    parent = father if father and (mother is None or rng.random() < 0.9) else mother or father
    return parent.surname if parent else None


def _shape_people(rng: random.Random, shape: str) -> list[tuple[str, int, str]]:
    """Return ``(sex, age, relation)`` for each member of a household of ``shape``, head first."""
    head_sex = "1" if rng.random() < 0.7 else "2"
    other = "2" if head_sex == "1" else "1"
    if shape == "single_young":
        return [(rng.choice("12"), rng.randint(20, 45), "02")]
    if shape == "single_old":
        return [(rng.choice("122"), int(rng.triangular(60, 97, 74)), "02")]
    if shape == "couple_young":
        age = rng.randint(24, 42)
        return [(head_sex, age, "02"), (other, max(20, age + rng.randint(-4, 3)), "10")]
    if shape == "couple_old":
        age = int(rng.triangular(58, 92, 68))
        return [(head_sex, age, "02"), (other, max(55, age + rng.randint(-5, 3)), "10")]
    parent_age = int(rng.triangular(26, 62, 38))
    members = [(head_sex, parent_age, "02")]
    if shape != "single_parent":
        members.append((other, max(22, parent_age + rng.randint(-4, 3)), "10"))
    kids = 2 if shape.startswith("kid2") else 1
    for _ in range(kids):
        sex = rng.choice("12")
        age = parent_age - rng.randint(22, 36)
        age = min(age, 30) if age >= 0 else rng.randint(0, 3)
        members.append((sex, age, "20" if sex == "1" else "30"))
    elders = 2 if shape.endswith("parents") else 1 if shape.endswith("parent") else 0
    for i in range(elders):
        age = min(parent_age + rng.randint(24, 34), 99)
        sex = ("1", "2")[i] if elders == 2 else rng.choice("12")
        members.append((sex, age, "50"))
    return members


def household(rng: random.Random, profile: str, local: bool, used_ids: set[str]) -> Home:
    """Return one household drawn for a grid of ``profile`` (default, elderly, children, medical, patrol)."""
    weights = SHAPE_WEIGHTS.get(profile, SHAPE_WEIGHTS["default"])
    shape = rng.choices(SHAPES, weights=weights)[0]
    kind = "01" if local else "02"
    place = rng.choice(LOCAL_CODES) if local else rng.choice(MIGRANT_CODES)
    ethnicity = rng.choice(ETHNICITIES)
    registered = EARLIEST_REGISTRATION + timedelta(
        days=rng.randrange((LATEST_REGISTRATION - EARLIEST_REGISTRATION).days + 1)
    )
    members: list[Person] = []
    head_family = surname(rng)
    for sex, age, relation in _shape_people(rng, shape):
        family = _family_of(rng, relation, sex, members, head_family)
        person = _person(rng, sex, age, relation, kind, ethnicity, family)
        # Children born here carry the local code even in a migrant family, often enough.
        where = place if relation not in ("20", "30") or rng.random() < 0.5 else rng.choice(LOCAL_CODES)
        person.id_number = id_number(rng, where, person.born, sex, used_ids)
        person.phone = _phone_for(rng, person.age)
        person.registered_on = max(registered, person.born)
        _skills(rng, person, profile)
        members.append(person)
    return Home(shape=shape, members=members, registered_on=registered)


def _skills(rng: random.Random, person: Person, profile: str) -> None:
    age = person.age
    if age < 18:
        return
    skills: list[str] = []
    medical_rate = 0.14 if profile == "medical" else 0.015
    if 22 <= age <= 70 and rng.random() < medical_rate:
        skills.append(rng.choice(MEDICAL_SKILLS))
    if rng.random() < 0.08:
        skills.append(rng.choice(GENERAL_SKILLS))
    patrol = profile == "patrol" and 30 <= age <= 78 and rng.random() < 0.09
    if patrol:
        skills.append(PATROL_SKILL)
    person.skills = "、".join(dict.fromkeys(skills))
    person.willing = patrol or (bool(skills) and rng.random() < 0.5) or rng.random() < 0.03
