"""Encryption of personal fields at rest (AES-GCM) and blind indexes (HMAC) for exact lookup."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = b"1"


class FieldCipher:
    """Encrypt and decrypt short text fields with one 32-byte key.

    The stored form is ``base64(version + nonce + ciphertext)``; the blind index key is derived
    from the same key so one secret serves both.
    """

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the personal-data key must be 32 bytes")
        self._aead = AESGCM(key)
        self._index_key = hmac.new(key, b"linli blind index", hashlib.sha256).digest()

    def encrypt(self, plain: str) -> str:
        """Return the stored form of ``plain``; the same text encrypts differently each time."""
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plain.encode(), VERSION)
        return base64.b64encode(VERSION + nonce + sealed).decode()

    def decrypt(self, stored: str) -> str:
        """Return the plain text of a value made by ``encrypt``."""
        raw = base64.b64decode(stored)
        return self._aead.decrypt(raw[1:13], raw[13:], raw[:1]).decode()

    def blind_index(self, plain: str) -> str:
        """Return a keyed hash of ``plain`` for equality lookups; it reveals nothing without the key."""
        return hmac.new(self._index_key, plain.encode(), hashlib.sha256).hexdigest()[:32]
