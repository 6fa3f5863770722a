"""Vendor contact pages: sign in by emailed link (see ``link_sign_in``) and the vendor's home page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.deps import CurrentVendor, SessionDep
from app.routers.pages.identity.link_sign_in import NO_STORE, LinkSignIn, add_link_sign_in
from app.routers.pages.vendors.forms import labels
from app.services.identity import vendor_auth
from app.services.vendors.agreement_queries import list_vendor_dpas
from app.templating import render

router = APIRouter(include_in_schema=False)

add_link_sign_in(
    router,
    LinkSignIn(
        audience="vendor",
        templates="vendors/portal",
        purposes=vendor_auth.VENDOR_PURPOSES,
        request_link=vendor_auth.request_vendor_link,
        redeem=vendor_auth.redeem_vendor_link,
        passes_language=True,
    ),
)


@router.get("/vendor")
def home(request: Request, session: SessionDep, viewer: CurrentVendor) -> Response:
    assert viewer.vendor_contact is not None  # CurrentVendor guarantees it
    data = vendor_auth.vendor_home(session, contact_id=viewer.vendor_contact.id)
    dpas = list_vendor_dpas(session, vendor_id=data.vendor.id)
    return render(
        request,
        "vendors/portal/home.html",
        {**labels(), "vendor": data.vendor, "contact": data.contact, "dpas": dpas},
        headers=NO_STORE,
    )
