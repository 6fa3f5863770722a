"""Each item of the AG/OCABR notice and the resident notice, by name."""

from __future__ import annotations

from typing import Any

import pytest

from app.services.incidents import notice_rules as rules
from app.services.incidents.breach_rules import Element, Facts
from app.services.incidents.letter_texts import LANGUAGES, RESIDENT

FACTS = Facts(
    elements=frozenset({Element.ssn}), name_involved=True, people_affected=412, ma_residents_affected=398
)
CARD = Facts(
    elements=frozenset({Element.financial_account}),
    name_involved=True,
    people_affected=9,
    ma_residents_affected=9,
)
REGULATOR: dict[str, Any] = {
    "nature": "A payroll export was sent to the wrong outside address by mistake.",
    "ma_residents_affected": 398,
    "steps_taken": "Recalled the message; confirmed deletion.",
    "steps_planned": "Outbound mail rules; WISP update.",
    "law_enforcement": "Not involved.",
    "entity_name": "Riverbend Public Schools",
    "entity_address": "1 School Street",
    "entity_type": "Municipal agency",
    "reporter_name": "Dana Reyes",
    "reporter_title": "Director of Technology",
    "reporter_relationship": "Employee",
    "wisp_maintained": True,
}
RESIDENT_OK: dict[str, Any] = {
    "parent_organization": "Town of Riverbend",
    "contact": "Data Privacy Team, 508-555-0100",
    "credit_monitoring_months": 24,
    "credit_monitoring_provider": "Kroll",
    "credit_monitoring_enrollment": "Visit enroll.example.com and use code RB-1234 by June 30.",
}


def test_a_complete_regulator_notice_passes() -> None:
    assert rules.regulator_missing(REGULATOR, FACTS) == []


@pytest.mark.parametrize("key", list(rules.REGULATOR_TEXT_FIELDS))
def test_each_regulator_text_item_is_named_when_missing(key: str) -> None:
    assert rules.regulator_missing({**REGULATOR, key: "  "}, FACTS) == [rules.REGULATOR_TEXT_FIELDS[key]]


@pytest.mark.parametrize("value", [None, 0, True, "398"])
def test_residents_affected_must_be_a_positive_count(value: object) -> None:
    assert rules.regulator_missing({**REGULATOR, "ma_residents_affected": value}, FACTS) == [
        rules.RESIDENTS_ITEM
    ]


def test_types_of_personal_information_come_from_the_assessment() -> None:
    assert rules.regulator_missing(REGULATOR, None) == [rules.PI_TYPES_ITEM]


def test_wisp_answer_is_required_either_way() -> None:
    assert rules.regulator_missing({**REGULATOR, "wisp_maintained": None}, FACTS) == [rules.WISP_ITEM]
    assert rules.regulator_missing({**REGULATOR, "wisp_maintained": False}, FACTS) == []


def _resident(content: dict[str, Any], facts: Facts = FACTS, lang: str = "en") -> list[str]:
    return rules.resident_problems(content, facts, paragraphs=RESIDENT[lang], nature=REGULATOR["nature"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_complete_resident_notice_passes_in_every_language(lang: str) -> None:
    assert _resident(RESIDENT_OK, lang=lang) == []


@pytest.mark.parametrize("key", list(rules.RESIDENT_TEXT_FIELDS))
def test_each_resident_item_is_named_when_missing(key: str) -> None:
    assert _resident({**RESIDENT_OK, key: ""}) == [rules.RESIDENT_TEXT_FIELDS[key]]


@pytest.mark.parametrize("key", list(rules.STATUTORY_PARAGRAPHS))
def test_each_statutory_paragraph_is_named_when_a_translation_lacks_it(key: str) -> None:
    paragraphs = {**RESIDENT["es"], key: ""}
    assert rules.resident_problems(RESIDENT_OK, FACTS, paragraphs=paragraphs) == [
        rules.STATUTORY_PARAGRAPHS[key]
    ]


@pytest.mark.parametrize("months", [None, 0, 12, 17])
def test_under_18_months_of_credit_monitoring_with_ssns_is_refused(months: int | None) -> None:
    problems = _resident({**RESIDENT_OK, "credit_monitoring_months": months})
    assert any(p.startswith(rules.CREDIT_ITEM) and "18 months" in p for p in problems)


def test_without_ssns_credit_monitoring_is_not_required() -> None:
    content = {k: v for k, v in RESIDENT_OK.items() if not k.startswith("credit")}
    assert _resident(content, CARD) == []


def test_credit_monitoring_offered_needs_the_provider_and_how_to_enrol() -> None:
    problems = _resident({**RESIDENT_OK, "credit_monitoring_enrollment": ""})
    assert problems == [f"{rules.CREDIT_ITEM}: the provider and how to enrol"]


@pytest.mark.parametrize(
    "text",
    [
        "Your child is one of 398 people whose records were involved.",
        "We are writing to 412 families.",
        "Only 398 were involved.",
        "The number of residents involved is small.",
    ],
)
def test_a_resident_notice_stating_the_count_is_refused(text: str) -> None:
    assert rules.COUNT_REFUSED in _resident({**RESIDENT_OK, "additional_text": text})


@pytest.mark.parametrize(
    "text",
    [
        "A ransomware attack encrypted our servers.",
        "An employee's laptop was stolen from a car.",
        "Unauthorized access to the payroll system occurred.",
        "A payroll export was sent to the wrong outside address.",  # the regulator notice's nature, copied
    ],
)
def test_a_resident_notice_stating_the_nature_is_refused(text: str) -> None:
    assert rules.NATURE_REFUSED in _resident({**RESIDENT_OK, "additional_text": text})


def test_plain_additional_text_passes() -> None:
    assert _resident({**RESIDENT_OK, "additional_text": "We are sorry for the worry this may cause."}) == []


def test_each_language_says_every_statutory_item_and_the_date_its_way() -> None:
    import io
    from datetime import date

    from pypdf import PdfReader

    from app.services.incidents.letter_texts import letter_date
    from app.services.incidents.letters import resident_letter

    expected = {"en": "March 2, 2026", "es": "2 de marzo de 2026", "pt": "2 de março de 2026"}
    for lang in LANGUAGES:
        pdf = resident_letter(
            RESIDENT_OK, entity="Riverbend", language=lang, reference="INC-2026-0001", today=date(2026, 3, 2)
        )
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", " ")
        assert letter_date(date(2026, 3, 2), lang) == expected[lang] and expected[lang] in text
        assert "Equifax" in text and "24" in text and "Town of Riverbend" in text
        assert "398" not in text and "payroll" not in text.lower()
