"""Helpers shared by the vendor, DPA, vendor-portal and registry pages: labels, form values,
field errors from the services, uploads and downloads. No rules live here."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from app.errors import DomainError
from app.i18n import N_
from app.models.data_elements import DATA_ELEMENTS, GRADE_BANDS
from app.models.schemas import field_errors
from app.routers.form_data import upload_bytes

VENDOR_STATUS_LABELS = {
    "requested": "Requested",
    "under_review": "Under review",
    "approved": "Approved",
    "approved_with_consent": "Approved with consent",
    "denied": "Denied",
    "retired": "Retired",
}
VENDOR_ACTION_LABELS = {
    "review": "Start the review",
    "approve": "Approve",
    "approve_with_consent": "Approve with parental consent",
    "deny": "Deny",
    "retire": "Retire",
}
# Shown on the vendor portal too (translated there with the `t` filter).
DPA_STATUS_LABELS = {
    "draft": N_("Draft"),
    "sent": N_("Sent to the vendor"),
    "vendor_signed": N_("Signed by the vendor"),
    "executed": N_("Executed"),
    "expired": N_("Expired"),
    "terminated": N_("Terminated"),
    "declined": N_("Declined by the vendor"),
}
# A vendor contact's language, as staff read it (the portal names each in its own language).
CONTACT_LANGUAGE_LABELS = {"en": "English", "es": "Spanish", "pt": "Portuguese"}
TEMPLATE_LABELS = {
    "mspa": N_("Massachusetts Student Privacy Alliance (MSPA)"),
    "ndpa_standard": N_("National DPA, standard clauses"),
    "vendor_specific": N_("Vendor's own agreement"),
    "district_modified": N_("District-modified agreement"),
}


def labels() -> dict[str, Any]:
    """The label tables every vendor/DPA template uses."""
    return {
        "vendor_statuses": VENDOR_STATUS_LABELS,
        "vendor_actions": VENDOR_ACTION_LABELS,
        "dpa_statuses": DPA_STATUS_LABELS,
        "templates": TEMPLATE_LABELS,
        "data_elements": DATA_ELEMENTS,
        "grade_bands": GRADE_BANDS,
        "contact_languages": CONTACT_LANGUAGE_LABELS,
    }


def form_values(form: FormData, fields: tuple[str, ...], lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """Text fields (stripped of nothing: the schema does that) and multi-valued fields, as sent."""
    values: dict[str, Any] = {}
    for name in fields:
        value = form.get(name)
        values[name] = value if isinstance(value, str) else ""
    for name in lists:
        values[name] = [v for v in form.getlist(name) if isinstance(v, str)]
    return values


def errors_of(exc: ValidationError | DomainError) -> dict[str, str]:
    """Per-field messages (``form`` for the rest) from a schema or a service error."""
    if isinstance(exc, ValidationError):
        return field_errors(exc)
    errors: dict[str, str] = {}
    for err in exc.errors or []:
        field = str(err.get("field") or "form").split(".")[-1]
        message = err.get("message") or exc.detail
        # A FieldMessage stays one (str() would drop what the `t` filter translates it with).
        errors.setdefault(field, message if isinstance(message, str) else str(message))
    if not errors:
        errors["form"] = exc.detail
    return errors


def upload_of(form: FormData, name: str) -> tuple[bytes, str | None] | None:
    """The bytes and the sent file name of an upload field, or None when no file was chosen."""
    return upload_bytes(form.get(name))
