"""Settings: one object, read from the environment (prefix ``STEWARD_``) and an optional ``.env``."""

from __future__ import annotations

import base64
import secrets
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-insecure-secret-change-me"  # noqa: S105 - a marker, refused in production
# 32 zero bytes, urlsafe-base64: a development data key that production refuses.
DEV_DATA_KEY = base64.urlsafe_b64encode(bytes(32)).decode()


class Environment(StrEnum):
    development = "development"
    production = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STEWARD_", env_file=".env", extra="ignore")

    environment: Environment = Environment.development
    database_url: str = "sqlite:///var/steward.db"
    base_url: str = "http://127.0.0.1:8000"
    district_name: str = "Riverbend Public Schools"
    time_zone: str = "America/New_York"
    privacy_team_email: str = "privacy@riverbend.example.org"

    session_secret: SecretStr = SecretStr(DEV_SECRET)
    token_secret: SecretStr = SecretStr(DEV_SECRET)
    # Comma-separated Fernet keys, newest first: the first encrypts, all decrypt (rotation).
    data_keys: SecretStr = SecretStr(DEV_DATA_KEY)

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_tls: bool = True
    mail_sender: str = "Steward <no-reply@riverbend.example.org>"

    staff_idle_minutes: int = Field(default=15, ge=1)
    family_idle_minutes: int = Field(default=30, ge=1)  # guardians, requesters and vendor contacts
    session_absolute_hours: int = Field(default=12, ge=1)
    password_max_age_days: int = Field(default=365, ge=0)  # district WISP: annual change; 0 = off
    email_link_minutes: int = Field(default=15, ge=1)
    access_token_seconds: int = Field(default=3600, ge=60, le=3600)

    documents_dir: str = "var/documents"  # uploaded files, encrypted with the data key
    # Days to answer, per dispute category, overriding the defaults (21; access_to_record 10).
    dispute_clock_days: dict[str, int] = Field(default_factory=dict)

    # Capacity and the database being away. Threads serve sync routes; SQLite gets one connection
    # per thread. A write waits for its turn up to write_queue_seconds, then answers 503.
    threadpool_size: int = Field(default=100, ge=4, le=1000)
    write_queue_seconds: float = Field(default=10.0, gt=0, le=120)
    database_pool_size: int = Field(default=10, ge=1)  # PostgreSQL
    database_max_overflow: int = Field(default=10, ge=0)  # PostgreSQL
    database_pool_timeout: float = Field(default=10.0, gt=0)
    database_connect_timeout: int = Field(default=2, ge=2)  # libpq's minimum is 2 s
    database_statement_timeout: float = Field(default=30.0, gt=0)  # PostgreSQL, seconds
    # Client secrets are stored as HMAC-SHA-256 under this key (they are random; passwords stay
    # argon2id). Unset, a key derived from the token secret is used; set it to rotate the token
    # secret alone (changing it makes every stored client secret fail: rotate the clients then).
    client_secret_key: SecretStr | None = None

    max_request_bytes: int = Field(default=12 * 1024 * 1024, ge=1024)
    worker_poll_seconds: float = Field(default=5.0, gt=0)
    log_json: bool | None = None  # default: JSON lines in production, text in development

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _production_needs_real_secrets(self) -> Settings:
        if self.environment != Environment.production:
            return self
        weak = [
            name
            for name, value, default in (
                ("STEWARD_SESSION_SECRET", self.session_secret, DEV_SECRET),
                ("STEWARD_TOKEN_SECRET", self.token_secret, DEV_SECRET),
                ("STEWARD_DATA_KEYS", self.data_keys, DEV_DATA_KEY),
            )
            if value.get_secret_value() in ("", default) or len(value.get_secret_value()) < 32
        ]
        if weak:
            raise ValueError(
                "production needs real secrets; set "
                + ", ".join(weak)
                + " (at least 32 characters; data keys from `steward keygen`)"
            )
        return self

    @property
    def is_production(self) -> bool:
        return self.environment == Environment.production

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def data_key_list(self) -> list[str]:
        return [k.strip() for k in self.data_keys.get_secret_value().split(",") if k.strip()]


def new_data_key() -> str:
    """A fresh Fernet key (urlsafe base64 of 32 random bytes)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


@lru_cache
def get_settings() -> Settings:
    return Settings()
