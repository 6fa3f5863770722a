"""How the team's lists scale: the dispute queue, the vendor inventory and the public registry.

Each list is read one page at a time, so a page should cost about the same whatever the size of
the table behind it (indexes for the order and the filters, no query per row). For each list this
prints the time of one page over a large table as a ratio against the same page over a small one
(the baseline), measured in this run on this machine. A ratio near 1 is the goal; a ratio that
grows with the table size points at a missing index or a per-row query.

    .venv/bin/python bench/bench_lists.py            # SQLite in a temporary directory
    STEWARD_BENCH_DATABASE_URL=postgresql://... .venv/bin/python bench/bench_lists.py
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app import clock
from app.db import make_engine
from app.migrate import upgrade
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
from app.services.disputes.queue import list_disputes
from app.services.vendors.queries import list_vendors
from app.services.vendors.registry import registry_rows

SMALL, LARGE = 200, 100_000  # disputes; vendors are a fiftieth of that
REPEAT = 30


def _fill(engine: Engine, count: int) -> None:
    """Replace the tables with ``count`` disputes and ``count // 50`` vendors, each with an agreement."""
    now = clock.now()
    today = date.today()
    vendors = count // 50
    with Session(engine) as session:
        for model in (Dpa, Vendor, Dispute):
            session.execute(delete(model))
        session.execute(
            insert(Dispute),
            [
                {
                    "id": uuid.uuid4(),
                    "reference": f"D-B-{i:06d}",
                    "requester_name": f"Parent {i}",
                    "requester_email": f"parent{i}@example.net",
                    "requester_relation": "parent",
                    "category": DisputeCategory.inaccurate_record,
                    "description": "A benchmark dispute.",
                    "received_at": now - timedelta(days=i % 40),
                    "due_at": now + timedelta(days=21 - i % 40, minutes=i),
                    "status": (DisputeStatus.received, DisputeStatus.in_review, DisputeStatus.closed)[i % 3],
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(count)
            ],
        )
        vendor_ids = [uuid.uuid4() for _ in range(vendors)]
        session.execute(
            insert(Vendor),
            [
                {
                    "id": vendor_id,
                    "name": f"Vendor {i:05d}",
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


def _median_seconds(engine: Engine, read: Callable[[Session], object]) -> float:
    times = []
    with Session(engine) as session:
        read(session)  # warm the caches
        for _ in range(REPEAT):
            start = time.perf_counter()
            read(session)
            times.append(time.perf_counter() - start)
            session.expire_all()
    return statistics.median(times)


LISTS: dict[str, Callable[[Session], object]] = {
    "dispute queue, first page": lambda s: list_disputes(s, now=clock.now()),
    "dispute queue, search": lambda s: list_disputes(s, q="parent1", now=clock.now()),
    "vendor inventory, first page": lambda s: list_vendors(s),
    "public registry, first page": lambda s: registry_rows(s),
}


def main() -> None:
    url = os.environ.get("STEWARD_BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(url or f"sqlite:///{tmp}/bench.db")
        upgrade(engine)
        timings: dict[int, dict[str, float]] = {}
        for size in (SMALL, LARGE):
            _fill(engine, size)
            timings[size] = {name: _median_seconds(engine, read) for name, read in LISTS.items()}
        with Session(engine) as session:
            for model in (Dpa, Vendor, Dispute):
                session.execute(delete(model))
            session.commit()
        engine.dispose()
    print(f"{engine.dialect.name}: one page over {LARGE:,} disputes ({LARGE // 50:,} vendors) against")
    print(f"the same page over {SMALL:,} ({SMALL // 50:,}) as the baseline; median of {REPEAT} reads")
    for name in LISTS:
        small, large = timings[SMALL][name], timings[LARGE][name]
        print(f"  {name:32s} {small * 1000:8.2f} ms -> {large * 1000:8.2f} ms   ratio {large / small:5.2f}")


if __name__ == "__main__":
    main()
