"""The dashboard of one area for a month or a year, read from the monthly rollups in four queries.

A flow figure of a period is the sum of its months; a stock (or ``now``) figure is its value in the
period's last month (the month under way, for the current year). Rates are read off the figures:
see ``RATES`` and docs/figures.md.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.accounts.permissions import READ, Scope
from linli.areas.models import Area
from linli.areas.services import ancestry
from linli.errors import Invalid, NotFound
from linli.i18n import translate
from linli.lib import clock
from linli.needs.models import ServiceCategory
from linli.registry.models import Tag
from linli.reports.measure import BY_CODE, CATEGORY_PREFIX, TAG_PREFIX, first_of, kind_of
from linli.reports.models import FigureMonth, RollupRun
from linli.reports.rollup import months_back
from linli.reports.schemas import AreaFigures, AreaRef, Breakdown, DashboardOut, TrendPoint

PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
# Rate code → (numerator, denominator, English label).
RATES: dict[str, tuple[str, str, str]] = {
    "residents.id_rate": ("residents.with_id", "residents.total", "Share with an ID number"),
    "residents.phone_rate": ("residents.with_phone", "residents.total", "Share with a phone"),
    "households.head_rate": ("households.with_head", "households.total", "Share of households with a head"),
    "visits.rate": ("visits.on_time", "visits.households", "Visit coverage"),
    "orders.resolution_rate": ("orders.resolved", "orders.cases", "Resolution rate"),
    "orders.on_time_rate": ("orders.on_time", "orders.resolved", "On-time rate"),
    "orders.satisfaction_rate": ("orders.satisfied", "orders.rated", "Satisfaction"),
}


def months_of(period: str, today: date | None = None) -> list[date]:
    """Return the first days of the months of ``period`` (``2026-11`` or ``2026``) up to the month under way."""
    found = PERIOD.match(period or "")
    today = today or clock.today()
    if not found:
        raise Invalid("dashboard.period", "Give a month as 2026-11 or a year as 2026.", "period")
    year, month = int(found.group(1)), found.group(2)
    if month is not None:
        if not 1 <= int(month) <= 12:
            raise Invalid("dashboard.period", "Give a month as 2026-11 or a year as 2026.", "period")
        chosen = [date(year, int(month), 1)]
    else:
        chosen = [date(year, m, 1) for m in range(1, 13)]
    chosen = [m for m in chosen if m <= first_of(today)]
    if not chosen or year < 2000:
        raise Invalid("dashboard.period", "The period has not begun yet.", "period")
    return chosen


def combine(rows: dict[date, dict[str, int]], months: list[date]) -> dict[str, int]:
    """Return a period's figures from its months' rows: flows summed, stocks from the last month."""
    out: dict[str, int] = defaultdict(int)
    last = months[-1]
    for month in months:
        for code, value in rows.get(month, {}).items():
            if kind_of(code) == "flow":
                out[code] += value
            elif month == last:
                out[code] = value
    return dict(out)


def rates(figures: dict[str, int]) -> dict[str, float | None]:
    """Return every rate of ``RATES`` off ``figures`` (None when the denominator is 0)."""
    out: dict[str, float | None] = {}
    for code, (part, whole, _) in RATES.items():
        d = figures.get(whole, 0)
        out[code] = round(figures.get(part, 0) / d, 4) if d else None
    return out


def _main(figures: dict[str, int]) -> dict[str, int]:
    """Return the figures without the per-category and per-tag breakdowns."""
    return {c: v for c, v in figures.items() if c in BY_CODE}


def dashboard(
    session: Session, scope: Scope, area_id: int | None, period: str | None, locale: str = "zh"
) -> DashboardOut:
    """Return the dashboard of ``area_id`` (the user's own area when None) for ``period`` (this month when None)."""
    scope.require(READ)
    today = clock.today()
    months = months_of(period or today.strftime("%Y-%m"), today)
    area = area_in_reach(session, scope, area_id)
    children = session.execute(
        select(Area.id, Area.name, Area.level).where(Area.parent_id == area.id).order_by(Area.code)
    ).all()
    ids = [area.id, *(c.id for c in children)]
    trend_months = months_back(months[-1], 12)
    first = min(months[0], trend_months[0])
    by_area: dict[int, dict[date, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for a, month, code, value in session.execute(
        select(FigureMonth.area_id, FigureMonth.month, FigureMonth.code, FigureMonth.value).where(
            FigureMonth.area_id.in_(ids), FigureMonth.month >= first, FigureMonth.month <= months[-1]
        )
    ):
        if a == area.id or month in months:
            by_area[a][month][code] = value
    own = combine(by_area[area.id], months)
    refreshed = session.scalar(select(RollupRun.refreshed_at).where(RollupRun.month == months[-1]))
    above = [p for p in ancestry(area.path)[:-1] if scope.reaches(READ, p)]
    trail = session.execute(select(Area.id, Area.name, Area.level).where(Area.path.in_(above)).order_by(Area.path))
    return DashboardOut(
        area=AreaRef(id=area.id, name=area.name, level=area.level),
        trail=[AreaRef(id=i, name=n, level=lv) for i, n, lv in trail] if above else [],
        period=period or today.strftime("%Y-%m"),
        months=months,
        refreshed_at=refreshed,
        figures=_main(own),
        rates=rates(own),
        labels=labels(locale),
        kinds={f.code: f.kind for f in BY_CODE.values()},
        categories=_breakdown(session, own, CATEGORY_PREFIX, ServiceCategory, locale),
        care=_breakdown(session, own, TAG_PREFIX, Tag, locale),
        children=[
            AreaFigures(
                area=AreaRef(id=c.id, name=c.name, level=c.level),
                figures=_main(f := combine(by_area[c.id], months)),
                rates=rates(f),
            )
            for c in children
        ],
        trend=[
            TrendPoint(month=m, figures=_main(f := by_area[area.id].get(m, {})), rates=rates(f)) for m in trend_months
        ],
    )


def labels(locale: str) -> dict[str, str]:
    """Return each figure's and rate's label in ``locale``."""
    out = {f.code: translate(f.label, locale) for f in BY_CODE.values()}
    out.update({code: translate(label, locale) for code, (_, _, label) in RATES.items()})
    return out


def area_in_reach(session: Session, scope: Scope, area_id: int | None) -> Area:
    """Return the area asked for, if the user reaches it, or the highest area they read."""
    if area_id is None:
        paths = scope.paths(READ)
        found = session.scalar(select(Area).where(Area.path == paths[0])) if paths else None
    else:
        found = session.get(Area, area_id)
    if found is None:
        raise NotFound("area")
    scope.check(READ, found.path, "area")
    return found


def _breakdown(
    session: Session, figures: dict[str, int], prefix: str, model: type[ServiceCategory] | type[Tag], locale: str
) -> list[Breakdown]:
    """Return the per-category (or per-tag) figures, largest first, named in ``locale``."""
    values = {int(code[len(prefix) :]): v for code, v in figures.items() if code.startswith(prefix)}
    if not values:
        return []
    names = {
        i: (en if locale == "en" and en else zh)
        for i, zh, en in session.execute(select(model.id, model.name, model.name_en).where(model.id.in_(values)))
    }
    return [
        Breakdown(id=i, name=names.get(i, str(i)), value=v) for i, v in sorted(values.items(), key=lambda kv: -kv[1])
    ]
