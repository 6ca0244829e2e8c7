"""Quorum and the pass rules: pure arithmetic, no database (docs/councils.md states them for people).

Whole numbers only, so a threshold is exact: 5 of 10 members present at a quorum of 50 % is quorate, 4 is not.
"""

from __future__ import annotations

from datetime import date


def on_the_day(joined_on: date, left_on: date | None, day: date) -> bool:
    """Return whether a membership counts on ``day``: joined on or before it, not left by then (left after it)."""
    return joined_on <= day and (left_on is None or left_on > day)


def quorate(present: int, members: int, quorum_percent: int) -> bool:
    """Return whether ``present`` of ``members`` reach ``quorum_percent``: present × 100 ≥ percent × members.

    A council with no members on the day, or a meeting nobody came to, is never quorate.
    """
    return members > 0 and present > 0 and present * 100 >= quorum_percent * members


def outcome(rule: str, present: int, votes_for: int, votes_against: int) -> str:
    """Return ``passed`` or ``failed`` under ``rule``.

    - ``majority_present``: more votes for than half of the members present (for × 2 > present); a tie fails.
    - ``majority_cast``: more for than against, abstentions not counted, and at least one vote for.
    - ``two_thirds_present``: at least two thirds of the members present for (for × 3 ≥ present × 2).
    """
    if rule == "majority_present":
        passed = votes_for * 2 > present
    elif rule == "majority_cast":
        passed = votes_for > votes_against and votes_for >= 1
    elif rule == "two_thirds_present":
        passed = present > 0 and votes_for * 3 >= present * 2
    else:
        raise ValueError(rule)
    return "passed" if passed else "failed"
