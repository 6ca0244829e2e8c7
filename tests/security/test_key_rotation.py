"""Rotating the personal-data key: old values stay readable and findable until every row is rewritten."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import cast

from sqlalchemy import select

from linli.audit.keys import encrypted_columns, rotate
from linli.migrations.models import Base
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


def test_it_finds_and_rewrites_every_resident_under_the_new_key(runtime: Runtime, world) -> None:
    url = runtime.settings.database_url
    rotating = Runtime(make_settings(url, data_key=NEW_KEY, data_key_previous=TEST_KEY))
    assert _find(rotating, ID_NUMBERS[0]) == ["曾伟"]  # found by the old blind index mid-rotation
    with rotating.sessions() as session:
        assert rotate(session, Base) == 3
        assert rotate(session, Base) == 0  # a second run has nothing left to do
    rotated = Runtime(make_settings(url, data_key=NEW_KEY))
    assert _find(rotated, ID_NUMBERS[0]) == ["曾伟"]
    assert _find(rotated, "13912345678") == ["曾伟"]
    with rotated.sessions() as session:
        # The query keeps only the stored numbers, none of them NULL.
        stored = cast(
            "Sequence[str]",
            session.scalars(select(Resident.id_number_enc).where(Resident.id_number_enc.is_not(None))).all(),
        )
        assert all(rotated.cipher.is_current(value) for value in stored)
        shown = services.get_resident(session, root_scope(), world.resident1.id)
        assert shown.id_number == "110105********002X"
    for rt in (rotating, rotated):
        rt.engine.dispose()


def test_rotation_covers_every_encrypted_column_in_the_schema() -> None:
    in_schema = {
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if column.name.endswith("_enc")
    }
    covered = {(t.model.__tablename__, c) for t in encrypted_columns(Base) for c, _ in t.pairs}
    assert in_schema == covered


def test_a_stored_import_report_stays_readable_after_rotation(runtime: Runtime, world) -> None:
    from linli.ledger.models import LedgerJob

    url = runtime.settings.database_url
    with runtime.sessions() as session, session.begin():
        sealed = runtime.cipher.encrypt("UEsD")
        job = LedgerJob(file_name="台账.xlsx", report_name="台账-导入报告.xlsx", report_enc=sealed)
        session.add(job)
        session.flush()
        job_id = job.id
    rotating = Runtime(make_settings(url, data_key=NEW_KEY, data_key_previous=TEST_KEY))
    with rotating.sessions() as session:
        rotate(session, Base)
    rotated = Runtime(make_settings(url, data_key=NEW_KEY))  # the old key is gone
    with rotated.sessions() as session:
        assert rotated.cipher.decrypt(session.get(LedgerJob, job_id).report_enc) == "UEsD"  # type: ignore[union-attr,arg-type]
    for rt in (rotating, rotated):
        rt.engine.dispose()
