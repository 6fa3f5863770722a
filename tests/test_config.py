import pytest
from pydantic import ValidationError

from app.config import DEV_SECRET, Settings, new_data_key


def test_production_refuses_default_secrets() -> None:
    with pytest.raises(ValidationError) as excinfo:
        Settings(environment="production")
    message = str(excinfo.value)
    assert "STEWARD_SESSION_SECRET" in message and "STEWARD_DATA_KEYS" in message


def test_production_accepts_real_secrets() -> None:
    s = Settings(
        environment="production",
        session_secret="s" * 40,
        token_secret="t" * 40,
        data_keys=new_data_key() + "," + new_data_key(),
    )
    assert s.is_production and len(s.data_key_list) == 2
    assert s.session_secret.get_secret_value() != DEV_SECRET
    assert "s" * 40 not in repr(s)  # secrets never print


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown time zone"):
        Settings(time_zone="Mars/Olympus_Mons")


def test_development_defaults_work() -> None:
    s = Settings()
    assert s.time_zone == "America/New_York" and not s.is_production
