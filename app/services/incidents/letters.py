"""The two 93H notices as PDF letters, drawn with fpdf2.

fpdf2 is pure Python, installs from PyPI with no system libraries (WeasyPrint needs Debian's
pango), and is actively maintained. Its built-in Helvetica covers Latin-1, which holds every
letter of English, Spanish and Portuguese; anything outside it is replaced, never an error.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fpdf import FPDF

from app.services.incidents.letter_texts import RESIDENT, letter_date

_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
)


def _latin1(text: str) -> str:
    return text.translate(_TYPOGRAPHY).encode("latin-1", "replace").decode("latin-1")


class _Letter:
    def __init__(self, heading: str) -> None:
        self.pdf = FPDF(format="Letter")
        self.pdf.set_title(_latin1(heading))
        self.pdf.set_margins(22, 22, 22)
        self.pdf.add_page()

    def line(self, text: str, *, size: int = 11, bold: bool = False, gap: float = 2) -> None:
        self.pdf.set_font("Helvetica", "B" if bold else "", size)
        self.pdf.multi_cell(0, size * 0.5, _latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(gap)

    def bytes(self) -> bytes:
        return bytes(self.pdf.output())


def regulator_letter(content: dict[str, Any], *, types: str, reference: str, today: date) -> bytes:
    """The notice to the Attorney General and OCABR (93H §3(b)), in English."""
    letter = _Letter(f"93H notice {reference}")
    letter.line(f"{content['entity_name']}\n{content['entity_address']}")
    letter.line(f"{today:%B %-d, %Y}")
    letter.line(
        "Office of the Attorney General, Data Privacy and Security Division,\n"
        "One Ashburton Place, Boston, MA 02108\n\n"
        "Office of Consumer Affairs and Business Regulation,\n"
        "501 Boylston Street, Suite 5100, Boston, MA 02116"
    )
    letter.line("Notice of a breach of security under M.G.L. c. 93H, § 3(b)", size=13, bold=True)
    items = [
        ("Entity that experienced the breach", f"{content['entity_name']}, {content['entity_address']}"),
        ("Type of entity", content["entity_type"]),
        (
            "Person reporting",
            f"{content['reporter_name']}, {content['reporter_title']} ({content['reporter_relationship']})",
        ),
        ("Person responsible for the breach, if known", content.get("responsible_person") or "Not known"),
        ("Nature and circumstances of the breach", content["nature"]),
        (
            "Massachusetts residents affected at the time of this notice",
            f"{content['ma_residents_affected']:,}",
        ),
        ("Types of personal information involved", types),
        ("Steps already taken", content["steps_taken"]),
        ("Steps planned after this notice", content["steps_planned"]),
        ("Law enforcement", content["law_enforcement"]),
        (
            "Written information security program",
            "The district maintains a written information security program (WISP)."
            if content["wisp_maintained"]
            else "The district does not maintain a written information security program.",
        ),
    ]
    for label, value in items:
        letter.line(label, bold=True, gap=0.5)
        letter.line(str(value), gap=3)
    letter.line(f"Reference: {reference}", size=9)
    return letter.bytes()


def resident_paragraphs(language: str) -> dict[str, str]:
    return RESIDENT.get(language, RESIDENT["en"])


def resident_body(content: dict[str, Any], *, entity: str, language: str) -> list[str]:
    """The resident notice's paragraphs, in order, for the PDF and for the emailed copy alike."""
    text = resident_paragraphs(language)
    body = [text["greeting"], text["intro"].format(entity=entity)]
    if content.get("additional_text"):
        body.append(content["additional_text"])
    body += [text["police_report"], text["freeze_how"], text["freeze_information"]]
    if content.get("credit_monitoring_months"):
        body.append(
            text["credit"].format(
                months=content["credit_monitoring_months"],
                provider=content.get("credit_monitoring_provider") or "",
                enrollment=content.get("credit_monitoring_enrollment") or "",
            )
        )
    body.append(text["contact"].format(contact=content["contact"]))
    body.append(text["parent"].format(entity=entity, parent=content["parent_organization"]))
    body += [text["closing"], entity]
    return body


def resident_letter(
    content: dict[str, Any],
    *,
    entity: str,
    language: str,
    reference: str,
    today: date,
    addressee: str | None = None,
) -> bytes:
    """The notice to a resident: the statutory items, nothing about what happened or how many."""
    title = resident_paragraphs(language)["title"]
    letter = _Letter(title)
    letter.line(entity)
    letter.line(letter_date(today, language))
    if addressee:
        letter.line(addressee)
    letter.line(title, size=13, bold=True)
    for paragraph in resident_body(content, entity=entity, language=language):
        letter.line(paragraph)
    letter.line(f"Ref. {reference}", size=9)
    return letter.bytes()
