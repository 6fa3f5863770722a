"""Form bodies of the incident pages: every field a plain string (or list), checked by the schemas.

FastAPI parses these without ever failing, so a bad value comes back to the page as a message
beside its field, with what the person typed kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, File, Form, UploadFile
from pydantic import BaseModel

from app.errors import ValidationFailed
from app.models.schemas.incidents import IncidentReport
from app.routers.form_data import upload_bytes


class ActionForm(BaseModel):
    to: str = ""
    reason: str = ""
    owner_id: str = ""
    severity: str = ""
    body: str = ""
    elements: list[str] = []
    name_involved: str = ""
    acquired_or_used: str = ""
    encrypted: str = ""
    key_compromised: str = ""
    people_affected: str = ""
    ma_residents_affected: str = ""
    law_enforcement_engaged: str = ""
    law_enforcement_delay_until: str = ""
    notice_required: str = ""
    nature: str = ""
    steps_taken: str = ""
    steps_planned: str = ""
    law_enforcement: str = ""
    entity_name: str = ""
    entity_address: str = ""
    entity_type: str = ""
    reporter_name: str = ""
    reporter_title: str = ""
    reporter_relationship: str = ""
    responsible_person: str = ""
    wisp_maintained: str = ""
    parent_organization: str = ""
    contact: str = ""
    credit_monitoring_months: str = ""
    credit_monitoring_provider: str = ""
    credit_monitoring_enrollment: str = ""
    additional_text: str = ""
    sent_on: str = ""
    method: str = ""
    held_on: str = ""
    attendees: str = ""
    findings: str = ""
    changes: str = ""
    sis_ids: str = ""
    emails: str = ""
    action_text: list[str] = []
    action_owner: list[str] = []
    action_due_on: list[str] = []

    def pick(self, *names: str) -> dict[str, Any]:
        """The named fields, blanks as None (the schemas then say what is missing)."""
        return {n: (getattr(self, n) or None) for n in names}

    def flag(self, name: str) -> bool:
        return getattr(self, name) in ("on", "true", "yes", "1")

    def actions(self) -> list[dict[str, str]]:
        rows = zip(self.action_text, self.action_owner, self.action_due_on, strict=False)
        return [
            {"action": a, "owner": o, "due_on": d} for a, o, d in rows if a.strip() or o.strip() or d.strip()
        ]


@dataclass(frozen=True)
class ReportForm:
    """The report form shared by employees and vendor contacts: what was typed, and the files."""

    values: dict[str, str]
    files: list[tuple[bytes, str]]

    def report(self) -> IncidentReport:
        """The schema's reading of the form (raises ``ValidationError``)."""
        flags = {
            "student_data": bool(self.values["student_data"]),
            "staff_data": bool(self.values["staff_data"]),
        }
        return IncidentReport.model_validate({**self.values, **flags})


def report_form(
    title: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    discovered_at: Annotated[str, Form()] = "",
    systems: Annotated[str, Form()] = "",
    student_data: Annotated[str, Form()] = "",
    staff_data: Annotated[str, Form()] = "",
    dpa_id: Annotated[str, Form()] = "",
    attachments: Annotated[list[UploadFile], File()] = [],  # noqa: B006 - FastAPI copies defaults
) -> ReportForm:
    values = {
        "title": title,
        "description": description,
        "discovered_at": discovered_at,
        "systems": systems,
        "student_data": student_data,
        "staff_data": staff_data,
        "dpa_id": dpa_id,
    }
    files = [upload for item in attachments if (upload := upload_bytes(item)) is not None]
    return ReportForm(values=values, files=files)


ReportFormDep = Annotated[ReportForm, Depends(report_form)]


def refusal_errors(exc: ValidationFailed) -> dict[str, str]:
    """A refused report's problems by form field (an upload's problem sits by the attachments)."""
    errors = {e["field"]: e["message"] for e in exc.errors or []} or {"form": exc.detail}
    return {"attachments" if k == "file" else k: v for k, v in errors.items()}
