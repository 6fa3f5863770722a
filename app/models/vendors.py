"""Vendors and their contacts. The vetting workflow and DPAs extend this (issue 4)."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from app.models.base import Timestamped, str_enum, uuid_pk


class VendorStatus(StrEnum):
    requested = "requested"
    under_review = "under_review"
    approved = "approved"
    approved_with_consent = "approved_with_consent"
    denied = "denied"
    retired = "retired"


class Vendor(Timestamped, table=True):
    __tablename__ = "vendor"
    __table_args__ = (sa.Index(None, "status"), sa.Index(None, "requested_by_id"))  # + "My requests"

    id: uuid.UUID = uuid_pk()
    name: str = Field(max_length=200, unique=True)
    # The name as people compare names (case, accents, spaces ignored): unique, so the database
    # refuses "Émile Learning" beside "emile  learning" on SQLite as on PostgreSQL. Set on flush.
    name_key: str = Field(default="", max_length=200, unique=True)
    website: str | None = Field(default=None, max_length=500)
    status: VendorStatus = Field(default=VendorStatus.requested, sa_type=str_enum(VendorStatus, 24))
    products: str | None = Field(default=None, max_length=1000)  # products or services
    purpose: str | None = Field(default=None, sa_type=sa.Text)  # the educational purpose
    grade_bands: list[str] = Field(default_factory=list, sa_type=sa.JSON)  # data_elements.GRADE_BANDS
    data_elements: list[str] = Field(default_factory=list, sa_type=sa.JSON)  # data_elements.DATA_ELEMENTS
    privacy_policy_url: str | None = Field(default=None, max_length=500)
    privacy_policy_document_id: uuid.UUID | None = Field(
        default=None, foreign_key="document.id", ondelete="SET NULL"
    )
    subprocessors: str | None = Field(default=None, max_length=2000)
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="employee.id", ondelete="SET NULL")
    requested_by_id: uuid.UUID | None = Field(default=None, foreign_key="employee.id", ondelete="SET NULL")
    decision_note: str | None = Field(default=None, max_length=2000)
    decided_at: datetime | None = None
    # The vendor would not sign the district's agreement (DPP §V): the consent path opens.
    refused_to_sign_on: date | None = None
    refusal_note: str | None = Field(default=None, max_length=2000)


def vendor_name_key(name: str) -> str:
    """Casefolded, accents removed, inner spaces collapsed: "Émile  Learning" → "emile learning"."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())[:200]


@sa.event.listens_for(Vendor, "before_insert")
@sa.event.listens_for(Vendor, "before_update")
def _set_name_key(_mapper: Any, _connection: Any, vendor: Vendor) -> None:
    vendor.name_key = vendor_name_key(vendor.name)


class VendorContact(Timestamped, table=True):
    __tablename__ = "vendor_contact"

    id: uuid.UUID = uuid_pk()
    vendor_id: uuid.UUID = Field(foreign_key="vendor.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    email: str = Field(max_length=254, index=True)
    active: bool = True
    # The language of the emails this contact gets (en, es, pt): set when staff add the contact, when
    # they sign in to the portal, or on their profile. None: not chosen yet (emails in English).
    preferred_language: str | None = Field(default=None, max_length=8)


class DpaTemplate(StrEnum):
    mspa = "mspa"  # Massachusetts Student Privacy Alliance agreement
    ndpa_standard = "ndpa_standard"  # the national DPA, standard clauses
    vendor_specific = "vendor_specific"
    district_modified = "district_modified"


class DpaAdoption(StrEnum):
    originating = "originating"
    subscribing = "subscribing"  # adopted from another district's agreement (general offer of terms)


class DpaStatus(StrEnum):
    draft = "draft"
    sent = "sent"
    vendor_signed = "vendor_signed"
    executed = "executed"
    expired = "expired"
    terminated = "terminated"
    declined = "declined"


class Dpa(Timestamped, table=True):
    """A data privacy agreement with a vendor (DPP §V)."""

    __tablename__ = "dpa"
    __table_args__ = (
        sa.Index(None, "status", "expires_on"),  # registry, expiry job
        sa.Index(None, "vendor_id"),
    )

    id: uuid.UUID = uuid_pk()
    vendor_id: uuid.UUID = Field(foreign_key="vendor.id", ondelete="CASCADE")
    template: DpaTemplate = Field(sa_type=str_enum(DpaTemplate, 24))
    adoption: DpaAdoption = Field(default=DpaAdoption.originating, sa_type=str_enum(DpaAdoption, 16))
    originating_district: str | None = Field(default=None, max_length=200)
    adoption_accepted_on: date | None = None
    status: DpaStatus = Field(default=DpaStatus.draft, sa_type=str_enum(DpaStatus, 16))
    sent_at: datetime | None = None
    vendor_signed_at: datetime | None = None
    executed_at: datetime | None = None
    declined_at: datetime | None = None
    declined_reason: str | None = Field(default=None, max_length=2000)
    terminated_at: datetime | None = None
    expired_at: datetime | None = None
    effective_on: date | None = None
    expires_on: date | None = None
    breach_notice_hours: int | None = None
    disposition_days: int | None = None
    # The district's required terms (DPP §V), each ticked when the agreement provides it.
    terms: dict[str, bool] = Field(default_factory=dict, sa_type=sa.JSON)
    data_elements: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    products: str | None = Field(default=None, max_length=1000)  # what the agreement covers
    district_signatory: str | None = Field(default=None, max_length=200)
    vendor_signatory_name: str | None = Field(default=None, max_length=200)
    vendor_signatory_title: str | None = Field(default=None, max_length=200)
    blank_document_id: uuid.UUID | None = Field(default=None, foreign_key="document.id", ondelete="SET NULL")
    signed_document_id: uuid.UUID | None = Field(default=None, foreign_key="document.id", ondelete="SET NULL")
    countersigned_document_id: uuid.UUID | None = Field(
        default=None, foreign_key="document.id", ondelete="SET NULL"
    )
    # DPP §VI lists every executed agreement; what the team may withhold, with this reason
    # (shown in the registry), is the signed copy's download.
    document_withheld_reason: str | None = Field(default=None, max_length=500)
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="employee.id", ondelete="SET NULL")
    reminded_90d_at: datetime | None = None
    reminded_30d_at: datetime | None = None
