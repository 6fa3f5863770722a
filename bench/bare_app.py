"""The baseline for bench_http.py: a bare FastAPI app answering a list of the same shape as
Steward's JSON lists (twenty objects, a count), validated by a response model, with no database.

``/list-with-lookup`` is the same list behind one plain ``def`` dependency that looks one row up
by key in SQLite (stdlib ``sqlite3``, a connection per thread): the least a list that checks its
caller against a database costs on this stack, for reading Steward's ratios against."""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

from fastapi import Depends, FastAPI, Request
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
CALLERS = 1_000


def _lookup_database() -> Path:
    path = Path(tempfile.mkdtemp(prefix="bare-app-")) / "callers.db"
    atexit.register(shutil.rmtree, path.parent, ignore_errors=True)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE caller (key TEXT PRIMARY KEY, name TEXT NOT NULL, active INTEGER NOT NULL)")
        callers = [(f"k{i}", f"Caller {i}") for i in range(CALLERS)]
        db.executemany("INSERT INTO caller VALUES (?, ?, 1)", callers)
    return path


def create_app() -> FastAPI:
    app = FastAPI()
    path = _lookup_database()
    local = threading.local()

    def caller(request: Request) -> str:
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = local.connection = sqlite3.connect(path, check_same_thread=False)
        key = request.headers.get("x-caller", "k500")  # one caller, as one client drives Steward
        row = connection.execute("SELECT name FROM caller WHERE key = ? AND active = 1", (key,)).fetchone()
        return str(row[0]) if row else "unknown"

    @app.get("/list", response_model=Items)
    def listing() -> Items:
        return Items(data=[Item(**row) for row in ROWS], count=2000)

    @app.get("/list-with-lookup", response_model=Items)
    def listing_with_lookup(_caller: str = Depends(caller)) -> Items:
        return Items(data=[Item(**row) for row in ROWS], count=2000)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
