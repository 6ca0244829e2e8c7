from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class AreaIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    parent_id: int
    code: str = Field(pattern=r"^\d{1,15}$")
    name: str = Field(min_length=1, max_length=100)
    character: str = ""


class AreaNode(BaseModel):
    id: int
    parent_id: int | None
    level: str
    code: str
    name: str
    path: str
    character: str = ""
    children: list[AreaNode] = Field(default_factory=list)


class AreaCounts(BaseModel):
    buildings: int
    households: int
    residents: int
    tagged: int


class AreaOut(AreaNode):
    counts: AreaCounts
    breadcrumbs: list[AreaNode] = Field(default_factory=list)
    child_counts: dict[int, AreaCounts] = Field(default_factory=dict, description="Each child area's counts, by id")
