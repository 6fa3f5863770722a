"""The public registry of executed agreements (DPP §VI: "a current list of executed vendor
DPAs"): no personal data, ever.

Every executed agreement in force is listed; nothing hides one. Expired and terminated ones are
listed under their own status. What the team may withhold, with a recorded reason, is the signed
copy's download (``document_withheld_reason``). Only the vendor's name and website and the
agreement's products, template, data elements, dates and withholding reason leave this module;
signatories and contacts never do.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, or_, select

from app.config import get_settings
from app.errors import ValidationFailed
from app.models import Dpa, DpaAdoption, DpaStatus, DpaTemplate, Vendor
from app.models.data_elements import DATA_ELEMENTS
from app.models.schemas.messages import N_
from app.models.schemas.vendors.agreements import RegistryRow, RegistryStatus
from app.services.vendors.queries import columns_of, json_list_contains, like_pattern
from app.services.vendors.rules import local_today

CSV_LIMIT = 10_000
UNKNOWN_ELEMENT = N_("Unknown data element.")  # a plain-words message the registry page translates
CSV_COLUMNS = [
    "vendor",
    "website",
    "products",
    "template",
    "adoption",
    "data_elements",
    "effective_on",
    "expires_on",
    "status",
    "signed_agreement",
    "signed_agreement_withheld",
]
TEMPLATE_LABELS = {
    DpaTemplate.mspa: "Massachusetts Student Privacy Alliance (MSPA)",
    DpaTemplate.ndpa_standard: "National DPA (standard clauses)",
    DpaTemplate.vendor_specific: "Vendor-specific agreement",
    DpaTemplate.district_modified: "District-modified agreement",
}


LISTED = (DpaStatus.executed, DpaStatus.expired, DpaStatus.terminated)


@dataclass(frozen=True, slots=True)
class ListedAgreement:
    """The columns of an agreement the registry shows or decides by (a list reads only these)."""

    id: uuid.UUID
    vendor_id: uuid.UUID
    status: DpaStatus
    template: DpaTemplate
    adoption: DpaAdoption
    products: str | None
    data_elements: list[str]
    effective_on: date | None
    expires_on: date | None
    terminated_at: datetime | None
    signed_document_id: uuid.UUID | None
    countersigned_document_id: uuid.UUID | None
    document_withheld_reason: str | None


LISTED_COLUMNS = columns_of(ListedAgreement)


def status_condition(status: RegistryStatus, today: date) -> sa.ColumnElement[bool]:
    """Which agreements a registry list holds. An executed agreement past its expiry date is
    listed as expired at once, before the nightly job moves it."""
    in_force = sa.and_(col(Dpa.status) == DpaStatus.executed, col(Dpa.expires_on) >= today)
    if status == RegistryStatus.current:
        return in_force
    if status == RegistryStatus.terminated:
        return col(Dpa.status) == DpaStatus.terminated
    return or_(
        col(Dpa.status) == DpaStatus.expired,
        sa.and_(col(Dpa.status) == DpaStatus.executed, col(Dpa.expires_on) < today),
    )


def registry_status(dpa: Dpa | ListedAgreement, today: date) -> RegistryStatus | None:
    """The registry list an agreement belongs to, or ``None`` if it is not listed at all."""
    if dpa.status == DpaStatus.terminated:
        return RegistryStatus.terminated
    if dpa.status == DpaStatus.expired:
        return RegistryStatus.expired
    if dpa.status == DpaStatus.executed:
        expired = dpa.expires_on is not None and dpa.expires_on < today
        return RegistryStatus.expired if expired else RegistryStatus.current
    return None


def signed_copy_id(dpa: Dpa | ListedAgreement) -> uuid.UUID | None:
    """The signed agreement the registry offers: the countersigned copy, else the vendor's."""
    return dpa.countersigned_document_id or dpa.signed_document_id


def registry_row(dpa: Dpa | ListedAgreement, name: str, website: str | None, today: date) -> RegistryRow:
    status = registry_status(dpa, today) or RegistryStatus.current
    withheld = dpa.document_withheld_reason
    has_copy = signed_copy_id(dpa) is not None and not withheld
    ended = {RegistryStatus.expired: dpa.expires_on, RegistryStatus.terminated: None}
    if dpa.terminated_at is not None:
        ended[RegistryStatus.terminated] = dpa.terminated_at.astimezone(get_settings().zone).date()
    return RegistryRow(
        id=dpa.id,
        vendor_id=dpa.vendor_id,
        vendor_name=name,
        vendor_website=website,
        status=status,
        document_url=f"/registry/dpas/{dpa.id}/signed-agreement" if has_copy else None,
        document_withheld_reason=withheld,
        products=dpa.products,
        template=dpa.template,
        adoption=dpa.adoption,
        data_elements=list(dpa.data_elements or []),
        effective_on=dpa.effective_on,
        expires_on=dpa.expires_on,
        ended_on=ended.get(status),
    )


def _conditions(
    q: str | None,
    data_element: str | None,
    template: DpaTemplate | None,
    status: RegistryStatus,
    today: date,
) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = [status_condition(status, today)]
    if q:
        pattern = like_pattern(q.strip()[:200])
        conditions.append(
            or_(col(Vendor.name).ilike(pattern, escape="\\"), col(Dpa.products).ilike(pattern, escape="\\"))
        )
    if data_element:
        if data_element not in DATA_ELEMENTS:
            raise ValidationFailed(
                UNKNOWN_ELEMENT, errors=[{"field": "data_element", "message": UNKNOWN_ELEMENT}]
            )
        conditions.append(json_list_contains(col(Dpa.data_elements), data_element))
    if template is not None:
        conditions.append(col(Dpa.template) == template)
    return conditions


def registry_rows(
    session: Session,
    *,
    q: str | None = None,
    data_element: str | None = None,
    template: DpaTemplate | None = None,
    status: RegistryStatus = RegistryStatus.current,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> tuple[list[RegistryRow], int]:
    """Every executed agreement in force (or, by ``status``, every expired or terminated one):
    one page query and one count."""
    today = local_today(now)
    conditions = _conditions(q, data_element, template, status, today)
    rows = session.execute(
        sa.select(col(Vendor.name), col(Vendor.website), *LISTED_COLUMNS)
        .join(Vendor, col(Vendor.id) == col(Dpa.vendor_id))
        .where(*conditions)
        .order_by(col(Vendor.name_key), col(Dpa.expires_on).desc(), col(Dpa.id))
        .limit(limit)
        .offset(offset)
    ).all()
    count = session.exec(
        select(func.count())
        .select_from(Dpa)
        .join(Vendor, col(Vendor.id) == col(Dpa.vendor_id))
        .where(*conditions)
    ).one()
    listed = [registry_row(ListedAgreement(*row[2:]), row[0], row[1], today) for row in rows]
    return listed, int(count)


def _cell(value: object) -> str:
    """Spreadsheet-safe: a cell that would start a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def registry_csv(
    session: Session,
    *,
    q: str | None = None,
    data_element: str | None = None,
    template: DpaTemplate | None = None,
    status: RegistryStatus = RegistryStatus.current,
    now: datetime | None = None,
) -> str:
    base_url = get_settings().base_url.rstrip("/")
    rows, _ = registry_rows(
        session,
        q=q,
        data_element=data_element,
        template=template,
        status=status,
        limit=CSV_LIMIT,
        offset=0,
        now=now,
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                _cell(row.vendor_name),
                _cell(row.vendor_website),
                _cell(row.products),
                row.template.value,
                row.adoption.value,
                "; ".join(DATA_ELEMENTS.get(e, e) for e in row.data_elements),
                row.effective_on.isoformat() if row.effective_on else "",
                row.expires_on.isoformat() if row.expires_on else "",
                row.status.value,
                base_url + row.document_url if row.document_url else "",
                _cell(row.document_withheld_reason),
            ]
        )
    return out.getvalue()
