"""/registry: the public list of executed agreements, searchable, with htmx, free of personal data."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import DpaStatus, DpaTemplate
from tests.support.vendors import XSS, make_contact, make_dpa, make_vendor

ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def listed(db: Session, frozen_clock: datetime) -> None:
    maple = make_vendor(db, name="Maple Music", website="https://maple.example.com")
    make_contact(db, maple, email="private-person@maple.example.com")
    make_dpa(
        db,
        maple,
        status=DpaStatus.executed,
        products="Maple Composer",
        data_elements=["student_name", "photo_video"],
        vendor_signatory_name="Private Signer",
        district_signatory="Private District Signer",
    )
    make_dpa(
        db, make_vendor(db, name="Nettle News"), status=DpaStatus.executed, template=DpaTemplate.ndpa_standard
    )
    make_dpa(
        db,
        make_vendor(db, name="Copy Withheld"),
        status=DpaStatus.executed,
        document_withheld_reason="Confidential pricing schedule.",
    )
    make_dpa(db, make_vendor(db, name="Still Signing"), status=DpaStatus.vendor_signed)


@pytest.mark.usefixtures("listed")
def test_anyone_reads_the_registry(client: TestClient) -> None:
    r = client.get("/registry")
    assert r.status_code == 200 and r.headers["vary"] == "HX-Request, Accept-Language, Cookie"
    assert 'name="viewport"' in r.text  # readable on a phone
    assert "Maple Music" in r.text and "Nettle News" in r.text and "Maple Composer" in r.text
    assert "Photos, video or voice" in r.text
    assert "Still Signing" not in r.text
    # Withholding the signed copy never hides the agreement (DPP §VI); the reason is shown.
    assert "Copy Withheld" in r.text and "Withheld by the district: Confidential pricing schedule." in r.text
    for secret in ("private-person@maple.example.com", "Private Signer", "Private District Signer"):
        assert secret not in r.text
    assert 'href="/api/v1/registry/dpas.csv"' in r.text


@pytest.mark.usefixtures("listed")
def test_filters_with_htmx(client: TestClient) -> None:
    r = client.get("/registry", params={"q": "composer"}, headers=HTMX)
    assert r.status_code == 200 and "<html" not in r.text
    assert r.text.lstrip().startswith('<section id="registry-results"')
    assert "Maple Music" in r.text and "Nettle News" not in r.text
    assert 'href="/api/v1/registry/dpas.csv?q=composer"' in r.text
    r = client.get("/registry", params={"template": "ndpa_standard"}, headers=HTMX)
    assert "Nettle News" in r.text and "Maple Music" not in r.text
    r = client.get("/registry", params={"data_element": "photo_video"})
    assert "Maple Music" in r.text and "Nettle News" not in r.text and "<html" in r.text
    assert "No agreement matches." in client.get("/registry", params={"q": "zzz"}, headers=HTMX).text


def test_bad_filters_show_a_message(client: TestClient) -> None:
    r = client.get("/registry", params={"template": "handshake"})
    assert r.status_code == 422 and "Unknown template." in r.text and 'aria-invalid="true"' in r.text
    r = client.get("/registry", params={"data_element": "ssn"})
    assert r.status_code == 422 and "Unknown data element." in r.text
    assert client.get("/registry", params={"page": "x"}).status_code == 200


def test_pages(client: TestClient, db: Session, frozen_clock: datetime) -> None:
    for i in range(22):
        make_dpa(db, make_vendor(db, name=f"Registry Vendor {i:02d}"), status=DpaStatus.executed)
    first = client.get("/registry")
    assert (
        "Page 1 of 2" in first.text
        and "Registry Vendor 19" in first.text
        and "Registry Vendor 20" not in first.text
    )
    second = client.get("/registry", params={"page": "2"}, headers=HTMX)
    assert "Registry Vendor 21" in second.text and "Registry Vendor 00" not in second.text


def test_xss_in_vendor_and_product_names_is_escaped(
    client: TestClient, db: Session, frozen_clock: datetime
) -> None:
    make_dpa(
        db,
        make_vendor(db, name=XSS, website="https://xss.example.com"),
        status=DpaStatus.executed,
        products=XSS,
    )
    r = client.get("/registry")
    assert ESCAPED in r.text and "<script>alert" not in r.text
    r = client.get("/registry", params={"q": XSS})
    assert r.status_code == 200 and "<script>alert" not in r.text
