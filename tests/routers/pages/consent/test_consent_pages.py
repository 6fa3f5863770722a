"""Consent pages: the guardian answers (confirmed first), the team works the request."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import AuditEvent, Guardianship, Role
from app.models.consent import ConsentAnswer, ConsentResponse, ConsentStatus
from app.services.vendors.rules import local_today
from tests.support.auth import sign_in_as
from tests.support.consent import consent_vendor, family, open_request, team_member
from tests.support.factories import make_employee, make_guardian
from tests.support.links import csrf_from, sign_in_client
from tests.support.vendors import pdf_bytes


def test_a_guardian_refuses_after_reading_what_it_means(client: TestClient, db: Session) -> None:
    _, team = team_member(db)
    vendor = consent_vendor(db, team, name="Moonbeam Video Studio")
    fam = family(db)
    request = open_request(db, vendor, team)
    sign_in_client(client, db, guardian=fam.guardians[0])
    page = client.get(f"/family/consent/{request.reference}")
    assert page.status_code == 200 and "Moonbeam Video Studio" in page.text
    assert page.headers["cache-control"] == "no-store"
    confirm = client.get(
        f"/family/consent/{request.reference}/children/{fam.student.id}/confirm", params={"answer": "refused"}
    )
    assert confirm.status_code == 200 and "will not receive" in confirm.text
    done = client.post(
        f"/family/consent/{request.reference}/children/{fam.student.id}",
        data={"answer": "refused", "csrf_token": csrf_from(confirm.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    response = db.exec(select(ConsentResponse).where(ConsentResponse.request_id == request.id)).one()
    assert response.status == ConsentStatus.refused
    child = client.get(f"/family/children/{fam.student.id}")
    assert "Moonbeam Video Studio" in child.text and "Refused" in child.text
    policy = client.get(f"/family/consent/{request.reference}/policy")
    assert policy.status_code == 200 and policy.headers["content-disposition"].startswith("attachment")
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "consent.policy_downloaded")).first()


def test_another_family_cannot_see_or_answer(client: TestClient, db: Session) -> None:
    _, team = team_member(db)
    vendor = consent_vendor(db, team)
    fam, stranger = family(db), family(db, grade="8")
    request = open_request(db, vendor, team)
    sign_in_client(client, db, guardian=stranger.guardians[0])
    assert client.get(f"/family/consent/{request.reference}").status_code == 404
    home = client.get("/family")
    posted = client.post(
        f"/family/consent/{request.reference}/children/{fam.student.id}",
        data={"answer": "granted", "csrf_token": csrf_from(home.text)},
    )
    assert posted.status_code == 404
    assert db.exec(select(ConsentResponse)).one().status == ConsentStatus.pending


def test_the_team_drafts_opens_and_records_a_paper_answer(client: TestClient, db: Session) -> None:
    employee = make_employee(db, roles=[Role.privacy_team])
    _, team = team_member(db)
    vendor = consent_vendor(db, team, name="Snapdragon Social Stories")
    fam = family(db, languages=("pt",))
    sign_in_as(client, db, employee)
    form = client.get("/staff/consent/new")
    assert form.status_code == 200 and "Snapdragon Social Stories" in form.text
    token = csrf_from(form.text)
    bad = client.post("/staff/consent", data={"csrf_token": token, "vendor_id": str(vendor.id)})
    assert bad.status_code == 422 and "Error:" in bad.text and 'aria-invalid="true"' in bad.text
    created = client.post(
        "/staff/consent",
        data={
            "csrf_token": token,
            "vendor_id": str(vendor.id),
            "purpose": "Picture stories.",
            "data_elements": ["student_name"],
            "schools": ["Lincoln Middle School"],
            "grades": ["7"],
            "due_on": (local_today() + timedelta(days=14)).isoformat(),
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    detail_url = created.headers["location"]
    opened = client.post(f"{detail_url}/open", data={"csrf_token": token})
    assert opened.status_code == 200 and "is open" in opened.text
    page = client.get(detail_url)
    assert fam.student.last_name in page.text and "1 of 1" not in page.text
    response = db.exec(select(ConsentResponse)).one()
    paper = client.get(f"{detail_url}/responses/{response.id}/paper-form")
    assert (
        paper.status_code == 200 and 'lang="pt"' in paper.text and "Precisamos da sua permissão" in paper.text
    )
    recorded = client.post(
        f"{detail_url}/responses/{response.id}/answers",
        data={
            "csrf_token": token,
            "guardian_id": str(fam.guardians[0].id),
            "answer": "granted",
            "route": "paper",
            "received_on": local_today().isoformat(),
        },
    )
    assert recorded.status_code == 200 and "The answer is recorded." in recorded.text
    # a second guardian's paper refusal, with the scanned form: stored, listed, downloadable, audited
    second = make_guardian(db, first_name="Ana", preferred_language="pt")
    db.add(Guardianship(student_id=fam.student.id, guardian_id=second.id))
    db.flush()
    scanned = client.post(
        f"{detail_url}/responses/{response.id}/answers",
        data={
            "csrf_token": token,
            "guardian_id": str(second.id),
            "answer": "refused",
            "route": "paper",
            "received_on": local_today().isoformat(),
        },
        files={"scan": ("form.pdf", pdf_bytes(), "application/pdf")},
    )
    assert scanned.status_code == 200 and "the scanned form" in scanned.text
    answer = db.exec(select(ConsentAnswer).where(ConsentAnswer.guardian_id == second.id)).one()
    assert answer.document_id is not None
    scan = client.get(f"{detail_url}/responses/{response.id}/scans/{answer.document_id}")
    assert scan.status_code == 200 and scan.headers["content-disposition"].startswith("attachment")
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "consent.scan_downloaded")).first()
    fake = client.post(
        f"{detail_url}/responses/{response.id}/answers",
        data={
            "csrf_token": token,
            "guardian_id": str(second.id),
            "answer": "granted",
            "route": "paper",
            "received_on": local_today().isoformat(),
        },
        files={"scan": ("form.pdf", b"%PDF-1.4 not a pdf", "application/pdf")},
    )
    assert fake.status_code == 422  # the upload is checked like every other, and nothing is recorded
    assert db.get(ConsentResponse, response.id).status == ConsentStatus.refused  # type: ignore[union-attr]
    csv = client.get(f"{detail_url}/export.csv")
    # any refusal holds
    assert csv.status_code == 200 and fam.student.sis_id in csv.text and "refused" in csv.text
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "consent.exported")).first()


def test_an_auditor_reads_but_cannot_change(client: TestClient, db: Session) -> None:
    _, team = team_member(db)
    vendor = consent_vendor(db, team)
    family(db)
    request = open_request(db, vendor, team)
    sign_in_as(client, db, make_employee(db, roles=[Role.auditor]))
    page = client.get(f"/staff/consent/{request.id}")
    assert page.status_code == 200
    closed = client.post(f"/staff/consent/{request.id}/close", data={"csrf_token": csrf_from(page.text)})
    assert closed.status_code == 403
