"""Typed settings, read from the environment (prefix ``LINLI_``) or a ``.env`` file."""

from __future__ import annotations

import base64
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-not-a-secret"


# The default weight of each part of a matching score (``linli.matching.scoring``).
MATCH_WEIGHTS = {
    "category": 3.0,
    "skill": 2.0,
    "distance": 2.0,
    "availability": 1.5,
    "load": 1.0,
    "rating": 1.0,
    "reliability": 1.0,
    "fairness": 0.3,
}
# The grid-worker evaluation (网格员考评): the weight of each part of a worker's monthly score (each part lies in 0–1).
EVALUATION_WEIGHTS = {
    "visits": 3.0,
    "contacts": 1.0,
    "logs": 1.0,
    "needs": 1.0,
    "resolved": 1.0,
    "on_time": 1.5,
    "satisfaction": 1.5,
}


class Settings(BaseSettings):
    """Every setting linli reads. README.md documents each one."""

    model_config = SettingsConfigDict(env_prefix="LINLI_", env_file=".env", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    database_url: str = "sqlite:///./linli.db"
    secret_key: str = DEV_SECRET
    # 32 random bytes, base64. Empty: read ``data_key_file``; a development run creates that file.
    data_key: str = ""
    data_key_file: Path = Path("./linli.key")
    # During a key rotation: the old keys (base64, comma-separated), still read until `linli keys rotate` ends.
    data_key_previous: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    default_locale: Literal["zh", "en"] = "zh"
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    page_size: int = Field(20, ge=1, le=200)
    # argon2 cost: production defaults; tests lower them through the environment.
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    sql_echo: bool = False
    # Sign-in and sessions (等保 2.0 level 3): lockout, password age, second factor, rate limits.
    lockout_failures: int = Field(5, ge=1, le=100)
    lockout_minutes: int = Field(15, ge=1, le=1440)
    password_max_age_days: int = Field(180, ge=0, le=3650)  # 0: passwords never expire
    # A second factor for administrators and supervisors; unset means "required in production".
    mfa_required: bool | None = None
    login_rate_limit: str = "20/minute"  # per client address (the `limits` syntax slowapi uses)
    rate_limit_storage: str = "memory://"  # or redis://127.0.0.1:6379 when several servers run
    api_token_max_days: int = Field(365, ge=1, le=3650)
    upload_dir: Path = Path("./uploads")  # photos sent with work-order progress notes, one folder per order
    visits_per_day: int = Field(12, ge=1, le=100)  # door visits a grid worker plans per day (千户访 worklist)
    visit_alert_grace_days: int = Field(1, ge=0, le=30)  # close care: days past the contact rule before an alert
    # The SLA tick inside the web server; unset means "yes in development" (production runs `linli worker`).
    jobs_in_process: bool | None = None
    sla_tick_seconds: int = Field(60, ge=5, le=3600)
    # How often the job runner refreshes the dashboard's monthly rollups (the month under way, and past
    # months a late change touched).
    rollup_minutes: int = Field(15, ge=1, le=1440)
    # Matching (供需精准对接): the weight of each part of a candidate's score (each part lies in 0–1), the
    # least score worth proposing, and how long a task holds a volunteer when its order names a time.
    match_weights: dict[str, float] = Field(default_factory=lambda: dict(MATCH_WEIGHTS))
    match_minimum: float = Field(4.0, ge=0)
    task_hours: float = Field(2.0, gt=0, le=24)
    evaluation_weights: dict[str, float] = Field(default_factory=lambda: dict(EVALUATION_WEIGHTS))

    @model_validator(mode="after")
    def _known_evaluation_parts(self) -> Settings:
        unknown = set(self.evaluation_weights) - set(EVALUATION_WEIGHTS)
        if unknown or any(w < 0 for w in self.evaluation_weights.values()):
            raise ValueError(
                f"LINLI_EVALUATION_WEIGHTS names parts of {sorted(EVALUATION_WEIGHTS)} with weights of 0 or more"
                + (f"; unknown: {sorted(unknown)}" if unknown else "")
            )
        return self

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        if self.env == "production":
            if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
                raise ValueError("LINLI_SECRET_KEY must be set to 32+ random characters in production")
            if not self.data_key and not self.data_key_file.exists():
                raise ValueError("production needs LINLI_DATA_KEY or an existing LINLI_DATA_KEY_FILE")
        return self

    def previous_data_keys(self) -> list[bytes]:
        """Return the keys being rotated away from, oldest last."""
        return [base64.b64decode(k.strip()) for k in self.data_key_previous.split(",") if k.strip()]

    @property
    def second_factor_required(self) -> bool:
        """Return whether administrators and supervisors must use a second factor."""
        return self.env == "production" if self.mfa_required is None else self.mfa_required

    @property
    def run_jobs_in_process(self) -> bool:
        """Return whether the web server runs the background jobs itself."""
        return self.env == "development" if self.jobs_in_process is None else self.jobs_in_process

    @property
    def database_kind(self) -> str:
        """Return ``sqlite`` or ``postgresql``."""
        return "sqlite" if self.database_url.startswith("sqlite") else "postgresql"

    def personal_data_key(self) -> bytes:
        """Return the 32-byte key for personal fields.

        Outside production a missing key file is created (mode 0600) so a first run needs no set-up.
        """
        if self.data_key:
            return base64.b64decode(self.data_key)
        path = self.data_key_file
        if not path.exists():
            if self.env == "production":
                raise RuntimeError(f"data key file {path} is missing")
            path.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
            os.chmod(path, 0o600)
        return base64.b64decode(path.read_text().strip())


@lru_cache
def get_settings() -> Settings:
    """Return the process settings, read once."""
    return Settings()  # every field has a default; pydantic reads the rest
