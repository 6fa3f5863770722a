"""DPA schemas (data privacy agreements) and the public registry's rows.

Dates in the wrong order and unknown required-term keys are caught in the service (they depend
on the stored values too) and reported as field errors.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from app.models import DpaAdoption, DpaStatus, DpaTemplate
from app.models.schemas import SingleLine, TextBlock
from app.models.schemas.vendors.vendors import (
    DataElementFilter,
    DataElements,
    Note,
    OptionalText200,
    Products,
    empty_is_none,
    strip,
)


def _terms(value: Any) -> Any:
    """A checklist: a dict of booleans (API) or the list of ticked keys (a form)."""
    if value is None:
        return {}
    if isinstance(value, str):
        return {value: True} if value.strip() else {}
    if isinstance(value, list | tuple):
        return {str(v): True for v in value}
    return value


Terms = Annotated[dict[str, bool], BeforeValidator(_terms)]
OptionalDate = Annotated[date | None, BeforeValidator(empty_is_none)]
Hours = Annotated[Annotated[int, Field(ge=1, le=8760)] | None, BeforeValidator(empty_is_none)]
Days = Annotated[Annotated[int, Field(ge=1, le=3650)] | None, BeforeValidator(empty_is_none)]
District = OptionalText200
Signatory = OptionalText200
Reason = Note


WithheldReason = Annotated[
    Annotated[SingleLine, Field(max_length=500)] | None, BeforeValidator(empty_is_none)
]


class DpaFields(BaseModel):
    """The editable terms of an agreement (create and update share them)."""

    model_config = ConfigDict(extra="forbid")

    effective_on: OptionalDate = None
    expires_on: OptionalDate = None
    breach_notice_hours: Hours = None
    disposition_days: Days = None
    terms: Terms = Field(default_factory=dict)
    data_elements: DataElements = Field(default_factory=list)
    products: Products = None
    district_signatory: Signatory = None
    owner_id: uuid.UUID | None = None


class DpaCreate(DpaFields):
    """A new agreement from a template, or an adoption (``subscribing``) of another district's."""

    vendor_id: uuid.UUID | None = None  # the API sends it in the body; pages take it from the URL
    template: DpaTemplate
    adoption: DpaAdoption = DpaAdoption.originating
    originating_district: District = None
    adoption_accepted_on: OptionalDate = None


class DpaCreateRequest(DpaCreate):
    """``POST /api/v1/dpas``: the same, with the vendor named in the body (required)."""

    vendor_id: uuid.UUID


class DpaUpdate(BaseModel):
    """Only the fields sent change; allowed while the agreement is ``draft`` or ``sent``."""

    model_config = ConfigDict(extra="forbid")

    template: DpaTemplate | None = None
    originating_district: District = None
    adoption_accepted_on: OptionalDate = None
    effective_on: OptionalDate = None
    expires_on: OptionalDate = None
    breach_notice_hours: Hours = None
    disposition_days: Days = None
    terms: Terms | None = None
    data_elements: DataElements | None = None
    products: Products = None
    district_signatory: Signatory = None
    owner_id: uuid.UUID | None = None


DpaAction = Literal["send", "execute", "terminate"]


class DpaTermination(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = None


class DpaDocumentWithholding(BaseModel):
    """Withhold the signed copy from the public registry (with the reason, shown there), or
    publish it again (``reason`` empty). The agreement itself is always listed (DPP §VI)."""

    model_config = ConfigDict(extra="forbid")

    reason: WithheldReason = None


class DpaDecline(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[TextBlock, BeforeValidator(strip)] = Field(min_length=1, max_length=2000)


class DpaSignatory(BaseModel):
    """Who signed for the vendor (with the signed upload)."""

    model_config = ConfigDict(extra="forbid")

    signatory_name: Annotated[SingleLine, BeforeValidator(strip)] = Field(min_length=1, max_length=200)
    signatory_title: Annotated[SingleLine, BeforeValidator(strip)] = Field(min_length=1, max_length=200)


class DpaPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    vendor_id: uuid.UUID
    template: DpaTemplate
    adoption: DpaAdoption
    originating_district: str | None = None
    adoption_accepted_on: date | None = None
    status: DpaStatus
    sent_at: datetime | None = None
    vendor_signed_at: datetime | None = None
    executed_at: datetime | None = None
    declined_at: datetime | None = None
    declined_reason: str | None = None
    terminated_at: datetime | None = None
    expired_at: datetime | None = None
    effective_on: date | None = None
    expires_on: date | None = None
    breach_notice_hours: int | None = None
    disposition_days: int | None = None
    terms: dict[str, bool] = {}
    data_elements: list[str] = []
    products: str | None = None
    district_signatory: str | None = None
    vendor_signatory_name: str | None = None
    vendor_signatory_title: str | None = None
    blank_document_id: uuid.UUID | None = None
    signed_document_id: uuid.UUID | None = None
    countersigned_document_id: uuid.UUID | None = None
    document_withheld_reason: str | None = None
    owner_id: uuid.UUID | None = None
    created_at: datetime
    updated_at: datetime


class DpasPublic(BaseModel):
    data: list[DpaPublic]
    count: int


class DpaFilter(BaseModel):
    vendor_id: uuid.UUID | None = None
    status: Annotated[DpaStatus | None, BeforeValidator(empty_is_none)] = None
    template: Annotated[DpaTemplate | None, BeforeValidator(empty_is_none)] = None
    expiring_within_days: Annotated[
        Annotated[int, Field(ge=0, le=3650)] | None, BeforeValidator(empty_is_none)
    ] = None


class RegistryStatus(StrEnum):
    """The registry's lists: agreements in force (the default), expired, terminated."""

    current = "current"
    expired = "expired"
    terminated = "terminated"


class RegistryRow(BaseModel):
    """One listed agreement. No personal data: no signatories, no emails."""

    id: uuid.UUID
    vendor_id: uuid.UUID
    vendor_name: str
    vendor_website: str | None = None
    status: RegistryStatus
    # The signed copy, downloadable from the registry unless the team withheld it (with a reason).
    document_url: str | None = None
    document_withheld_reason: str | None = None
    products: str | None = None
    template: DpaTemplate
    adoption: DpaAdoption
    data_elements: list[str] = []
    effective_on: date | None = None
    expires_on: date | None = None
    ended_on: date | None = None  # the day it expired or was terminated


class RegistryFilter(BaseModel):
    """The registry's search: vendor or product text, a data element, a template, a status."""

    q: OptionalText200 = None
    data_element: DataElementFilter = None
    template: Annotated[DpaTemplate | None, BeforeValidator(empty_is_none)] = None
    status: Annotated[RegistryStatus, BeforeValidator(lambda v: empty_is_none(v) or "current")] = (
        RegistryStatus.current
    )


class RegistryPublic(BaseModel):
    data: list[RegistryRow]
    count: int
