"""Search keys for Chinese names: full pinyin and initials, in every reading.

Surnames such as 曾 (zeng/ceng) and 单 (shan/dan) read two ways, and users type either, so every
combination of readings is indexed (capped, for names of rare many-reading characters).
"""

from __future__ import annotations

import itertools
from functools import lru_cache

from pypinyin import Style, pinyin

MAX_READINGS = 8
KEY_LENGTH = 80  # resident_key.key


@lru_cache(maxsize=16384)
def _character(char: str, style: Style) -> tuple[str, ...]:
    """Return the readings of one character in ``style`` (none for a character that is not Chinese).

    Names are read a character at a time: a name is not a phrase, and reading whole names costs
    pypinyin's phrase segmentation for every new name (a third of a 100,000-row import's time).
    """
    got = pinyin(char, style=style, heteronym=True, errors="ignore")
    return tuple(dict.fromkeys(got[0])) if got else ()


def _spellings(name: str, style: Style) -> tuple[str, ...]:
    """Return the spellings of ``name`` in ``style``, the likeliest first, at most ``MAX_READINGS``.

    The first reading of every character comes first, then each character read another way on its
    own (the surname first), then the remaining combinations. Taking the plain product instead would
    let a many-reading given name (单乐乐) fill the cap before the surname's other readings (shan).
    """
    options = [o for o in (_character(c, style) for c in name.replace("·", "")) if o]
    if not options:
        return ()
    first = [o[0] for o in options]
    singles = ([*first[:i], alt, *first[i + 1 :]] for i, o in enumerate(options) for alt in o[1:])
    spelled: dict[str, None] = {}
    for combo in itertools.chain([first], singles, itertools.product(*options)):
        spelled["".join(combo).lower()] = None
        if len(spelled) == MAX_READINGS:
            break
    return tuple(spelled)


@lru_cache(maxsize=65536)
def readings(name: str) -> tuple[str, ...]:
    """Return each full-pinyin spelling of ``name`` (``张伟`` → ``("zhangwei",)``), lower case."""
    return _spellings(name, Style.NORMAL)


@lru_cache(maxsize=65536)
def initials(name: str) -> tuple[str, ...]:
    """Return each initials spelling of ``name`` (``张伟`` → ``("zw",)``; 曾 gives ``z`` and ``c``)."""
    return _spellings(name, Style.FIRST_LETTER)


def name_keys(name: str) -> set[str]:
    """Return every key a search for ``name`` should find it by.

    The keys are the full pinyin and initials in every reading, and each suffix of the name
    itself, so that a prefix match on the keys finds 张伟 by 张, 张伟, 伟, zw, zhang and zhangwei.
    """
    plain = name.replace("·", "")
    keys = set(readings(name)) | set(initials(name))
    keys.update(plain[i:] for i in range(len(plain)))
    # The index column holds 80 characters; a prefix that long finds the name all the same.
    return {k[:KEY_LENGTH] for k in keys if k}
