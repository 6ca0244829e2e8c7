"""The password policy of Multi-Level Protection level 3: long, mixed, not guessable."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 10
COMMON = Path(__file__).parent / "data" / "common-passwords.txt"


@lru_cache
def common_passwords() -> frozenset[str]:
    """Return the shipped list of common passwords, lower-cased."""
    return frozenset(line.strip() for line in COMMON.read_text().splitlines() if line.strip())


def problems(password: str, username: str) -> list[str]:
    """Return why ``password`` is refused (codes: short, classes, username, common); empty when it is fine.

    Three of the four classes are needed: lower case, upper case, digits, other characters.
    """
    found = []
    if len(password) < MIN_LENGTH:
        found.append("short")
    classes = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    if sum(classes) < 3:
        found.append("classes")
    if username and username.lower() in password.lower():
        found.append("username")
    if password.lower() in common_passwords():
        found.append("common")
    return found
