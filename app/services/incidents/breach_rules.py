"""Is this incident a "data breach" that needs notice under M.G.L. c. 93H? Pure rules, in words.

93H §1: *personal information* is a resident's first name (or first initial) and last name with a
Social Security number, a driver's licence or state-issued ID number, or a financial account or
credit/debit card number (with or without any code that would permit access). A *breach of
security* is its unauthorized acquisition or use, unencrypted, or encrypted together with the key
or process that can read it. §3(b): the owner of the data notifies the Attorney General, the
Director of Consumer Affairs and Business Regulation (OCABR) and each affected resident. §3A: when
Social Security numbers are involved, credit monitoring at no cost for at least 18 months. §4:
law enforcement may ask for a delay while notice would impede a criminal investigation.

``assess`` says whether notice is required and gives every reason, so the team can check each one
before it confirms or overrides the answer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from app.models.incidents import Element

__all__ = ["Decision", "Element", "Facts", "assess", "element_words"]


ELEMENT_WORDS = {
    Element.ssn: "Social Security number",
    Element.license_or_state_id: "driver's licence or state-issued ID number",
    Element.financial_account: "financial account, credit or debit card number",
}
CREDIT_MONITORING_MIN_MONTHS = 18


@dataclass(frozen=True)
class Facts:
    """What the team found. Numbers are people, not records."""

    elements: frozenset[Element] = frozenset()
    name_involved: bool = False  # first name or initial and last name, with the elements
    acquired_or_used: bool = True  # acquired or used without authorization (or reason to know)
    encrypted: bool = False
    key_compromised: bool = False
    people_affected: int = 0
    ma_residents_affected: int = 0
    law_enforcement_engaged: bool = False
    law_enforcement_delay_until: date | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["elements"] = sorted(e.value for e in self.elements)
        data["law_enforcement_delay_until"] = (
            self.law_enforcement_delay_until.isoformat() if self.law_enforcement_delay_until else None
        )
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Facts:
        delay = data.get("law_enforcement_delay_until")
        return cls(
            elements=frozenset(Element(e) for e in data.get("elements", [])),
            name_involved=bool(data.get("name_involved")),
            acquired_or_used=bool(data.get("acquired_or_used", True)),
            encrypted=bool(data.get("encrypted")),
            key_compromised=bool(data.get("key_compromised")),
            people_affected=int(data.get("people_affected") or 0),
            ma_residents_affected=int(data.get("ma_residents_affected") or 0),
            law_enforcement_engaged=bool(data.get("law_enforcement_engaged")),
            law_enforcement_delay_until=date.fromisoformat(delay) if delay else None,
        )


@dataclass(frozen=True)
class Decision:
    notice_required: bool
    reasons: list[str] = field(default_factory=list)
    credit_monitoring_months: int | None = None  # the §3A minimum, when SSNs are involved


def element_words(elements: frozenset[Element]) -> str:
    words = [ELEMENT_WORDS[e] for e in Element if e in elements]
    return ", ".join(words[:-1]) + (" and " if len(words) > 1 else "") + words[-1] if words else "none"


def assess(facts: Facts) -> Decision:
    """Every condition of a 93H data breach, each with its reason; notice only if all hold.

    When notice is not required the reasons are the conditions that failed; when it is, they are
    the facts that make it a breach, then what follows (credit monitoring, a delay).
    """
    failed: list[str] = []
    held: list[str] = []
    if not facts.elements:
        failed.append(
            "No 93H element was involved (Social Security number, driver's licence or state ID, "
            "financial account or card number): this is not personal information under 93H §1."
        )
    elif not facts.name_involved:
        failed.append(
            f"The {element_words(facts.elements)} were not linked to a name (first name or initial "
            "and last name): without the name they are not personal information under 93H §1."
        )
    else:
        held.append(f"A resident's name was involved with: {element_words(facts.elements)}.")
    if not facts.acquired_or_used:
        failed.append("The information was not acquired or used without authorization.")
    if facts.encrypted and not facts.key_compromised:
        failed.append(
            "The data was encrypted and the key or process that reads it was not compromised: "
            "encrypted data alone is not a breach of security under 93H §1."
        )
    elif facts.encrypted:
        held.append("The data was encrypted, but its key was compromised too: it counts as unencrypted.")
    else:
        held.append("The data was not encrypted.")
    if facts.ma_residents_affected < 1:
        failed.append(
            "No Massachusetts residents were affected: 93H protects residents of the commonwealth "
            "(check the laws of the states where those affected live)."
        )
    else:
        held.append(f"{facts.ma_residents_affected:,} Massachusetts residents were affected.")
    if failed:
        return Decision(notice_required=False, reasons=["Notice under 93H is not required:", *failed])
    reasons = [
        "Notice is required under 93H §3(b): to the Attorney General, to OCABR and to each affected "
        "Massachusetts resident, as soon as practicable and without unreasonable delay.",
        *held,
    ]
    months = None
    if Element.ssn in facts.elements:
        months = CREDIT_MONITORING_MIN_MONTHS
        reasons.append(
            "Social Security numbers were involved: offer credit monitoring at no cost for at least "
            "18 months (93H §3A)."
        )
    if facts.law_enforcement_delay_until is not None:
        reasons.append(
            "Law enforcement asked for a delay until "
            f"{facts.law_enforcement_delay_until:%B %-d, %Y}: notice may wait that long (93H §4), then "
            "goes as soon as practicable."
        )
    return Decision(notice_required=True, reasons=reasons, credit_monitoring_months=months)
