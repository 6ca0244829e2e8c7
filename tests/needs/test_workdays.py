"""The working-day calendar: pure arithmetic across a holiday and a swapped working day (调休)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from linli.lib.workdays import SHANGHAI, WorkCalendar
from linli.needs.catalogue import DATA, parse_calendar

ROWS = parse_calendar((DATA / "calendar-2026.csv").read_text(encoding="utf-8"))
CAL = WorkCalendar.of(
    holidays=(r.day for r in ROWS if r.kind == "holiday"), workdays=(r.day for r in ROWS if r.kind == "workday")
)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def test_it_knows_weekends_holidays_and_swapped_saturdays() -> None:
    assert CAL.is_working_day(date(2026, 3, 2))  # an ordinary Monday
    assert not CAL.is_working_day(date(2026, 3, 7))  # an ordinary Saturday
    assert not CAL.is_working_day(date(2026, 10, 5))  # 国庆, a Monday
    assert CAL.is_working_day(date(2026, 10, 10))  # 国庆调休, a Saturday
    assert CAL.is_working_day(date(2026, 1, 4))  # 元旦调休, a Sunday


def test_it_counts_five_working_days_across_the_national_day_holiday_and_its_swapped_saturday() -> None:
    # Dispatched Wednesday 30 September 10:00: 1–7 October are off, Thursday 8, Friday 9 and the swapped
    # Saturday 10 are worked, Sunday 11 is not, Monday 12 is: the fifth working day is Tuesday 13.
    due = CAL.add_working_days(local(2026, 9, 30, 10, 0), 5)
    assert due == local(2026, 10, 13, 10, 0).astimezone(UTC)
    assert due.tzinfo is UTC


def test_it_counts_a_swapped_saturday_as_a_working_day() -> None:
    # Friday 8 May 2026 + 1 working day: Saturday 9 May is 劳动节调休, so it is due then, not on Monday.
    assert CAL.add_working_days(local(2026, 5, 8, 15, 30), 1) == local(2026, 5, 9, 15, 30)


def test_it_starts_the_clock_on_the_next_working_day_when_received_on_a_holiday() -> None:
    # Received on 春节 (Tuesday 17 February): the clock starts at 00:00 on Tuesday 24 February.
    assert CAL.add_working_days(local(2026, 2, 17, 9, 0), 1) == local(2026, 2, 25, 0, 0)
    assert CAL.add_working_days(local(2026, 2, 17, 9, 0), 0) == local(2026, 2, 24, 0, 0)


def test_it_stops_working_hours_over_a_holiday() -> None:
    # 30 September 20:00 + 8 working hours: 4 hours that day, then nothing until 8 October 00:00, 4 more.
    assert CAL.add_working_hours(local(2026, 9, 30, 20, 0), 8) == local(2026, 10, 8, 4, 0)
    assert CAL.add_working_hours(local(2026, 3, 6, 12, 0), 30) == local(2026, 3, 9, 18, 0)


def test_it_counts_the_working_days_of_a_range() -> None:
    assert CAL.working_days_between(date(2026, 10, 1), date(2026, 10, 11)) == 3  # 8, 9 and the swapped 10
    assert CAL.working_days_between(date(2026, 10, 2), date(2026, 10, 1)) == 0


def test_it_refuses_naive_times_and_negative_amounts() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_days(datetime(2026, 3, 2), 1)
    with pytest.raises(ValueError):
        CAL.add_working_days(local(2026, 3, 2), -1)


def test_it_ships_the_2026_calendar_with_its_six_swapped_working_days() -> None:
    swapped = sorted(r.day for r in ROWS if r.kind == "workday")
    assert swapped == [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]
    assert all(d.weekday() >= 5 for d in swapped)
    assert sum(r.kind == "holiday" for r in ROWS) == 33
