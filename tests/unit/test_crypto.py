"""Personal fields at rest: AES-GCM round trips, a fresh nonce each time, a stable blind index."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag

from linli.lib.crypto import FieldCipher

KEY = b"k" * 32


def test_it_round_trips_a_field() -> None:
    cipher = FieldCipher(KEY)
    stored = cipher.encrypt("11010519491231002X")
    assert "11010519491231002X" not in stored
    assert cipher.decrypt(stored) == "11010519491231002X"
    assert cipher.decrypt(cipher.encrypt("买买提·艾力")) == "买买提·艾力"


def test_it_encrypts_the_same_text_differently_each_time() -> None:
    cipher = FieldCipher(KEY)
    assert cipher.encrypt("+8613912345678") != cipher.encrypt("+8613912345678")


def test_it_keeps_the_blind_index_stable_and_keyed() -> None:
    one, again, other = FieldCipher(KEY), FieldCipher(KEY), FieldCipher(b"o" * 32)
    assert one.blind_index("11010519491231002X") == again.blind_index("11010519491231002X")
    assert one.blind_index("11010519491231002X") != one.blind_index("110105194912310021")
    assert one.blind_index("11010519491231002X") != other.blind_index("11010519491231002X")
    assert "002X" not in one.blind_index("11010519491231002X")


def test_it_refuses_a_tampered_value_or_another_key() -> None:
    stored = FieldCipher(KEY).encrypt("13912345678")
    with pytest.raises((InvalidTag, ValueError)):
        FieldCipher(b"o" * 32).decrypt(stored)
    tampered = stored[:-4] + ("AAAA" if stored[-4:] != "AAAA" else "BBBB")
    with pytest.raises((InvalidTag, ValueError)):
        FieldCipher(KEY).decrypt(tampered)


def test_it_reads_values_of_a_previous_key_during_a_rotation() -> None:
    old = FieldCipher(KEY).encrypt("13912345678")
    rotating = FieldCipher(b"n" * 32, previous=[KEY])
    assert rotating.decrypt(old) == "13912345678"
    assert FieldCipher(KEY).blind_index("13912345678") in rotating.blind_indexes("13912345678")


def test_it_refuses_a_key_of_the_wrong_length() -> None:
    with pytest.raises(ValueError):
        FieldCipher(b"short")


def test_the_blind_index_stays_what_is_stored() -> None:
    # The value every registry written so far holds for this number under this key: a change to how
    # the index is computed would make every stored ID number and phone unfindable.
    assert FieldCipher(KEY).blind_index("11010519491231002X") == "c8e54c19197969df888da02a0e27729f"
