"""Plain words for the sharing pages: data element names and why a vendor does not receive data."""

from __future__ import annotations

from typing import Any

from app.i18n import N_, translate
from app.models.data_elements import DATA_ELEMENTS
from app.models.sharing import SharingReason

# Shown to families (translated with the `t` filter).
NOT_RECEIVING_WORDS = {
    SharingReason.consent_pending: N_("Does not receive data: we are waiting for your answer."),
    SharingReason.consent_refused: N_("Does not receive data: permission was refused."),
    SharingReason.consent_revoked: N_("Does not receive data: permission was withdrawn."),
}

REASON_WORDS = {
    SharingReason.allowed_dpa: "Allowed: an executed agreement covers it",
    SharingReason.allowed_consent: "Allowed: a guardian gave permission",
    SharingReason.unknown_vendor: "Unknown vendor",
    SharingReason.unknown_student: "Unknown student",
    SharingReason.student_unenrolled: "Not enrolled",
    SharingReason.vendor_not_approved: "Vendor not approved",
    SharingReason.no_executed_dpa: "No executed agreement in force",
    SharingReason.dpa_expired: "Agreement expired",
    SharingReason.elements_not_covered: "Data not covered",
    SharingReason.outside_scope: "Outside the vendor's or request's grades or schools",
    SharingReason.consent_pending: "Waiting for the guardians' answer",
    SharingReason.consent_refused: "A guardian refused",
    SharingReason.consent_revoked: "A guardian withdrew permission",
}


def element_names(elements: list[str] | tuple[str, ...]) -> str:
    """``student_name, grade`` → ``Student name, Grade level``, in the page's language (called
    while a page renders; the names are marked for translation in ``app.models.data_elements``)."""
    return ", ".join(translate(DATA_ELEMENTS.get(e, e)) for e in elements)


def context() -> dict[str, Any]:
    return {
        "element_names": element_names,
        "not_receiving_words": NOT_RECEIVING_WORDS,
        "reason_words": REASON_WORDS,
    }
