"""Stories (微故事): neighbours' memories collected into the 《远亲不如近邻》 collection.

A story is written directly or collected from a grid log (its 值得留存的故事 field becomes a draft;
``grid_log_id`` is unique, so a log gives one story). It goes draft → review → published. Every person
it names is a ``StoryPerson`` whose consent is recorded — who gave it, when, how, and who witnessed it
(the elderly neighbours of the collection rarely have accounts, so staff record consent given in
person). A story naming anyone without consent is not published; a withdrawn consent unpublishes it at
once (the page, and the booklet from its next printing).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from linli.db.base import Base, Timestamped, UTCDateTime, utcnow

STATES = ("draft", "review", "published", "withdrawn")
SOURCES = ("log", "direct")
CONSENT_STATES = ("pending", "given", "refused", "withdrawn")
# How consent was given: in person before a witness, a signed form, by phone, or online by the person.
CONSENT_WAYS = ("in_person", "signed", "phone", "online")


class Story(Timestamped, Base):
    """One story of an area; ``state`` moves draft → review → published (withdrawn when consent is)."""

    __tablename__ = "story"
    __table_args__ = (Index("ix_story_area_state", "area_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(8), default="direct")
    grid_log_id: Mapped[int | None] = mapped_column(ForeignKey("grid_log.id"), unique=True)
    state: Mapped[str] = mapped_column(String(12), default="draft")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    review_note: Mapped[str] = mapped_column(String(300), default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class StoryPerson(Base):
    """A person a story names, and their consent to be named (recorded by staff, or given online)."""

    __tablename__ = "story_person"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    consent: Mapped[str] = mapped_column(String(12), default="pending")
    consent_on: Mapped[date | None] = mapped_column(Date)
    consent_way: Mapped[str] = mapped_column(String(12), default="")
    witness: Mapped[str] = mapped_column(String(60), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")


class StoryPhoto(Base):
    """A photo of a story, stored by ``needs.uploads``."""

    __tablename__ = "story_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(100))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    caption: Mapped[str] = mapped_column(String(200), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
