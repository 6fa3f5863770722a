"""The registry and the vendor portal in Spanish and Portuguese: every page says so in
``<html lang>``, its words and dates are translated, and so are its form errors. The vendor
contact's language is recorded at sign-in, changed on the profile and set by staff."""

from __future__ import annotations

import io
import uuid
from datetime import date

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfWriter
from sqlmodel import Session, select

from app import i18n
from app.models import DisposalRequest, DpaStatus, Role, Vendor, VendorContact
from app.services.vendors import agreements as dpas
from tests.support.auth import sign_in_as
from tests.support.factories import make_employee
from tests.support.links import csrf_from, link_path, messages_to, sign_in_client
from tests.support.vendors import make_contact, make_dpa, make_vendor, pdf_bytes, staff_actor

pytestmark = pytest.mark.usefixtures("frozen_clock")  # 2 March 2026

# What each page says in each language (a sample of its words and one date).
WORDS = {
    "es": {
        "registry": [
            "Acuerdos de privacidad de datos en vigor",
            "Fotos, video o voz",
            "31 de diciembre de 2026",
        ],
        "registry_vendor": ["Acuerdos con", "Política de privacidad", "En vigor"],
        "sign_in": ["Entrada para empresas", "Envíenme un enlace para entrar", "Revisar y firmar el acuerdo"],
        "check_email": ["Revise su correo electrónico", "pida otro enlace"],
        "link": ["Siga para iniciar sesión", "Continuar"],
        "home": ["Sus acuerdos con", "Enviado a la empresa", "Firmar o rechazar", "Nuestros acuerdos"],
        "agreement": [
            "Qué cubre el acuerdo",
            "72 horas",
            "60 días",
            "31 de diciembre de 2026",
            "Rechazar el acuerdo",
        ],
        "profile": ["Sus datos de contacto", "Idioma de sus correos", "Guardar"],
        "disposal_list": ["Certificados de eliminación", "5 de enero de 2026", "Fuera de plazo"],
        "disposal": [
            "Certificado de eliminación",
            "4 de febrero de 2026",
            "Declarar que se devolvieron los datos",
        ],
        "no_file": "Elija el acuerdo firmado (un archivo PDF).",
        "no_signatory": "Escriba el nombre de quien firmó (200 caracteres como máximo).",
        "bad_url": "Escriba una dirección web que empiece por https://",
        "no_name": "Hay un problema",
        "not_pdf": "El archivo no es un PDF, aunque su nombre lo indique.",
    },
    "pt": {
        "registry": [
            "Acordos de privacidade de dados em vigor",
            "Fotos, vídeo ou voz",
            "31 de dezembro de 2026",
        ],
        "registry_vendor": ["Acordos com", "Política de privacidade", "Em vigor"],
        "sign_in": ["Entrada para empresas", "Envie-me um link para entrar", "Revisar e assinar o acordo"],
        "check_email": ["Confira seu e-mail", "peça outro link"],
        "link": ["Continue para entrar", "Continuar"],
        "home": ["Seus acordos com", "Enviado à empresa", "Assinar ou recusar", "Nossos acordos"],
        "agreement": [
            "O que o acordo cobre",
            "72 horas",
            "60 dias",
            "31 de dezembro de 2026",
            "Recusar o acordo",
        ],
        "profile": ["Seus dados de contato", "Idioma dos seus e-mails", "Salvar"],
        "disposal_list": ["Certificados de descarte", "5 de janeiro de 2026", "Fora do prazo"],
        "disposal": [
            "Certificado de descarte",
            "4 de fevereiro de 2026",
            "Declarar que os dados foram devolvidos",
        ],
        "no_file": "Escolha o acordo assinado (um arquivo PDF).",
        "no_signatory": "Informe o nome de quem assinou (no máximo 200 caracteres).",
        "bad_url": "Digite um endereço da web que comece com https://",
        "no_name": "Há um problema",
        "not_pdf": "O arquivo não é um PDF, mesmo que o nome diga isso.",
    },
}
ENGLISH_LEFTOVERS = ("Your agreements", "Upload the signed agreement", "Not set", "Student data", "In force")


def _says(html: str, lang: str, words: list[str]) -> None:
    assert f'<html lang="{lang}">' in html
    for word in words:
        assert word in html, f"{lang}: {word!r} missing"


def _listed(db: Session) -> Vendor:
    vendor = make_vendor(db, name="Maple Music", privacy_policy_url="https://maple.example.com/privacy")
    make_dpa(
        db,
        vendor,
        status=DpaStatus.executed,
        effective_on=date(2026, 1, 1),
        expires_on=date(2026, 12, 31),
        data_elements=["student_name", "photo_video"],
    )
    return vendor


@pytest.mark.parametrize("lang", ["es", "pt"])
def test_the_registry_in_spanish_and_portuguese(client: TestClient, db: Session, lang: str) -> None:
    vendor = _listed(db)
    client.cookies.set(i18n.COOKIE, lang)
    r = client.get("/registry")
    assert r.status_code == 200 and "Accept-Language" in r.headers["vary"]
    _says(r.text, lang, WORDS[lang]["registry"])
    assert "December" not in r.text and "Data privacy agreements in force" not in r.text
    fragment = client.get("/registry", params={"q": "maple"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and WORDS[lang]["registry"][1] in fragment.text
    bad = client.get("/registry", params={"template": "nope"})
    assert bad.status_code == 422 and {"es": "Ese modelo", "pt": "Esse modelo"}[lang] in bad.text
    page = client.get(f"/registry/vendors/{vendor.id}")
    _says(page.text, lang, WORDS[lang]["registry_vendor"])


def test_the_browser_language_chooses_too_and_english_stays_english(client: TestClient, db: Session) -> None:
    _listed(db)
    spanish = client.get("/registry", headers={"Accept-Language": "es-MX,es;q=0.9"})
    _says(spanish.text, "es", WORDS["es"]["registry"])
    english = client.get("/registry", headers={"Accept-Language": "en-US"})
    assert '<html lang="en">' in english.text and "31 December 2026" in english.text
    assert "Data privacy agreements in force" in english.text


@pytest.mark.parametrize("lang", ["es", "pt"])
def test_signing_in_as_a_vendor_in_spanish_and_portuguese(client: TestClient, db: Session, lang: str) -> None:
    contact = make_contact(db, make_vendor(db, name="Alpha Learning"), email="val@alpha.example.com")
    headers = {"Accept-Language": lang}
    page = client.get("/vendor/sign-in", headers=headers)
    _says(page.text, lang, WORDS[lang]["sign_in"])
    sent = client.post(
        "/vendor/sign-in", data={"email": contact.email, "csrf_token": csrf_from(page.text)}, headers=headers
    )
    _says(sent.text, lang, WORDS[lang]["check_email"])
    [email] = messages_to(db, contact.email)
    assert email.language == lang  # no language of their own yet: the sign-in page's
    path = link_path(email.body_text)
    link = client.get(path, headers=headers)
    _says(link.text, lang, WORDS[lang]["link"])
    r = client.post(path, data={"csrf_token": csrf_from(link.text)}, headers=headers, follow_redirects=False)
    assert r.status_code == 303
    db.refresh(contact)
    assert contact.preferred_language == lang  # recorded at sign-in
    # Signed in, the portal follows the contact's language even without the browser's.
    _says(client.get("/vendor", headers={"Accept-Language": "en"}).text, lang, WORDS[lang]["home"][:1])
    # (Last: the refused form rolls the test's transaction back.)
    page = client.get("/vendor/sign-in", headers=headers)
    bad = client.post(
        "/vendor/sign-in", data={"email": "nope", "csrf_token": csrf_from(page.text)}, headers=headers
    )
    assert bad.status_code == 422
    assert {"es": "Escriba su correo electrónico", "pt": "Digite seu e-mail"}[lang] in bad.text


def test_a_browser_default_never_overrides_a_chosen_language_but_the_selector_does(
    client: TestClient, db: Session
) -> None:
    contact = make_contact(db, make_vendor(db, name="Alpha Learning"), email="val@alpha.example.com")
    contact.preferred_language = "pt"
    db.add(contact)
    db.flush()
    page = client.get("/vendor/sign-in", headers={"Accept-Language": "es"})
    client.post(
        "/vendor/sign-in",
        data={"email": contact.email, "csrf_token": csrf_from(page.text)},
        headers={"Accept-Language": "es"},
    )
    [email] = messages_to(db, contact.email)
    assert email.language == "pt" and email.subject.startswith("Seu link")
    path = link_path(email.body_text)
    link = client.get(path, headers={"Accept-Language": "es"})
    client.post(path, data={"csrf_token": csrf_from(link.text)}, headers={"Accept-Language": "es"})
    db.refresh(contact)
    assert contact.preferred_language == "pt"
    _says(client.get("/vendor", headers={"Accept-Language": "es"}).text, "pt", WORDS["pt"]["home"][:1])
    # Picking Spanish with the selector before signing in makes it theirs.
    client.cookies.clear()
    client.cookies.set(i18n.COOKIE, "es")
    page = client.get("/vendor/sign-in")
    client.post("/vendor/sign-in", data={"email": contact.email, "csrf_token": csrf_from(page.text)})
    # Both links were written in the same frozen instant: the newest is the one not in Portuguese.
    [newest] = [m for m in messages_to(db, contact.email) if m.id != email.id]
    assert newest.language == "es" and newest.subject.startswith("Su enlace")
    path = link_path(newest.body_text)
    client.post(path, data={"csrf_token": csrf_from(client.get(path).text)})
    db.refresh(contact)
    assert contact.preferred_language == "es"


@pytest.fixture
def spanish_and_portuguese_portal(db: Session) -> dict[str, tuple[VendorContact, Vendor]]:
    out = {}
    for lang in ("es", "pt"):
        vendor = make_vendor(db, name=f"Lilac {lang}", privacy_policy_url="https://lilac.example.com/privacy")
        contact = make_contact(db, vendor)
        contact.preferred_language = lang
        db.add(contact)
        out[lang] = (contact, vendor)
    db.flush()
    return out


@pytest.mark.parametrize("lang", ["es", "pt"])
def test_every_portal_page_in_the_contacts_language(
    client: TestClient, db: Session, lang: str, spanish_and_portuguese_portal: dict
) -> None:
    contact, vendor = spanish_and_portuguese_portal[lang]
    sent = make_dpa(db, vendor, status=DpaStatus.sent, expires_on=date(2026, 12, 31), products="Lilac app")
    dpas.attach_blank(
        db, dpa_id=sent.id, file=(pdf_bytes(), "Blank.pdf"), actor=staff_actor(make_employee(db))
    )
    ended = make_dpa(db, vendor, status=DpaStatus.expired, products="Old app")
    request = DisposalRequest(
        dpa_id=ended.id, vendor_id=vendor.id, ended_on=date(2026, 1, 5), due_on=date(2026, 2, 4)
    )
    db.add(request)
    db.flush()
    sign_in_client(client, db, contact=contact)
    pages = {
        "home": "/vendor",
        "agreement": f"/vendor/dpas/{sent.id}",
        "profile": "/vendor/profile",
        "disposal_list": "/vendor/disposal",
        "disposal": f"/vendor/disposal/{request.id}",
    }
    for name, url in pages.items():
        r = client.get(url)
        assert r.status_code == 200, url
        _says(r.text, lang, WORDS[lang][name])
        for english in ENGLISH_LEFTOVERS:
            assert f">{english}<" not in r.text, f"{url}: {english!r} in English"
    # Form errors come in the contact's language.
    url = f"/vendor/dpas/{sent.id}/signed"
    no_file = client.post(url, data={"signatory_name": "Ana", "signatory_title": "CEO"})
    assert no_file.status_code == 422 and WORDS[lang]["no_file"] in no_file.text
    no_name = client.post(url, files={"file": ("s.pdf", pdf_bytes(), "application/pdf")}, data={})
    assert no_name.status_code == 422 and WORDS[lang]["no_signatory"] in no_name.text
    not_pdf = client.post(
        f"/vendor/disposal/{request.id}/certificate", files={"file": ("c.pdf", b"GIF89a", "application/pdf")}
    )
    assert not_pdf.status_code == 422 and WORDS[lang]["not_pdf"] in not_pdf.text
    profile = {"contact_name": "", "contact_email": contact.email, "privacy_policy_url": "ftp://x"}
    bad = client.post("/vendor/profile", data={**profile, "preferred_language": lang})
    assert bad.status_code == 422 and f'<html lang="{lang}">' in bad.text
    assert WORDS[lang]["bad_url"] in bad.text and WORDS[lang]["no_name"] in bad.text
    assert "Enter " not in bad.text


def test_the_contact_changes_their_language_on_the_profile(
    client: TestClient, db: Session, spanish_and_portuguese_portal: dict
) -> None:
    contact, _ = spanish_and_portuguese_portal["es"]
    sign_in_client(client, db, contact=contact)
    values = {"contact_name": contact.name, "contact_email": contact.email, "privacy_policy_url": ""}
    wrong = client.post("/vendor/profile", data={**values, "preferred_language": "fr"})
    assert wrong.status_code == 422 and "el idioma de los correos" in wrong.text
    r = client.post("/vendor/profile", data={**values, "preferred_language": "pt"}, follow_redirects=False)
    assert r.status_code == 303 and f"{i18n.COOKIE}=pt" in r.headers["set-cookie"]
    db.refresh(contact)
    assert contact.preferred_language == "pt"
    home = client.get("/vendor")
    _says(home.text, "pt", ["Seus dados de contato foram salvos.", "Português"])


def test_staff_set_a_new_contacts_language_and_see_it(client: TestClient, db: Session) -> None:
    vendor = make_vendor(db, name="Oak Owl")
    make_contact(db, vendor, email="first@oak.example.com")
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    page = client.get(f"/staff/vendors/{vendor.id}")
    assert '<html lang="en">' in page.text and "English (not chosen yet)" in page.text
    r = client.post(
        f"/staff/vendors/{vendor.id}/contacts",
        data={"name": "Sol", "email": "sol@oak.example.com", "preferred_language": "es"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    detail = client.get(f"/staff/vendors/{vendor.id}").text
    assert 'sol@oak.example.com · <span class="contact-language">emails in Spanish</span>' in detail
    bad = client.post(
        f"/staff/vendors/{vendor.id}/contacts",
        data={"name": "Xi", "email": "xi@oak.example.com", "preferred_language": "xx"},
    )
    assert bad.status_code == 422 and "Choose the language of the emails." in bad.text


def test_the_team_sets_the_first_contacts_language_when_adding_a_vendor(
    client: TestClient, db: Session
) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    form = client.get("/staff/vendors/new")
    assert 'name="contact_language"' in form.text and "Not known: English until they choose" in form.text
    fields = {"name": "Cedar Maps", "contact_name": "Rui", "contact_email": "rui@cedar.example.com"}
    bad = client.post("/staff/vendors/new", data={**fields, "contact_language": "xx"})
    assert bad.status_code == 422 and "Choose the language of the emails." in bad.text
    assert 'value="rui@cedar.example.com"' in bad.text  # nothing typed is lost
    assert db.exec(select(Vendor).where(Vendor.name == "Cedar Maps")).first() is None
    r = client.post("/staff/vendors/new", data={**fields, "contact_language": "pt"}, follow_redirects=False)
    assert r.status_code == 303
    contact = db.exec(select(VendorContact).where(VendorContact.email == "rui@cedar.example.com")).one()
    assert contact.preferred_language == "pt"
    detail = client.get(r.headers["location"]).text
    assert '<span class="contact-language">emails in Portuguese</span>' in detail


REFUSALS = {
    "es": {
        "no_agreement": "Ese acuerdo no existe.",
        "no_request": "Esa solicitud no existe.",
        "not_waiting": "Este acuerdo ya no espera su respuesta.",
        "encrypted": "El PDF está cifrado o protegido con contraseña",
        "not_in_registry": "Esa empresa no está en el registro.",
    },
    "pt": {
        "no_agreement": "Esse acordo não existe.",
        "no_request": "Esse pedido não existe.",
        "not_waiting": "Este acordo não está mais esperando sua resposta.",
        "encrypted": "O PDF está criptografado ou protegido por senha",
        "not_in_registry": "Essa empresa não está no registro.",
    },
}


def _encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("lang", ["es", "pt"])
def test_what_the_services_refuse_is_said_in_the_contacts_language(
    client: TestClient, db: Session, lang: str, spanish_and_portuguese_portal: dict
) -> None:
    """Not found, an answer that comes too late, an upload we cannot check: in their language too."""
    contact, vendor = spanish_and_portuguese_portal[lang]
    sent = make_dpa(db, vendor, status=DpaStatus.sent, expires_on=date(2026, 12, 31))
    answered = make_dpa(db, vendor, status=DpaStatus.vendor_signed, expires_on=date(2026, 12, 31))
    sign_in_client(client, db, contact=contact)
    words = REFUSALS[lang]
    missing = client.get(f"/vendor/dpas/{uuid.uuid4()}")
    assert missing.status_code == 404 and words["no_agreement"] in missing.text
    assert "No such" not in missing.text
    no_request = client.get(f"/vendor/disposal/{uuid.uuid4()}")
    assert no_request.status_code == 404 and words["no_request"] in no_request.text
    again = client.post(f"/vendor/dpas/{answered.id}/decline", data={"reason": "We changed our minds."})
    assert again.status_code == 200 and str(again.url).endswith(f"/vendor/dpas/{answered.id}")
    assert words["not_waiting"] in again.text  # on the agreement's page as it stands now
    locked = client.post(
        f"/vendor/dpas/{sent.id}/signed",
        files={"file": ("signed.pdf", _encrypted_pdf(), "application/pdf")},
        data={"signatory_name": "Ana", "signatory_title": "CEO"},
    )
    assert locked.status_code == 422 and words["encrypted"] in locked.text
    assert "This file is not acceptable" not in locked.text and "password-protected" not in locked.text
    client.cookies.clear()
    client.cookies.set(i18n.COOKIE, lang)
    public = client.get(f"/registry/vendors/{uuid.uuid4()}")
    assert public.status_code == 404 and words["not_in_registry"] in public.text
