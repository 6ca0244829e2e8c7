"""Buildings, households and residents, with tags for people under care and a search index."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from linli.db.base import Base, Timestamped, UTCDateTime, encrypted, utcnow


class Building(Timestamped, Base):
    """A building 楼栋 in a grid, optionally inside a residential compound 小区."""

    __tablename__ = "building"
    __table_args__ = (UniqueConstraint("area_id", "compound", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    compound: Mapped[str] = mapped_column(String(100), default="")
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200), default="")


class Household(Timestamped, Base):
    """A household 户: a room in a building, its members and its head."""

    __tablename__ = "household"
    __table_args__ = (
        Index("ix_household_building_room", "building_id", "room"),
        # Counting an area's standing households reads this index alone.
        Index("ix_household_area_dissolved", "area_id", "dissolved_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"))
    room: Mapped[str] = mapped_column(String(50))
    address: Mapped[str] = mapped_column(String(200), default="")
    head_id: Mapped[int | None] = mapped_column(
        ForeignKey("resident.id", use_alter=True, name="fk_household_head_id_resident")
    )
    registered_on: Mapped[date] = mapped_column(Date)
    dissolved_on: Mapped[date | None] = mapped_column(Date)
    # The house it lives in (a shared rental puts several households in one house). Every household
    # opened by the registry's services has one; migration 0014 gave one to every older household.
    house_id: Mapped[int | None] = mapped_column(ForeignKey("house.id"), index=True)
    # 三色入户帮: red, yellow or blue, set by staff with a reason (``CareGradeChange`` keeps the history).
    care_grade: Mapped[str | None] = mapped_column(String(8))

    building: Mapped[Building] = relationship(lazy="raise")


HOUSE_STATUSES = ("owner_occupied", "rented", "vacant", "business", "other")
CARE_GRADES = ("red", "yellow", "blue")


class Unit(Timestamped, Base):
    """A unit 单元 of a building: one stairwell and its rooms."""

    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("building_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"))
    name: Mapped[str] = mapped_column(String(40))


class House(Timestamped, Base):
    """A house 房屋 (实有房屋): a room of a unit, its status, owner and floor area.

    The owner is a resident of the registry or an outside person by name and phone; that phone is
    stored as every phone is (encrypted, blind index, 4-digit tail) and shown masked.
    """

    __tablename__ = "house"
    __table_args__ = (
        UniqueConstraint("unit_id", "room"),
        Index("ix_house_building_status", "building_id", "status"),
        Index("ix_house_area_status", "area_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    room: Mapped[str] = mapped_column(String(50))
    # owner_occupied 自住, rented 出租, vacant 空置, business 商用, other 其他
    status: Mapped[str] = mapped_column(String(16), default="owner_occupied")
    # house → resident → household → house is a cycle: this key is added after the tables exist.
    owner_resident_id: Mapped[int | None] = mapped_column(
        ForeignKey("resident.id", use_alter=True, name="fk_house_owner_resident_id_resident")
    )
    owner_name: Mapped[str] = mapped_column(String(60), default="")
    owner_phone_enc: Mapped[str | None] = mapped_column(String(120), info=encrypted("owner_phone_hash"))
    owner_phone_hash: Mapped[str | None] = mapped_column(String(32), index=True)
    owner_phone_tail: Mapped[str | None] = mapped_column(String(4))
    floor_area: Mapped[float | None] = mapped_column(Float)  # m², where known
    note: Mapped[str] = mapped_column(String(200), default="")


class Tenancy(Timestamped, Base):
    """A tenant household's stay in a rented house, from one day to another (open while it lasts).

    Periods of one household in one house never overlap; ended tenancies stay as the house's history.
    """

    __tablename__ = "tenancy"
    __table_args__ = (Index("ix_tenancy_house_starts", "house_id", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    house_id: Mapped[int] = mapped_column(ForeignKey("house.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class CareGradeChange(Base):
    """One setting of a household's care grade (三色入户帮): the grade (None: cleared), why, who, when."""

    __tablename__ = "care_grade_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    grade: Mapped[str | None] = mapped_column(String(8))
    previous: Mapped[str | None] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    username: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Resident(Timestamped, Base):
    """A person. ID number and phone are stored encrypted with a blind index and a 4-digit tail.

    Residents are never deleted: ``status`` becomes moved_out or deceased with ``left_on``.
    """

    __tablename__ = "resident"
    # Counting an area's registered residents reads this index alone (1,000,000 rows: no table lookups).
    __table_args__ = (Index("ix_resident_area_status", "area_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    gender: Mapped[str] = mapped_column(String(1))  # GB/T 2261.1: 1 male, 2 female, 9 unstated
    birth_date: Mapped[date | None] = mapped_column(Date, index=True)
    id_number_enc: Mapped[str | None] = mapped_column(String(120), info=encrypted("id_number_hash"))
    id_number_hash: Mapped[str | None] = mapped_column(String(32), unique=True)
    id_tail: Mapped[str | None] = mapped_column(String(4), index=True)
    phone_enc: Mapped[str | None] = mapped_column(String(120), info=encrypted("phone_hash"))
    phone_hash: Mapped[str | None] = mapped_column(String(32), index=True)
    phone_tail: Mapped[str | None] = mapped_column(String(4), index=True)
    relation: Mapped[str] = mapped_column(String(2), default="99")  # GB/T 4761
    kind: Mapped[str] = mapped_column(String(2), default="01")  # 01 户籍, 02 流动, 03 境外
    ethnicity: Mapped[str] = mapped_column(String(2), default="01")  # GB/T 3304
    skills: Mapped[str] = mapped_column(Text, default="")
    willing_to_help: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="active", index=True)
    registered_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Tag(Base):
    """A group a resident belongs to: people under care (关爱对象) or sensitive key groups."""

    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(60), default="")
    # care: 关爱对象; key: 特殊人群 of public-security work, sensitive personal information.
    kind: Mapped[str] = mapped_column(String(8), default="care")
    care_weight: Mapped[int] = mapped_column(Integer, default=1)
    close_care: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ResidentTag(Base):
    __tablename__ = "resident_tag"

    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tag.id"), primary_key=True, index=True)


class ResidentEvent(Base):
    """A dated change in a resident's life in the registry: registered, moved, moved out, died."""

    __tablename__ = "resident_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    happened_on: Mapped[date] = mapped_column(Date)
    from_household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    to_household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ResidentKey(Base):
    """The search index: every key a resident is found by (pinyin, initials, name suffixes).

    ``area_id`` is copied here so a grid worker's search is one index range in their grid. It is a
    derived index, like a full-text one, written only beside its resident (``registry.services``,
    ``registry.bulk``) and rebuilt whole when ``name_keys`` changes (migration 0009): no index on
    ``resident_id`` (a resident's keys are a function of the name, replaced by primary key through the
    old name's keys) and no foreign keys (a search joins the resident anyway). An import of 100,000
    residents writes ~490,000 keys; that index and those checks were over half of their cost.
    """

    __tablename__ = "resident_key"
    __table_args__ = (Index("ix_resident_key_area_key", "area_id", "key"),)

    key: Mapped[str] = mapped_column(String(80).with_variant(String(80, collation="C"), "postgresql"), primary_key=True)
    resident_id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int]
