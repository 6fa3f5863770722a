"""Request and response schemas shared by the JSON API and the pages, one module per domain (the
tables are the other modules of app/models)."""

from __future__ import annotations

from pydantic import ValidationError


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Pydantic errors as {field: first message}, for re-rendering a form beside its fields."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else "form"
        errors.setdefault(field, err["msg"].removeprefix("Value error, "))
    return errors
