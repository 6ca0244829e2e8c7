"""What a running linli holds once: settings, the database engine, the session factory, the cipher."""

from __future__ import annotations

from functools import cached_property

from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from linli.config import Settings
from linli.db.engine import make_engine
from linli.lib.crypto import FieldCipher


class Runtime:
    """Built once per process (by ``create_app`` or the CLI) from one ``Settings``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url, echo=self.settings.sql_echo)

    @cached_property
    def cipher(self) -> FieldCipher:
        return FieldCipher(self.settings.personal_data_key(), self.settings.previous_data_keys())

    @cached_property
    def hasher(self) -> PasswordHasher:
        return PasswordHasher(time_cost=self.settings.argon2_time_cost, memory_cost=self.settings.argon2_memory_cost)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        # Services reach the cipher and hasher through ``session.info``, so they need one argument.
        return sessionmaker(
            self.engine,
            expire_on_commit=False,
            info={"cipher": self.cipher, "hasher": self.hasher, "settings": self.settings},
        )


def cipher_of(session: Session) -> FieldCipher:
    """Return the personal-field cipher of the runtime that made ``session``."""
    return session.info["cipher"]


def hasher_of(session: Session) -> PasswordHasher:
    return session.info["hasher"]


def settings_of(session: Session) -> Settings:
    return session.info["settings"]
