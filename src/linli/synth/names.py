"""Chinese personal names for demo residents, drawn from Faker's ``zh_CN`` tables with our own RNG.

Faker's ``name()`` is too slow for a million people and gives only its short list of given names;
we take its weighted surnames (with the surnames common in Fujian weighted up) and its given names,
and compose two-character given names in the fashion of the person's generation.
"""

from __future__ import annotations

import itertools
import random

from faker.providers.person.zh_CN import Provider as FakerNames

# Surnames far more common in Xiamen than in the national table Faker follows.
FUJIAN_WEIGHT = {"陈": 3.0, "林": 4.0, "黄": 2.0, "郑": 2.0, "吴": 1.5, "蔡": 3.0, "洪": 3.0, "苏": 2.0, "庄": 3.0}

SURNAMES = list(FakerNames.last_names)
SURNAME_CUM = list(itertools.accumulate(w * FUJIAN_WEIGHT.get(s, 1.0) for s, w in FakerNames.last_names.items()))

# Characters of given names by sex and by generation (born before 1975, or later).
OLDER = {
    "1": "建国志明伟华强军平德文福永海林成荣金庆春宝忠祥",
    "2": "秀英玉兰桂芳淑珍美华丽凤琴梅月春霞云红素翠",
}
YOUNGER = {
    "1": "子浩宇轩俊博文晨嘉睿泽阳鑫杰铭然昊一梓涛恒航",
    "2": "子欣怡诗涵雨梦佳思琪可婷悦雅萱馨彤琳瑶晓婉妍",
}
FAKER_GIVEN = {"1": list(FakerNames.first_names_male), "2": list(FakerNames.first_names_female)}


def surname(rng: random.Random) -> str:
    """Return a surname, as common as it is in Xiamen."""
    return rng.choices(SURNAMES, cum_weights=SURNAME_CUM)[0]


def person_name(rng: random.Random, sex: str, birth_year: int, family: str | None = None) -> str:
    """Return a plausible name for a person of ``sex`` (``"1"``/``"2"``) born in ``birth_year``.

    ``family`` is the surname to carry (a child's father's); otherwise one is drawn.
    """
    surname_ = family or surname(rng)
    if rng.random() < 0.35:
        return surname_ + rng.choice(FAKER_GIVEN[sex])
    pool = OLDER[sex] if birth_year < 1975 else YOUNGER[sex]
    first, second = rng.sample(pool, 2)
    return surname_ + first + second
