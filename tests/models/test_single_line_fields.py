"""Issue 21 item 8: every single-line text field of every input schema refuses control characters.

The schemas are read from ``app/models/schemas`` itself, so a field added tomorrow is checked too:
every ``str`` field of every input model (not the ``...Public`` answers), except the few that
hold paragraphs, is fed CR, LF, NEL, U+2028, U+2029, a tab and NUL and must refuse each with the
``control_character`` error. The paragraph fields keep line breaks but refuse the rest.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types
import typing
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

import app.models.schemas as schemas_package
from app.models import Role
from tests.support.auth import sign_in_as
from tests.support.factories import make_employee

# Fields that hold paragraphs (textareas): line breaks allowed, other controls refused.
TEXT_BLOCKS = {"purpose", "note", "reason", "description", "body", "response_text"}
# The incident notices' and review's paragraphs (93H letters and the post-incident review).
TEXT_BLOCKS |= {
    "nature",
    "steps_taken",
    "steps_planned",
    "law_enforcement",
    "credit_monitoring_enrollment",
    "additional_text",
    "attendees",
    "findings",
    "changes",
}
BREAKERS = ["\r", "\n", "\r\n", "\x85", "\u2028", "\u2029", "\t", "\x00", "\x1b"]
# Fields named like paragraphs that are deliberately one line (shown in the public registry).
ONE_LINE_EXCEPTIONS = {
    ("DpaDocumentWithholding", "reason"),
    ("DisclosureCreate", "purpose"),  # one line in the 603 CMR 23.07 log and its CSV
    ("ManualDisclosure", "purpose"),
}
# Fields checked against a closed list or the email grammar first: any refusal will do.
CLOSED = {"channel", "data_elements", "grade_bands", "email", "contact_email", "requester_email"}
OUTPUT_SUFFIXES = (
    "Public",
    "Row",
    "Secret",
    "Response",
    "ErrorBody",
    "WhoAmI",
    "Summary",
    "Problem",
    "Answer",
)


def _input_models() -> list[type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for info in pkgutil.walk_packages(schemas_package.__path__, prefix=f"{schemas_package.__name__}."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseModel)
                and obj.__module__ == module.__name__
                and not name.startswith("_")
                and not name.endswith(OUTPUT_SUFFIXES)
            ):
                found[f"{module.__name__}.{name}"] = obj
    return list(found.values())


def _holds_str(annotation: Any) -> bool:
    if annotation is str:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _holds_str(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list):
        return any(_holds_str(a) for a in typing.get_args(annotation))
    return False


def _text_fields() -> list[tuple[type[BaseModel], str]]:
    cases = []
    for model in _input_models():
        for name, field in model.model_fields.items():
            if _holds_str(field.annotation) or "EmailStr" in repr(field.annotation):
                cases.append((model, name))
    return cases


CASES = _text_fields()
# Fields that take a list of strings: each item is checked.
LIST_FIELDS = {"scopes", "sis_ids", "emails", "student_sis_ids"}


def test_the_walk_finds_the_fields_the_issue_is_about() -> None:
    names = {(m.__name__, f) for m, f in CASES}
    assert ("VendorRequest", "name") in names  # the one that broke the email job
    assert ("DisputeCreate", "requester_name") in names
    assert ("EmployeeCreate", "title") in names
    assert ("ApiClientCreate", "name") in names
    assert len(CASES) > 40


def _value(field: str, breaker: str) -> Any:
    text = f"Evil Tool{breaker}Bcc: victim@example.net"
    if field in ("email", "contact_email", "requester_email"):
        text = f"someone{breaker}@example.net"
    if field in LIST_FIELDS:
        return [text]
    return text


def _errors_for(model: type[BaseModel], field: str, value: Any) -> list[dict[str, Any]]:
    try:
        model.model_validate({field: value})
    except ValidationError as exc:
        return [e for e in exc.errors() if e["loc"] and e["loc"][0] == field]
    return []


@pytest.mark.parametrize(("model", "field"), CASES, ids=[f"{m.__name__}.{f}" for m, f in CASES])
def test_every_text_field_refuses_control_characters(model: type[BaseModel], field: str) -> None:
    paragraph = field in TEXT_BLOCKS and (model.__name__, field) not in ONE_LINE_EXCEPTIONS
    breakers = [b for b in BREAKERS if b not in "\r\n\t"] if paragraph else BREAKERS
    for breaker in breakers:
        errors = _errors_for(model, field, _value(field, breaker))
        refused = bool(errors) if field in CLOSED else any(e["type"] == "control_character" for e in errors)
        assert refused, f"{model.__name__}.{field} accepted {breaker!r}"


@pytest.mark.parametrize("field", sorted(TEXT_BLOCKS))
def test_paragraph_fields_keep_their_line_breaks(field: str) -> None:
    models = [m for m, f in CASES if f == field and (m.__name__, f) not in ONE_LINE_EXCEPTIONS]
    assert models
    for model in models:
        errors = _errors_for(model, field, "First line.\r\nSecond line.\n\tIndented.")
        assert not any(e["type"] == "control_character" for e in errors), model.__name__


def test_the_api_refuses_a_vendor_name_with_a_line_break(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.staff]))
    response = client.post(
        "/api/v1/vendors/requests",
        json={"name": "Evil Tool\rBcc: victim@example.net", "purpose": "Reading practice"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "one line" in response.text


def test_the_page_form_refuses_it_with_plain_words(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.staff]))
    response = client.post(
        "/staff/vendors/request", data={"name": "Evil Tool\rBcc: victim@example.net", "purpose": "Reading"}
    )
    assert response.status_code == 422
    assert "Write the name on one line, without line breaks or control characters." in response.text
    assert 'value="Evil Tool' in response.text  # the value is kept for the person to fix
