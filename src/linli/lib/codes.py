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
