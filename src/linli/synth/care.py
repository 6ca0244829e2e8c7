"""Which demo residents are people under care (关爱对象), and the few in the key groups (特殊人群).

The source counts 416 people of special groups among 9,000+ residents of 阳台山社区; a community of
another size gets the same share. Tags go only to people they fit (独居老人 live alone and are 60+,
高龄老人 are 80+ …), so the registry's filters tell a consistent story.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from linli.synth.people import Home, Person

CARE_SHARE = 416 / 9100
KEY_SHARE = 6 / 9100
# Tag code (seeded by synth.bootstrap), its weight among the people under care, and who it fits.
CARE_TAGS: tuple[tuple[str, int, Callable[[Person, Home], bool]], ...] = (
    ("living_alone", 30, lambda p, h: p.age >= 60 and len(h.members) == 1),
    ("very_old", 22, lambda p, h: p.age >= 80),
    ("empty_nest", 10, lambda p, h: p.age >= 60 and h.shape == "couple_old"),
    ("disabled", 14, lambda p, h: p.age >= 5),
    ("low_income", 10, lambda p, h: p.age >= 18 and p.relation == "02"),
    ("extreme_hardship", 2, lambda p, h: p.age >= 60 and len(h.members) == 1),
    ("left_behind_child", 2, lambda p, h: p.age < 16),
    ("veteran", 5, lambda p, h: p.sex == "1" and 40 <= p.age <= 90),
    ("serious_illness", 5, lambda p, h: p.age >= 30),
)
KEY_TAGS = ("released_prisoner", "community_correction", "mental_disorder", "drug_user")


def care_target(residents: int) -> int:
    """Return how many people under care a community of ``residents`` has (416 for 9,100)."""
    return round(residents * CARE_SHARE)


def tag_people(rng: random.Random, homes: list[Home]) -> int:
    """Tag people under care (and a few key-group members) in ``homes``; return how many under care.

    A person may carry more than one tag: someone 80+ living alone is 独居老人 and 高龄老人.
    """
    pools: dict[str, list[Person]] = {code: [] for code, _, _ in CARE_TAGS}
    residents = 0
    for home in homes:
        residents += len(home.members)
        for person in home.members:
            for code, _, fits in CARE_TAGS:
                if fits(person, home):
                    pools[code].append(person)
    target = care_target(residents)
    cared: set[int] = set()
    codes = [code for code, _, _ in CARE_TAGS]
    weights = [weight for _, weight, _ in CARE_TAGS]
    while len(cared) < target and any(pools.values()):
        code = rng.choices(codes, weights=weights)[0]
        pool = pools[code]
        if not pool:
            continue
        # Swap-remove: O(1) and still deterministic.
        index = rng.randrange(len(pool))
        pool[index], pool[-1] = pool[-1], pool[index]
        person = pool.pop()
        if code not in person.tags:
            person.tags.append(code)
        if code == "living_alone" and person.age >= 80 and "very_old" not in person.tags:
            person.tags.append("very_old")
        cared.add(id(person))
    _key_groups(rng, homes, round(residents * KEY_SHARE))
    return len(cared)


def _key_groups(rng: random.Random, homes: list[Home], count: int) -> None:
    adults = [p for h in homes for p in h.members if 18 <= p.age <= 60 and not p.tags]
    for person in rng.sample(adults, min(count, len(adults))):
        person.tags.append(rng.choice(KEY_TAGS))
