"""The grid profile (网格画像): who lives in an area, in counts only — never a name, never a count under five.

Age structure and households by size are counted in SQL; people under care by tag likewise; the skills
come from the residents' own words (``lib.skills.canonical_skills``) and from the volunteers' profiles,
the professions from the volunteers' profiles (``lib.skills.professions``). Any count from 1 to 4 is
shown as "fewer than 5" (``None``), so a small group cannot be picked out; zero stays zero.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.accounts.permissions import Scope, path_under
from linli.areas.models import Area
from linli.db.values import count_where
from linli.lib import clock, skills
from linli.registry.models import Resident, ResidentTag, Tag
from linli.reports.dashboard import area_in_reach
from linli.reports.schemas import AreaRef, ProfileOut, ProfileRow
from linli.volunteers.models import Volunteer

THRESHOLD = 5
TOP = 10
# (label, youngest, oldest) in whole years on today.
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0–6", 0, 6),
    ("7–17", 7, 17),
    ("18–34", 18, 34),
    ("35–59", 35, 59),
    ("60–79", 60, 79),
    ("80+", 80, None),
)
SIZES = ("1", "2", "3", "4", "5+")


def shown(value: int) -> int | None:
    """Return ``value``, or None when it is 1–4 (too few to show)."""
    return None if 0 < value < THRESHOLD else value


def _born_after(today: date, years: int) -> date:
    """Return the birthday limit: born after this day means younger than ``years`` today."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def grid_profile(session: Session, scope: Scope, area_id: int | None, locale: str = "zh") -> ProfileOut:
    """Return the profile of ``area_id`` (the user's own area when None)."""
    area = area_in_reach(session, scope, area_id)
    today = clock.today()
    within = Resident.area_id.in_(select(Area.id).where(path_under(Area.path, area.path)))
    active = (within, Resident.status == "active")

    def band(low: int, high: int | None) -> Any:
        condition = Resident.birth_date <= _born_after(today, low)
        if high is not None:
            condition = condition & (Resident.birth_date > _born_after(today, high + 1))
        return count_where(condition)

    row = session.execute(select(func.count(), *(band(low, high) for _, low, high in AGE_BANDS)).where(*active)).one()
    total, ages = int(row[0]), [int(v or 0) for v in tuple(row)[1:]]
    size = (
        select(func.count().label("n"))
        .where(*active, Resident.household_id.is_not(None))
        .group_by(Resident.household_id)
        .subquery()
    )
    sizes: Counter[str] = Counter()
    for n, households in session.execute(select(size.c.n, func.count()).group_by(size.c.n)):
        sizes["5+" if n >= 5 else str(n)] += households
    tags = session.execute(
        select(Tag.name, Tag.name_en, func.count())
        .join(ResidentTag, ResidentTag.tag_id == Tag.id)
        .join(Resident, Resident.id == ResidentTag.resident_id)
        .where(*active, Tag.kind == "care")
        .group_by(Tag.id, Tag.name, Tag.name_en)
        .order_by(func.count().desc())
    ).all()
    found_skills: Counter[str] = Counter()
    for (text,) in session.execute(select(Resident.skills).where(*active, Resident.skills != "")):
        found_skills.update(skills.canonical_skills(text))
    jobs: Counter[str] = Counter()
    volunteers = session.execute(
        select(Volunteer.skills, Volunteer.profession).where(
            Volunteer.status == "active", Volunteer.area_id.in_(select(Area.id).where(path_under(Area.path, area.path)))
        )
    )
    for codes, profession in volunteers:
        found_skills.update(set(codes or []))
        jobs.update(skills.professions(profession or ""))
    return ProfileOut(
        area=AreaRef(id=area.id, name=area.name, level=area.level),
        residents=shown(total),
        threshold=THRESHOLD,
        ages=[
            ProfileRow(key=label, name=label, value=shown(v)) for (label, _, _), v in zip(AGE_BANDS, ages, strict=True)
        ],
        household_sizes=[ProfileRow(key=s, name=s, value=shown(sizes.get(s, 0))) for s in SIZES],
        care=[ProfileRow(key=zh, name=en if locale == "en" and en else zh, value=shown(n)) for zh, en, n in tags],
        skills=[
            ProfileRow(key=code, name=skills.skill_name(code, locale), value=shown(n))
            for code, n in found_skills.most_common(TOP)
        ],
        professions=[
            ProfileRow(key=code, name=skills.profession_name(code, locale), value=shown(n))
            for code, n in jobs.most_common(TOP)
        ],
    )
