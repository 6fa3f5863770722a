"""Incident pages: any employee reports and follows it; the team works it through plain forms."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, select

from app.models import AuditEvent, Employee, Incident, Role
from app.services.incidents import queries
from tests.support.auth import sign_in_as
from tests.support.factories import make_employee

XSS = "<script>alert(1)</script>"


def _png() -> bytes:
    """A real (decodable) PNG: uploads are decoded and re-encoded with Pillow."""
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


PNG = _png()


def _report(client: TestClient, **extra: str) -> object:
    data = {
        "title": "Lost USB stick",
        "description": XSS,
        "discovered_at": "2026-01-05T09:30",
        "student_data": "on",
        **extra,
    }
    return client.post("/staff/incidents/new", data=data, follow_redirects=False)


def test_any_employee_reports_and_sees_their_own_view_without_notes(client: TestClient, db: Session) -> None:
    reporter = make_employee(db)
    sign_in_as(client, db, reporter)
    page = client.get("/staff/incidents/new")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    sent = _report(client)
    assert sent.status_code == 303
    incident = db.exec(select(Incident)).one()
    assert sent.headers["location"] == f"/staff/incidents/{incident.id}/mine"
    team = make_employee(db, roles=[Role.privacy_team])
    other = TestClient(client.app, base_url="http://testserver")
    sign_in_as(other, db, team)
    assert (
        other.post(
            f"/staff/incidents/{incident.id}/note", data={"body": "Internal only"}, follow_redirects=False
        ).status_code
        == 303
    )
    mine = client.get(f"/staff/incidents/{incident.id}/mine")
    assert mine.status_code == 200 and incident.reference in mine.text
    assert "Internal only" not in mine.text and XSS not in mine.text
    assert client.get("/staff/incidents").status_code == 403
    assert client.get(f"/staff/incidents/{incident.id}").status_code == 403
    stranger = make_employee(db)
    sign_in_as(client, db, stranger)
    assert client.get(f"/staff/incidents/{incident.id}/mine").status_code == 404


def test_a_bad_report_is_shown_again_with_values_and_messages(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db))
    bad = _report(client, title="", discovered_at="2999-01-01T00:00")
    assert bad.status_code == 422 and XSS not in bad.text and "&lt;script&gt;" in bad.text
    future = _report(client, discovered_at="2999-01-01T00:00")
    assert future.status_code == 422 and "cannot be in the future" in future.text
    fake = client.post(
        "/staff/incidents/new",
        data={"title": "t", "description": "d", "discovered_at": "2026-01-05T09:30"},
        files={"attachments": ("x.pdf", b"not a pdf", "application/pdf")},
    )
    assert fake.status_code == 422 and "whatever its name says" in fake.text
    assert db.exec(select(Incident)).first() is None


def test_the_team_lists_filters_works_and_exports(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    _report(client, title="Card numbers on a shared drive")
    incident = db.exec(select(Incident)).one()
    listing = client.get("/staff/incidents?open=true")
    assert listing.status_code == 200 and incident.reference in listing.text
    fragment = client.get("/staff/incidents?status=closed", headers={"HX-Request": "true"})
    assert (
        "<html" not in fragment.text
        and "No incidents" in fragment.text
        and "HX-Request" in fragment.headers["vary"]
    )
    assert client.get("/staff/incidents?status=bogus").status_code == 422
    here = f"/staff/incidents/{incident.id}"
    assert (
        client.post(f"{here}/transition", data={"to": "contained"}, follow_redirects=False).status_code == 303
    )
    assert db.get(Incident, incident.id).status.value == "reported"  # refused with a flash, nothing changed
    assert client.post(f"{here}/transition", data={"to": "triage"}, follow_redirects=False).status_code == 303
    bad = client.post(f"{here}/assessment", data={"people_affected": "many"})
    assert bad.status_code == 422
    ok = client.post(
        f"{here}/assessment",
        data={
            "elements": ["financial_account"],
            "name_involved": "on",
            "acquired_or_used": "on",
            "people_affected": "3",
            "ma_residents_affected": "3",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    page = client.get(here)
    assert "Notice is required under 93H" in page.text and "Record the team's decision" in page.text
    csv = client.get("/staff/incidents.csv")
    assert csv.status_code == 200 and incident.reference in csv.text
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "incident.export")).first() is not None


def test_a_vendor_reports_under_its_own_agreement(client: TestClient, db: Session) -> None:
    from app.models import Dpa, DpaTemplate
    from tests.support.factories import make_vendor_contact
    from tests.support.links import sign_in_client

    contact = make_vendor_contact(db)
    stranger = make_vendor_contact(db)
    ours = Dpa(vendor_id=contact.vendor_id, template=DpaTemplate.mspa, breach_notice_hours=72)
    theirs = Dpa(vendor_id=stranger.vendor_id, template=DpaTemplate.mspa)
    db.add_all([ours, theirs])
    db.flush()
    sign_in_client(client, db, contact=contact)
    assert "Report a security incident" in client.get("/vendor").text
    form = client.get("/vendor/incidents/new")
    assert form.status_code == 200 and str(ours.id) in form.text and str(theirs.id) not in form.text
    data = {"title": "Exposed bucket", "description": "d", "discovered_at": "2026-01-05T09:30"}
    refused = client.post("/vendor/incidents/new", data={**data, "dpa_id": str(theirs.id)})
    assert refused.status_code == 422 and "Choose one of your agreements" in refused.text
    sent = client.post("/vendor/incidents/new", data={**data, "dpa_id": str(ours.id)}, follow_redirects=False)
    assert sent.status_code == 303
    incident = db.exec(select(Incident)).one()
    assert incident.vendor_id == contact.vendor_id and incident.dpa_id == ours.id
    assert client.get(sent.headers["location"]).status_code == 200


def test_dashboard_shows_incident_figures_to_the_team_only(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db))
    page = client.get("/staff")
    assert "Report an incident" in page.text and "Open incidents by status" not in page.text
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    assert "Open incidents by status" in client.get("/staff").text


def test_attachments_are_listed_and_downloaded_by_the_team_only(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db))
    data = {"title": "Screenshot of the page", "description": "d", "discovered_at": "2026-01-05T09:30"}
    sent = client.post(
        "/staff/incidents/new",
        data=data,
        files={"attachments": ("shot.png", PNG, "image/png")},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    incident = db.exec(select(Incident)).one()
    (document,) = queries.attachments_of(db, incident)
    url = f"/staff/incidents/{incident.id}/files/{document.id}"
    assert client.get(url).status_code == 403
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    assert "shot.png" in client.get(f"/staff/incidents/{incident.id}").text
    got = client.get(url)
    assert (
        got.status_code == 200
        and got.content == PNG
        and got.headers["content-disposition"].startswith("attachment")
    )
    assert client.get(f"/staff/incidents/{incident.id}/files/{incident.id}").status_code == 404
    assert (
        db.exec(select(AuditEvent).where(AuditEvent.action == "incident.attachment_download")).first()
        is not None
    )


def test_recipients_on_the_page_csv_upload_mail_merge_and_email_run(client: TestClient, db: Session) -> None:
    from app.actors import Actor
    from app.models.schemas.incidents import AssessmentIn, DecisionIn, IncidentReport, IncidentTransition
    from app.services.incidents import assessment, lifecycle, reporting
    from app.services.incidents.breach_rules import Element

    team = make_employee(db, roles=[Role.privacy_team])
    actor = Actor(type="staff", id=str(team.id), label=team.email, roles=frozenset(team.roles))
    from app import clock

    now = clock.now()
    incident = reporting.report_incident(
        db, data=IncidentReport(title="t", description="d", discovered_at=now), actor=actor, now=now
    )
    for to in ("triage", "investigating", "contained"):
        lifecycle.transition(
            db, incident_id=incident.id, data=IncidentTransition(to=to), actor=actor, now=now
        )
    facts = AssessmentIn(
        elements=[Element.ssn], name_involved=True, people_affected=2, ma_residents_affected=2
    )
    assessment.save_assessment(db, incident_id=incident.id, data=facts, actor=actor, now=now)
    assessment.decide(
        db, incident_id=incident.id, data=DecisionIn(notice_required=True), actor=actor, now=now
    )
    sign_in_as(client, db, team)
    here = f"/staff/incidents/{incident.id}"
    bad = client.post(
        f"{here}/recipients.csv",
        files={"file": ("p.csv", b"name,email\nA,nope\n", "text/csv")},
        follow_redirects=False,
    )
    assert bad.status_code == 303 and "line 2" in client.get(here).text
    ok = client.post(
        f"{here}/recipients.csv",
        files={"file": ("p.csv", b"name,email,language\nAna,ana@example.net,pt\n", "text/csv")},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    page = client.get(here)
    assert "1 in Portuguese" in page.text
    unknown = client.post(f"{here}/students", data={"sis_ids": "S-NOPE"})
    assert unknown.status_code == 422 and "S-NOPE" in unknown.text
    merge = client.get(f"{here}/recipients.csv")
    assert merge.status_code == 200 and "Ana" in merge.text and incident.reference in merge.text


def test_bad_actions_are_messages_never_500(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    _report(client)
    here = f"/staff/incidents/{db.exec(select(Incident)).one().id}"
    assert client.post(f"{here}/transition", data={"to": "triage"}, follow_redirects=False).status_code == 303
    bogus = client.post(f"{here}/transition", data={"to": "bogus"})
    assert bogus.status_code == 422 and "That was not saved" in bogus.text
    no_reason = client.post(f"{here}/transition", data={"to": "closed"})
    assert no_reason.status_code == 422 and "Say why this is not an incident" in no_reason.text
    assert client.post(f"{here}/nonsense", data={}).status_code == 404
    assert client.post("/staff/incidents/not-a-uuid/note", data={"body": "x"}).status_code == 404
    too_many = client.post(f"{here}/assessment", data={"people_affected": "1", "ma_residents_affected": "5"})
    assert too_many.status_code == 422 and "cannot be more than the people affected" in too_many.text
    control = client.post(
        f"{here}/review",
        data={"action_text": ["a\u2028b"], "action_owner": ["x"], "action_due_on": ["2026-01-01"]},
    )
    assert control.status_code == 422 and "control characters" in control.text


def test_the_team_adds_a_file_checked_like_every_upload(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    _report(client)
    incident = db.exec(select(Incident)).one()
    here = f"/staff/incidents/{incident.id}/files"
    fake = client.post(
        here, files={"file": ("a.pdf", b"%PDF-1.4 not really", "application/pdf")}, follow_redirects=False
    )
    assert fake.status_code == 303 and queries.attachments_of(db, incident) == []
    ok = client.post(here, files={"file": ("shot.png", PNG, "image/png")}, follow_redirects=False)
    assert ok.status_code == 303 and len(queries.attachments_of(db, incident)) == 1
    assert "File added: shot.png" in client.get(f"/staff/incidents/{incident.id}").text


def test_the_list_pages_through_many_incidents(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    for n in range(27):
        _report(client, title=f"Incident number {n}")
    first = client.get("/staff/incidents?open=true")
    assert "Page 1 of 2" in first.text and "page=2" in first.text
    second = client.get("/staff/incidents?open=true&page=2", headers={"HX-Request": "true"})
    assert second.status_code == 200 and "Page 2 of 2" in second.text and second.text.count("<tr>") == 3
    assert client.get("/staff/incidents?page=abc").status_code == 200


def test_every_demo_incident_page_renders(client: TestClient, db: Session) -> None:
    from app.demo import load_demo

    load_demo(db)
    team = db.exec(select(Employee).where(Employee.email == "team@riverbend.example.org")).one()
    sign_in_as(client, db, team)
    listing = client.get("/staff/incidents")
    assert listing.status_code == 200 and "Overdue" in listing.text and "Due soon" in listing.text
    for incident in db.exec(select(Incident)).all():
        page = client.get(f"/staff/incidents/{incident.id}")
        assert page.status_code == 200, incident.status
        if incident.reporter_type.value == "vendor":
            assert "Vendor&#39;s report" in page.text or "Vendor's report" in page.text
    assert "Open incidents by status" in client.get("/staff").text


def test_a_vendor_contact_reports_in_their_own_language(client: TestClient, db: Session) -> None:
    """The portal's incident pages follow the contact's language (issue 18); the team's stay English."""
    from app.models import Dpa, DpaTemplate
    from tests.support.factories import make_vendor_contact
    from tests.support.links import sign_in_client

    contact = make_vendor_contact(db)
    contact.preferred_language = "es"
    dpa = Dpa(vendor_id=contact.vendor_id, template=DpaTemplate.mspa, breach_notice_hours=72)
    db.add_all([contact, dpa])
    db.flush()
    sign_in_client(client, db, contact=contact)
    form = client.get("/vendor/incidents/new")
    assert '<html lang="es">' in form.text
    assert "¿A qué acuerdo se refiere?" in form.text and "Enviar el informe" in form.text
    assert "Which agreement is this about?" not in form.text
    empty = client.post("/vendor/incidents/new", data={"dpa_id": str(dpa.id)})
    assert empty.status_code == 422 and "Hay un problema" in empty.text
    data = {"title": "Bucket", "description": "d", "discovered_at": "2026-01-05T09:30", "dpa_id": str(dpa.id)}
    sent = client.post("/vendor/incidents/new", data=data)
    assert sent.status_code == 200 and "Gracias. Su informe se envió" in sent.text
    assert "Informado" in sent.text and "Qué ha pasado desde entonces" in sent.text
    sign_in_as(client, db, make_employee(db))
    staff_form = client.get("/staff/incidents/new", headers={"Accept-Language": "es"})
    assert '<html lang="en">' in staff_form.text and "Which systems, devices or vendor" in staff_form.text
