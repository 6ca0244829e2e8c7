"""Rotating the personal-data key: old values stay readable and findable until every row is rewritten."""

from __future__ import annotations

import base64

from sqlalchemy import select

from linli.db.encrypted import rotate
from linli.registry import services
from linli.registry.models import Resident
from linli.runtime import Runtime
from tests.conftest import TEST_KEY, make_settings
from tests.factories import ID_NUMBERS, root_scope

NEW_KEY = base64.b64encode(b"n" * 32).decode()


def _find(rt: Runtime, q: str) -> list[str]:
    with rt.sessions() as session:
        page = services.list_residents(session, root_scope(), services.ResidentFilter(q=q))
        return [r.name for r in page.items]


def test_it_finds_and_rewrites_every_resident_under_the_new_key(runtime: Runtime, world) -> None:  # type: ignore[no-untyped-def]
    url = runtime.settings.database_url
    rotating = Runtime(make_settings(url, data_key=NEW_KEY, data_key_previous=TEST_KEY))
    assert _find(rotating, ID_NUMBERS[0]) == ["曾伟"]  # found by the old blind index mid-rotation
    with rotating.sessions() as session:
        assert rotate(session) == 3
        assert rotate(session) == 0  # a second run has nothing left to do
    rotated = Runtime(make_settings(url, data_key=NEW_KEY))
    assert _find(rotated, ID_NUMBERS[0]) == ["曾伟"]
    assert _find(rotated, "13912345678") == ["曾伟"]
    with rotated.sessions() as session:
        stored = session.scalars(select(Resident.id_number_enc).where(Resident.id_number_enc.is_not(None))).all()
        assert all(rotated.cipher.is_current(value) for value in stored)
        shown = services.get_resident(session, root_scope(), world.resident1.id)
        assert shown.id_number == "110105********002X"
    for rt in (rotating, rotated):
        rt.engine.dispose()
