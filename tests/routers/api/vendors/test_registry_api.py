"""/api/v1/registry/dpas (JSON, paginated) and its CSV twin: public, no personal data."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import DpaStatus, DpaTemplate
from tests.routers.api.vendors.test_vendors_api import PROBLEM
from tests.support.vendors import make_contact, make_dpa, make_vendor

SECRETS = ("Sig Natory", "VP Legal", "District Person", "hidden@vendor.example.com")


@pytest.fixture
def listed(db: Session, frozen_clock: datetime) -> None:
    for i, name in enumerate(
        ["Alder Art", "Basil Biology", "Clover Chemistry", "Daisy Dance", "Elder English"]
    ):
        vendor = make_vendor(db, name=name, website=f"https://{name.split()[0].lower()}.example.com")
        make_contact(db, vendor, email="hidden@vendor.example.com")
        make_dpa(
            db,
            vendor,
            status=DpaStatus.executed,
            template=DpaTemplate.ndpa_standard if i % 2 else DpaTemplate.mspa,
            data_elements=["student_name", "health"] if i == 4 else ["student_name"],
            products=f"{name} suite",
            vendor_signatory_name="Sig Natory",
            vendor_signatory_title="VP Legal",
            district_signatory="District Person",
        )
    make_dpa(db, make_vendor(db, name="Draft Only"), status=DpaStatus.sent)


@pytest.mark.usefixtures("listed")
def test_json_is_public_paginated_and_free_of_personal_data(client: TestClient) -> None:
    r = client.get("/api/v1/registry/dpas", params={"limit": 2})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["count"] == 5 and [row["vendor_name"] for row in body["data"]] == [
        "Alder Art",
        "Basil Biology",
    ]
    page3 = client.get("/api/v1/registry/dpas", params={"limit": 2, "offset": 4}).json()
    assert [row["vendor_name"] for row in page3["data"]] == ["Elder English"] and page3["count"] == 5
    assert set(body["data"][0]) == {
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
    everything = client.get("/api/v1/registry/dpas", params={"limit": 200}).text
    for secret in SECRETS:
        assert secret not in everything
    assert "Draft Only" not in everything


@pytest.mark.usefixtures("listed")
def test_filters(client: TestClient) -> None:
    def names(**params: str) -> list[str]:
        return [
            row["vendor_name"] for row in client.get("/api/v1/registry/dpas", params=params).json()["data"]
        ]

    assert names(q="clover") == ["Clover Chemistry"]
    assert names(q="suite") == [
        "Alder Art",
        "Basil Biology",
        "Clover Chemistry",
        "Daisy Dance",
        "Elder English",
    ]
    assert names(template="ndpa_standard") == ["Basil Biology", "Daisy Dance"]
    assert names(data_element="health") == ["Elder English"]
    assert names(q="", template="", data_element="") == names()


@pytest.mark.parametrize(
    "params",
    [{"template": "handshake"}, {"data_element": "ssn"}, {"limit": "0"}, {"limit": "1000"}, {"offset": "-3"}],
)
def test_bad_filters_are_422(client: TestClient, params: dict[str, str]) -> None:
    r = client.get("/api/v1/registry/dpas", params=params)
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    csv_status = 422 if {"template", "data_element"} & set(params) else 200  # the CSV has no pages
    assert client.get("/api/v1/registry/dpas.csv", params=params).status_code == csv_status


@pytest.mark.usefixtures("listed")
def test_csv_twin(client: TestClient) -> None:
    r = client.get("/api/v1/registry/dpas.csv", params={"template": "mspa"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="dpa-registry.csv"'
    assert r.headers["x-content-type-options"] == "nosniff"
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:3] == ["vendor", "website", "products"]
    assert [row[0] for row in rows[1:]] == ["Alder Art", "Clover Chemistry", "Elder English"]
    assert rows[3][5] == "Student name; Health information"
    for secret in SECRETS:
        assert secret not in r.text
    assert client.get("/api/v1/registry/dpas.csv", params={"template": "nope"}).status_code == 422


def test_empty_registry(client: TestClient) -> None:
    assert client.get("/api/v1/registry/dpas").json() == {"data": [], "count": 0}
    assert client.get("/api/v1/registry/dpas.csv").text.splitlines() == [
        "vendor,website,products,template,adoption,data_elements,effective_on,expires_on,"
        "status,signed_agreement,signed_agreement_withheld"
    ]
