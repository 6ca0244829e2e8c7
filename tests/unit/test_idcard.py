"""The ID-card number: normalising, upgrading, refusing with a reason, masking."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linli.lib import idcard
from tests.factories import id_number, with_check_character

EXAMPLE = "11010519491231002X"  # GB 11643's worked example: born 1949-12-31, a woman


def test_it_accepts_the_worked_example_and_reads_birth_date_and_sex() -> None:
    assert idcard.validate(EXAMPLE) == EXAMPLE
    assert idcard.birth_date(EXAMPLE) == date(1949, 12, 31)
    assert idcard.sex(EXAMPLE) == "2"


@pytest.mark.parametrize(
    "written",
    [
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        "110105 19491231 002X",
        " 110105\u300019491231\t002x ",
    ],
)
def test_it_normalises_how_ledgers_write_numbers(written: str) -> None:
    assert idcard.validate(written) == EXAMPLE


def test_it_upgrades_a_15_digit_number_to_18() -> None:
    assert idcard.validate("110105491231002") == EXAMPLE
    assert idcard.upgrade_15("110105491231002") == EXAMPLE


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("1101051949123100", "length"),
        ("11010519491231002XX", "length"),
        ("", "length"),
        ("11010519491231002A", "format"),
        ("1101051949123100X2", "format"),
        ("11010519491231002Y", "format"),
        ("110105194912310021", "checksum"),
        ("11010519491231003X", "checksum"),
    ],
)
def test_it_refuses_saying_why(written: str, reason: str) -> None:
    with pytest.raises(idcard.IdCardProblem) as refused:
        idcard.validate(written)
    assert refused.value.reason == reason


@pytest.mark.parametrize("birth", ["19490230", "19491301", "19490001", "19000229"])
def test_it_refuses_a_birth_date_that_does_not_exist_even_with_a_right_checksum(birth: str) -> None:
    with pytest.raises(idcard.IdCardProblem) as refused:
        idcard.validate(with_check_character("110105" + birth + "002"))
    assert refused.value.reason == "birth_date"


def test_it_masks_all_but_the_first_6_and_last_4() -> None:
    assert idcard.mask(EXAMPLE) == "110105********002X"
    assert idcard.mask("1234") == "****"


@given(
    area=st.from_regex(r"\A[1-6][0-9]{5}\Z"),
    born=st.dates(min_value=date(1900, 1, 1), max_value=date.today() - timedelta(days=1)),
    seq=st.integers(min_value=0, max_value=999),
    lower=st.booleans(),
    full_width=st.booleans(),
)
def test_it_accepts_every_number_with_a_right_check_character(
    area: str, born: date, seq: int, lower: bool, full_width: bool
) -> None:
    number = id_number(born, seq, area)
    written = number.lower() if lower else number
    if full_width:
        written = "".join(chr(ord(c) + 0xFEE0) for c in written)
    assert idcard.validate(written) == number
    assert idcard.birth_date(number) == born
    assert idcard.sex(number) == ("1" if seq % 2 else "2")
    masked = idcard.mask(number)
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:] and set(masked[6:-4]) == {"*"}


@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
    position=st.integers(min_value=0, max_value=16),
    shift=st.integers(min_value=1, max_value=9),
)
def test_it_refuses_any_single_digit_typo(born: date, seq: int, position: int, shift: int) -> None:
    number = id_number(born, seq)
    typo = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1 :]
    with pytest.raises(idcard.IdCardProblem):
        idcard.validate(typo)
