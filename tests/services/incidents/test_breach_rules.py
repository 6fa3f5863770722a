"""The 93H decision table: each element alone, the name missing, encryption, no MA residents."""

from __future__ import annotations

from datetime import date

import pytest

from app.services.incidents.breach_rules import Element, Facts, assess

BREACH = Facts(
    elements=frozenset({Element.ssn}), name_involved=True, people_affected=40, ma_residents_affected=38
)


@pytest.mark.parametrize("element", list(Element))
def test_each_element_alone_with_a_name_requires_notice(element: Element) -> None:
    decision = assess(
        Facts(elements=frozenset({element}), name_involved=True, people_affected=3, ma_residents_affected=3)
    )
    assert decision.notice_required
    assert decision.reasons[0].startswith("Notice is required under 93H §3(b)")
    assert (decision.credit_monitoring_months == 18) is (element is Element.ssn)


def test_no_element_is_not_personal_information() -> None:
    decision = assess(Facts(name_involved=True, people_affected=5, ma_residents_affected=5))
    assert not decision.notice_required
    assert any("not personal information" in r for r in decision.reasons)


def test_name_missing_means_no_notice() -> None:
    decision = assess(
        Facts(elements=frozenset({Element.financial_account}), people_affected=5, ma_residents_affected=5)
    )
    assert not decision.notice_required
    assert any("not linked to a name" in r for r in decision.reasons)


def test_encrypted_with_the_key_safe_is_not_a_breach() -> None:
    decision = assess(Facts(**{**BREACH.__dict__, "encrypted": True, "key_compromised": False}))
    assert not decision.notice_required
    assert any("key or process that reads it was not compromised" in r for r in decision.reasons)


def test_encrypted_with_the_key_lost_is_a_breach() -> None:
    decision = assess(Facts(**{**BREACH.__dict__, "encrypted": True, "key_compromised": True}))
    assert decision.notice_required
    assert any("counts as unencrypted" in r for r in decision.reasons)


def test_no_massachusetts_residents_means_no_93h_notice() -> None:
    decision = assess(Facts(**{**BREACH.__dict__, "ma_residents_affected": 0}))
    assert not decision.notice_required
    assert any("No Massachusetts residents" in r for r in decision.reasons)


def test_not_acquired_or_used_means_no_notice() -> None:
    assert not assess(Facts(**{**BREACH.__dict__, "acquired_or_used": False})).notice_required


def test_every_failing_condition_is_named() -> None:
    decision = assess(Facts(encrypted=True))
    # the heading, then: no element, encrypted with its key safe, no residents
    assert len(decision.reasons) == 4
    assert "No 93H element" in decision.reasons[1]
    assert "encrypted" in decision.reasons[2]
    assert "No Massachusetts" in decision.reasons[3]


def test_a_law_enforcement_delay_is_said_in_words() -> None:
    decision = assess(Facts(**{**BREACH.__dict__, "law_enforcement_delay_until": date(2026, 4, 1)}))
    assert any("April 1, 2026" in r and "93H §4" in r for r in decision.reasons)


def test_facts_round_trip_through_json() -> None:
    facts = Facts(**{**BREACH.__dict__, "law_enforcement_delay_until": date(2026, 4, 1)})
    assert Facts.from_json(facts.to_json()) == facts
