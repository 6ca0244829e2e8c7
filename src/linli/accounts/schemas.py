from __future__ import annotations

from pydantic import BaseModel, Field


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=1, max_length=200)
    otp: str = Field("", max_length=12, description="The authenticator code or a recovery code, once set up")


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
    stage: str = Field("", description="What must happen first: `password` (choose a new one), `enrol` (second factor)")


class PasswordChangeIn(BaseModel):
    current: str = Field(min_length=1, max_length=200)
    new: str = Field(min_length=1, max_length=200)


class PasswordResetIn(BaseModel):
    temporary: str = Field(min_length=1, max_length=200, description="Shown to the user once; changed at sign-in")


class EnrolmentOut(BaseModel):
    secret: str
    uri: str
    qr_svg: str


class CodeIn(BaseModel):
    code: str = Field(min_length=6, max_length=12)


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str] = Field(description="Shown this once; each works one time in place of a code")


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    scope: str = Field("read", pattern="^(read|write)$")
    days: int = Field(90, ge=1, le=3650)
