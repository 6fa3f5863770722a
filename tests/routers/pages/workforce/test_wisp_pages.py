"""The WISP pages: the banner, reading and signing, certifying training, the team's pages, and
who may do what (staff, team, administrator, auditor)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import clock
from app.models import AuditEvent, Role, WispAcknowledgment, WispVersion
from app.services.workforce import training
from tests.support.auth import sign_in_as
from tests.support.pdfs import build_pdf
from tests.support.wisp import NOW, hired, team, version

BANNER = "Read and sign the WISP"


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    clock.freeze(NOW)
    yield
    clock.unfreeze()


def _teacher(db: Session, name: str = "José Álvarez") -> object:
    return hired(db, date(2020, 1, 1), name=name, roles=[Role.staff], department="Maple")


def test_the_banner_shows_until_the_teacher_signs(client: TestClient, db: Session) -> None:
    teacher = _teacher(db)
    v = version(db, team(db), effective_on=date(2026, 10, 1))
    sign_in_as(client, db, teacher)  # type: ignore[arg-type]
    home = client.get("/staff")
    assert BANNER in home.text and "usa-alert--warning" in home.text and "31 October 2026" in home.text
    page = client.get("/staff/wisp")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert f"/staff/wisp/versions/{v.id}/document" in page.text and BANNER not in page.text
    pdf = client.get(f"/staff/wisp/versions/{v.id}/document")
    assert pdf.status_code == 200 and pdf.content == build_pdf()
    wrong = client.post(
        "/staff/wisp/sign", data={"version_id": str(v.id), "typed_name": "Joe Alvarez", "agreed": "yes"}
    )
    assert wrong.status_code == 422 and "as it is on your account" in wrong.text
    unticked = client.post("/staff/wisp/sign", data={"version_id": str(v.id), "typed_name": "jose alvarez"})
    assert unticked.status_code == 422 and "Tick the statement" in unticked.text
    ok = client.post(
        "/staff/wisp/sign",
        data={"version_id": str(v.id), "typed_name": "JOSE ALVAREZ", "agreed": "yes"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    row = db.exec(select(WispAcknowledgment).where(WispAcknowledgment.employee_id == teacher.id)).one()  # type: ignore[attr-defined]
    assert (
        row.typed_name == "JOSE ALVAREZ" and row.session_id is not None and row.client_address == "testclient"
    )
    assert BANNER not in client.get("/staff").text
    again = client.post(
        "/staff/wisp/sign",
        data={"version_id": str(v.id), "typed_name": "José Álvarez", "agreed": "yes"},
        follow_redirects=False,
    )
    assert again.status_code == 303  # already signed: said in a flash, nothing changes


def test_no_banner_without_a_version_or_before_mfa(client: TestClient, db: Session) -> None:
    teacher = _teacher(db)
    sign_in_as(client, db, teacher)  # type: ignore[arg-type]
    assert BANNER not in client.get("/staff").text
    version(db, team(db), effective_on=date(2026, 10, 1))
    sign_in_as(client, db, teacher, mfa_passed=False)  # type: ignore[arg-type]
    assert BANNER not in client.get("/staff/mfa").text


def test_the_teacher_certifies_training(client: TestClient, db: Session) -> None:
    teacher = _teacher(db, "Ann Able")
    campaign = training.create_campaign(
        db,
        actor=team(db),
        form=training.CampaignInput(
            school_year="2026-27", title="WISP 2026", materials_url="https://x.example/t"
        ),
        now=NOW,
    )
    sign_in_as(client, db, teacher)  # type: ignore[arg-type]
    page = client.get("/staff/wisp")
    assert "WISP 2026" in page.text and f"/staff/wisp/training/{campaign.id}/certify" in page.text
    bad = client.post(
        f"/staff/wisp/training/{campaign.id}/certify", data={"typed_name": "Ann", "agreed": "yes"}
    )
    assert bad.status_code == 422
    ok = client.post(
        f"/staff/wisp/training/{campaign.id}/certify",
        data={"typed_name": "ann able", "agreed": "yes"},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and "Certified" in client.get("/staff/wisp").text
    assert client.post("/staff/wisp/training/not-a-uuid/certify", data={}).status_code == 404


def test_the_team_uploads_a_version_creates_training_records_a_session_and_a_review(
    client: TestClient, db: Session
) -> None:
    member = hired(db, date(2020, 1, 1), roles=[Role.privacy_team], name="Tess Team")
    attendee = _teacher(db, "Ann Able")
    sign_in_as(client, db, member)
    bad = client.post(
        "/staff/wisp/versions",
        data={"label": "2026", "effective_on": "2026-10-01"},
        files={"file": ("w.pdf", b"not a pdf", "application/pdf")},
    )
    assert bad.status_code == 422 and "not a PDF" in bad.text
    ok = client.post(
        "/staff/wisp/versions",
        data={"label": "2026 revision", "effective_on": "2026-10-01"},
        files={"file": ("wisp.pdf", build_pdf(), "application/pdf")},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and db.exec(select(WispVersion)).one().label == "2026 revision"
    assert "2026 revision" in client.get("/staff/wisp/versions").text
    made = client.post(
        "/staff/wisp/training",
        data={
            "school_year": "2026-27",
            "title": "WISP 2026",
            "materials_url": "https://x.example/",
            "employee_types": ["staff"],
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    detail = client.get(made.headers["location"])
    assert "Ann Able" in detail.text
    recorded = client.post(
        made.headers["location"] + "/sessions",
        data={"employee_ids": [str(attendee.id)], "held_on": "2026-10-02"},  # type: ignore[attr-defined]
        files={"file": ("sheet.pdf", build_pdf(), "application/pdf")},
        follow_redirects=False,
    )
    assert recorded.status_code == 303
    assert "(in person)" in client.get(made.headers["location"]).text
    bad_review = client.post(
        "/staff/wisp/reviews", data={"held_on": "2026-10-01", "reviewers": "", "findings": "F"}
    )
    assert bad_review.status_code == 422 and "Name the reviewers" in bad_review.text
    review = client.post(
        "/staff/wisp/reviews",
        data={
            "held_on": "2026-10-01",
            "reviewers": "Tess Team",
            "trigger": "annual",
            "findings": "All good.",
            "recommendation_1": "Encrypt the laptops",
            "owner_1": str(member.id),
            "due_1": "2027-01-31",
        },
        follow_redirects=False,
    )
    assert review.status_code == 303
    reviews_page = client.get("/staff/wisp/reviews")
    assert "Encrypt the laptops" in reviews_page.text and "1 October 2027" in reviews_page.text
    actions = set(db.exec(select(AuditEvent.action)).all())
    assert {
        "wisp.version_uploaded",
        "training.campaign_created",
        "training.session_recorded",
        "wisp.review_recorded",
    } <= actions


def test_the_dashboard_shows_the_figures_and_exports_every_list(client: TestClient, db: Session) -> None:
    actor = team(db)
    for n in range(3):
        hired(db, date(2020, 1, 1), name=f"P{n}", department="Maple")
    version(db, actor, effective_on=date(2026, 9, 1))
    sign_in_as(client, db, hired(db, date(2020, 1, 1), roles=[Role.auditor], name="Audrey Auditor"))
    page = client.get("/staff/compliance")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert (
        "0 of 5 people signed" in page.text
        and "bar bar-0" in page.text
        and "<caption>Signed the current WISP by department" in page.text
    )
    for name in ("acknowledgment", "training", "overdue", "figures"):
        csv = client.get(f"/staff/compliance/{name}.csv")
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        assert csv.headers["cache-control"] == "no-store"
    assert "P0," in client.get("/staff/compliance/overdue.csv").text
    assert client.get("/staff/compliance/secrets.csv").status_code == 404
    exports = db.exec(select(AuditEvent).where(AuditEvent.action == "compliance.exported")).all()
    assert len(exports) == 5  # the overdue list twice


@pytest.mark.parametrize(
    ("role", "reads", "writes"),
    [
        (Role.staff, False, False),
        (Role.auditor, True, False),
        (Role.privacy_team, True, True),
        (Role.privacy_admin, True, True),
    ],
)
def test_who_may_do_what(client: TestClient, db: Session, role: Role, reads: bool, writes: bool) -> None:
    campaign = training.create_campaign(
        db,
        actor=team(db),
        form=training.CampaignInput(
            school_year="2026-27", title="WISP 2026", materials_url="https://x.example/t"
        ),
        now=NOW,
    )
    sign_in_as(client, db, hired(db, date(2020, 1, 1), roles=[role], name="Some One"))
    assert client.get("/staff/wisp").status_code == 200  # everyone has their own page
    detail = f"/staff/wisp/training/{campaign.id}"
    for path in (
        "/staff/compliance",
        "/staff/wisp/versions",
        "/staff/wisp/training",
        "/staff/wisp/reviews",
        detail,
    ):
        page = client.get(path)
        assert page.status_code == (200 if reads else 403), path
        if reads and path != "/staff/compliance":
            assert ('action="/staff/wisp' in page.text) == writes, path  # auditors see no forms
    answer = client.post("/staff/wisp/reviews", data={"held_on": "", "reviewers": "", "findings": ""})
    assert answer.status_code == (422 if writes else 403)
    nav = client.get("/staff").text
    assert 'href="/staff/wisp"' in nav and ('href="/staff/compliance"' in nav) == reads
