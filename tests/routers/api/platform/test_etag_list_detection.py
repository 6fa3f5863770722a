"""The ETag middleware tells a list from a single resource without parsing a whole page."""

from __future__ import annotations

import json

import pytest

from app.etag_middleware import is_single_resource


@pytest.mark.parametrize(
    "value",
    [
        {"data": [{"count": 1}], "count": 3},
        {"data": [], "count": 0},
        {"data": 1, "x": {"count": 3}},
        {"data": 1, "x": {"a": 1, "count": 3}},
        {"data": {"count": 2}},
        {"id": "x", "count": 2},
        {"count": 2, "data": []},
        [1, 2],
    ],
)
def test_the_shortcut_agrees_with_parsing(value: object) -> None:
    body = json.dumps(value, separators=(",", ":")).encode()
    parsed = isinstance(value, dict) and not {"data", "count"} <= value.keys()
    assert is_single_resource("application/json", body) is parsed
