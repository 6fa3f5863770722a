"""The roster as the SIS sends it, one record per row, and the field rules every intake shares.

Data minimization (WISP §V, §VII.A): a student is an SIS id, a name, a school, a grade and an
enrollment status; a guardian an SIS id, a name, an email and a preferred language. Nothing
else is accepted, and dates of birth or SSNs are refused by name wherever they appear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import langcodes

from app.errors import ValidationFailed

MAX_PROBLEMS = 1000
# The languages Steward's pages and emails are written in; any other tag is kept but served in English.
SERVED_LANGUAGES = frozenset({"en", "es", "pt"})
# OneRoster 1.1 grade codes (CEDS) and the district's short forms, to the form stored.
GRADES: dict[str, str] = {
    **{code: code for code in ("IT", "PR", "PK", "TK", "PS", "UG")},
    "KG": "K",
    "K": "K",
    "OTHER": "Other",
    **{f"{n:02d}": str(n) for n in range(1, 14)},
    **{str(n): str(n) for n in range(1, 14)},
}
# Names SIS exports use instead of tags (English and endonyms), for the district's common languages.
LANGUAGE_NAMES = {
    "english": "en",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "portuguese": "pt",
    "português": "pt",
    "portugues": "pt",
    "haitian creole": "ht",
    "kreyòl ayisyen": "ht",
    "chinese": "zh",
    "mandarin": "zh",
    "cantonese": "yue",
    "vietnamese": "vi",
    "tiếng việt": "vi",
    "arabic": "ar",
    "russian": "ru",
    "french": "fr",
    "français": "fr",
    "cape verdean creole": "kea",
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_RELATIONSHIP = re.compile(r"^[a-z][a-z_ ]{0,31}$")


@dataclass(slots=True)
class Problem:
    """One reason an intake is refused: where (file, line, column) and why, in plain words."""

    file: str
    line: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "message": self.message}


class Problems:
    """Collects every problem, keeps the first ``MAX_PROBLEMS``."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.count = 0

    def add(self, file: str, line: int, column: str, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(Problem(file, line, column, message))

    def __bool__(self) -> bool:
        return self.count > 0


class RosterRefused(ValidationFailed):
    """The whole intake is refused; ``problems`` says where and why (nothing was written)."""

    def __init__(self, problems: Problems) -> None:
        noun = "problem" if problems.count == 1 else "problems"
        super().__init__(
            f"The roster was refused whole ({problems.count} {noun}); nothing was written.",
            errors=[p.as_dict() for p in problems.items],
        )
        self.problems = problems


@dataclass(slots=True)
class StudentRecord:
    sis_id: str
    first_name: str
    last_name: str
    school: str
    grade: str
    enrolled: bool = True
    status_only: bool = False  # a delta "tobedeleted": unenrol if known, nothing else
    where: tuple[str, int] = ("", 0)


@dataclass(slots=True)
class GuardianRecord:
    sis_id: str
    first_name: str
    last_name: str
    email: str | None
    preferred_language: str = "en"
    where: tuple[str, int] = ("", 0)


@dataclass(slots=True)
class LinkRecord:
    student_sis_id: str
    guardian_sis_id: str
    relationship: str | None = "parent"  # None: as on file (a OneRoster agent not in this file)
    has_educational_rights: bool = True
    remove: bool = False
    where: tuple[str, int] = ("", 0)


@dataclass
class RosterBatch:
    """What one sync or import says; ``full`` means it is the whole roster (see ``apply_roster``)."""

    students: list[StudentRecord] = field(default_factory=list)
    guardians: list[GuardianRecord] = field(default_factory=list)
    links: list[LinkRecord] = field(default_factory=list)
    full: bool = False
    # Each sent student's guardianships are all of them (links not listed are removed).
    complete_links: bool = False
    # Guardians the SIS deleted: their links go, the guardian row stays (history).
    detached_guardians: list[str] = field(default_factory=list)


def text_problem(value: str, *, required: bool, max_length: int) -> str | None:
    """Why a single-line text value is unacceptable, or None."""
    if not value:
        return "is required" if required else None
    if len(value) > max_length:
        return f"is longer than {max_length} characters"
    if _CONTROL.search(value):
        return "contains a control character (a line break or tab)"
    if value.startswith(_FORMULA_START):
        return "starts like a spreadsheet formula (=, +, -, @)"
    return None


def normalize_grade(value: str) -> str | None:
    """The stored grade for a OneRoster (CEDS) code such as ``KG`` or ``01``, or a short form; else None."""
    return GRADES.get(value.strip().upper())


def email_problem(value: str | None) -> str | None:
    if not value:
        return None
    if len(value) > 254 or not _EMAIL.match(value) or _CONTROL.search(value):
        return "is not an email address"
    return None


def relationship_problem(value: str) -> str | None:
    return None if _RELATIONSHIP.match(value) else "must be a word such as parent, guardian or relative"


@lru_cache(maxsize=1024)
def normalize_language(value: str | None) -> str:
    """A BCP 47 tag in its canonical form (``EN-us`` → ``en-US``, ``spa`` → ``es``, ``Spanish`` → ``es``).

    A value that is not a tag and not a language name is kept as given (trimmed, bounded), so
    nothing the SIS said is lost; ``served_language`` serves such a guardian in English.
    """
    raw = (value or "").strip()
    if not raw:
        return "en"
    try:
        tag = langcodes.standardize_tag(raw.replace("_", "-"))
        if langcodes.tag_is_valid(tag):
            return tag[:16]
    except (ValueError, LookupError):
        pass
    return LANGUAGE_NAMES.get(raw.casefold(), raw[:16])


def served_language(tag: str | None) -> str:
    """The language pages and emails use for a guardian: theirs if Steward has it, else English."""
    primary = (tag or "en").split("-", 1)[0].lower()
    return primary if primary in SERVED_LANGUAGES else "en"


def check_student(rec: StudentRecord, problems: Problems) -> None:
    file, line = rec.where
    for column, value, limit in (("sis_id", rec.sis_id, 64),):
        if why := text_problem(value, required=True, max_length=limit):
            problems.add(file, line, column, f"The SIS id {why}.")
    if rec.status_only:
        return
    for column, value, limit in (
        ("first_name", rec.first_name, 100),
        ("last_name", rec.last_name, 100),
        ("school", rec.school, 120),
    ):
        if why := text_problem(value, required=True, max_length=limit):
            problems.add(file, line, column, f"The {column.replace('_', ' ')} {why}.")
    grade = normalize_grade(rec.grade)
    if grade is None:
        shown = rec.grade[:20] if rec.grade else "(blank)"
        problems.add(
            file,
            line,
            "grade",
            f"Unknown grade code {shown!r}: use KG, PK, 01 … 12 or another OneRoster code.",
        )
    else:
        rec.grade = grade


def check_guardian(rec: GuardianRecord, problems: Problems) -> None:
    file, line = rec.where
    for column, value, limit in (
        ("sis_id", rec.sis_id, 64),
        ("first_name", rec.first_name, 100),
        ("last_name", rec.last_name, 100),
    ):
        if why := text_problem(value, required=True, max_length=limit):
            problems.add(
                file, line, column, f"The {column.replace('_', ' ').replace('sis id', 'SIS id')} {why}."
            )
    if why := email_problem(rec.email):
        problems.add(file, line, "email", f"The email {why}.")
    rec.preferred_language = normalize_language(rec.preferred_language)
    if _CONTROL.search(rec.preferred_language):
        problems.add(file, line, "preferred_language", "The preferred language contains a control character.")


def check_link(rec: LinkRecord, problems: Problems) -> None:
    file, line = rec.where
    if rec.relationship is not None and (why := relationship_problem(rec.relationship)):
        problems.add(file, line, "relationship", f"The relationship {why}.")


def check_duplicates(records: list[Any], problems: Problems, what: str) -> None:
    """A ``sourcedId`` (SIS id) may appear once per kind in one intake."""
    seen: dict[str, tuple[str, int]] = {}
    for rec in records:
        first = seen.setdefault(rec.sis_id, rec.where)
        if first is not rec.where:
            problems.add(
                rec.where[0],
                rec.where[1],
                "sis_id",
                f"Duplicate {what} SIS id {rec.sis_id!r} (first on line {first[1]} of {first[0]}).",
            )
