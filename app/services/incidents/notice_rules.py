"""What each 93H notice must (and must not) contain. Pure checks: missing items listed by name.

The notice to the Attorney General and OCABR (93H §3(b); WISP §VIII): the nature of the breach,
the number of Massachusetts residents affected when the notice is submitted, the name and address
of the entity that experienced it, the name, title and relationship of the person reporting, the
type of that entity, the person responsible if known, the types of personal information, whether
the entity maintains a written information security program, the steps taken and planned
(including updates to the WISP), and whether law enforcement is investigating.

The notice to each resident (93H §3(b), §3A): the right to obtain a police report, how to
request a security freeze and the information needed to do so, that a freeze costs nothing,
complimentary credit monitoring (at least 18 months when Social Security numbers are involved,
with what is needed to enrol) and the name of the parent organisation. It must NOT include the
nature of the breach or the number of residents affected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from app.services.incidents.breach_rules import CREDIT_MONITORING_MIN_MONTHS, Element, Facts

REGULATOR_TEXT_FIELDS = {
    "nature": "Nature and circumstances of the breach",
    "steps_taken": "Steps already taken",
    "steps_planned": "Steps planned after this notice (including updates to the WISP)",
    "law_enforcement": "Whether law enforcement is investigating",
    "entity_name": "Name of the entity that experienced the breach",
    "entity_address": "Address of the entity that experienced the breach",
    "entity_type": "Type of entity reporting",
    "reporter_name": "Name of the person reporting",
    "reporter_title": "Title of the person reporting",
    "reporter_relationship": "Relationship of the person reporting to the entity",
}
RESIDENTS_ITEM = "Massachusetts residents affected at submission"
PI_TYPES_ITEM = "Types of personal information involved"
WISP_ITEM = "Whether a written information security program is maintained"

RESIDENT_TEXT_FIELDS = {
    "parent_organization": "Name of the parent organisation",
    "contact": "Whom to contact with questions",
}
STATUTORY_PARAGRAPHS = {
    "police_report": "The right to obtain a police report",
    "freeze_how": "How to request a security freeze, at no charge",
    "freeze_information": "The information needed to request a security freeze",
}
CREDIT_ITEM = "Complimentary credit monitoring"
NATURE_REFUSED = "States the nature of the breach (not allowed in a resident notice, 93H §3(b))"
COUNT_REFUSED = "States the number of residents affected (not allowed in a resident notice, 93H §3(b))"

# Words that describe what happened; a resident notice may not say how the breach came about.
_NATURE_WORDS = re.compile(
    r"\b(ransomware|phishing|malware|hack(?:ed|er|ers|ing)?|cyber-?attack\w*|attack(?:er|ers|ed)?|"
    r"stolen|theft|lost (?:a |the )?(?:laptop|device|drive)|misdirected|misconfigur\w*|intrusion|"
    r"compromised account|unauthori[sz]ed access|breach (?:occurred|happened|was caused))\b",
    re.IGNORECASE,
)
_COUNT_PHRASE = re.compile(
    r"\b\d[\d,.]*\s+(?:other\s+)?(?:people|persons|individuals|residents|students|families|"
    r"employees|staff|accounts|records|guardians|parents)\b|\bnumber of (?:people|residents|"
    r"individuals|persons)\b",
    re.IGNORECASE,
)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def regulator_missing(content: dict[str, Any], facts: Facts | None) -> list[str]:
    """The items the AG/OCABR notice still lacks, by name (empty: it may be generated)."""
    missing = [label for key, label in REGULATOR_TEXT_FIELDS.items() if _blank(content.get(key))]
    residents = content.get("ma_residents_affected")
    if not isinstance(residents, int) or isinstance(residents, bool) or residents < 1:
        missing.insert(1, RESIDENTS_ITEM)
    if facts is None or not facts.elements:
        missing.append(PI_TYPES_ITEM)
    if not isinstance(content.get("wisp_maintained"), bool):
        missing.append(WISP_ITEM)
    return missing


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _shares_phrase(text: str, other: str, length: int = 6) -> bool:
    """True when ``text`` repeats ``length`` consecutive words of ``other`` (the nature, copied)."""
    a, b = _words(text), _words(other)
    grams = {tuple(b[i : i + length]) for i in range(len(b) - length + 1)}
    return any(tuple(a[i : i + length]) in grams for i in range(len(a) - length + 1))


def _states_count(text: str, counts: Iterable[int]) -> bool:
    if _COUNT_PHRASE.search(text):
        return True
    numbers = {n.replace(",", "") for n in re.findall(r"\b\d[\d,]*\b", text)}
    return any(str(c) in numbers for c in counts if c > 0)


def resident_problems(
    content: dict[str, Any],
    facts: Facts | None,
    *,
    paragraphs: dict[str, str],
    nature: str | None = None,
) -> list[str]:
    """What stops the resident notice, by name: missing items, then anything it must not say.

    ``paragraphs`` are the letter's fixed statutory paragraphs in one language; ``nature`` is the
    regulator notice's account of what happened, which the resident text may not repeat.
    """
    problems = [label for key, label in RESIDENT_TEXT_FIELDS.items() if _blank(content.get(key))]
    problems += [label for key, label in STATUTORY_PARAGRAPHS.items() if _blank(paragraphs.get(key))]
    ssn = facts is not None and Element.ssn in facts.elements
    months = content.get("credit_monitoring_months")
    offered = isinstance(months, int) and not isinstance(months, bool) and months > 0
    if ssn and (not offered or months < CREDIT_MONITORING_MIN_MONTHS):  # type: ignore[operator]
        problems.append(
            f"{CREDIT_ITEM}: at least {CREDIT_MONITORING_MIN_MONTHS} months, because Social Security "
            "numbers were involved (93H §3A)"
        )
    if (ssn or offered) and (
        _blank(content.get("credit_monitoring_provider"))
        or _blank(content.get("credit_monitoring_enrollment"))
    ):
        problems.append(f"{CREDIT_ITEM}: the provider and how to enrol")
    free_text = " \n".join(
        str(content.get(key) or "")
        for key in (
            "additional_text",
            "contact",
            "parent_organization",
            "credit_monitoring_provider",
            "credit_monitoring_enrollment",
        )
    )
    if _NATURE_WORDS.search(free_text) or (nature and _shares_phrase(free_text, nature)):
        problems.append(NATURE_REFUSED)
    counts = (facts.people_affected, facts.ma_residents_affected) if facts else ()
    if _states_count(free_text, counts):
        problems.append(COUNT_REFUSED)
    return problems
