"""One skill vocabulary for matching needs to volunteers: 修水管 and 水电维修 are the same skill.

Skills are written in three places by different people: the resident record's free-text skills
(会修水管，做饭), the 特长 of a grid log (水电维修、电脑) and what staff type. ``canonical_skills`` reads
any of them into the codes of ``SKILLS``; ``profession_skills`` reads a job (骨科医生) into the skills it
implies; ``categories_for`` says which of the 12 service categories those skills serve.

Text is read by reverse maximum matching against every phrasing: from the end of the text, the
longest phrasing that ends there wins and the reading goes on before it. Reading from the end is
the textbook remedy for Chinese written without spaces: from the front, 会计算机 reads as 会计
(accounting) and a stray 算机; from the end it reads 会 and 计算机 (computers). Separators (，、,;；/
spaces 和 及) need no splitting: no phrasing holds one. The reading is a dictionary look-up per
character, not jieba: jieba cuts by its own dictionary and word frequencies (a phrasing is found only
if jieba happens to cut it out whole), and needs a cache file per deployment. Measured on 2 busy
cores: ~0.3 µs a character, 120,000 short 特长 entries or 45,000 56-character logs a second.

Negation: a skill directly after 不会, 不懂, 不太会, 不太懂, 不擅长 or 不能 is skipped (不会修电脑 gives
nothing, not 电脑). Only the skill right after the negation is: 不会做饭，会修水管 keeps the plumbing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from linli.lib.skill_table import NOT_SKILLS, PROFESSION_ROWS, SKILL_ROWS

NEGATIONS = ("不会", "不懂", "不太会", "不太懂", "不擅长", "不能")
LOCALES = ("zh", "en")
# Full-width letters and digits (ＣＰＲ, １２３０６). Folding only these, not NFKC, keeps reading fast:
# nearly every Chinese text holds full-width punctuation, which sends NFKC down its slow path
# (9 µs for a 45-character log, against 1.4 µs for this), and punctuation is in no phrasing anyway.
_WIDE = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


@dataclass(frozen=True)
class Skill:
    """A canonical skill: its stored code, names, phrasings, and the service categories it serves."""

    code: str
    name: str
    name_en: str
    synonyms: tuple[str, ...]
    categories: tuple[str, ...]

    def phrasings(self) -> tuple[str, ...]:
        """Return every phrasing that names the skill, its names first, folded as text is read."""
        return tuple(dict.fromkeys(fold(p) for p in (self.name, self.name_en, *self.synonyms)))


@dataclass(frozen=True)
class Profession:
    """A job and the skills whoever holds it is taken to offer (a chef cooks, a firefighter knows first aid)."""

    code: str
    name: str
    name_en: str
    synonyms: tuple[str, ...]
    skills: tuple[str, ...]

    def phrasings(self) -> tuple[str, ...]:
        """Return every way the job is written, its names first, folded as text is read."""
        return tuple(dict.fromkeys(fold(p) for p in (self.name, self.name_en, *self.synonyms)))


SKILLS: tuple[Skill, ...] = tuple(
    Skill(code, name, name_en, tuple(phrasings.split("、")), categories)
    for code, name, name_en, categories, phrasings in SKILL_ROWS
)
PROFESSIONS: tuple[Profession, ...] = tuple(
    Profession(code, name, name_en, tuple(phrasings.split("、")), skills)
    for code, name, name_en, skills, phrasings in PROFESSION_ROWS
)
_BY_CODE = {skill.code: skill for skill in SKILLS}
CODES = frozenset(_BY_CODE)


def fold(text: str) -> str:
    """Return ``text`` as phrasings are compared: lower case, full-width letters and digits made ASCII,
    every run of white space (the full-width space too) made one space, none at either end.
    """
    text = text.lower()
    if _WIDE.search(text):
        text = _WIDE.sub(_narrow, text)
    return " ".join(text.split())


def _narrow(wide: re.Match[str]) -> str:
    return chr(ord(wide[0]) - 0xFEE0)


class _Phrasebook:
    """Phrasings and what each names, read from the end of a text by reverse maximum matching."""

    def __init__(self, names: dict[str, str]) -> None:
        self._names = names
        # For each last character, the lengths of the phrasings ending with it, longest first.
        ends: dict[str, set[int]] = {}
        for phrase in names:
            ends.setdefault(phrase[-1], set()).add(len(phrase))
        self._lengths = {char: tuple(sorted(lengths, reverse=True)) for char, lengths in ends.items()}

    def read(self, text: str) -> list[tuple[int, str]]:
        """Return (start, name) of each phrasing found in folded ``text``, last first.

        A phrasing of ASCII letters counts only as a whole word (cook is not found in cookie).
        """
        found: list[tuple[int, str]] = []
        names, ends = self._names, self._lengths
        end = len(text)
        while end > 0:
            for length in ends.get(text[end - 1], ()):
                start = end - length
                if start < 0:
                    continue
                name = names.get(text[start:end])
                if name is not None and _whole(text, start, end):
                    found.append((start, name))
                    end = start
                    break
            else:
                end -= 1
        return found


def _whole(text: str, start: int, end: int) -> bool:
    """Return whether text[start:end] stands alone, when it begins or ends with an ASCII letter or digit."""
    before = start > 0 and _word_char(text[start - 1]) and _word_char(text[start])
    after = end < len(text) and _word_char(text[end]) and _word_char(text[end - 1])
    return not (before or after)


def _word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _negated(text: str, start: int) -> bool:
    """Return whether the phrasing at ``start`` directly follows a negation (a space between is allowed)."""
    if start > 0 and text[start - 1] == " ":
        start -= 1
    return any(text.endswith(negation, 0, start) for negation in NEGATIONS)


def _skill_phrasebook() -> _Phrasebook:
    names = {fold(phrase): "" for phrase in NOT_SKILLS}
    for skill in SKILLS:
        names.update(dict.fromkeys(skill.phrasings(), skill.code))
    return _Phrasebook(names)


def _profession_phrasebook() -> _Phrasebook:
    return _Phrasebook({phrase: job.code for job in PROFESSIONS for phrase in job.phrasings()})


_SKILL_BOOK = _skill_phrasebook()
_PROFESSION_BOOK = _profession_phrasebook()
_PROFESSION_BY_CODE = {job.code: job for job in PROFESSIONS}


def _codes(text: str) -> tuple[str, ...]:
    folded = fold(text)
    found = reversed(_SKILL_BOOK.read(folded))
    if "不" not in folded:  # most texts: no negation to look for
        return tuple(dict.fromkeys(code for _, code in found if code))
    return tuple(dict.fromkeys(code for start, code in found if code and not _negated(folded, start)))


def canonical_skills(text: str) -> list[str]:
    """Return the codes of the skills named in ``text``, in order of first appearance, each once.

    ``text`` is free text as written (会修水管、做饭; 水电维修，电脑; full-width letters and any
    separators). Only skills named count: 退休前是电工 gives the wiring 电工 does, not everything an
    electrician might (see ``profession_skills``). A skill right after 不会 or 不懂 is skipped. Text
    naming no skill, and empty text, give ``[]``.
    """
    return list(_codes(text))


def profession_skills(profession: str) -> list[str]:
    """Return the codes of the skills a profession implies, each once, the job's own skills first.

    The job may be written any usual way (大厨 or 厨师, 大夫 or 医生) and qualified: 骨科医生 gives a
    doctor's skills and then orthopaedics, named in it. A job not in ``PROFESSIONS`` gives the skills
    its words name (水电维修师傅 gives the plumbing and wiring), and words naming neither give ``[]``.
    """
    folded = fold(profession)
    jobs = [_PROFESSION_BY_CODE[code] for _, code in reversed(_PROFESSION_BOOK.read(folded))]
    implied = (skill for job in jobs for skill in job.skills)
    return list(dict.fromkeys([*implied, *_codes(profession)]))


def categories_for(skills: Iterable[str]) -> set[str]:
    """Return the service category codes that ``skills`` (skill codes) serve; raise ``KeyError`` for an unknown code.

    Skills that serve only the courses or the patrols (书法, 巡逻) add no category.
    """
    return {category for code in skills for category in _BY_CODE[code].categories}


def skill_name(code: str, locale: str) -> str:
    """Return the name of skill ``code`` in ``locale`` (``zh`` or ``en``).

    An unknown code raises ``KeyError`` (codes are never removed from the vocabulary); a locale
    other than zh or en raises ``ValueError``.
    """
    skill = _BY_CODE[code]
    if locale == "zh":
        return skill.name
    if locale == "en":
        return skill.name_en
    raise ValueError(f"no skill names in locale {locale!r}; use one of {LOCALES}")


def professions(text: str) -> list[str]:
    """Return the codes of the jobs named in ``text`` (大厨 and 厨师 alike), each once; ``[]`` when none is."""
    return list(dict.fromkeys(code for _, code in reversed(_PROFESSION_BOOK.read(fold(text)))))


def profession_name(code: str, locale: str) -> str:
    """Return the name of job ``code`` in ``locale`` (``zh`` or ``en``); an unknown code raises ``KeyError``."""
    job = _PROFESSION_BY_CODE[code]
    return job.name if locale == "zh" else job.name_en
