"""An API answer serialized in the handler's own thread.

A plain ``def`` handler that returns a model makes FastAPI validate it again (in a threadpool hop
of its own) before serializing it. The list handlers build their answer from typed rows already,
so they dump it here, in the thread they run in, to the same bytes FastAPI would send; the
``response_model`` in the decorator still documents the shape (the API tests check they agree).
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel
from starlette.responses import Response


def json_answer(model: BaseModel, headers: Mapping[str, str] | None = None) -> Response:
    return Response(model.model_dump_json(by_alias=True), media_type="application/json", headers=headers)
