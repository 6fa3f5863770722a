"""Vendor schemas: what an employee requests, what the team sends, what the API returns.

Text is stripped and length-checked; it is stored exactly as given (an XSS string included) and
escaped where it is shown. Data elements and grade bands come from the one catalogue.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, EmailStr, Field
from pydantic_core import PydanticCustomError

from app.models import DpaStatus, DpaTemplate, VendorStatus
from app.models.data_elements import DATA_ELEMENTS, GRADE_BANDS
from app.models.schemas import SingleLine, TextBlock, documented, required_text, single_line
from app.models.schemas.messages import N_


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def empty_is_none(value: Any) -> Any:
    """An empty form field means "not given"; 0 and False are values, not blanks."""
    value = strip(value)
    return None if value == "" else value


def _one_or_many(value: Any) -> Any:
    """Form posts send one value as a string; the API sends a list (null only where the field
    is optional: the schema says a list)."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    return value


def _web_address(value: str) -> str:
    if not value.lower().startswith(("https://", "http://")) or len(value) < 11 or " " in value:
        raise PydanticCustomError("url", N_("Enter a web address starting with https://"))
    return value


def _data_elements(value: list[str]) -> list[str]:
    unknown = [v for v in value if v not in DATA_ELEMENTS]
    if unknown:
        raise PydanticCustomError(
            "data_element", "Unknown data element: {unknown}.", {"unknown": ", ".join(unknown)[:200]}
        )
    return list(dict.fromkeys(value))


def _grade_bands(value: list[str]) -> list[str]:
    unknown = [v for v in value if v not in GRADE_BANDS]
    if unknown:
        raise PydanticCustomError(
            "grade_band", "Unknown grade band: {unknown}.", {"unknown": ", ".join(unknown)[:200]}
        )
    return list(dict.fromkeys(value))


def _required(label: str, maximum: int) -> AfterValidator:
    def check(value: str) -> str:
        if not value:
            raise PydanticCustomError("missing_text", "{label} is required.", {"label": label})
        if len(value) > maximum:
            raise PydanticCustomError(
                "too_long",
                "{label} is too long: at most {maximum} characters.",
                {"label": label, "maximum": maximum},
            )
        return value

    return AfterValidator(check)


Name = Annotated[SingleLine, required_text(200), BeforeValidator(strip), _required("The name", 200)]
# Optional text: empty means None; otherwise stripped and at most N characters.
OptionalText200 = Annotated[
    Annotated[SingleLine, Field(max_length=200)] | None, BeforeValidator(empty_is_none)
]
# What _web_address accepts (blank means none): http(s)://, at least 11 characters, no spaces.
WEB_ADDRESS = r"^\s*(?:[Hh][Tt][Tt][Pp]://[^ ]{4,}|[Hh][Tt][Tt][Pp][Ss]://[^ ]{3,})?\s*$"
Website = Annotated[
    Annotated[SingleLine, Field(max_length=500), AfterValidator(_web_address)] | None,
    documented(pattern=WEB_ADDRESS),
    BeforeValidator(empty_is_none),
]
Purpose = Annotated[TextBlock, required_text(5000), BeforeValidator(strip), _required("The purpose", 5000)]
OptionalPurpose = Annotated[
    Annotated[TextBlock, Field(max_length=5000)] | None, BeforeValidator(empty_is_none)
]
Products = Annotated[Annotated[SingleLine, Field(max_length=1000)] | None, BeforeValidator(empty_is_none)]
Subprocessors = Annotated[
    Annotated[SingleLine, Field(max_length=2000)] | None, BeforeValidator(empty_is_none)
]
DataElements = Annotated[
    list[str],
    documented(items={"type": "string", "enum": list(DATA_ELEMENTS)}),
    BeforeValidator(_one_or_many),
    AfterValidator(_data_elements),
]
GradeBands = Annotated[
    list[str],
    documented(items={"type": "string", "enum": list(GRADE_BANDS)}),
    BeforeValidator(_one_or_many),
    AfterValidator(_grade_bands),
]
# Query filters: one catalogue entry, or empty for "any".
DataElementFilter = Annotated[
    SingleLine | None, documented(enum=["", *DATA_ELEMENTS]), BeforeValidator(empty_is_none)
]
GradeBandFilter = Annotated[
    SingleLine | None, documented(enum=["", *GRADE_BANDS]), BeforeValidator(empty_is_none)
]
Email = Annotated[EmailStr, BeforeValidator(strip), AfterValidator(single_line)]
Note = Annotated[Annotated[TextBlock, Field(max_length=2000)] | None, BeforeValidator(empty_is_none)]
# The language of a vendor contact's emails and portal pages; None until someone chooses.
ContactLanguage = Literal["en", "es", "pt"]
OptionalContactLanguage = Annotated[ContactLanguage | None, BeforeValidator(empty_is_none)]


class VendorRequest(BaseModel):
    """Any employee asks the team to vet a tool."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    website: Website = None
    products: Products = None
    purpose: Purpose
    grade_bands: GradeBands = Field(default_factory=list)
    data_elements: DataElements = Field(default_factory=list)


class VendorCreate(BaseModel):
    """The team adds a vendor directly (it starts ``under_review``)."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    website: Website = None
    products: Products = None
    purpose: OptionalPurpose = None
    grade_bands: GradeBands = Field(default_factory=list)
    data_elements: DataElements = Field(default_factory=list)
    privacy_policy_url: Website = None
    subprocessors: Subprocessors = None
    owner_id: uuid.UUID | None = None
    contact_name: OptionalText200 = None
    contact_email: Annotated[Email | None, BeforeValidator(empty_is_none)] = None  # blank: no contact yet
    contact_language: OptionalContactLanguage = Field(
        default=None,
        description="The language of the first contact's emails (en, es, pt); English until chosen. "
        "Like ``contact_name``, it is used only with ``contact_email``.",
    )


class VendorUpdate(BaseModel):
    """Only the fields sent change (``exclude_unset``); status changes go through transitions."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    website: Website = None
    products: Products = None
    purpose: OptionalPurpose = None
    grade_bands: GradeBands | None = None
    data_elements: DataElements | None = None
    privacy_policy_url: Website = None
    subprocessors: Subprocessors = None
    owner_id: uuid.UUID | None = None


class VendorProfileUpdate(BaseModel):
    """A vendor contact keeps their own details and the vendor's privacy-policy URL current."""

    model_config = ConfigDict(extra="forbid")

    contact_name: Name
    contact_email: Email
    privacy_policy_url: Website = None
    preferred_language: OptionalContactLanguage = None  # blank: unchanged


class ContactCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    email: Email
    preferred_language: OptionalContactLanguage = Field(
        default=None,
        description="The language of the contact's emails (en, es, pt); English until chosen.",
    )


VendorAction = Literal["review", "approve", "approve_with_consent", "deny", "retire"]


class VendorTransition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Note = None


class VendorRefusal(BaseModel):
    """The vendor will not sign the district's agreement: when, and how it said so."""

    model_config = ConfigDict(extra="forbid")

    refused_on: date
    note: Annotated[TextBlock, required_text(2000), BeforeValidator(strip), _required("The note", 2000)]


class ContactPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    email: str
    active: bool
    preferred_language: ContactLanguage | None = None


class DpaSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    status: DpaStatus
    template: DpaTemplate
    effective_on: date | None = None
    expires_on: date | None = None


class VendorPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    website: str | None = None
    status: VendorStatus
    products: str | None = None
    purpose: str | None = None
    grade_bands: list[str] = []
    data_elements: list[str] = []
    privacy_policy_url: str | None = None
    privacy_policy_document_id: uuid.UUID | None = None
    subprocessors: str | None = None
    owner_id: uuid.UUID | None = None
    requested_by_id: uuid.UUID | None = None
    decision_note: str | None = None
    decided_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    current_dpa: DpaSummary | None = None

    @classmethod
    def from_vendor(cls, vendor: Any, current_dpa: Any = None) -> VendorPublic:
        """The vendor with the agreement that matters now (from ``vendor_queries.pick_current``)."""
        summary = DpaSummary.model_validate(current_dpa) if current_dpa is not None else None
        return cls.model_validate(vendor).model_copy(update={"current_dpa": summary})


class VendorsPublic(BaseModel):
    data: list[VendorPublic]
    count: int


class VendorDetailPublic(VendorPublic):
    contacts: list[ContactPublic] = []
    next_action: str = ""


class VendorSort(StrEnum):
    """By name (the default) or by status in the workflow's order; ``-`` reverses."""

    name = "name"
    name_desc = "-name"
    status = "status"
    status_desc = "-status"


class VendorFilter(BaseModel):
    """The inventory's filters; empty values mean "any"."""

    sort: Annotated[VendorSort | None, BeforeValidator(empty_is_none)] = None
    q: OptionalText200 = None
    status: Annotated[VendorStatus | None, BeforeValidator(empty_is_none)] = None
    data_element: DataElementFilter = None
    grade_band: GradeBandFilter = None
    expiring_within_days: Annotated[
        Annotated[int, Field(ge=0, le=3650)] | None, BeforeValidator(empty_is_none)
    ] = None
