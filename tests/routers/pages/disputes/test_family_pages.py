"""The family dispute pages: explain, file, follow, reply, withdraw; only one's own, never notes."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from app import formatting
from app.models import Dispute, DisputeMessage, DisputeStatus, MessageKind, Role
from app.services.disputes import actions as dispute_actions
from tests.support.auth import sign_in_family
from tests.support.factories import make_employee, make_guardian, make_student

XSS = '<script>alert("x")</script>'
XSS_ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \n"
    b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n166\n%%EOF\n"
)


@pytest.fixture(autouse=True)
def _no_redirects(client) -> None:  # type: ignore[no-untyped-def]
    client.follow_redirects = False


def _guardian_with_child(db: Session, **child: str):  # type: ignore[no-untyped-def]
    student = make_student(db, **child)
    guardian = make_guardian(db, children=[student])
    return guardian, student


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "category": "inaccurate_record",
        "description": "The grade in the record is wrong.",
        "language": "en",
        "requester_name": "Grace Hopper",
        "requester_relation": "parent",
    }
    data.update(overrides)
    return data


def _file(client, db, guardian, student, **overrides):  # type: ignore[no-untyped-def]
    response = client.post("/disputes/new", data=_form(student_id=str(student.id), **overrides))
    assert response.status_code == 303, response.text
    return db.exec(select(Dispute).where(Dispute.guardian_id == guardian.id)).one(), response


def test_the_public_page_explains_and_sends_people_to_verify_their_email(client) -> None:
    response = client.get("/disputes/new")
    assert response.status_code == 200
    assert "Raise a concern about your child" in response.text
    assert "three weeks" in response.text
    assert 'href="/family/sign-in?next=/disputes/new"' in response.text
    assert "I want to see my child&#39;s record" in response.text  # the categories in plain words
    assert 'name="description"' not in response.text


@pytest.mark.parametrize("path", ["/disputes/mine", "/disputes/mine/D-2026-0001"])
def test_family_pages_need_a_verified_email(client, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/family/sign-in?next=")


def test_posting_without_a_session_is_refused(client) -> None:
    client.get("/disputes/new")  # the anonymous cookie: the CSRF token would be valid
    response = client.post("/disputes/new", data=_form(), follow_redirects=False)
    assert response.status_code in (303, 403)
    assert not response.headers.get("location", "").startswith("/disputes/mine")


def test_a_guardian_picks_a_child_files_and_sees_the_due_date(client, db: Session) -> None:
    guardian, student = _guardian_with_child(db, first_name="Ada", last_name="Byron")
    sign_in_family(client, db, guardian=guardian)
    form = client.get("/disputes/new")
    assert form.status_code == 200
    assert f'value="{student.id}"' in form.text and "Ada Byron" in form.text
    assert 'maxlength="10000"' in form.text and "Up to 10,000 characters" in form.text
    assert 'action="/disputes/new/check"' in form.text  # next: check the answers

    dispute, response = _file(client, db, guardian, student)
    assert response.headers["location"] == f"/disputes/mine/{dispute.reference}/filed"
    confirmation = client.get(response.headers["location"])
    assert confirmation.status_code == 200
    assert dispute.reference in confirmation.text
    assert "We will answer by" in confirmation.text
    # A family reads the deadline as a date (its day in the district's time zone), not a time and zone.
    due = formatting.local_time(dispute.due_at, "%-d %B %Y")
    assert (
        f'We will answer by <strong><time datetime="{dispute.due_at.isoformat()}">{due}</time>'
        in confirmation.text
    )
    assert not re.search(r"[AP]M E[SD]T", confirmation.text)

    mine = client.get("/disputes/mine")
    assert dispute.reference in mine.text and "Received" in mine.text and "On track" in mine.text


def test_the_answer_language_starts_as_the_guardians_roster_language(client, db: Session) -> None:
    student = make_student(db)
    guardian = make_guardian(db, children=[student], preferred_language="es")
    sign_in_family(client, db, guardian=guardian)
    form = client.get("/disputes/new").text
    assert '<option value="es" lang="es" selected>Español</option>' in form
    assert '<option value="en" lang="en">English</option>' in form


def test_a_requester_describes_the_student_in_words(client, db: Session) -> None:
    sign_in_family(client, db, email="someone@example.net")
    form = client.get("/disputes/new")
    assert 'name="student_description"' in form.text and 'name="student_id"' not in form.text
    response = client.post("/disputes/new", data=_form(student_description="Ada, Maple Street"))
    assert response.status_code == 303
    dispute = db.exec(select(Dispute).where(Dispute.requester_email == "someone@example.net")).one()
    assert dispute.student_description == "Ada, Maple Street" and dispute.guardian_id is None


@pytest.mark.parametrize(
    ("description", "message"),
    [
        ("", "Enter the description of the concern."),
        ("x" * 100_000, "Shorten the description of the concern to"),
    ],
)
def test_a_bad_description_re_renders_the_form_with_the_input_kept(
    client, db: Session, description: str, message: str
) -> None:
    guardian, student = _guardian_with_child(db)
    sign_in_family(client, db, guardian=guardian)
    response = client.post(
        "/disputes/new",
        data=_form(
            student_id=str(student.id), description=description, requester_name="Kept Name", language="pt"
        ),
    )
    assert response.status_code == 422
    assert message in response.text
    assert 'value="Kept Name"' in response.text
    assert '<option value="pt" lang="pt" selected>' in response.text
    assert f'<option value="{student.id}" selected>' in response.text
    assert 'value="inaccurate_record" checked' in response.text
    assert 'aria-invalid="true"' in response.text
    assert db.exec(select(Dispute).where(Dispute.guardian_id == guardian.id)).first() is None


def test_a_missing_category_is_reported(client, db: Session) -> None:
    guardian, student = _guardian_with_child(db)
    sign_in_family(client, db, guardian=guardian)
    data = _form(student_id=str(student.id))
    del data["category"]
    response = client.post("/disputes/new", data=data)
    assert response.status_code == 422
    assert 'id="category-error"' in response.text
    assert "The grade in the record is wrong." in response.text


def test_a_guardian_cannot_file_about_a_student_who_is_not_theirs(client, db: Session) -> None:
    guardian, _ = _guardian_with_child(db)
    stranger = make_student(db, first_name="Other")
    sign_in_family(client, db, guardian=guardian)
    response = client.post("/disputes/new", data=_form(student_id=str(stranger.id)))
    assert response.status_code == 422
    assert "Choose one of your own children." in response.text
    assert db.exec(select(Dispute).where(Dispute.guardian_id == guardian.id)).first() is None


def test_an_attachment_that_is_not_what_its_name_says_is_refused(client, db: Session) -> None:
    guardian, student = _guardian_with_child(db)
    sign_in_family(client, db, guardian=guardian)
    response = client.post(
        "/disputes/new",
        data=_form(student_id=str(student.id), description="Kept description"),
        files={
            "attachment": ("letter.pdf", b"MZ\x90\x00 this is an executable, not a PDF", "application/pdf")
        },
    )
    assert response.status_code == 422
    assert "whatever its name says" in response.text
    assert "Kept description" in response.text
    assert db.exec(select(Dispute).where(Dispute.guardian_id == guardian.id)).first() is None


def test_a_real_pdf_is_attached(client, db: Session) -> None:
    guardian, student = _guardian_with_child(db)
    sign_in_family(client, db, guardian=guardian)
    response = client.post(
        "/disputes/new",
        data=_form(student_id=str(student.id)),
        files={"attachment": ("letter.pdf", PDF_BYTES, "application/pdf")},
    )
    assert response.status_code == 303, response.text
    dispute = db.exec(select(Dispute).where(Dispute.guardian_id == guardian.id)).one()
    assert dispute.attachment_id is not None


def test_xss_in_every_field_is_shown_escaped(client, db: Session) -> None:
    sign_in_family(client, db, email="xss@example.net")
    response = client.post(
        "/disputes/new",
        data=_form(description=XSS, requester_name=XSS[:60], student_description=XSS),
    )
    assert response.status_code == 303
    dispute = db.exec(select(Dispute).where(Dispute.requester_email == "xss@example.net")).one()
    assert dispute.description == XSS  # stored as given
    team = make_employee(db, roles=[Role.privacy_team])
    dispute_actions.message_requester(session=db, dispute_id=dispute.id, body=XSS, actor=_staff_actor(team))
    dispute_actions.respond(
        db, dispute_id=dispute.id, response_text=XSS, decision="upheld", actor=_staff_actor(team)
    )
    db.commit()
    page = client.get(f"/disputes/mine/{dispute.reference}")
    assert page.status_code == 200
    assert XSS not in page.text and page.text.count(XSS_ESCAPED) >= 3
    # A re-rendered form escapes the kept input too.
    bad = client.post("/disputes/new", data=_form(description="", requester_name=XSS[:60]))
    assert bad.status_code == 422 and XSS[:60] not in bad.text


def _staff_actor(employee):  # type: ignore[no-untyped-def]
    from app.actors import Actor

    return Actor(type="staff", id=str(employee.id), label=employee.email, roles=frozenset(employee.roles))


def test_the_family_never_sees_internal_notes_but_reads_messages_and_the_answer(client, db: Session) -> None:
    guardian, student = _guardian_with_child(db)
    sign_in_family(client, db, guardian=guardian)
    dispute, _ = _file(client, db, guardian, student)
    team = _staff_actor(make_employee(db, roles=[Role.privacy_team]))
    dispute_actions.add_note(db, dispute_id=dispute.id, body="SECRET internal note", actor=team)
    dispute_actions.message_requester(db, dispute_id=dispute.id, body="Which year was the grade?", actor=team)
    db.commit()

    page = client.get(f"/disputes/mine/{dispute.reference}")
    assert "Which year was the grade?" in page.text
    assert "SECRET" not in page.text

    reply = client.post(f"/disputes/mine/{dispute.reference}/reply", data={"body": "Grade 3, 2025."})
    assert reply.status_code == 303
    page = client.get(reply.headers["location"])
    assert "Your reply was sent" in page.text and "Grade 3, 2025." in page.text

    dispute_actions.respond(
        db, dispute_id=dispute.id, response_text="We corrected it.", decision="upheld", actor=team
    )
    db.commit()
    page = client.get(f"/disputes/mine/{dispute.reference}")
    assert "Our answer" in page.text and "We corrected it." in page.text
    assert "SECRET" not in page.text
    assert (
        'action="/disputes/mine/' + dispute.reference + '/reply"' not in page.text
    )  # no replies once answered
    mine = client.get("/disputes/mine")
    assert "SECRET" not in mine.text and "Answered" in mine.text


def test_an_empty_or_huge_reply_is_refused_with_the_input_kept(client, db: Session) -> None:
    guardian, student = _guardian_with_child(db)
    sign_in_family(client, db, guardian=guardian)
    dispute, _ = _file(client, db, guardian, student)
    empty = client.post(f"/disputes/mine/{dispute.reference}/reply", data={"body": "   "})
    assert empty.status_code == 422 and 'id="body-error"' in empty.text
    huge = client.post(f"/disputes/mine/{dispute.reference}/reply", data={"body": "y" * 20_000})
    assert huge.status_code == 422 and "too long" in huge.text and "y" * 20_000 in huge.text
    assert db.exec(select(DisputeMessage).where(DisputeMessage.dispute_id == dispute.id)).first() is None


def test_withdrawing_stops_the_clock_and_then_replies_are_refused(client, db: Session) -> None:
    guardian, student = _guardian_with_child(db)
    sign_in_family(client, db, guardian=guardian)
    dispute, _ = _file(client, db, guardian, student)
    page = client.get(f"/disputes/mine/{dispute.reference}")
    assert "data-confirm=" in page.text
    response = client.post(f"/disputes/mine/{dispute.reference}/withdraw")
    assert response.status_code == 303
    db.refresh(dispute)
    assert dispute.status == DisputeStatus.withdrawn
    page = client.get(response.headers["location"])
    assert "You withdrew this concern." in page.text and "Withdrawn" in page.text
    reply = client.post(f"/disputes/mine/{dispute.reference}/reply", data={"body": "hello"})
    assert reply.status_code == 303
    assert "replies are closed" in client.get(reply.headers["location"]).text
    again = client.post(f"/disputes/mine/{dispute.reference}/withdraw")
    assert "can no longer be withdrawn" in client.get(again.headers["location"]).text


def test_someone_elses_dispute_is_not_found_by_reference_or_id(client, db: Session) -> None:
    owner, student = _guardian_with_child(db)
    sign_in_family(client, db, guardian=owner)
    dispute, _ = _file(client, db, owner, student)
    client.cookies.clear()
    other, _ = _guardian_with_child(db)
    sign_in_family(client, db, guardian=other)
    for key in (dispute.reference, str(dispute.id), dispute.reference.lower()):
        assert client.get(f"/disputes/mine/{key}").status_code == 404
        assert client.get(f"/disputes/mine/{key}/filed").status_code == 404
        assert client.post(f"/disputes/mine/{key}/reply", data={"body": "hi"}).status_code == 404
        assert client.post(f"/disputes/mine/{key}/withdraw").status_code == 404
    assert dispute.reference not in client.get("/disputes/mine").text
    db.refresh(dispute)
    assert dispute.status == DisputeStatus.received
    assert (
        db.exec(
            select(DisputeMessage).where(
                DisputeMessage.dispute_id == dispute.id, DisputeMessage.kind == MessageKind.from_requester
            )
        ).first()
        is None
    )


def test_a_requester_sees_disputes_filed_with_their_verified_email(client, db: Session) -> None:
    sign_in_family(client, db, email="Mixed.Case@Example.net")
    client.post("/disputes/new", data=_form(description="by email"))
    dispute = db.exec(select(Dispute).where(Dispute.requester_email == "mixed.case@example.net")).one()
    assert client.get(f"/disputes/mine/{dispute.reference}").status_code == 200
    client.cookies.clear()
    sign_in_family(client, db, email="someone-else@example.net")
    assert client.get(f"/disputes/mine/{dispute.reference}").status_code == 404


@pytest.mark.parametrize("category", ["access_to_record", "inaccurate_record"])
def test_without_educational_rights_no_request_to_see_or_correct_the_record(
    client, db: Session, category: str
) -> None:
    step = make_student(db, first_name="Stepchild")
    guardian = make_guardian(db, without_rights=[step])
    sign_in_family(client, db, guardian=guardian)
    form = client.get("/disputes/new")
    assert "general concerns only" in form.text
    response = client.post("/disputes/new", data=_form(category=category, student_id=str(step.id)))
    assert response.status_code == 422
    assert "do not list you as holding educational rights" in response.text
    assert 'id="student_id-error"' in response.text
    # Naming the child in words instead does not step around the check.
    response = client.post(
        "/disputes/new", data=_form(category=category, student_description="Stepchild, Hill School")
    )
    assert response.status_code == 422
    assert db.exec(select(Dispute).where(Dispute.guardian_id == guardian.id)).first() is None


def test_without_educational_rights_a_general_concern_is_still_filed(client, db: Session) -> None:
    step = make_student(db, first_name="Stepchild")
    guardian = make_guardian(db, without_rights=[step])
    sign_in_family(client, db, guardian=guardian)
    dispute, _ = _file(client, db, guardian, step, category="unauthorized_disclosure")
    assert dispute.student_id == step.id and dispute.category == "unauthorized_disclosure"


def test_with_educational_rights_the_record_can_be_requested(client, db: Session) -> None:
    guardian, student = _guardian_with_child(db)
    sign_in_family(client, db, guardian=guardian)
    dispute, _ = _file(client, db, guardian, student, category="access_to_record")
    assert dispute.category == "access_to_record"
