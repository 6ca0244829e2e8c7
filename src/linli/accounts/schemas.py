from __future__ import annotations

from pydantic import BaseModel, Field


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=1, max_length=200)


class RoleOut(BaseModel):
    role: str
    role_name: str
    area_id: int
    area_name: str
    area_path: str


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    roles: list[RoleOut]


class LoginOut(BaseModel):
    user: UserOut
    token: str = Field(description="The same session as the cookie, for `Authorization: Bearer`")
