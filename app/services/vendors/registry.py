"""The public registry of executed agreements (DPP §VI): no personal data, ever.

Only the vendor's name and website and the agreement's products, template, data elements and
dates leave this module; signatories and contacts never do.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, or_, select

from app.errors import ValidationFailed
from app.models import Dpa, DpaStatus, DpaTemplate, Vendor
from app.models.data_elements import DATA_ELEMENTS
from app.models.schemas.vendors.agreements import RegistryRow
from app.services.vendors.queries import json_list_contains, like_pattern
from app.services.vendors.rules import local_today

CSV_LIMIT = 10_000
CSV_COLUMNS = [
    "vendor",
    "website",
    "products",
    "template",
    "adoption",
    "data_elements",
    "effective_on",
    "expires_on",
]
TEMPLATE_LABELS = {
    DpaTemplate.mspa: "Massachusetts Student Privacy Alliance (MSPA)",
    DpaTemplate.ndpa_standard: "National DPA (standard clauses)",
    DpaTemplate.vendor_specific: "Vendor-specific agreement",
    DpaTemplate.district_modified: "District-modified agreement",
}


def _conditions(
    q: str | None, data_element: str | None, template: DpaTemplate | None, today: date
) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = [
        col(Dpa.status) == DpaStatus.executed,
        col(Dpa.public).is_(True),
        col(Dpa.expires_on) >= today,
    ]
    if q:
        pattern = like_pattern(q.strip()[:200])
        conditions.append(
            or_(col(Vendor.name).ilike(pattern, escape="\\"), col(Dpa.products).ilike(pattern, escape="\\"))
        )
    if data_element:
        if data_element not in DATA_ELEMENTS:
            raise ValidationFailed(
                "Unknown data element.",
                errors=[{"field": "data_element", "message": "Unknown data element."}],
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
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> tuple[list[RegistryRow], int]:
    """Every agreement that is executed, in force and public: one page query and one count."""
    conditions = _conditions(q, data_element, template, local_today(now))
    rows = session.exec(
        select(Vendor.name, Vendor.website, Dpa)
        .join(Vendor, col(Vendor.id) == col(Dpa.vendor_id))
        .where(*conditions)
        .order_by(func.lower(Vendor.name), col(Dpa.expires_on).desc(), col(Dpa.id))
        .limit(limit)
        .offset(offset)
    ).all()
    count = session.exec(
        select(func.count())
        .select_from(Dpa)
        .join(Vendor, col(Vendor.id) == col(Dpa.vendor_id))
        .where(*conditions)
    ).one()
    data = [
        RegistryRow(
            vendor_name=name,
            vendor_website=website,
            products=dpa.products,
            template=dpa.template,
            adoption=dpa.adoption,
            data_elements=list(dpa.data_elements or []),
            effective_on=dpa.effective_on,
            expires_on=dpa.expires_on,
        )
        for name, website, dpa in rows
    ]
    return data, int(count)


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
    now: datetime | None = None,
) -> str:
    rows, _ = registry_rows(
        session, q=q, data_element=data_element, template=template, limit=CSV_LIMIT, offset=0, now=now
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
            ]
        )
    return out.getvalue()
