"""The demo's area tree: 思明区 › 开元街道 › 阳台山社区 and its five grids, at community or district scale.

阳台山社区's grids are the source's (grid 3 many children, grid 4 many medical workers, grid 5 the
小喇叭巡逻队); the other communities and grids are invented with statistics-bureau-shaped codes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

DISTRICT = ("350203", "思明区")
STREET = ("350203002000", "开元街道")
COMMUNITY = ("350203002011", "阳台山社区")
COMMUNITY_RESIDENTS = 9100
DISTRICT_RESIDENTS = 1_000_000
DISTRICT_GRIDS = 1500
OTHER_COMMUNITY_RESIDENTS = 350

# The five grids of 阳台山社区: name, character (source §1, §3-§5), profile, share of residents.
YANGTAISHAN_GRIDS = (
    ("第一网格", "图强小区所在网格，百事帮服务队由小区党员发起。", "default", 1900),
    ("第二网格", "老旧小区集中，老年人比例较高。", "elderly", 1750),
    ("第三网格", "儿童和青少年多；暑期阳光小课堂由本网格招募学员。", "children", 2000),
    ("第四网格", "医务工作者多，组建了天使服务队。", "medical", 1700),
    ("第五网格", "小喇叭巡逻队志愿者队伍庞大；负责评估辖区托教机构。", "patrol", 1750),
)
# Siming's ten streets; 开元街道 is 002.
STREETS = ("厦港街道", "开元街道", "中华街道", "鹭江街道", "梧村街道", "嘉莲街道", "筼筜街道", "莲前街道",
           "滨海街道", "鼓浪屿街道")  # fmt: skip
COMMUNITY_ROOTS = (
    "厦禾", "美仁", "文园", "湖滨", "莲花", "金榜", "百家村", "新华", "华新", "育秀", "东浦", "槟榔", "松柏",
    "岳阳", "仙岳", "嘉禾", "振兴", "湖明", "龙山", "鹭通", "凤屿", "前埔", "瑞景", "观音山", "西林", "洪文",
    "东坪山", "溪岸", "斗西", "思北", "营平", "港仔后", "大学", "沙坡尾", "蜂巢山", "巡司顶", "碧山", "曾厝垵",
    "黄厝", "塔埔", "何厝", "岭兜", "洪莲", "西边", "古楼", "梧村", "金尚", "华侨", "湖光", "侨岳", "南华",
    "后江", "镇海", "大同", "鹭潮", "白鹭洲", "文屏", "双涵", "筼筜", "官任", "江头", "吕厝", "乌石浦",
    "莲岳", "莲兴", "莲秀", "湖西", "长青", "金鸡亭", "屿后", "东渡", "禾山", "台湾街", "中山", "思明",
    "鼓新", "内厝澳", "龙头", "永升", "竹坑", "顶澳仔", "云顶", "环岛", "前村", "石胄头", "塔头", "溪头",
    "民族", "演武", "南普陀", "鸿山", "打铁", "海滨", "磐基", "海天", "文安", "开禾", "赤岭", "将军祠",
    "万寿", "美湖", "人和",
)  # fmt: skip
NUMERALS = "零一二三四五六七八九"


@dataclass(frozen=True)
class GridPlan:
    code: str
    name: str
    character: str
    profile: str
    residents: int


@dataclass(frozen=True)
class CommunityPlan:
    code: str
    name: str
    grids: tuple[GridPlan, ...]

    @property
    def residents(self) -> int:
        return sum(g.residents for g in self.grids)


@dataclass(frozen=True)
class StreetPlan:
    code: str
    name: str
    communities: tuple[CommunityPlan, ...]


@dataclass(frozen=True)
class DistrictPlan:
    code: str
    name: str
    streets: tuple[StreetPlan, ...]

    @property
    def communities(self) -> list[CommunityPlan]:
        return [c for s in self.streets for c in s.communities]


def chinese_number(n: int) -> str:
    """Return ``n`` (1..99) in Chinese numerals: 1 → 一, 10 → 十, 16 → 十六, 21 → 二十一."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else NUMERALS[tens] + "十")
    return head + (NUMERALS[ones] if ones else "")


def apportion(total: int, weights: list[float]) -> list[int]:
    """Return ``total`` split in proportion to ``weights``, in whole numbers that add up to it.

    Largest remainders first, so 3 people over 15 grids gives three grids one person each.
    """
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def grid_name(n: int) -> str:
    return f"第{chinese_number(n)}网格"


def yangtaishan(scale: float) -> CommunityPlan:
    """Return 阳台山社区 with its five grids, residents multiplied by ``scale``."""
    code = COMMUNITY[0]
    counts = apportion(round(COMMUNITY_RESIDENTS * scale), [g[3] for g in YANGTAISHAN_GRIDS])
    grids = tuple(
        GridPlan(f"{code}{i:03d}", name, character, profile, n)
        for i, ((name, character, profile, _), n) in enumerate(zip(YANGTAISHAN_GRIDS, counts, strict=True), start=1)
    )
    return CommunityPlan(code, COMMUNITY[1], grids)


def plain_community(code: str, name: str, grids: int, residents: int, rng: random.Random) -> CommunityPlan:
    """Return a community of ``grids`` ordinary grids sharing ``residents`` unevenly (±25%)."""
    counts = apportion(residents, [rng.uniform(0.75, 1.25) for _ in range(grids)])
    return CommunityPlan(
        code, name, tuple(GridPlan(f"{code}{i:03d}", grid_name(i), "", "default", n) for i, n in enumerate(counts, 1))
    )


def community_scale(residents: int = COMMUNITY_RESIDENTS) -> DistrictPlan:
    """Return 思明区 › 开元街道 with 阳台山社区 (``residents`` people) and two small communities."""
    scale = residents / COMMUNITY_RESIDENTS
    rng = random.Random("layout")
    street = STREET[0][:9]
    others = tuple(
        plain_community(f"{street}{n:03d}", f"{root}社区", 3, round(OTHER_COMMUNITY_RESIDENTS * scale), rng)
        for n, root in ((12, "厦禾"), (13, "美仁"))
    )
    return DistrictPlan(*DISTRICT, (StreetPlan(*STREET, (yangtaishan(scale), *others)),))


def district_scale(residents: int = DISTRICT_RESIDENTS, seed: int = 0) -> DistrictPlan:
    """Return a whole district: 10 streets, 100 communities, 1,500 grids, ``residents`` people.

    阳台山社区 keeps its five grids and its share of 9,100 per million; the other 99 communities
    share the remaining 1,495 grids (15 or 16 each) and people (±20% each).
    """
    rng = random.Random(f"{seed}/layout")
    scale = residents / DISTRICT_RESIDENTS
    roots = [r for r in COMMUNITY_ROOTS if r not in ("厦禾", "美仁")]
    rng.shuffle(roots)
    named = {STREET[0]: ["厦禾", "美仁"]}
    plain = 99
    grid_counts = [15] * plain
    for i in rng.sample(range(plain), DISTRICT_GRIDS - 5 - 15 * plain):
        grid_counts[i] += 1
    weights = [rng.uniform(0.8, 1.2) * g for g in grid_counts]
    people = apportion(max(0, residents - round(COMMUNITY_RESIDENTS * scale)), weights)
    streets = []
    index = 0
    for s, street_name in enumerate(STREETS, start=1):
        street_code = f"{DISTRICT[0]}{s:03d}000"
        communities = []
        for c in range(11, 21):
            code = f"{street_code[:9]}{c:03d}"
            if code == COMMUNITY[0]:
                communities.append(yangtaishan(scale))
                continue
            root = named[street_code].pop(0) if named.get(street_code) else roots.pop()
            communities.append(plain_community(code, f"{root}社区", grid_counts[index], people[index], rng))
            index += 1
        streets.append(StreetPlan(street_code, street_name, tuple(communities)))
    return DistrictPlan(*DISTRICT, tuple(streets))
