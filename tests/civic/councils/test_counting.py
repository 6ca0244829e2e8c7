"""The quorum and the three pass rules, as arithmetic (docs/councils.md states the same table)."""

from __future__ import annotations

from datetime import date

import pytest

from linli.civic.councils.counting import on_the_day, outcome, quorate


@pytest.mark.parametrize(
    ("present", "members", "percent", "expected"),
    [
        (5, 10, 50, True),  # exactly at the threshold
        (4, 10, 50, False),  # one below
        (7, 10, 67, True),  # 700 >= 670
        (6, 9, 67, False),  # 600 < 603
        (2, 3, 67, False),  # 200 < 201
        (9, 9, 100, True),
        (8, 9, 100, False),
        (0, 0, 50, False),  # nobody on the council
        (0, 5, 1, False),  # nobody came
    ],
)
def test_it_reads_the_quorum_from_whole_numbers(present: int, members: int, percent: int, expected: bool) -> None:
    assert quorate(present, members, percent) is expected


@pytest.mark.parametrize(
    ("rule", "present", "votes_for", "against", "expected"),
    [
        ("majority_present", 9, 5, 4, "passed"),
        ("majority_present", 10, 5, 0, "failed"),  # a tie with half the room fails
        ("majority_present", 9, 4, 0, "failed"),  # abstentions and silence count against
        ("majority_cast", 9, 3, 2, "passed"),  # 4 abstained: not counted
        ("majority_cast", 9, 3, 3, "failed"),  # a tie fails
        ("majority_cast", 9, 0, 0, "failed"),  # everyone abstained: no vote for
        ("two_thirds_present", 9, 6, 3, "passed"),  # 18 >= 18: exactly two thirds
        ("two_thirds_present", 9, 5, 0, "failed"),
        ("two_thirds_present", 10, 7, 0, "passed"),  # 21 >= 20
        ("two_thirds_present", 10, 6, 0, "failed"),  # 18 < 20
    ],
)
def test_it_counts_under_each_rule(rule: str, present: int, votes_for: int, against: int, expected: str) -> None:
    assert outcome(rule, present, votes_for, against) == expected


def test_it_refuses_an_unknown_rule() -> None:
    with pytest.raises(ValueError):
        outcome("shout_loudest", 3, 3, 0)


def test_a_member_counts_on_the_days_between_joining_and_leaving() -> None:
    joined, left = date(2026, 3, 1), date(2026, 6, 1)
    assert on_the_day(joined, None, date(2026, 3, 1))
    assert not on_the_day(joined, None, date(2026, 2, 28))
    assert on_the_day(joined, left, date(2026, 5, 31))
    assert not on_the_day(joined, left, date(2026, 6, 1))  # left that day: no longer counted
