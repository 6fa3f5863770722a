"""Settings: one object, read from the environment (prefix ``STEWARD_``) and an optional ``.env``."""

from __future__ import annotations

import base64
import re
import secrets
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-insecure-secret-change-me"  # noqa: S105 - a marker, refused in production
# 32 zero bytes, urlsafe-base64: a development data key that production refuses.
DEV_DATA_KEY = base64.urlsafe_b64encode(bytes(32)).decode()
DEV_AUDIT_KEY = "dev:" + DEV_SECRET  # the development audit-chain key; production refuses it
_AUDIT_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


class Environment(StrEnum):
    development = "development"
    production = "production"


class ApiDocs(StrEnum):
    """Who may read ``/docs`` and ``/openapi.json``."""

    public = "public"  # anyone (development only)
    staff = "staff"  # signed-in employees
    off = "off"  # not served at all


class Settings(BaseSettings):
    # Errors never echo the input: it may be a secret.
    model_config = SettingsConfigDict(
        env_prefix="STEWARD_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    environment: Environment = Environment.development
    database_url: str = "sqlite:///var/steward.db"
    base_url: str = "http://127.0.0.1:8000"
    district_name: str = "Riverbend Public Schools"
    # The logo beside the district's name in the page header: a path on this site (the CSP allows no
    # other origin for images); empty for none.
    district_logo: str = "/static/favicon.svg"
    time_zone: str = "America/New_York"
    privacy_team_email: str = "privacy@riverbend.example.org"

    session_secret: SecretStr = SecretStr(DEV_SECRET)
    token_secret: SecretStr = SecretStr(DEV_SECRET)
    # Comma-separated Fernet keys, newest first: the first encrypts, all decrypt (rotation).
    data_keys: SecretStr = SecretStr(DEV_DATA_KEY)
    # Comma-separated ``id:secret`` keys for the audit chain's HMAC, newest first: the first signs
    # new events and checkpoints, all verify (rotation). Kept outside the database on purpose.
    audit_keys: SecretStr = SecretStr(DEV_AUDIT_KEY)
    # Where the audit chain's checkpoints are appended (a file, or a directory to hold one);
    # put it where the database's writers cannot change it.
    audit_checkpoint_path: str = "var/audit-checkpoints.jsonl"

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_tls: bool = True
    mail_sender: str = "Steward <no-reply@riverbend.example.org>"

    staff_idle_minutes: int = Field(default=15, ge=1)
    family_idle_minutes: int = Field(default=30, ge=1)  # guardians, requesters and vendor contacts
    session_absolute_hours: int = Field(default=12, ge=1)
    # WISP §V: "All passwords shall be changed at least annually": 1-365 in production; 0 (off)
    # only in development.
    password_max_age_days: int = Field(default=365, ge=0, le=365)
    email_link_minutes: int = Field(default=15, ge=1)
    # The link in each email about a family's concern signs them in and opens it (single use, like
    # every emailed link), for longer than a sign-in link: such an email is read hours later.
    concern_link_hours: int = Field(default=72, ge=1, le=336)
    access_token_seconds: int = Field(default=3600, ge=60, le=3600)

    documents_dir: str = "var/documents"  # uploaded files, encrypted with the data key
    # Days to answer, per dispute category, shortening the policy's clocks (21; access_to_record
    # 10): never longer, never zero or negative, only known categories.
    dispute_clock_days: dict[str, int] = Field(default_factory=dict)
    # 93H breach notices: target days from discovery, and how many days before it the owner hears.
    incident_notice_target_days: int = Field(default=30, ge=1, le=365)
    incident_notice_reminder_days: int = Field(default=7, ge=1, le=60)
    district_address: str = "1 School Street, Riverbend, MA 01760"

    # Who may read the API documentation: default public in development, staff in production,
    # where "public" is refused.
    api_docs: ApiDocs | None = None

    # Capacity and the database being away. Threads serve sync routes; SQLite gets one connection
    # per thread. A write waits for its turn up to write_queue_seconds, then answers 503.
    threadpool_size: int = Field(default=100, ge=4, le=1000)
    write_queue_seconds: float = Field(default=10.0, gt=0, le=120)
    database_pool_size: int = Field(default=10, ge=1)  # PostgreSQL
    database_max_overflow: int = Field(default=10, ge=0)  # PostgreSQL
    database_pool_timeout: float = Field(default=10.0, gt=0)
    # Requests using the database at once (the others wait their turn, up to the pool timeout):
    # unset, the pool's capacity (SQLite: the thread pool's size). See app/admission.py.
    request_slots: int | None = Field(default=None, ge=1, le=1000)
    # SCIM provisioning tokens (for connectors that take one fixed bearer token): their lifetime.
    provisioning_token_days: int = Field(default=365, ge=1, le=730)
    database_connect_timeout: int = Field(default=2, ge=2)  # libpq's minimum is 2 s
    database_statement_timeout: float = Field(default=30.0, gt=0)  # PostgreSQL, seconds
    # Client secrets are stored as HMAC-SHA-256 under this key (they are random; passwords stay
    # argon2id). Unset, a key derived from the token secret is used; set it to rotate the token
    # secret alone (changing it makes every stored client secret fail: rotate the clients then).
    client_secret_key: SecretStr | None = None
    # WISP §V: days the team has to finish a leaver's offboarding checklist before it is overdue.
    offboarding_days: int = Field(default=3, ge=1, le=30)
    # WISP §V: days a person has to sign the WISP after their hire or a new version, the day the
    # school year starts (month, day: training campaigns are named and due from it), and the days
    # after that start by which a campaign's training is due unless the team says otherwise.
    wisp_acknowledge_days: int = Field(default=30, ge=1, le=365)
    school_year_start_month: int = Field(default=9, ge=1, le=12)
    school_year_start_day: int = Field(default=1, ge=1, le=28)
    training_due_days: int = Field(default=30, ge=1, le=365)
    # Retention (WISP §V, DPP §III): days kept per record type, overriding the defaults (README
    # "Retention"), e.g. {"dispute": 730}; never below a type's minimum.
    retention_days: dict[str, int] = Field(default_factory=dict)
    # Vendors' certificates of disposal: the window when an agreement names none, and how many
    # days before the window closes the one reminder goes out.
    disposal_default_days: int = Field(default=30, ge=1, le=365)
    disposal_reminder_days: int = Field(default=7, ge=1, le=60)

    max_request_bytes: int = Field(default=12 * 1024 * 1024, ge=1024)
    # Roster intake (JSON sync and OneRoster uploads) is larger than any other request.
    roster_max_bytes: int = Field(default=100 * 1024 * 1024, ge=1024)
    roster_uploads_dir: str = "var/roster-uploads"  # an upload waits here until its import runs
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

    @field_validator("audit_keys")
    @classmethod
    def _audit_keys_well_formed(cls, value: SecretStr) -> SecretStr:
        entries = [e.strip() for e in value.get_secret_value().split(",") if e.strip()]
        if not entries:
            raise ValueError("STEWARD_AUDIT_KEYS needs at least one audit key (id:secret)")
        ids = [e.partition(":")[0] for e in entries]
        bad = [
            str(n)
            for n, (key_id, entry) in enumerate(zip(ids, entries, strict=True), start=1)
            if not _AUDIT_KEY_ID.match(key_id) or not entry.partition(":")[2]
        ]
        if bad:  # positions only: a malformed entry may be a bare secret
            raise ValueError(
                "each audit key is id:secret (an id of 1-16 letters, digits, - or _); malformed: entry "
                + ", ".join(bad)
            )
        if len(set(ids)) != len(ids):
            raise ValueError("audit key ids must be unique")
        return value

    @field_validator("dispute_clock_days")
    @classmethod
    def _clock_within_policy(cls, value: dict[str, int]) -> dict[str, int]:
        from app.models.disputes import CLOCK_CEILING_DAYS

        unknown = sorted(k for k in value if k not in CLOCK_CEILING_DAYS)
        if unknown:
            raise ValueError(
                "STEWARD_DISPUTE_CLOCK_DAYS names unknown categories: "
                + ", ".join(repr(k[:40]) for k in unknown[:10])
                + " (known: "
                + ", ".join(CLOCK_CEILING_DAYS)
                + ")"
            )
        wrong = [
            f"{k}={days} (allowed 1-{CLOCK_CEILING_DAYS[k]})"
            for k, days in sorted(value.items())
            if not 1 <= days <= CLOCK_CEILING_DAYS[k]
        ]
        if wrong:
            raise ValueError(
                "STEWARD_DISPUTE_CLOCK_DAYS may shorten a clock, never lengthen it past the policy "
                "(21 days, DPP §VII; 10 for access_to_record, 603 CMR 23.07(2)) or set it to zero: "
                + ", ".join(wrong)
            )
        return value

    @field_validator("retention_days")
    @classmethod
    def _retention_within_law(cls, value: dict[str, int]) -> dict[str, int]:
        from app.models.retention import RETENTION_MINIMUM_DAYS

        unknown = sorted(k for k in value if k not in RETENTION_MINIMUM_DAYS)
        if unknown:
            raise ValueError(
                "STEWARD_RETENTION_DAYS names unknown record types: "
                + ", ".join(repr(k[:40]) for k in unknown[:10])
                + " (known: "
                + ", ".join(RETENTION_MINIMUM_DAYS)
                + ")"
            )
        short = [
            f"{k}={days} (at least {RETENTION_MINIMUM_DAYS[k]})"
            for k, days in sorted(value.items())
            if not RETENTION_MINIMUM_DAYS[k] <= days <= 36_500
        ]
        if short:
            raise ValueError(
                "STEWARD_RETENTION_DAYS is below the minimum (or over 100 years): " + ", ".join(short)
            )
        return value

    @model_validator(mode="after")
    def _production_keeps_annual_passwords(self) -> Settings:
        if self.environment == Environment.production and self.password_max_age_days == 0:
            raise ValueError(
                "STEWARD_PASSWORD_MAX_AGE_DAYS must be 1-365 in production (WISP §V: passwords "
                "are changed at least annually); 0 turns the change off in development only"
            )
        return self

    @model_validator(mode="after")
    def _production_needs_real_secrets(self) -> Settings:
        if self.environment != Environment.production:
            return self
        if self.api_docs == ApiDocs.public:
            raise ValueError("STEWARD_API_DOCS=public is refused in production; use staff or off")
        weak = [
            name
            for name, value, default in (
                ("STEWARD_SESSION_SECRET", self.session_secret, DEV_SECRET),
                ("STEWARD_TOKEN_SECRET", self.token_secret, DEV_SECRET),
                ("STEWARD_DATA_KEYS", self.data_keys, DEV_DATA_KEY),
            )
            if value.get_secret_value() in ("", default) or len(value.get_secret_value()) < 32
        ]
        if any(secret == DEV_SECRET or len(secret) < 32 for _, secret in self.audit_key_list):
            weak.append("STEWARD_AUDIT_KEYS")
        if weak:
            raise ValueError(
                "production needs real secrets; set "
                + ", ".join(weak)
                + " (at least 32 characters; data keys from `steward keygen`, audit keys from"
                + " `steward keygen --audit`)"
            )
        return self

    @property
    def is_production(self) -> bool:
        return self.environment == Environment.production

    @property
    def api_docs_access(self) -> ApiDocs:
        if self.api_docs is not None:
            return self.api_docs
        return ApiDocs.staff if self.is_production else ApiDocs.public

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def data_key_list(self) -> list[str]:
        return [k.strip() for k in self.data_keys.get_secret_value().split(",") if k.strip()]

    @property
    def audit_key_list(self) -> list[tuple[str, str]]:
        """(id, secret) pairs, newest first."""
        pairs = (e.strip().partition(":") for e in self.audit_keys.get_secret_value().split(","))
        return [(key_id, secret) for key_id, _, secret in pairs if key_id]


def new_audit_key(key_id: str) -> str:
    """A fresh ``id:secret`` audit-chain key (256 random bits)."""
    return f"{key_id}:{secrets.token_urlsafe(32)}"


def new_data_key() -> str:
    """A fresh Fernet key (urlsafe base64 of 32 random bytes)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


@lru_cache
def get_settings() -> Settings:
    return Settings()
