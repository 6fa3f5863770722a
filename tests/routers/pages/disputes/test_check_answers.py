"""Issue 18: a family checks their answers before a concern is sent, and learns what happens next;
the team's case page says which language to answer in."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Dispute, Role
from tests.support.auth import sign_in_as, sign_in_family
from tests.support.disputes import file_dispute
from tests.support.factories import make_employee, make_guardian, make_student


@pytest.fixture(autouse=True)
def _no_redirects(client: TestClient) -> None:
    client.follow_redirects = False


def _answers(student_id: str, **overrides: str) -> dict[str, str]:
    data = {
        "category": "inaccurate_record",
        "student_id": student_id,
        "description": "The grade in the record is wrong.\nIt says C, it was B.",
        "language": "en",
        "requester_name": "Grace Hopper",
        "requester_relation": "parent",
    }
    data.update(overrides)
    return data


def _signed_in_guardian(client: TestClient, db: Session, **guardian: str):  # type: ignore[no-untyped-def]
    student = make_student(db, first_name="Ada", last_name="Byron", school="Hill School", grade="4")
    parent = make_guardian(db, children=[student], **guardian)
    sign_in_family(client, db, guardian=parent)
    return parent, student


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)">', html)
    assert match, name
    return match.group(1)


def test_the_check_page_shows_each_answer_with_a_change_and_writes_nothing(
    client: TestClient, db: Session
) -> None:
    parent, student = _signed_in_guardian(client, db)
    page = client.post("/disputes/new/check", data=_answers(str(student.id)))
    assert page.status_code == 200
    html = page.text
    assert "Check your answers before you send them" in html
    assert "Something in the record is wrong" in html  # the category in plain words
    assert "Ada Byron (Hill School, grade 4)" in html
    assert "It says C, it was B." in html and "Grace Hopper" in html and "Parent" in html
    # A "Change" for each answer, opening the form at that answer.
    for anchor in ("category-inaccurate_record", "student_id", "description", "requester_name", "language"):
        assert f'formaction="/disputes/new/edit#{anchor}"' in html
    # The answers ride along to the send; the document is chosen here.
    assert _hidden(html, "description") == "The grade in the record is wrong.\nIt says C, it was B."
    assert 'action="/disputes/new" enctype="multipart/form-data"' in html
    assert 'type="file" id="attachment"' in html
    assert re.search(
        r'aria-current="step"><span class="usa-step-indicator__segment-label">Check your answers', html
    )
    assert db.exec(select(Dispute).where(Dispute.guardian_id == parent.id)).first() is None


def test_answers_that_are_not_right_go_back_to_the_form(client: TestClient, db: Session) -> None:
    _, student = _signed_in_guardian(client, db)
    page = client.post("/disputes/new/check", data=_answers(str(student.id), description="", category=""))
    assert page.status_code == 422
    assert "Choose what the concern is about." in page.text
    assert "Enter the description of the concern." in page.text
    assert 'action="/disputes/new/check"' in page.text
    assert "Grace Hopper" in page.text  # what was typed is kept


def test_change_opens_the_form_filled_in(client: TestClient, db: Session) -> None:
    _, student = _signed_in_guardian(client, db)
    page = client.post("/disputes/new/edit", data=_answers(str(student.id), requester_name="Grace H."))
    assert page.status_code == 200
    assert 'value="Grace H."' in page.text
    assert "It says C, it was B.</textarea>" in page.text
    assert f'<option value="{student.id}" selected>' in page.text
    assert 'id="category-inaccurate_record" name="category" value="inaccurate_record" checked' in page.text


def test_sending_from_the_check_page_files_it_and_says_what_happens_next(
    client: TestClient, db: Session
) -> None:
    parent, student = _signed_in_guardian(client, db)
    check = client.post("/disputes/new/check", data=_answers(str(student.id))).text
    sent = {
        name: _hidden(check, name)
        for name in (
            "category",
            "student_id",
            "description",
            "language",
            "requester_name",
            "requester_relation",
        )
    }
    response = client.post("/disputes/new", data={**sent, "csrf_token": _hidden(check, "csrf_token")})
    assert response.status_code == 303, response.text
    dispute = db.exec(select(Dispute).where(Dispute.guardian_id == parent.id)).one()
    assert dispute.description == "The grade in the record is wrong.\nIt says C, it was B."
    page = client.get(response.headers["location"]).text
    assert dispute.reference in page
    assert "What happens next" in page
    assert "We email you a confirmation" in page and parent.email in page
    assert "The Data Privacy Team looks into it" in page
    assert re.search(r"We answer by \d{1,2} \w+ \d{4}", page)
    assert 'aria-current="step"' in page and "Confirmation" in page


def test_a_refused_document_keeps_the_check_page_and_writes_nothing(client: TestClient, db: Session) -> None:
    parent, student = _signed_in_guardian(client, db)
    response = client.post(
        "/disputes/new",
        data=_answers(str(student.id), description="Kept description"),
        files={"attachment": ("letter.pdf", b"MZ\x90\x00 an executable, not a PDF", "application/pdf")},
    )
    assert response.status_code == 422
    assert "Check your answers before you send them" in response.text
    assert "whatever its name says" in response.text
    assert _hidden(response.text, "description") == "Kept description"
    assert db.exec(select(Dispute).where(Dispute.guardian_id == parent.id)).first() is None


def test_the_check_and_confirmation_pages_are_in_the_familys_language(
    client: TestClient, db: Session
) -> None:
    _, student = _signed_in_guardian(client, db, preferred_language="es")
    form = client.get("/disputes/new").text
    assert "10.000" in form and "10,000" not in form  # numbers written the Spanish way
    page = client.post("/disputes/new/check", data=_answers(str(student.id), language="es"))
    assert '<html lang="es"' in page.text
    assert "Revise sus respuestas antes de enviarlas" in page.text
    assert 'aria-label="Cambiar su inquietud">Cambiar</button>' in page.text
    assert "Check your answers" not in page.text
    sent = client.post("/disputes/new", data=_answers(str(student.id), language="es"))
    confirmation = client.get(sent.headers["location"]).text
    assert '<html lang="es"' in confirmation and "Qué pasa ahora" in confirmation


def test_the_case_page_says_which_language_to_answer_in(client: TestClient, db: Session) -> None:
    dispute = file_dispute(db, language="pt")
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    page = client.get(f"/staff/disputes/{dispute.id}").text
    assert "Answer in Portuguese" in page
    assert "Response, in Portuguese" in page
    assert 'lang="pt" spellcheck="true"' in page  # the browser checks spelling in Portuguese


def test_what_the_send_would_refuse_is_said_on_the_form_not_after_the_check(
    client: TestClient, db: Session
) -> None:
    _signed_in_guardian(client, db)
    stranger = make_student(db, first_name="Zed", last_name="Other")
    page = client.post("/disputes/new/check", data=_answers(str(stranger.id)))
    assert page.status_code == 422
    assert "Choose one of your own children." in page.text
    assert "Zed" not in page.text  # another family's child is never named
    no_child = client.post("/disputes/new/check", data=_answers(""))
    assert no_child.status_code == 422 and "Choose which of your children" in no_child.text


def test_the_daily_limit_is_said_at_the_check(client: TestClient, db: Session) -> None:
    _, student = _signed_in_guardian(client, db)
    for n in range(5):
        assert (
            client.post("/disputes/new", data=_answers(str(student.id), description=f"n{n}")).status_code
            == 303
        )
    page = client.post("/disputes/new/check", data=_answers(str(student.id)))
    assert page.status_code == 429
    assert "the most we accept online in a day" in page.text
    assert 'action="/disputes/new/check"' in page.text  # the form, answers kept


def test_what_the_services_refuse_is_said_in_the_familys_language(client: TestClient, db: Session) -> None:
    _, child = _signed_in_guardian(client, db, preferred_language="pt")
    stranger = make_student(db)
    page = client.post("/disputes/new/check", data=_answers(str(stranger.id)))
    assert page.status_code == 422 and '<html lang="pt"' in page.text
    assert "Escolha um dos seus próprios filhos." in page.text
    assert "Choose one of your own children." not in page.text
    sent = client.post(
        "/disputes/new",
        data=_answers(str(child.id)),
        files={"attachment": ("a.pdf", b"not a pdf at all", "application/pdf")},
    )
    assert sent.status_code == 422
    assert (
        "O arquivo não é um PDF nem uma imagem (PNG, JPEG, GIF, WebP), mesmo que o nome diga isso."
        in sent.text
    )
