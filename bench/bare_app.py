"""The baseline for bench_http.py: a bare FastAPI app answering a list of the same shape as
Steward's JSON lists (twenty objects, a count), validated by a response model, with no database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import FastAPI
from pydantic import BaseModel


class Item(BaseModel):
    id: uuid.UUID
    name: str
    status: str
    products: str | None
    grade_bands: list[str]
    data_elements: list[str]
    created_at: datetime
    updated_at: datetime


class Items(BaseModel):
    data: list[Item]
    count: int


ROWS = [
    {
        "id": uuid.uuid4(),
        "name": f"Vendor {i:05d}",
        "status": "approved",
        "products": f"Product {i}",
        "grade_bands": ["3_5"],
        "data_elements": ["student_name", "grade"],
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
        "updated_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    for i in range(20)
]


def create_app() -> FastAPI:
    app = FastAPI()

    @app.get("/list", response_model=Items)
    def listing() -> Items:
        return Items(data=[Item(**row) for row in ROWS], count=2000)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
