"""Search keys for Chinese names: full pinyin and initials, in every reading a name really has.

Each character is read its common way; the characters that names read more than one way (曾 zeng or
ceng, 单 shan or dan, 乐 yue or le) are read each of those ways, from ``NAME_READINGS``. pypinyin's
full list of readings is not used: it holds archaic ones (王 yu, 许 hu, 冯 ping) that only make a
search for yu find every 王 and a resident cost a third more search-key rows.

Changing what ``name_keys`` returns needs a migration that rebuilds ``resident_key`` (as 0009 does):
a resident's keys are replaced by deleting the keys of the old name.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

from pypinyin import Style, pinyin

MAX_READINGS = 8
KEY_LENGTH = 80  # resident_key.key

# The readings names use of characters read more than one way, the likeliest in a name first: a
# surname's reading (单 shan, 解 xie, 朴 piao, 仇 qiu, 区 ou, 查 zha, 盖 ge, 翟 zhai, 覃 qin) before the
# everyday one, and both readings of given-name characters (乐, 长, 重, 行, 朝).
NAME_READINGS: dict[str, tuple[str, ...]] = {
    "曾": ("zeng", "ceng"),
    "单": ("shan", "dan", "chan"),
    "解": ("xie", "jie"),
    "朴": ("piao", "pu"),
    "仇": ("qiu", "chou"),
    "区": ("ou", "qu"),
    "查": ("zha", "cha"),
    "盖": ("ge", "gai"),
    "缪": ("miao", "miu", "mou"),
    "翟": ("zhai", "di"),
    "覃": ("qin", "tan"),
    "尉": ("wei", "yu"),
    "种": ("chong", "zhong"),
    "繁": ("po", "fan"),
    "召": ("shao", "zhao"),
    "员": ("yun", "yuan"),
    "乐": ("yue", "le"),
    "祭": ("zhai", "ji"),
    "句": ("gou", "ju"),
    "宓": ("mi", "fu"),
    "秘": ("bi", "mi"),
    "万": ("wan", "mo"),
    "俟": ("si", "qi"),
    "澹": ("tan", "dan"),
    "折": ("she", "zhe"),
    "殷": ("yin", "yan"),
    "长": ("chang", "zhang"),
    "重": ("chong", "zhong"),
    "行": ("xing", "hang"),
    "朝": ("zhao", "chao"),
    "传": ("chuan", "zhuan"),
    "茜": ("qian", "xi"),
    "莞": ("wan", "guan"),
    "蔓": ("man", "wan"),
    "和": ("he", "huo"),
    "都": ("du", "dou"),
    "觉": ("jue", "jiao"),
    "降": ("jiang", "xiang"),
    "省": ("sheng", "xing"),
    "强": ("qiang", "jiang"),
    "藏": ("zang", "cang"),
    "参": ("can", "shen"),
    "会": ("hui", "kuai"),
    "露": ("lu", "lou"),
    "薄": ("bo", "bao"),
    "柏": ("bai", "bo"),
    "晟": ("sheng", "cheng"),
    "阿": ("a", "e"),
    "隽": ("jun", "juan"),
    "蕃": ("fan", "bo"),
    "伽": ("jia", "qie", "ga"),
    "佴": ("nai", "er"),
}


@lru_cache(maxsize=16384)
def _character(char: str) -> tuple[str, ...]:
    """Return the readings of one character (none for a character that is not Chinese).

    Names are read a character at a time: a name is not a phrase, and reading whole names costs
    pypinyin's phrase segmentation for every new name (a third of a 100,000-row import's time).
    """
    if char in NAME_READINGS:
        return NAME_READINGS[char]
    got = pinyin(char, style=Style.NORMAL, errors="ignore")
    return (got[0][0].lower(),) if got else ()


def _spellings(name: str, initial: bool) -> tuple[str, ...]:
    """Return the spellings of ``name`` (initials only if ``initial``), the likeliest first, at most ``MAX_READINGS``.

    The first reading of every character comes first, then each character read another way on its
    own (the surname first), then the remaining combinations. Taking the plain product instead would
    let a many-reading given name (单乐乐) fill the cap before the surname's other readings (dan).
    """
    options = []
    for char in name.replace("·", ""):
        found = _character(char)
        if found:
            options.append(tuple(dict.fromkeys(r[0] for r in found)) if initial else found)
    if not options:
        return ()
    first = [o[0] for o in options]
    if all(len(o) == 1 for o in options):  # most names: one reading a character
        return ("".join(first),)
    singles = ([*first[:i], alt, *first[i + 1 :]] for i, o in enumerate(options) for alt in o[1:])
    spelled: dict[str, None] = {}
    for combo in itertools.chain([first], singles, itertools.product(*options)):
        spelled["".join(combo)] = None
        if len(spelled) == MAX_READINGS:
            break
    return tuple(spelled)


@lru_cache(maxsize=65536)
def readings(name: str) -> tuple[str, ...]:
    """Return each full-pinyin spelling of ``name`` (``张伟`` → ``("zhangwei",)``), lower case."""
    return _spellings(name, initial=False)


@lru_cache(maxsize=65536)
def initials(name: str) -> tuple[str, ...]:
    """Return each initials spelling of ``name`` (``张伟`` → ``("zw",)``; 曾 gives ``z`` and ``c``)."""
    return _spellings(name, initial=True)


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
