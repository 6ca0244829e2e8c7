"""Local dates: times are stored in UTC and the community lives in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """Return today's date in Asia/Shanghai."""
    return datetime.now(UTC).astimezone(LOCAL).date()


def local(moment: datetime) -> datetime:
    """Return an aware time as the community's clock shows it (Asia/Shanghai)."""
    return moment.astimezone(LOCAL)


def local_date(moment: datetime) -> date:
    """Return the Asia/Shanghai date of an aware time."""
    return moment.astimezone(LOCAL).date()


def age_on(birth: date, day: date) -> int:
    """Return the age in whole years on ``day``; someone born on 29 February ages on 1 March."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def birth_range(min_age: int | None, max_age: int | None, day: date) -> tuple[date | None, date | None]:
    """Return the birth dates ``(earliest, latest)`` of people aged ``min_age``..``max_age`` on ``day``."""

    def shift(years: int) -> date:
        try:
            return day.replace(year=day.year - years)
        except ValueError:  # 29 February in a year that has none
            return day.replace(year=day.year - years, day=28)

    latest = shift(min_age) if min_age is not None else None
    earliest = None
    if max_age is not None:
        earliest = date.fromordinal(shift(max_age + 1).toordinal() + 1)
    return earliest, latest
