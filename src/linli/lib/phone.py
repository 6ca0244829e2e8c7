"""Chinese phone numbers: mobiles and fixed lines such as 0592-1234567, stored in E.164."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneMetadata

from linli.lib.text import half_width, squeeze

# The mainland mobile numbers the library's own metadata accepts: most numbers a ledger holds are
# these, and matching the pattern directly skips parsing (two thirds of a 100,000-row import's
# phone checks, ~20 µs a number).
_CN = PhoneMetadata.metadata_for_region("CN")
assert _CN is not None and _CN.mobile is not None and _CN.mobile.national_number_pattern
MOBILE = re.compile(_CN.mobile.national_number_pattern)


class PhoneProblem(ValueError):
    """The number cannot be a real Chinese (or international) number."""


def validate(value: str) -> str:
    """Return ``value`` in E.164 (``+8613912345678``, ``+865921234567``), or raise ``PhoneProblem``.

    A number without a country code is read as Chinese.
    """
    text = squeeze(half_width(value))
    if len(text) == 11 and text.isascii() and MOBILE.fullmatch(text):
        return "+86" + text
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise PhoneProblem(value) from None
    if not phonenumbers.is_valid_number(parsed):
        raise PhoneProblem(value)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def national(e164: str) -> str:
    """Return the number as a Chinese reader writes it: 13912345678 or 0592-1234567."""
    parsed = phonenumbers.parse(e164, "CN")
    if parsed.country_code != 86:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    text = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return (
        text.replace(" ", "") if phonenumbers.number_type(parsed) == 1 else text.replace(" ", "-", 1).replace(" ", "")
    )


def tail(e164: str) -> str:
    """Return the last four digits, the part people remember and say."""
    return e164[-4:]


def mask(e164: str) -> str:
    """Return the national form with everything but the last 4 digits hidden."""
    if e164.startswith("+861") and len(e164) == 14:  # a mobile: skip parsing, it is most of a list page's time
        return "*" * 7 + e164[-4:]
    text = national(e164)
    return "*" * (len(text) - 4) + text[-4:]
