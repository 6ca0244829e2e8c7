"""Search keys for Chinese names: full pinyin and initials, in every reading.

Surnames such as 曾 (zeng/ceng) and 单 (shan/dan) read two ways, and users type either, so every
combination of readings is indexed (capped, for names of rare many-reading characters).
"""

from __future__ import annotations

import itertools
from functools import lru_cache

from pypinyin import Style, pinyin

MAX_READINGS = 8


@lru_cache(maxsize=65536)
def readings(name: str) -> tuple[str, ...]:
    """Return each full-pinyin spelling of ``name`` (``张伟`` → ``("zhangwei",)``), lower case."""
    per_char = pinyin(name.replace("·", ""), style=Style.NORMAL, heteronym=True, errors="ignore")
    combos = itertools.islice(itertools.product(*[dict.fromkeys(c) for c in per_char]), MAX_READINGS)
    return tuple(dict.fromkeys("".join(c).lower() for c in combos if c))


@lru_cache(maxsize=65536)
def initials(name: str) -> tuple[str, ...]:
    """Return each initials spelling of ``name`` (``张伟`` → ``("zw",)``; 曾 gives ``z`` and ``c``)."""
    per_char = pinyin(name.replace("·", ""), style=Style.FIRST_LETTER, heteronym=True, errors="ignore")
    combos = itertools.islice(itertools.product(*[dict.fromkeys(c) for c in per_char]), MAX_READINGS)
    return tuple(dict.fromkeys("".join(c).lower() for c in combos if c))


def name_keys(name: str) -> set[str]:
    """Return every key a search for ``name`` should find it by.

    The keys are the full pinyin and initials in every reading, and each suffix of the name
    itself, so that a prefix match on the keys finds 张伟 by 张, 张伟, 伟, zw, zhang and zhangwei.
    """
    plain = name.replace("·", "")
    keys = set(readings(name)) | set(initials(name))
    keys.update(plain[i:] for i in range(len(plain)))
    return {k for k in keys if k}
