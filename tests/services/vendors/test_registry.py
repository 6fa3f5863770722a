"""The public registry: every executed agreement in force (expired and terminated ones by status);
search, filters, pages, CSV; no personal data ever."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session

from app.errors import ValidationFailed
from app.models import DpaAdoption, DpaStatus, DpaTemplate, Vendor
from app.models.schemas.vendors.agreements import RegistryStatus
from app.services.vendors import registry
from tests.support.vendors import TODAY, make_contact, make_dpa, make_vendor


def _listed(db: Session, vendor: Vendor, **fields: object) -> None:
    make_dpa(
        db,
        vendor,
        status=DpaStatus.executed,
        vendor_signatory_name="Secret Signer",
        vendor_signatory_title="Chief Privacy Officer",
        district_signatory="Dr. District Signatory",
        **fields,
    )


def test_only_executed_agreements_in_force(db: Session, frozen_clock: datetime) -> None:
    shown = make_vendor(db, name="Aspen Audio", website="https://aspen.example.com")
    _listed(db, shown, products="Podcast studio", expires_on=TODAY)  # last day: still listed
    other = make_vendor(db, name="Other Vendor")
    _listed(db, other, expires_on=TODAY - timedelta(days=1))  # not yet swept by the job: expired
    for status in (
        DpaStatus.draft,
        DpaStatus.sent,
        DpaStatus.vendor_signed,
        DpaStatus.declined,
        DpaStatus.expired,
        DpaStatus.terminated,
    ):
        make_dpa(db, other, status=status)
    rows, count = registry.registry_rows(db)
    assert count == 1
    [row] = rows
    assert (row.vendor_name, row.vendor_website, row.products, row.expires_on, row.status) == (
        "Aspen Audio",
        "https://aspen.example.com",
        "Podcast studio",
        TODAY,
        RegistryStatus.current,
    )


def test_an_agreement_whose_copy_is_withheld_is_still_listed(db: Session, frozen_clock: datetime) -> None:
    # DPP §VI: "a current list of executed vendor DPAs". Withholding hides the copy, not the entry.
    vendor = make_vendor(db, name="Quiet Quizzes")
    _listed(db, vendor, document_withheld_reason="Pricing schedule is confidential.")
    [row], count = registry.registry_rows(db)
    assert count == 1 and row.vendor_name == "Quiet Quizzes"
    assert row.document_url is None and row.document_withheld_reason == "Pricing schedule is confidential."


def test_expired_and_terminated_agreements_are_listed_by_status(db: Session, frozen_clock: datetime) -> None:
    vendor = make_vendor(db, name="Willow Writing")
    _listed(db, vendor, products="in force")
    _listed(db, vendor, products="past its date", expires_on=TODAY - timedelta(days=1))
    make_dpa(db, vendor, status=DpaStatus.expired, products="swept", expires_on=TODAY - timedelta(days=40))
    ended = make_dpa(db, vendor, status=DpaStatus.terminated, products="ended")
    ended.terminated_at = frozen_clock - timedelta(days=3)
    make_dpa(db, vendor, status=DpaStatus.declined, products="declined")

    def products(status: RegistryStatus) -> list[str | None]:
        rows, _ = registry.registry_rows(db, status=status)
        return sorted(r.products or "" for r in rows)

    assert products(RegistryStatus.current) == ["in force"]
    assert products(RegistryStatus.expired) == ["past its date", "swept"]
    assert products(RegistryStatus.terminated) == ["ended"]
    [row], _ = registry.registry_rows(db, status=RegistryStatus.terminated)
    assert (
        row.status == RegistryStatus.terminated and row.ended_on == (frozen_clock - timedelta(days=3)).date()
    )


def test_search_filters_and_pages(db: Session, frozen_clock: datetime) -> None:
    _listed(db, make_vendor(db, name="Birch Books"), products="E-reader", data_elements=["student_name"])
    _listed(
        db,
        make_vendor(db, name="Cobalt Coding"),
        products="Birch-themed block coding",
        template=DpaTemplate.ndpa_standard,
        data_elements=["student_work", "student_name"],
    )
    _listed(
        db,
        make_vendor(db, name="Dune Drama"),
        data_elements=["photo_video"],
        adoption=DpaAdoption.subscribing,
        originating_district="Lakeview",
    )

    def names(**filters: object) -> list[str]:
        rows, _ = registry.registry_rows(db, **filters)  # type: ignore[arg-type]
        return [r.vendor_name for r in rows]

    assert names() == ["Birch Books", "Cobalt Coding", "Dune Drama"]
    assert names(q="birch") == ["Birch Books", "Cobalt Coding"]  # vendor or product
    assert names(q="%") == []
    assert names(data_element="student_name") == ["Birch Books", "Cobalt Coding"]
    assert names(template=DpaTemplate.ndpa_standard) == ["Cobalt Coding"]
    rows, count = registry.registry_rows(db, limit=2, offset=2)
    assert [r.vendor_name for r in rows] == ["Dune Drama"] and count == 3
    with pytest.raises(ValidationFailed):
        registry.registry_rows(db, data_element="social_security_number")


def test_the_csv_has_the_same_rows_defused_and_no_personal_data(db: Session, frozen_clock: datetime) -> None:
    vendor = make_vendor(db, name='=HYPERLINK("http://evil")', website="https://evil.example.com")
    make_contact(db, vendor, email="person@evil.example.com")
    _listed(db, vendor, products="+cmd|' /C calc'!A0", data_elements=["student_name", "grade"])
    _listed(db, make_vendor(db, name="Elm Essays"), effective_on=TODAY - timedelta(days=10))
    text = registry.registry_csv(db)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == registry.CSV_COLUMNS
    assert [r[0] for r in rows[1:]] == ['\'=HYPERLINK("http://evil")', "Elm Essays"]
    assert rows[1][2] == "'+cmd|' /C calc'!A0"
    assert rows[1][5] == "Student name; Grade level"
    assert rows[2][6] == (TODAY - timedelta(days=10)).isoformat()
    for secret in (
        "Secret Signer",
        "Chief Privacy Officer",
        "Dr. District Signatory",
        "person@evil.example.com",
    ):
        assert secret not in text
    json_rows, _ = registry.registry_rows(db)
    dumped = "".join(r.model_dump_json() for r in json_rows)
    for secret in ("Secret Signer", "Dr. District Signatory", "person@evil.example.com", "owner"):
        assert secret not in dumped
    assert set(json_rows[0].model_dump()) == {
        "vendor_name",
        "vendor_website",
        "products",
        "template",
        "adoption",
        "data_elements",
        "effective_on",
        "expires_on",
        "ended_on",
        "id",
        "vendor_id",
        "status",
        "document_url",
        "document_withheld_reason",
    }
