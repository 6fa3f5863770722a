"""The sharing check under load (issue 14, DESIGN.md §9).

Loads 100,000 students, 500 vendors (half with an executed agreement, half on the consent path
with an open request) and 1,000,000 consent responses, then prints, each with its ratio:

1. single checks through the real HTTP stack (uvicorn, the real bearer-token auth) by N
   concurrent clients, in requests per second, against a bare FastAPI endpoint that returns the
   same JSON shape, served the same way in the same run — target ≥ 60 %;
2. a batch of 10,000 students for one vendor: server time (the service plus the response model)
   — target under 200 ms — and the number of queries (constant: not one per student);
3. the disclosure batch insert of 10,000 rows (checked, logged, audited) against a bare
   executemany of the same rows.

    .venv/bin/python bench/bench_sharing_check.py                  # SQLite in a temporary directory
    BENCH_QUICK=1 .venv/bin/python bench/bench_sharing_check.py    # a small district, for a smoke run
    STEWARD_BENCH_DATABASE_URL=postgresql://... .venv/bin/python bench/bench_sharing_check.py
"""

from __future__ import annotations

import json
import logging
import os
import socket
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

QUICK = os.environ.get("BENCH_QUICK") == "1"
STUDENTS, VENDORS, RESPONSES = (2_000, 20, 20_000) if QUICK else (100_000, 500, 1_000_000)
BATCH = 1_000 if QUICK else 10_000
CLIENTS, REQUESTS = (4, 400) if QUICK else (8, 4_000)
_TMP = tempfile.mkdtemp(prefix="steward-bench-")
# The app served here reads its database from the settings: always the bench database, never the
# one a developer's environment or .env names (this bench empties the tables it fills).
os.environ["STEWARD_DATABASE_URL"] = os.environ.get("STEWARD_BENCH_DATABASE_URL") or f"sqlite:///{_TMP}/b.db"

import httpx  # noqa: E402
import uvicorn  # noqa: E402
from benchkit import figure, mark_bench_database, write_results  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from sqlalchemy import delete, event, insert  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app import clock  # noqa: E402
from app.actors import Actor  # noqa: E402
from app.config import get_settings  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.main import create_app  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.models import (  # noqa: E402
    ApiClient,
    ApiClientKind,
    AuditEvent,
    Dpa,
    DpaStatus,
    DpaTemplate,
    Student,
    Vendor,
    VendorStatus,
)
from app.models.consent import ConsentRequest, ConsentRequestStatus, ConsentResponse, ConsentStatus  # noqa: E402
from app.models.schemas.sharing import DisclosureCreate, OneVendorBatch, SharingAnswer  # noqa: E402
from app.models.sharing import Disclosure  # noqa: E402
from app.routers.api.sharing.check import sharing_check_batch  # noqa: E402
from app.security.tokens import issue_access_token  # noqa: E402
from app.services.sharing.disclosures import DISCLOSURE_TABLE, log_disclosures  # noqa: E402

BANDS = ["pk_2", "3_5", "6_8", "9_12"]
GRADES = ["K", *[str(g) for g in range(1, 13)]]
TABLES = (Disclosure, ConsentResponse, ConsentRequest, Dpa, AuditEvent, ApiClient, Student, Vendor)


def _clear(engine: Engine) -> None:
    with Session(engine) as session:
        for model in TABLES:
            session.execute(delete(model))
        session.commit()


def _fill(engine: Engine) -> tuple[list[uuid.UUID], list[uuid.UUID], list[str]]:
    """Students, vendors, agreements, consent requests and responses, inserted in bulk."""
    now, today = clock.now(), date.today()
    sis_ids = [f"S{i:07d}" for i in range(STUDENTS)]
    students = [uuid.uuid4() for _ in range(STUDENTS)]
    dpa_vendors = [uuid.uuid4() for _ in range(VENDORS // 2)]
    consent_vendors = [uuid.uuid4() for _ in range(VENDORS - VENDORS // 2)]
    per_request = RESPONSES // len(consent_vendors)
    with Session(engine) as session:
        for start in range(0, STUDENTS, 20_000):
            session.execute(
                insert(Student),
                [
                    {
                        "id": students[i],
                        "sis_id": sis_ids[i],
                        "first_name": "Stu",
                        "last_name": f"Dent {i}",
                        "school": f"School {i % 12}",
                        "grade": GRADES[i % 13],
                        "enrollment_status": "enrolled",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(start, min(start + 20_000, STUDENTS))
                ],
            )
        session.execute(
            insert(Vendor),
            [
                {
                    "id": vid,
                    "name": f"Vendor {n:04d}",
                    "status": VendorStatus.approved
                    if n < len(dpa_vendors)
                    else VendorStatus.approved_with_consent,
                    "grade_bands": BANDS,
                    "data_elements": ["student_name", "grade"],
                    "created_at": now,
                    "updated_at": now,
                }
                for n, vid in enumerate([*dpa_vendors, *consent_vendors])
            ],
        )
        session.execute(
            insert(Dpa),
            [
                {
                    "id": uuid.uuid4(),
                    "vendor_id": vid,
                    "template": DpaTemplate.mspa,
                    "status": DpaStatus.executed,
                    "effective_on": today - timedelta(days=400),
                    "expires_on": today + timedelta(days=300),
                    "data_elements": ["student_name", "grade"],
                    "terms": {},
                    "public": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for vid in dpa_vendors
            ],
        )
        requests = [uuid.uuid4() for _ in consent_vendors]
        session.execute(
            insert(ConsentRequest),
            [
                {
                    "id": rid,
                    "reference": f"C-B-{n:05d}",
                    "vendor_id": vid,
                    "purpose": "Benchmark",
                    "data_elements": ["student_name", "grade"],
                    "schools": [f"School {s}" for s in range(12)],
                    "grades": GRADES,
                    "status": ConsentRequestStatus.open,
                    "due_on": today + timedelta(days=21),
                    "opened_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
                for n, (rid, vid) in enumerate(zip(requests, consent_vendors, strict=True))
            ],
        )
        statuses = [
            ConsentStatus.granted,
            ConsentStatus.granted,
            ConsentStatus.refused,
            ConsentStatus.pending,
        ]
        rows: list[dict[str, Any]] = []
        for n, rid in enumerate(requests):
            offset = (n * per_request) % STUDENTS
            for k in range(per_request):
                rows.append(
                    {
                        "id": uuid.uuid4(),
                        "request_id": rid,
                        "student_id": students[(offset + k) % STUDENTS],
                        "status": statuses[k % 4],
                        "created_at": now,
                    }
                )
                if len(rows) == 50_000:
                    session.execute(insert(ConsentResponse), rows)
                    rows = []
        if rows:
            session.execute(insert(ConsentResponse), rows)
        session.commit()
    return dpa_vendors, consent_vendors, sis_ids


def _token(engine: Engine) -> str:
    client = ApiClient(
        name="Bench SIS",
        kind=ApiClientKind.sis,
        client_id="bench-sis",
        secret_hash="unused: the bench signs its own token",  # noqa: S106
        scopes=["sharing:read"],
    )
    with Session(engine) as session:
        session.add(client)
        session.commit()
        session.refresh(client)
        token, _ = issue_access_token(client_id=client.client_id, scopes=["sharing:read"], secret_version=1)
    return token


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(app: FastAPI) -> tuple[uvicorn.Server, str]:
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def _rps(base: str, path: Callable[[int], str], headers: dict[str, str]) -> float:
    per_client = REQUESTS // CLIENTS

    def run(c: int) -> None:
        with httpx.Client(base_url=base, headers=headers) as http:
            for i in range(per_client):
                assert http.get(path(c * per_client + i)).status_code == 200

    run(0)  # warm up
    start = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(run, range(CLIENTS)))
    return per_client * CLIENTS / (time.perf_counter() - start)


def _bare_app(sample: dict[str, Any]) -> FastAPI:
    bare = FastAPI()

    @bare.get("/check", response_model=SharingAnswer)
    def bare_check(vendor_id: str, student_sis_id: str, data_elements: str = "") -> SharingAnswer:
        return SharingAnswer.model_validate(
            {**sample, "vendor_id": vendor_id, "student_sis_id": student_sis_id}
        )

    return bare


def http_ratio(engine: Engine, vendor: uuid.UUID, sis_ids: list[str]) -> list[dict[str, Any]]:
    token = _token(engine)
    real, real_base = _serve(create_app())
    headers = {"Authorization": f"Bearer {token}"}

    def path(i: int) -> str:
        sis = sis_ids[i % len(sis_ids)]
        return f"/api/v1/sharing-check?vendor_id={vendor}&student_sis_id={sis}&data_elements=grade"

    sample = httpx.get(real_base + path(0), headers=headers).json()
    bare, bare_base = _serve(_bare_app(sample))
    real_rps = _rps(real_base, path, headers)
    bare_rps = _rps(bare_base, lambda i: path(i).replace("/api/v1/sharing-check", "/check"), headers)
    real.should_exit = bare.should_exit = True
    print(
        f"  single checks, {CLIENTS} clients over HTTP: {real_rps:8.0f} req/s vs bare {bare_rps:8.0f} req/s"
        f"   ratio {real_rps / bare_rps:5.2f} (target >= 0.60)"
    )
    name = f"sharing_check.{engine.dialect.name}.http_single_c{CLIENTS}"
    return [figure(name, real_rps, "req/s", bare_rps)]


def batch_time(engine: Engine, vendor: uuid.UUID, sis_ids: list[str]) -> list[dict[str, Any]]:
    """Server time of the batch endpoint: parse the JSON body, check, serialize (no HTTP)."""
    raw = json.dumps(
        {"vendor_id": str(vendor), "student_sis_ids": sis_ids[:BATCH], "data_elements": ["student_name"]}
    )
    actor = Actor(type="api_client", id="bench", label="Bench SIS", scopes=frozenset({"sharing:read"}))
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    times = []
    with Session(engine) as session:
        for _ in range(7):
            statements.clear()
            start = time.perf_counter()
            body = OneVendorBatch.model_validate_json(raw)
            response = sharing_check_batch(body=body, session=session, actor=actor)
            times.append(time.perf_counter() - start)
            session.expire_all()
    assert json.loads(bytes(response.body))["count"] == BATCH
    queries = len(statements)
    event.remove(engine, "before_cursor_execute", count)
    median = statistics.median(times)
    print(
        f"  batch of {BATCH:,} students, one vendor: {median * 1000:8.1f} ms server time, {queries} queries"
        f"   ratio to 200 ms {median / 0.2:5.2f} (target < 1)"
    )
    name = f"sharing_check.{engine.dialect.name}.batch_{BATCH}"
    return [
        figure(f"{name}.server_time", median * 1000, "ms", 200.0, [t * 1000 for t in times]),
        figure(f"{name}.queries", queries, "count"),
    ]


def insert_ratio(engine: Engine, vendor: uuid.UUID, sis_ids: list[str]) -> list[dict[str, Any]]:
    now = clock.now()
    items = [
        DisclosureCreate(
            student_sis_id=s,
            vendor_id=vendor,
            data_elements=["student_name"],
            purpose="Nightly roster sync",
            released_at=now - timedelta(minutes=1),
            released_by="SIS",
        )
        for s in sis_ids[:BATCH]
    ]
    actor = Actor(type="api_client", id="bench", label="Bench SIS")
    with Session(engine) as session:
        start = time.perf_counter()
        rows = log_disclosures(session, items=items, actor=actor, now=now)
        session.commit()
        logged = time.perf_counter() - start
        session.execute(delete(Disclosure))
        session.commit()
        bare_rows = [{**row, "id": uuid.uuid4()} for row in rows]
        start = time.perf_counter()
        session.execute(insert(DISCLOSURE_TABLE), bare_rows)
        session.commit()
        bare = time.perf_counter() - start
        session.execute(delete(Disclosure))
        session.commit()
    print(
        f"  disclosure batch of {BATCH:,}: {logged * 1000:8.1f} ms vs bare executemany {bare * 1000:8.1f} ms"
        f"   ratio {logged / bare:5.2f}"
    )
    name = f"sharing_check.{engine.dialect.name}.disclosure_insert_{BATCH}"
    return [figure(name, logged * 1000, "ms", bare * 1000)]


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    engine = make_engine(get_settings().database_url)
    mark_bench_database(engine)
    upgrade(engine)
    _clear(engine)
    start = time.perf_counter()
    dpa_vendors, consent_vendors, sis_ids = _fill(engine)
    print(
        f"{engine.dialect.name}: {STUDENTS:,} students, {VENDORS} vendors, {RESPONSES:,} consent responses"
        f" (loaded in {time.perf_counter() - start:.0f} s)"
    )
    try:
        figures = batch_time(engine, consent_vendors[0], sis_ids)
        figures += insert_ratio(engine, dpa_vendors[0], sis_ids)
        figures += http_ratio(engine, dpa_vendors[0], sis_ids)
        write_results(figures, prefix=f"sharing_check.{engine.dialect.name}.")
    finally:
        _clear(engine)
        engine.dispose()


if __name__ == "__main__":
    main()
