"""Phone numbers: mobiles and fixed lines, stored in E.164, shown masked."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from linli.lib import phone


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("13912345678", "+8613912345678"),
        ("139 1234 5678", "+8613912345678"),
        ("139-1234-5678", "+8613912345678"),
        ("１３９１２３４５６７８", "+8613912345678"),
        ("+86 139 1234 5678", "+8613912345678"),
        ("0592-1234567", "+865921234567"),
        ("05921234567", "+865921234567"),
        ("(0592) 1234567", "+865921234567"),
        ("010-12345678", "+861012345678"),
        ("+14155550123", "+14155550123"),
    ],
)
def test_it_stores_numbers_in_e164(written: str, e164: str) -> None:
    assert phone.validate(written) == e164


@pytest.mark.parametrize("written", ["", "12345", "abc", "1391234567", "139123456789", "00000000000", "+86"])
def test_it_refuses_what_cannot_be_a_number(written: str) -> None:
    with pytest.raises(phone.PhoneProblem):
        phone.validate(written)


def test_it_writes_numbers_as_a_chinese_reader_does() -> None:
    assert phone.national("+8613912345678") == "13912345678"
    assert phone.national("+865921234567") == "0592-1234567"
    assert phone.tail("+865921234567") == "4567"


def test_it_masks_all_but_the_last_4_digits() -> None:
    assert phone.mask("+8613912345678") == "*******5678"
    assert phone.mask("+865921234567") == "********4567"


def test_the_mobile_shortcut_agrees_with_the_full_parse() -> None:
    """``validate`` skips parsing for a mainland mobile; every 11-digit number must get the same answer."""

    def parsed(text: str) -> str | None:
        try:
            number = phonenumbers.parse(text, "CN")
        except phonenumbers.NumberParseException:
            return None
        return phonenumbers.format_number(number, 0) if phonenumbers.is_valid_number(number) else None

    pick = random.Random(7)
    numbers = [f"1{p:02d}{pick.randrange(10**8):08d}" for p in range(100) for _ in range(20)]
    numbers += ["16101234567", "17405123456", "17406123456", "14512345678", "19212345678"]
    for text in numbers:
        try:
            got: str | None = phone.validate(text)
        except phone.PhoneProblem:
            got = None
        assert got == parsed(text), text
