"""Standard code tables used by the registry (labels in Chinese and English)."""

from __future__ import annotations

# GB/T 2261.1
GENDERS = {"1": ("男", "male"), "2": ("女", "female"), "9": ("未说明", "unstated")}
# Person kinds of the population registry.
KINDS = {"01": ("户籍人口", "registered"), "02": ("流动人口", "migrant"), "03": ("境外人员", "foreign")}
# GB/T 4761 (family relation), the codes ledgers use most.
RELATIONS = {
    "02": ("户主", "head"),
    "10": ("配偶", "spouse"),
    "20": ("子", "son"),
    "30": ("女", "daughter"),
    "40": ("孙子女", "grandchild"),
    "50": ("父母", "parent"),
    "60": ("祖父母", "grandparent"),
    "70": ("兄弟姐妹", "sibling"),
    "80": ("其他亲属", "other relative"),
    "99": ("非亲属", "not related"),
}
STATUSES = {"active": ("在册", "registered"), "moved_out": ("已迁出", "moved out"), "deceased": ("已故", "deceased")}


def label(table: dict[str, tuple[str, str]], code: str, locale: str = "zh") -> str:
    """Return the label of ``code`` in ``locale``, or the code itself when unknown."""
    pair = table.get(code)
    return code if pair is None else pair[0 if locale == "zh" else 1]


# The default tags (special groups and care categories): (code, name, English name, kind, care weight,
# close care). ``care`` tags are people under care (关爱对象); ``key`` tags the key groups of public-security
# work (特殊人群), sensitive personal information. Staff may rename them; the English names stay these.
DEFAULT_TAGS = [
    ("living_alone", "独居老人", "elderly living alone", "care", 5, True),
    ("very_old", "高龄老人", "very old (80+)", "care", 4, True),
    ("empty_nest", "空巢老人", "empty-nest elderly", "care", 3, False),
    ("disabled", "残疾人", "disabled", "care", 3, False),
    ("low_income", "低保户", "minimum-income household", "care", 3, False),
    ("extreme_hardship", "特困人员", "extreme hardship", "care", 5, True),
    ("left_behind_child", "留守儿童", "left-behind child", "care", 3, False),
    ("veteran", "退役军人", "veteran", "care", 1, False),
    ("serious_illness", "重病患者", "serious illness", "care", 4, True),
    ("released_prisoner", "刑满释放人员", "released prisoner", "key", 2, False),
    ("community_correction", "社区矫正对象", "under community correction", "key", 2, False),
    ("mental_disorder", "严重精神障碍患者", "severe mental disorder", "key", 4, True),
    ("drug_user", "吸毒人员", "drug user", "key", 2, False),
]
