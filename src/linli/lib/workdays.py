"""Working days on the official calendar: weekends off, public holidays off, swapped weekend days (调休) on.

Pure: the calendar is built from two sets of dates that the caller reads from wherever it keeps them.
Times go in and come out aware; the arithmetic is done on the local wall clock of ``zone`` (China keeps
no summer time, so a local day is always 24 hours).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = timedelta(days=1)


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are worked: Monday to Friday, less ``holidays``, plus the swapped ``workdays``."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    zone: ZoneInfo = SHANGHAI

    @classmethod
    def of(
        cls, holidays: Iterable[date] = (), workdays: Iterable[date] = (), zone: ZoneInfo = SHANGHAI
    ) -> WorkCalendar:
        """Return a calendar from any iterables of dates."""
        return cls(frozenset(holidays), frozenset(workdays), zone)

    def is_working_day(self, day: date) -> bool:
        """Return whether ``day`` is worked; a swapped weekend day is, a holiday on a weekday is not."""
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def next_working_day(self, day: date) -> date:
        """Return the first working day after ``day``."""
        day += DAY
        while not self.is_working_day(day):
            day += DAY
        return day

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """Return the moment ``days`` working days after ``start``, in UTC.

        The deadline falls at the same time of day on the ``days``-th working day after the start's day.
        A start on a non-working day counts from 00:00 of the next working day, so an order received on a
        Saturday with one working day is due at the end of Monday. ``days`` 0 returns the (moved) start.
        """
        if days < 0:
            raise ValueError("days must not be negative")
        local = self._local(start)
        if not self.is_working_day(local.date()):
            local = datetime.combine(self.next_working_day(local.date()), time(0))
        day = local.date()
        for _ in range(days):
            day = self.next_working_day(day)
        return self._utc(datetime.combine(day, local.time()))

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """Return the moment ``hours`` working hours after ``start``, in UTC.

        The clock runs all 24 hours of a working day and stops on days off: 30 hours from Friday 12:00
        before an ordinary weekend end on Monday 18:00.
        """
        if hours < 0:
            raise ValueError("hours must not be negative")
        local = self._local(start)
        left = timedelta(hours=hours)
        while True:
            day = local.date()
            if self.is_working_day(day):
                end_of_day = datetime.combine(day + DAY, time(0))
                if local + left <= end_of_day:
                    return self._utc(local + left)
                left -= end_of_day - local
                local = end_of_day
            else:
                local = datetime.combine(self.next_working_day(day), time(0))

    def working_days_between(self, first: date, last: date) -> int:
        """Return how many working days lie in ``first``..``last``, both included (0 when ``last`` is earlier)."""
        count, day = 0, first
        while day <= last:
            count += self.is_working_day(day)
            day += DAY
        return count

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("naive datetime given; pass an aware time")
        return moment.astimezone(self.zone).replace(tzinfo=None)

    def _utc(self, local: datetime) -> datetime:
        return local.replace(tzinfo=self.zone).astimezone(UTC)
