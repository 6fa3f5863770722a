"""A crafted or scripted PDF sent to the API is a 422 problem, never a 500, and nothing is stored."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role
from tests.routers.api.vendors.test_vendors_api import PROBLEM
from tests.services.platform.test_upload_checks import CRAFTED, SCRIPTED
from tests.support.auth import sign_in_as
from tests.support.factories import make_employee
from tests.support.vendors import make_dpa, make_vendor


@pytest.mark.parametrize("name", [*SCRIPTED, *CRAFTED])
def test_refused_pdfs_are_422_problems(client: TestClient, db: Session, name: str) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    dpa = make_dpa(db, make_vendor(db, contact_email="c@v.example.com"))
    data = {**SCRIPTED, **CRAFTED}[name]
    r = client.put(f"/api/v1/dpas/{dpa.id}/blank", files={"file": ("blank.pdf", data, "application/pdf")})
    assert r.status_code == 422, (name, r.status_code, r.text[:200])
    assert r.headers["content-type"] == PROBLEM
    assert "This file is not acceptable." in r.text or "not a PDF, whatever its name says" in r.text
    db.refresh(dpa)
    assert dpa.blank_document_id is None
