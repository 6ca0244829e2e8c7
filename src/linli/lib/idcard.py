"""The resident identity card number (公民身份号码, GB 11643-1999).

Hand-written ledgers carry lowercase x, full-width digits and stray spaces; we normalise those and
refuse what still fails, saying why. Validation itself is ``stdnum.cn.ric``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from stdnum.cn import ric

from linli.lib.text import half_width, squeeze


@dataclass(frozen=True)
class IdCardProblem(ValueError):
    """Why a number was refused: ``reason`` is one of length, format, birth_date, checksum."""

    reason: str

    def __str__(self) -> str:
        return self.reason


def normalise(value: str) -> str:
    """Return ``value`` with full-width characters folded, spaces removed and x upper-cased."""
    return squeeze(half_width(value)).upper()


def validate(value: str) -> str:
    """Return the normalised 18-character number, or raise ``IdCardProblem``.

    Checks length, format, check character (GB 11643) and that the birth date exists.

    A 15-digit number of the first generation is converted to 18 digits (birth year 19xx) rather
    than refused, since old ledgers still carry them.
    """
    number = normalise(value)
    if len(number) == 15 and number.isdigit():
        number = upgrade_15(number)
    if len(number) != 18:
        raise IdCardProblem("length")
    if not (number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")):
        raise IdCardProblem("format")
    # ric.validate would also refuse a birthplace code missing from its table of codes; codes were
    # renamed and merged over the years, so a real person's old code is not a reason to refuse them.
    if ric.calc_check_digit(number) != number[17]:
        raise IdCardProblem("checksum")
    try:
        birth_date(number)  # what ric.get_birth_date does, without cleaning the number once more
    except ValueError:
        raise IdCardProblem("birth_date") from None
    return number


def upgrade_15(number: str) -> str:
    """Return the 18-digit form of a 15-digit number: insert ``19`` and add the check character."""
    body = number[:6] + "19" + number[6:]
    return body + ric.calc_check_digit(body + "0")  # it expects a placeholder check digit


def birth_date(number: str) -> date:
    """Return the birth date written in a valid 18-character number."""
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def sex(number: str) -> str:
    """Return ``"1"`` (male) or ``"2"`` (female), GB/T 2261.1, from the sequence digit's parity."""
    return "1" if int(number[16]) % 2 else "2"


def mask(number: str) -> str:
    """Return the number with all but the first 6 and last 4 characters hidden."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
