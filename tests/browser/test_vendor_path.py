"""Issue 4, done when: the whole vendor path in a real browser, with axe checks on each page.

An employee asks for a tool to be vetted; the team reviews it, drafts an agreement and sends
it; the vendor's contact signs in through the emailed link and uploads the signed PDF; the
team executes it; the vendor is approved and the agreement is in the public registry.
"""

from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfWriter
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.config import Settings
from app.models import Dpa, DpaStatus, Role, Vendor, VendorStatus
from app.services.vendors.rules import local_today
from tests.support.browser import assert_accessible
from tests.support.e2e import deliver_mail, emailed_link, person, staff_browser
from tests.support.factories import make_employee
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.browser


def _signed_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.add_metadata({"/Title": "Signed data privacy agreement"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _flash(pg, text: str) -> None:  # type: ignore[no-untyped-def]
    """The page after a form was sent shows this message (waits for the new page)."""
    expect(pg.locator(".flash").first).to_contain_text(text)


def test_a_requested_tool_gets_an_executed_agreement_and_is_published(
    committed: Engine, browser, live_server: str, smtp: SmtpSink, smtp_settings: Settings
) -> None:
    tag = uuid.uuid4().hex[:6]
    tool = f"Quillboard {tag}"
    contact_email = f"dana-{tag}@quillboard.example.com"
    with Session(committed) as db:
        teacher = make_employee(db, name="Terry Teacher", roles=[Role.staff], password=None)
        officer = make_employee(db, name="Pia Privacy", roles=[Role.privacy_team], password=None)
        teacher_id, teacher_email, officer_id = teacher.id, teacher.email, officer.id
        db.commit()
    today = local_today()

    # An employee asks for the tool to be vetted.
    employee = staff_browser(browser, live_server, committed, teacher_id)
    pg = employee.new_page()
    pg.goto("/staff/vendors/request")
    assert_accessible(pg)
    pg.get_by_label("Name of the tool or company").fill(tool)
    pg.get_by_label("Website").fill("https://quillboard.example.com")
    pg.get_by_label("Educational purpose").fill("Collaborative writing for grade 4 classes.")
    pg.get_by_label("Grades 3 to 5").check()
    pg.get_by_label("Student name", exact=True).check()
    pg.get_by_label("Student work (assignments, files, recordings)").check()
    pg.get_by_role("button", name="Send the request").click()
    pg.wait_for_url(re.compile(r"/staff/vendors/mine$"))  # their own requests, this one on top
    _flash(pg, f"the Data Privacy Team will review {tool}")
    expect(pg.locator("table tbody tr").first).to_contain_text("Requested")
    assert_accessible(pg)
    assert employee.console_errors == []
    employee.close()

    # The team reviews it, adds the vendor's contact and drafts the agreement, every term ticked.
    team = staff_browser(browser, live_server, committed, officer_id)
    pg = team.new_page()
    pg.goto("/staff/vendors")
    assert_accessible(pg)
    pg.get_by_role("link", name=tool).click()
    pg.wait_for_url(re.compile(r"/staff/vendors/[0-9a-f-]{36}$"))
    vendor_url = pg.url
    expect(pg.locator("hgroup .status")).to_have_text("Requested")
    assert_accessible(pg)
    pg.get_by_role("button", name="Start the review").click()
    pg.get_by_role("dialog").get_by_role("button", name="Yes, go ahead").click()  # the confirmation
    _flash(pg, f"{tool} is now under review")
    expect(pg.locator("hgroup .status")).to_have_text("Under review")
    pg.get_by_label("Contact name").fill("Dana Vendor")
    pg.get_by_label("Contact email").fill(contact_email)
    pg.get_by_role("button", name="Add the contact").click()
    _flash(pg, "Dana Vendor was added")
    pg.get_by_role("link", name="Start an agreement").click()
    pg.wait_for_url(re.compile(r"/dpas/new$"))
    assert_accessible(pg)
    pg.get_by_label("Template").select_option("mspa")
    pg.get_by_label("Effective on").fill(today.isoformat())
    pg.get_by_label("Expires on").fill((today + timedelta(days=730)).isoformat())
    pg.get_by_label("Breach notice within (hours)").fill("72")
    pg.get_by_label("Data disposed of within (days)").fill("60")
    for box in pg.locator('input[name="terms"]').all():
        box.check()
    pg.get_by_label("District signatory").fill("Superintendent")
    assert pg.get_by_text("Once executed, the agreement is listed in the public registry").is_visible()
    pg.get_by_role("button", name="Create the agreement").click()
    pg.wait_for_url(re.compile(r"/staff/dpas/[0-9a-f-]{36}$"))
    dpa_url = pg.url
    expect(pg.locator("hgroup .status")).to_have_text("Draft")
    assert_accessible(pg)
    pg.get_by_role("button", name="Send to the vendor").click()
    pg.get_by_role("dialog").get_by_role("button", name="Yes, go ahead").click()  # the confirmation
    _flash(pg, "The agreement was sent")
    expect(pg.locator("hgroup .status")).to_have_text("Sent to the vendor")

    # The invitation goes out through the real delivery job and SMTP.
    assert deliver_mail(committed, smtp_settings) >= 1
    link = emailed_link(smtp, contact_email, f"invites {tool}")

    # The vendor's contact signs in through the link and uploads the signed agreement.
    vendor_side = person(browser, live_server)
    vp = vendor_side.new_page()
    vp.goto(link)
    assert_accessible(vp)
    vp.get_by_role("button", name="Continue").click()
    vp.wait_for_url(re.compile(r"/vendor$"))
    assert vp.get_by_role("heading", level=1).inner_text() == tool
    assert_accessible(vp)
    vp.get_by_role("link", name="Massachusetts Student Privacy Alliance (MSPA)").click()
    vp.wait_for_url(re.compile(r"/vendor/dpas/[0-9a-f-]{36}$"))
    expect(vp.locator("hgroup .status")).to_have_text("Sent to the vendor")
    assert_accessible(vp)
    # The same page in Spanish (the selector in the header), then back to English.
    vp.get_by_role("button", name="Español").click()
    expect(vp.locator("hgroup .status")).to_have_text("Enviado a la empresa")
    assert vp.locator("html").get_attribute("lang") == "es"
    assert_accessible(vp)
    vp.get_by_role("button", name="English").click()
    expect(vp.locator("hgroup .status")).to_have_text("Sent to the vendor")
    signed = _signed_pdf()
    vp.locator("#signed-file").set_input_files(
        {"name": "quillboard-signed.pdf", "mimeType": "application/pdf", "buffer": signed}
    )
    vp.get_by_label("Name of the person who signed").fill("Dana Vendor")
    vp.get_by_label("Their title").fill("Chief Executive Officer")
    vp.get_by_role("button", name="Upload the signed agreement").click()
    _flash(vp, "signed agreement")
    expect(vp.locator("hgroup .status")).to_have_text("Signed by the vendor")
    assert vp.get_by_role("link", name="quillboard-signed.pdf").is_visible()
    assert_accessible(vp)

    # The team sees the signed copy and executes the agreement.
    pg.goto(dpa_url)
    expect(pg.locator("hgroup .status")).to_have_text("Signed by the vendor")
    assert pg.get_by_text("Every required term is ticked.").is_visible()
    assert_accessible(pg)
    pg.get_by_role("button", name="Execute the agreement").click()
    pg.get_by_role("dialog").get_by_role("button", name="Yes, go ahead").click()  # the confirmation
    _flash(pg, "The agreement was executed")
    expect(pg.locator("hgroup .status")).to_have_text("Executed")
    pg.goto(vendor_url)
    expect(pg.locator("hgroup .status")).to_have_text("Approved")
    assert_accessible(pg)

    with Session(committed) as db:
        vendor = db.exec(select(Vendor).where(Vendor.name == tool)).one()
        dpa = db.exec(select(Dpa).where(Dpa.vendor_id == vendor.id)).one()
        assert vendor.status == VendorStatus.approved and dpa.status == DpaStatus.executed
        assert dpa.vendor_signatory_name == "Dana Vendor" and dpa.signed_document_id is not None

    # The requester hears the decision, the vendor hears the agreement is executed.
    deliver_mail(committed, smtp_settings)
    assert any(f"{tool} is now approved" in m.subject for m in smtp.to(teacher_email))
    assert any("is executed" in m.subject for m in smtp.to(contact_email))

    # Anyone can find the agreement in the public registry.
    public = person(browser, live_server)
    rp = public.new_page()
    rp.goto("/registry")
    card = rp.locator(".registry-cards article", has_text=tool)
    assert card.count() == 1
    assert "Massachusetts Student Privacy Alliance (MSPA)" in card.inner_text()
    assert "Dana Vendor" not in rp.content() and contact_email not in rp.content()
    assert_accessible(rp)
    # ... download its signed copy, open the vendor's page, and look among the ended ones.
    with rp.expect_download() as caught:
        card.get_by_role("link", name="Download the signed agreement").click()
    assert caught.value.suggested_filename.endswith(".pdf")
    card.get_by_role("link", name=tool).click()
    rp.wait_for_url(re.compile(r"/registry/vendors/"))
    expect(rp.get_by_role("heading", level=1)).to_have_text(tool)
    assert_accessible(rp)
    rp.goto("/registry?status=terminated")
    assert rp.locator(".registry-cards article", has_text=tool).count() == 0
    expect(rp.locator("select#status")).to_have_value("terminated")
    assert_accessible(rp)
    rp.get_by_role("button", name="Español").click()  # and the registry in Spanish
    expect(rp.get_by_role("heading", level=1)).to_have_text("Acuerdos de privacidad de datos en vigor")
    assert rp.locator("html").get_attribute("lang") == "es"
    assert_accessible(rp)

    # The whole story is in the audit log, each event readable at a glance.
    pg.goto("/staff/audit?action=dpa.")
    assert pg.locator(".audit-table tbody tr", has_text="dpa.executed").count() == 1
    assert_accessible(pg)
    for context in (team, vendor_side, public):
        assert context.console_errors == []
        context.close()
