import pytest
from sqlmodel import Session

from app.errors import ValidationFailed
from app.security import password_policy
from app.security.passwords import hash_password
from app.services.identity.staff_auth import set_password
from tests.support.factories import make_employee

EMAIL = "jordan.rivera@riverbend.example.org"


def messages(password: str, email: str | None = EMAIL) -> list[str]:
    return password_policy.problems(password, email=email)


def test_twelve_characters_is_the_minimum() -> None:
    assert messages("plum kite 42") == []  # exactly 12
    assert "at least 12" in messages("plum kite 4")[0]


def test_long_passwords_are_accepted_whole_and_never_truncated() -> None:
    long = "a sentence about tea, rivers and tall green hills " * 5  # 250 chars
    assert messages(long) == []
    assert messages("sixty-four characters of a walk by the river, then tea at four!") == []
    assert "at most 256" in messages("y" * 257)[0]
    # Not truncated: a hash of the long one does not accept a prefix of it.
    from app.security.passwords import verify_password

    hashed = hash_password(long)
    assert verify_password(long, hashed) and not verify_password(long[:72], hashed)


def test_no_composition_rules() -> None:
    assert messages("alllowercaseletters") == []
    assert messages("correct horse battery") == []


@pytest.mark.parametrize("common", ["password1234", "PASSWORD1234", "qwertyuiop123", "1234567890123"])
def test_common_passwords_are_refused_case_insensitively(common: str) -> None:
    assert common.lower() in password_policy.common_passwords() or common == "1234567890123"
    if common.lower() in password_policy.common_passwords():
        assert any("too common" in m for m in messages(common))


def test_the_common_list_is_zxcvbns_30000() -> None:
    assert len(password_policy.common_passwords()) >= 29_000
    long_common = sorted(p for p in password_policy.common_passwords() if len(p) >= 12)[0]
    assert any("too common" in m for m in messages(long_common))


def test_email_name_is_refused_when_three_or_more_characters() -> None:
    assert any("email name" in m for m in messages("my name is Jordan.Rivera ok"))
    assert messages("al is a fine person here", email="al@example.org") == []  # 2 chars: ignored
    assert any("email name" in m for m in messages("bobsled season", email="bob@example.org"))


def test_check_password_raises_field_errors_and_refuses_recent_passwords() -> None:
    with pytest.raises(ValidationFailed) as err:
        password_policy.check_password("short", email=EMAIL)
    assert err.value.errors and err.value.errors[0]["field"] == "password"
    old = "an old but decent passphrase"
    with pytest.raises(ValidationFailed) as err:
        password_policy.check_password(old, email=EMAIL, previous_hashes=[hash_password(old)])
    assert "recently" in err.value.errors[0]["message"]
    password_policy.check_password(
        "a brand new passphrase", email=EMAIL, previous_hashes=[hash_password(old)]
    )


@pytest.mark.parametrize(
    ("weak", "why"),
    [
        ("aaaaaaaaaaaa", "repeats"),
        ("abcabcabcabc", "repeats"),
        ("123456789012", "easy to guess"),
        ("abcdefghijklm", "sequence"),
        ("qwertyuiopasdfgh", "easy to guess"),
        ("Riverbend2026!", "the district's name"),
        ("R1verbend schools!!", "the district's name"),
        ("Steward2026!!", "the name of this service"),
    ],
)
def test_guessable_passwords_are_refused_with_why_and_what_works(weak: str, why: str) -> None:
    found = messages(weak, email="casey@example.org")
    assert len(found) == 1 and why in found[0], found
    assert "What works" in found[0]


def test_a_password_built_from_the_persons_own_name_or_email_is_refused() -> None:
    found = password_policy.problems("Jordan plays 4 tunes", email="jr@example.org", name="Jordan Rivera")
    assert found and "your name" in found[0]
    found = password_policy.problems("violet ladder pemberton", email="lee.pemberton@example.org", name="Lee")
    assert found and "your email address" in found[0]
    # The same words are fine for someone else.
    assert password_policy.problems("Jordan plays 4 tunes", email="casey@example.org", name="Casey Lin") == []


def test_strong_passphrases_still_pass_for_the_person() -> None:
    for good in ("violet ladder under the bakery", "correct horse battery staple 42", "plum kite 42"):
        assert password_policy.problems(good, email=EMAIL, name="Jordan Rivera") == [], good


def test_setting_a_password_applies_the_strength_rules_with_the_employees_name(db: Session) -> None:
    employee = make_employee(db, name="Morgan Castellano")
    with pytest.raises(ValidationFailed) as err:
        set_password(db, employee=employee, password="castellano family 7")
    assert err.value.errors and "your name" in err.value.errors[0]["message"]
    for weak in ("aaaaaaaaaaaa", "123456789012", "Riverbend2026!"):
        with pytest.raises(ValidationFailed):
            set_password(db, employee=employee, password=weak)
    set_password(db, employee=employee, password="violet ladder under the bakery")
