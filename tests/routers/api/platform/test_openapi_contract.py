"""The OpenAPI document is the contract: a checked-in snapshot, and the rules every operation keeps.

After an intended change to the API, regenerate the snapshot and review its diff:
``STEWARD_UPDATE_OPENAPI_SNAPSHOT=1 .venv/bin/pytest tests/routers/api/platform/test_openapi_contract.py``
(or ``make openapi-snapshot``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from app.api_contract import TOKEN_URL
from app.models.schemas import TEXT_PATTERNS
from app.security.permissions import SCOPES

SNAPSHOT = Path(__file__).resolve().parents[3] / "snapshots" / "openapi.json"


@pytest.fixture
def document(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def test_the_document_matches_the_checked_in_snapshot(document: dict[str, Any]) -> None:
    rendered = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("STEWARD_UPDATE_OPENAPI_SNAPSHOT"):
        SNAPSHOT.write_text(rendered, encoding="utf-8")
    assert SNAPSHOT.read_text(encoding="utf-8") == rendered, (
        "The API contract changed. If that is intended, regenerate tests/snapshots/openapi.json "
        "with STEWARD_UPDATE_OPENAPI_SNAPSHOT=1 and review the diff."
    )


def test_operation_ids_are_the_handlers_names_and_unique(document: dict[str, Any]) -> None:
    ids = [op["operationId"] for _, _, op in _operations(document)]
    assert len(ids) == len(set(ids))
    assert {"list_vendors", "create_dispute", "approve_vendor", "close_dispute", "token"} <= set(ids)
    assert all(i.isidentifier() and "api_v1" not in i for i in ids)


def test_every_operation_is_described(document: dict[str, Any]) -> None:
    for method, path, op in _operations(document):
        assert op.get("summary") and op.get("description"), (method, path)


def test_every_api_error_is_a_documented_problem(document: dict[str, Any]) -> None:
    for method, path, op in _operations(document):
        if not path.startswith("/api/") or path == TOKEN_URL:
            continue
        codes = {int(c) for c in op["responses"] if c.isdigit()}
        assert {422, 500} <= codes or (method == "GET" and 500 in codes), (method, path, codes)
        for code, response in op["responses"].items():
            if code.isdigit() and int(code) >= 400:
                assert response["content"] == {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }, (method, path, code)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_secured_operations_name_their_scheme_and_scopes(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    flow = schemes["oauth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == TOKEN_URL and set(flow["scopes"]) == set(SCOPES)
    ops = {op["operationId"]: op for _, _, op in _operations(document)}
    assert ops["create_vendor"]["security"] == [{"oauth2": ["vendors:write"]}, {"staffSession": []}]
    assert ops["list_disputes"]["security"] == [
        {"oauth2": ["disputes:read", "disputes:write"]},
        {"staffSession": []},
    ]
    assert ops["request_vendor"]["security"] == [{"staffSession": []}]  # employees only
    assert ops["create_employee"]["security"][0] == {"oauth2": ["scim"]}
    assert "security" not in ops["registry"]  # public
    for _, path, op in _operations(document):
        if path.startswith("/api/") and {"401", "403"} & set(op["responses"]):
            assert op.get("security"), path


def test_closed_lists_are_enums_and_blank_text_is_invalid(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    vendor = schemas["VendorCreate"]
    assert vendor["additionalProperties"] is False
    assert vendor["properties"]["data_elements"]["items"]["enum"]
    assert vendor["properties"]["grade_bands"]["items"]["enum"]
    # A required single line: something other than spaces, and no control character.
    name = vendor["properties"]["name"]
    assert name["minLength"] == 1 and name["pattern"] == TEXT_PATTERNS["line"][1]
    assert schemas["ApiClientCreate"]["properties"]["scopes"]["items"]["enum"] == list(SCOPES)
    assert set(schemas["DisputeRespond"]["properties"]["decision"]["enum"]) == {
        "upheld",
        "partly_upheld",
        "not_upheld",
        "information",
    }
    assert "vendor_id" in schemas["DpaCreateRequest"]["required"]


def test_list_bounds_are_declared(document: dict[str, Any]) -> None:
    for method, path, op in _operations(document):
        for param in op.get("parameters", []):
            if param["name"] in ("offset", "limit"):
                assert "maximum" in param["schema"], (method, path, param["name"])
