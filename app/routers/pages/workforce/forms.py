"""What the WISP pages share: form values as plain Python, field errors for a re-rendered form."""

from __future__ import annotations

import uuid
from datetime import date

from starlette.datastructures import FormData

from app.errors import ValidationFailed

NO_STORE = {"Cache-Control": "no-store"}


def form_date(form: FormData, name: str) -> date | None:
    value = form.get(name)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def form_text(form: FormData, name: str, limit: int = 10_000) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def form_list(form: FormData, name: str, limit: int = 5000) -> list[str]:
    return [v[:500] for v in form.getlist(name)[:limit] if isinstance(v, str)]


def form_uuids(form: FormData, name: str) -> list[uuid.UUID]:
    ids = []
    for value in form_list(form, name):
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue
    return ids


def errors_of(exc: ValidationFailed) -> dict[str, str]:
    out: dict[str, str] = {}
    for error in exc.errors or []:
        out.setdefault(str(error.get("field", "form")), str(error.get("message", "")))
    return out or {"form": exc.detail}


def values_of(form: FormData) -> dict[str, object]:
    """The submitted values to show again in a re-rendered form (lists for repeated names)."""
    values: dict[str, object] = {}
    for key in form:
        items = [v for v in form.getlist(key) if isinstance(v, str)]
        values[key] = (
            items
            if len(items) > 1 or key in {"employee_types", "employee_ids"}
            else (items[0] if items else "")
        )
    return values
