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


@pytest.mark.parametrize(
    ("clocks", "named"),
    [
        ({"deletion": 30}, "deletion=30"),  # longer than the policy's three weeks
        ({"access_to_record": 11}, "access_to_record=11"),  # longer than 603 CMR 23.07(2)
        ({"other": -5}, "other=-5"),  # due before it was received
        ({"consent": 0}, "consent=0"),
        ({"delition": 14, "nonsense": 3}, "'delition', 'nonsense'"),  # unknown keys named
    ],
)
def test_dispute_clocks_outside_the_policy_are_refused(clocks: dict[str, int], named: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Settings(dispute_clock_days=clocks)
    assert named in str(excinfo.value)


def test_dispute_clocks_from_the_environment_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEWARD_DISPUTE_CLOCK_DAYS", '{"deletion": 30}')
    with pytest.raises(ValidationError, match="deletion=30"):
        Settings()
    monkeypatch.setenv("STEWARD_DISPUTE_CLOCK_DAYS", '{"deletion": 14, "access_to_record": 5}')
    assert Settings().dispute_clock_days == {"deletion": 14, "access_to_record": 5}


def _production(**values: object) -> Settings:
    return Settings(
        environment="production",
        session_secret="s" * 40,
        token_secret="t" * 40,
        data_keys=new_data_key(),
        audit_keys=new_audit_key("a1"),
        **values,  # type: ignore[arg-type]
    )


def test_production_keeps_the_annual_password_change() -> None:
    with pytest.raises(ValidationError, match="STEWARD_PASSWORD_MAX_AGE_DAYS must be 1-365"):
        _production(password_max_age_days=0)
    with pytest.raises(ValidationError):
        _production(password_max_age_days=366)
    assert _production(password_max_age_days=1).password_max_age_days == 1
    assert _production(password_max_age_days=365).password_max_age_days == 365


def test_development_may_turn_the_password_change_off() -> None:
    assert Settings(password_max_age_days=0).password_max_age_days == 0
    with pytest.raises(ValidationError):
        Settings(password_max_age_days=400)
