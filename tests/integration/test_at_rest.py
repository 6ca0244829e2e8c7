"""Personal fields at rest: no table holds an ID number or a phone number in clear."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.migrations.models import Base
from linli.registry import services
from linli.registry.schemas import ResidentIn
from linli.runtime import cipher_of
from tests.factories import ID_NUMBERS, World, scope_of

NUMBER = "35020320050101001X"
PHONE_DIGITS = ("13712349876", "3712349876")


def test_it_stores_no_id_number_or_phone_in_clear(db: Session, world: World) -> None:
    made = services.create_resident(
        db,
        scope_of(db, "grid1"),
        ResidentIn(name="陈晨", household_id=world.household1, id_number=NUMBER.lower(), phone="137-1234-9876"),
    )
    assert made.id_number == "350203********001X"
    wanted = [NUMBER, NUMBER[6:17], *ID_NUMBERS, *PHONE_DIGITS, "13912345678", "5921234567"]
    found = []
    tables = 0
    for table in Base.metadata.sorted_tables:
        tables += 1
        for row in db.execute(select(table)).mappings():
            for column, value in row.items():
                shown = value if isinstance(value, str) else repr(value)
                found += [(table.name, column, clear) for clear in wanted if clear in shown]
    assert tables >= 9
    assert found == []
    stored = db.execute(
        select(Base.metadata.tables["resident"].c.id_number_enc).where(Base.metadata.tables["resident"].c.id == made.id)
    ).scalar_one()
    assert cipher_of(db).decrypt(stored) == NUMBER
