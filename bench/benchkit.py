"""What the benchmarks share: the quick switch, the bench-database guard, bulk rows, results.json.

Not a benchmark itself (``make bench`` runs ``bench/bench_*.py``).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app import clock
from app.models import (
    Dispute,
    DisputeCategory,
    DisputeStatus,
    Dpa,
    DpaStatus,
    DpaTemplate,
    Vendor,
    VendorStatus,
)
from app.models.vendors import vendor_name_key

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
RESULTS = Path(__file__).resolve().parent / "results.json"
MARKER = "steward_bench_marker"


def mark_bench_database(engine: Engine) -> None:
    """Refuse a database that holds tables but was not made for benchmarks (they empty tables).

    An empty database is marked (a table named ``steward_bench_marker``) and used; a marked one is
    used again; anything else stops the run before a single row is touched."""
    tables = set(inspect(engine).get_table_names())
    if tables and MARKER not in tables:
        sys.exit(
            f"refusing {engine.url.render_as_string(hide_password=True)}: it has tables but is not a "
            f"bench database. Point STEWARD_BENCH_DATABASE_URL at an empty database of its own "
            f"(it is then marked with a table named {MARKER})."
        )
    with engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE IF NOT EXISTS {MARKER} (note VARCHAR(80))"))


def add_bulk(engine: Engine, *, disputes: int, vendors: int, tag: str = "B") -> None:
    """``disputes`` disputes and ``vendors`` vendors, each vendor with one public executed agreement."""
    now = clock.now()
    today = date.today()
    statuses = (DisputeStatus.received, DisputeStatus.in_review, DisputeStatus.closed)
    with Session(engine) as session:
        for start in range(0, disputes, 20_000):
            session.execute(
                insert(Dispute),
                [
                    {
                        "id": uuid.uuid4(),
                        "reference": f"D-{tag}-{i:06d}",
                        "requester_name": f"Parent {i}",
                        "requester_email": f"parent{i}@example.net",
                        "requester_relation": "parent",
                        "category": DisputeCategory.inaccurate_record,
                        "description": "A benchmark dispute.",
                        "received_at": now - timedelta(days=i % 40),
                        "due_at": now + timedelta(days=21 - i % 40, minutes=i),
                        "status": statuses[i % 3],
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(start, min(disputes, start + 20_000))
                ],
            )
        vendor_ids = [uuid.uuid4() for _ in range(vendors)]
        if vendor_ids:
            session.execute(
                insert(Vendor),
                [
                    {
                        "id": vendor_id,
                        "name": f"Vendor {tag} {i:05d}",
                        # a bulk insert skips the ORM hook that sets the key
                        "name_key": vendor_name_key(f"Vendor {tag} {i:05d}"),
                        "status": VendorStatus.approved,
                        "data_elements": ["student_name", "grade"],
                        "grade_bands": ["3_5"],
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i, vendor_id in enumerate(vendor_ids)
                ],
            )
            session.execute(
                insert(Dpa),
                [
                    {
                        "id": uuid.uuid4(),
                        "vendor_id": vendor_id,
                        "template": DpaTemplate.ndpa_standard,
                        "status": DpaStatus.executed,
                        "effective_on": today - timedelta(days=30),
                        "expires_on": today + timedelta(days=30 + i % 700),
                        "data_elements": ["student_name"],
                        "terms": {},
                        "public": True,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i, vendor_id in enumerate(vendor_ids)
                ],
            )
        session.commit()
    analyze(engine)


def analyze(engine: Engine) -> None:
    """Fresh planner statistics after bulk changes (without them PostgreSQL's plans drift), and on
    PostgreSQL the state autovacuum reaches soon after: a table just loaded has no visibility map,
    so every count reads the table instead of its index (the open-dispute count: 4 ms, 0.9 after)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("ANALYZE"))
        else:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        conn.commit()


def spread(values: list[float]) -> float:
    """(max - min) / median: how far apart the rounds were, 0 for a single round."""
    if len(values) < 2:
        return 0.0
    middle = statistics.median(values)
    return round((max(values) - min(values)) / middle, 3) if middle else 0.0


def figure(
    name: str, value: float, unit: str, baseline: float | None = None, values: list[float] | None = None
) -> dict[str, Any]:
    ratio = round(value / baseline, 3) if baseline else None
    return {
        "name": name,
        "value": round(value, 3),
        "unit": unit,
        "baseline": round(baseline, 3) if baseline is not None else None,
        "ratio": ratio,
        "spread": spread(values or [value]),
    }


def write_results(figures: list[dict[str, Any]], *, prefix: str) -> None:
    """Replace this bench's figures (names starting with ``prefix``) in bench/results.json."""
    existing: list[dict[str, Any]] = []
    if RESULTS.exists():
        existing = [
            f for f in json.loads(RESULTS.read_text()) if not str(f.get("name", "")).startswith(prefix)
        ]
    merged = sorted(existing + figures, key=lambda f: str(f["name"]))
    RESULTS.write_text(json.dumps(merged, indent=1) + "\n")
    print(f"wrote {len(figures)} figures to bench/results.json")
