"""Pages in the family's language: the selector, the roster language, the browser's, English."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app import i18n
from app.models import Role
from tests.support.auth import sign_in_as, sign_in_family
from tests.support.disputes import file_dispute
from tests.support.factories import make_employee, make_guardian, make_student
from tests.support.links import csrf_from

pytestmark = pytest.mark.usefixtures("frozen_clock")


def _lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)">', html)
    assert match
    return match.group(1)


@pytest.mark.parametrize(
    ("accept", "lang", "words"),
    [
        ("es-MX,es;q=0.9", "es", "Cómo"),
        ("pt-BR", "pt", "Como"),
        ("fr", "en", "How"),
    ],
)
def test_the_home_page_follows_the_browser(client: TestClient, accept: str, lang: str, words: str) -> None:
    r = client.get("/", headers={"Accept-Language": accept})
    assert r.status_code == 200 and _lang(r.text) == lang
    assert f"<h1>{words} " in r.text
    assert 'aria-current="true">' + i18n.LANGUAGES[lang] in r.text  # the selector shows the choice


def test_the_selector_remembers_the_choice_over_the_browser(client: TestClient) -> None:
    page = client.get("/family/sign-in", headers={"Accept-Language": "es"})
    assert _lang(page.text) == "es" and "Entre para ver los datos de sus hijos" in page.text
    r = client.post(
        "/language",
        data={"lang": "pt", "next": "/family/sign-in", "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/family/sign-in"
    assert f"{i18n.COOKIE}=pt" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]
    again = client.get("/family/sign-in", headers={"Accept-Language": "es"})
    assert _lang(again.text) == "pt" and "Entre para ver os dados dos seus filhos" in again.text
    back = client.post(
        "/language",
        data={"lang": "en", "next": "/", "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert back.status_code == 303
    assert _lang(client.get("/", headers={"Accept-Language": "es"}).text) == "en"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil", "javascript:x"])
def test_the_selector_goes_back_only_to_a_local_page(client: TestClient, target: str) -> None:
    page = client.get("/")
    r = client.post(
        "/language",
        data={"lang": "es", "next": target, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_an_unknown_language_changes_nothing(client: TestClient) -> None:
    page = client.get("/")
    r = client.post(
        "/language",
        data={"lang": "xx", "next": "/", "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and i18n.COOKIE not in r.headers.get("set-cookie", "")


def test_the_selector_needs_the_csrf_token(client: TestClient) -> None:
    r = client.post("/language", data={"lang": "es", "next": "/"}, follow_redirects=False)
    assert r.status_code == 403


def test_a_guardian_sees_their_pages_in_their_roster_language(client: TestClient, db: Session) -> None:
    child = make_student(db, first_name="Lia", last_name="Souza")
    guardian = make_guardian(db, children=[child], preferred_language="pt")
    dispute = file_dispute(db, guardian=guardian)
    sign_in_family(client, db, guardian)
    home = client.get("/family")
    assert _lang(home.text) == "pt" and "<h1>Meus filhos</h1>" in home.text
    assert 'href="/disputes/mine">Minhas reclamações</a>' in home.text  # the navigation has My concerns
    concern = client.get(f"/disputes/mine/{dispute.reference}")
    assert concern.status_code == 200 and _lang(concern.text) == "pt"
    assert f"Reclamação {dispute.reference}" in concern.text and "Recebida" in concern.text
    mine = client.get("/disputes/mine")
    assert _lang(mine.text) == "pt" and "Minhas reclamações" in mine.text
    # The browser's language does not override the roster's; the selector does.
    assert _lang(client.get("/family", headers={"Accept-Language": "es"}).text) == "pt"
    client.cookies.set(i18n.COOKIE, "es")
    assert "<h1>Mis hijos</h1>" in client.get("/family").text


def test_the_concern_form_and_the_child_page_in_spanish(client: TestClient, db: Session) -> None:
    child = make_student(db, first_name="Luz", last_name="Pérez")
    guardian = make_guardian(db, children=[child], preferred_language="es")
    sign_in_family(client, db, guardian)
    form = client.get("/disputes/new")
    assert _lang(form.text) == "es" and "¿Sobre qué es su inquietud?" in form.text
    assert "Hay algo incorrecto en el expediente" in form.text  # a category label made in code
    page = client.get(f"/family/children/{child.id}")
    assert _lang(page.text) == "es" and "Lo que Steward guarda sobre Luz" in page.text


def test_the_error_page_is_translated(client: TestClient) -> None:
    r = client.get("/no-such-page", headers={"Accept-Language": "es", "Accept": "text/html"})
    assert r.status_code == 404 and _lang(r.text) == "es" and "No hay nada en esta dirección." in r.text


def test_staff_pages_stay_in_english(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    client.cookies.set(i18n.COOKIE, "es")
    r = client.get("/staff/disputes", headers={"Accept-Language": "es"})
    assert r.status_code == 200 and _lang(r.text) == "en" and 'action="/language"' not in r.text


def test_a_page_not_yet_translated_says_english(client: TestClient) -> None:
    r = client.get("/docs", headers={"Accept-Language": "es"})  # the API's pages are for developers
    assert r.status_code == 200 and _lang(r.text) == "en" and 'action="/language"' not in r.text


def test_user_text_stays_escaped_inside_translated_sentences(client: TestClient, db: Session) -> None:
    child = make_student(db, first_name="<b>x</b>", last_name="Y")
    guardian = make_guardian(
        db, children=[child], first_name="<script>alert(1)</script>", preferred_language="es"
    )
    sign_in_family(client, db, guardian)
    home = client.get("/family")
    assert "<script>alert(1)</script>" not in home.text and "&lt;script&gt;" in home.text
    page = client.get(f"/family/children/{child.id}")
    assert "<b>x</b>" not in page.text and "&lt;b&gt;x&lt;/b&gt;" in page.text


def test_messages_shown_once_are_translated_too(client: TestClient, db: Session) -> None:
    guardian = make_guardian(db, children=[make_student(db)], preferred_language="es")
    sign_in_family(client, db, guardian)
    home = client.get("/family")
    assert "¿Sigue ahí?" in home.text  # the idle-timeout warning
    out = client.post("/sign-out", data={"csrf_token": csrf_from(home.text)}, follow_redirects=False)
    assert out.status_code == 303
    page = client.get(out.headers["location"], headers={"Accept-Language": "es"})
    assert "Ha salido de su cuenta." in page.text


def test_what_is_not_there_is_said_in_the_familys_language(client: TestClient, db: Session) -> None:
    child = make_student(db, first_name="Lia", last_name="Souza")
    sign_in_family(client, db, make_guardian(db, children=[child], preferred_language="pt"))
    concern = client.get("/disputes/mine/D-2026-9999")
    assert concern.status_code == 404 and _lang(concern.text) == "pt"
    assert "Não há nenhuma reclamação com esta referência na sua conta." in concern.text
    assert "There is no concern" not in concern.text
