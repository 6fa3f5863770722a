"""The electronic signature: the account's name, typed, forgiving case, accents and spaces only."""

from __future__ import annotations

from datetime import date

import pytest

from app.errors import ValidationFailed
from app.services.workforce.signatures import Signature, check_signature, comparable_name, school_year_of


def _sign(typed: str, account: str, agreed: bool = True) -> str:
    return check_signature(Signature(typed, agreed, None, None), account_name=account)


@pytest.mark.parametrize(
    ("typed", "account"),
    [
        ("José Álvarez", "José Álvarez"),
        ("jose alvarez", "José Álvarez"),
        ("  JOSÉ   ÁLVAREZ ", "José Álvarez"),
        ("Zoë Ångström", "zoe angstrom"),
        ("Straße", "STRASSE"),  # casefold
    ],
)
def test_case_accents_and_spaces_are_forgiven(typed: str, account: str) -> None:
    assert _sign(typed, account) == " ".join(typed.split())


@pytest.mark.parametrize("typed", ["Jose Alvares", "José", "Álvarez José", "J. Álvarez", ""])
def test_another_name_is_refused(typed: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _sign(typed, "José Álvarez")
    assert caught.value.errors and caught.value.errors[0]["field"] == "typed_name"


def test_the_statement_must_be_ticked_and_both_errors_are_named() -> None:
    with pytest.raises(ValidationFailed) as caught:
        _sign("Nobody", "José Álvarez", agreed=False)
    assert [e["field"] for e in caught.value.errors or []] == ["typed_name", "agreed"]


def test_control_characters_are_refused() -> None:
    with pytest.raises(ValidationFailed):
        _sign("José\x00Álvarez", "José Álvarez")


def test_comparable_name() -> None:
    assert comparable_name("  Ñandú\tÉLAN ") == "nandu elan"


def test_school_years_start_on_1_september_by_default() -> None:
    assert school_year_of(date(2026, 8, 31)) == "2025-26"
    assert school_year_of(date(2026, 9, 1)) == "2026-27"
    assert school_year_of(date(2099, 12, 31)) == "2099-00"
