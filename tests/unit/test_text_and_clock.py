"""Names as people type them, and ages on a day."""

from __future__ import annotations

from datetime import date

import pytest

from linli.lib.clock import age_on, birth_range
from linli.lib.text import clean_name


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        ("  张伟 ", "张伟"),
        ("张 伟", "张伟"),
        ("张\u3000伟", "张伟"),
        ("买买提・艾力", "买买提·艾力"),
        ("买买提 · 艾力", "买买提·艾力"),
        ("买买提•艾力", "买买提·艾力"),
        ("买买提．艾力", "买买提·艾力"),
        ("买买提·艾力", "买买提·艾力"),
        ("  John   Smith ", "John Smith"),
        ("ＡＢＣ", "ABC"),
        ("   ", ""),
    ],
)
def test_it_cleans_names(typed: str, clean: str) -> None:
    assert clean_name(typed) == clean


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(1949, 12, 31), date(2026, 12, 30), 76),
        (date(1949, 12, 31), date(2026, 12, 31), 77),
        (date(2000, 2, 29), date(2001, 2, 28), 0),
        (date(2000, 2, 29), date(2001, 3, 1), 1),
        (date(2000, 2, 29), date(2004, 2, 28), 3),
        (date(2000, 2, 29), date(2004, 2, 29), 4),
        (date(2026, 5, 1), date(2026, 5, 1), 0),
    ],
)
def test_it_counts_age_in_whole_years(born: date, day: date, age: int) -> None:
    assert age_on(born, day) == age


def test_it_turns_an_age_range_into_birth_dates() -> None:
    day = date(2026, 6, 15)
    earliest, latest = birth_range(60, 79, day)
    assert earliest is not None and latest is not None
    assert age_on(earliest, day) == 79 and age_on(earliest.replace(day=earliest.day - 1), day) == 80
    assert age_on(latest, day) == 60 and age_on(date.fromordinal(latest.toordinal() + 1), day) == 59
    assert birth_range(None, None, day) == (None, None)


def test_it_handles_an_age_range_counted_from_29_february() -> None:
    day = date(2028, 2, 29)
    earliest, latest = birth_range(1, 1, day)
    assert latest == date(2027, 2, 28) and earliest == date(2026, 3, 1)
    assert age_on(latest, day) == 1 and age_on(earliest, day) == 1
