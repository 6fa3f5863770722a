"""schemathesis over /openapi.json against the ASGI app: every operation, every check, a token
holding every scope, a fixed seed and a bounded number of examples.

More examples by hand:
``STEWARD_FUZZ_EXAMPLES=100 .venv/bin/pytest tests/routers/api/platform/test_api_fuzz.py``.
Every request runs in its own database session (the real dependency, not the test's rolled-back
one), so a refused write never poisons the next request; ``committed`` empties the tables after.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.config import SchemathesisConfig
from sqlalchemy import Engine
from sqlmodel import Session

from app.api_contract import TOKEN_URL
from app.main import create_app
from app.security.permissions import SCOPES
from app.security.tokens import issue_access_token
from tests.support.factories import make_api_client

EXAMPLES = int(os.environ.get("STEWARD_FUZZ_EXAMPLES", "8"))
SEED = int(os.environ.get("STEWARD_FUZZ_SEED", "20261202"))

ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]  # schemathesis's default
CONFIG = {
    "seed": SEED,
    # The bearer token below is the credential; invented session cookies would only meet CSRF.
    "generation": {
        "max-examples": EXAMPLES,
        "deterministic": True,
        "database": "none",
        "with-security-parameters": False,
    },
    "checks": {"enabled": True},
    "operations": [
        {
            # These take a PDF (or an image). The document can say "a file" but not "a well-formed
            # PDF"; the server parses the bytes and refuses anything else with 422 (the upload rules).
            "include-operation-id-regex": "^(set_privacy_policy|attach_blank|execute_dpa|add_incident_file)$",
            "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "422"]}},
        },
        {
            # A roster upload is a zip of OneRoster CSV files; the document can say "a file", not
            # "a well-formed OneRoster zip", so a refused file is a documented 422 (nothing written).
            "include-operation-id": "upload_import",
            "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "422"]}},
        },
        {
            # RFC 6749 §5.2: a client that authenticates in the form body and fails, or sends
            # a malformed request, gets 400 (invalid_client, invalid_request), not 401.
            "include-operation-id": "token",
            "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}},
        },
    ],
}


@pytest.fixture
def all_scopes_token(committed: Engine) -> str:
    with Session(committed) as db:
        client, _ = make_api_client(db, scopes=sorted(SCOPES))
        db.commit()
        token, _ = issue_access_token(client_id=client.client_id, scopes=sorted(SCOPES), secret_version=1)
    return token


# Loaded at collection, so each operation is its own test; the app opens its sessions lazily.
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(), config=SchemathesisConfig.from_dict(CONFIG)
)


# Fields whose rule the schema cannot state: ids of other objects (it can say "a UUID", not "one
# that exists") and dates judged against today, which a static document cannot name:
# - received_at (a dispute's receipt): not in the future, at most a year old;
# - discovered_at (an incident's discovery): not in the future;
# - due_on (a consent request's answer date): after today.
# Breaking them is answered 422 naming the field (RFC 9110 §15.5.21), which is right, so only
# that answer is exempt from positive_data_acceptance.
REFERENCE_FIELDS = {
    "student_id",
    "owner_id",
    "assignee_id",
    "vendor_id",
    "received_at",
    "discovered_at",
    "due_on",
    "released_at",  # a release time within the record-keeping era (1990-2200) and not in the future
}


def _names_an_unknown_reference(response: Any) -> bool:
    if response.status_code != 422:
        return False
    errors = response.json().get("errors") or []
    return bool(errors) and all(str(e.get("field", "")).split(".")[-1] in REFERENCE_FIELDS for e in errors)


def _a_roster_reference_or_duplicate(response: Any, case: schemathesis.Case) -> bool:
    """A roster sync is refused whole when a guardianship names a student or guardian neither in
    the body nor on file, when one SIS id appears twice in a list, or when a full sync sends no
    students: references across lists and the query, and uniqueness of one property of the items,
    which JSON Schema cannot state. Every other roster check is in the document's patterns."""
    if response.status_code != 422 or case.operation.path != "/api/v1/roster/sync":
        return False
    errors = response.json().get("errors") or []
    return bool(errors) and all(
        e.get("column") in ("student", "guardian")
        or str(e.get("message", "")).startswith("Duplicate ")
        or (e.get("column") == "" and "full roster with no students" in str(e.get("message")))
        for e in errors
    )


def _a_reserved_email_domain(response: Any) -> bool:
    """The ``email`` format allows special-use domains (RFC 6761: .invalid, .local, localhost);
    the server refuses them because no mail can reach them."""
    errors = response.json().get("errors") or [] if response.status_code == 422 else []
    return bool(errors) and all("special-use or reserved" in str(e.get("message")) for e in errors)


def _refused_for_a_generated_header(response: Any, case: schemathesis.Case) -> bool:
    """A made-up If-Match is stale by construction (412), and a made-up Idempotency-Key may
    repeat one generated earlier for another body (422): both answers are the contract."""
    headers = {k.lower() for k in (case.headers or {})}
    if response.status_code == 412:
        return "if-match" in headers
    if response.status_code == 422 and "idempotency-key" in headers:
        return response.json().get("title") == "Idempotency key reused"
    return False


def positive_data_acceptance_but_references(ctx: Any, response: Any, case: schemathesis.Case) -> bool | None:
    if (
        _names_an_unknown_reference(response)
        or _refused_for_a_generated_header(response, case)
        or _a_reserved_email_domain(response)
        or _a_roster_reference_or_duplicate(response, case)
    ):
        return None
    return positive_data_acceptance(ctx, response, case)


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # one token per operation is right
def test_every_operation_keeps_its_contract(case: schemathesis.Case, all_scopes_token: str) -> None:
    # The token endpoint authenticates with its own credentials (HTTP Basic or the form body).
    is_token = case.operation.path == TOKEN_URL
    case.call_and_validate(
        headers={} if is_token else {"Authorization": f"Bearer {all_scopes_token}"},
        excluded_checks=[positive_data_acceptance],
        additional_checks=[positive_data_acceptance_but_references],
    )
