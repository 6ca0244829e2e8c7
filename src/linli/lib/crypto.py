"""Encryption of personal fields at rest (AES-GCM) and blind indexes (HMAC) for exact lookup.

A cipher holds the current key and, during a key rotation, the previous ones: it encrypts with the
current key, decrypts with whichever key a value names, and answers lookups with the blind index
of every key until the rotation has rewritten all rows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = b"2"  # version, 4-byte key id, 12-byte nonce, ciphertext + tag
LEGACY = b"1"  # version, nonce, ciphertext + tag (current key only)


def key_id(key: bytes) -> bytes:
    """Return the 4 bytes that name ``key`` inside each value it encrypts (not secret)."""
    return hashlib.sha256(b"linli key id" + key).digest()[:4]


class FieldCipher:
    """Encrypt and decrypt short text fields; the stored form is base64 text."""

    def __init__(self, key: bytes, previous: Sequence[bytes] = ()) -> None:
        for k in (key, *previous):
            if len(k) != 32:
                raise ValueError("a personal-data key must be 32 bytes")
        self._current = key_id(key)
        self._aead = {key_id(k): AESGCM(k) for k in (key, *previous)}
        self._index_keys = [hmac.new(k, b"linli blind index", hashlib.sha256).digest() for k in (key, *previous)]

    @property
    def rotating(self) -> bool:
        """Return whether previous keys are still held (a rotation is under way)."""
        return len(self._index_keys) > 1

    def encrypt(self, plain: str) -> str:
        """Return the stored form of ``plain``; the same text encrypts differently each time."""
        nonce = os.urandom(12)
        header = VERSION + self._current
        sealed = self._aead[self._current].encrypt(nonce, plain.encode(), header)
        return base64.b64encode(header + nonce + sealed).decode()

    def decrypt(self, stored: str) -> str:
        """Return the plain text of a value made by ``encrypt`` with any key this cipher holds."""
        raw = base64.b64decode(stored)
        if raw[:1] == LEGACY:
            return self._aead[self._current].decrypt(raw[1:13], raw[13:], raw[:1]).decode()
        header, nonce, sealed = raw[:5], raw[5:17], raw[17:]
        aead = self._aead.get(header[1:5])
        if aead is None:
            raise ValueError("this value was encrypted with a key that is not configured")
        return aead.decrypt(nonce, sealed, header).decode()

    def is_current(self, stored: str) -> bool:
        """Return whether ``stored`` is already encrypted with the current key."""
        raw = base64.b64decode(stored)
        return raw[:1] == VERSION and raw[1:5] == self._current

    def blind_index(self, plain: str) -> str:
        """Return the keyed hash of ``plain`` under the current key, for storing."""
        return self._index(self._index_keys[0], plain)

    def blind_indexes(self, plain: str) -> list[str]:
        """Return the keyed hash of ``plain`` under every key held, for looking up during a rotation."""
        return [self._index(k, plain) for k in self._index_keys]

    @staticmethod
    def _index(index_key: bytes, plain: str) -> str:
        # hmac.digest is the one-shot form of the same HMAC-SHA256 (a quarter of the cost of hmac.new).
        return hmac.digest(index_key, plain.encode(), "sha256").hex()[:32]
