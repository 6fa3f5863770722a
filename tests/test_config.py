import pytest
from pydantic import ValidationError

from app.config import DEV_SECRET, Settings, new_audit_key, new_data_key


def test_production_refuses_default_secrets() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Settings(environment="production")
    message = str(excinfo.value)
    assert "STEWARD_SESSION_SECRET" in message and "STEWARD_DATA_KEYS" in message
    assert "STEWARD_AUDIT_KEYS" in message  # the development audit key is public


def test_production_accepts_real_secrets() -> None:
    s = Settings(
        environment="production",
        session_secret="s" * 40,
        token_secret="t" * 40,
        data_keys=new_data_key() + "," + new_data_key(),
        audit_keys=new_audit_key("a2026") + "," + new_audit_key("a2025"),
    )
    assert s.is_production and len(s.data_key_list) == 2
    assert [key_id for key_id, _ in s.audit_key_list] == ["a2026", "a2025"]
    assert s.session_secret.get_secret_value() != DEV_SECRET
    assert "s" * 40 not in repr(s)  # secrets never print


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown time zone"):
        Settings(time_zone="Mars/Olympus_Mons")


def test_development_defaults_work() -> None:
    s = Settings()
    assert s.time_zone == "America/New_York" and not s.is_production


@pytest.mark.parametrize(
    "keys", ["", "no-id-here", "a b:secret", "a:one,a:two", "k1:", "seventeen-chars-id:secret"]
)
def test_malformed_audit_keys_are_refused_without_printing_them(keys: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Settings(audit_keys=keys)
    assert "audit key" in str(excinfo.value).lower()
    assert "no-id-here" not in str(excinfo.value)


def test_production_refuses_a_short_audit_key() -> None:
    with pytest.raises(ValidationError, match="STEWARD_AUDIT_KEYS"):
        Settings(
            environment="production",
            session_secret="s" * 40,
            token_secret="t" * 40,
            data_keys=new_data_key(),
            audit_keys="a1:short",
        )
