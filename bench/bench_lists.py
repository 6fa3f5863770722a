"""How the team's lists scale: the dispute queue, the vendor inventory and the public registry.

Each list is read one page at a time, so a page should cost about the same whatever the size of
the table behind it (indexes for the order and the filters, no query per row). For each list this
prints the time of one page over a large table as a ratio against the same page over a small one
(the baseline), measured in this run on this machine. A ratio near 1 is the goal; a ratio that
grows with the table size points at a missing index or a per-row query.

    .venv/bin/python bench/bench_lists.py            # SQLite in a temporary directory
    STEWARD_BENCH_DATABASE_URL=postgresql://... .venv/bin/python bench/bench_lists.py   # and PostgreSQL
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable

from benchkit import QUICK, add_bulk, figure, mark_bench_database, write_results
from sqlalchemy import delete, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app import clock
from app.db import make_engine
from app.migrate import upgrade
from app.models import (
    Dispute,
    Dpa,
    Vendor,
)
from app.services.disputes.queue import list_disputes
from app.services.vendors.queries import list_vendors
from app.services.vendors.registry import registry_rows

SMALL, LARGE = 200, (20_000 if QUICK else 100_000)  # disputes; vendors are a fiftieth of that
REPEAT = 10 if QUICK else 30


def _empty(engine: Engine) -> None:
    """Empty the listed tables. On PostgreSQL with what refers to them (a bench database that
    bench_http.py filled holds the demo's disclosures, consents and messages too)."""
    with Session(engine) as session:
        if engine.dialect.name == "postgresql":
            session.execute(text("TRUNCATE dpa, vendor, dispute CASCADE"))
        else:
            for model in (Dpa, Vendor, Dispute):
                session.execute(delete(model))
        session.commit()


def _fill(engine: Engine, count: int) -> None:
    """Replace the tables with ``count`` disputes and ``count // 50`` vendors, each with an agreement."""
    _empty(engine)
    add_bulk(engine, disputes=count, vendors=count // 50)  # ANALYZEs after


def _times(engine: Engine, read: Callable[[Session], object]) -> list[float]:
    times = []
    with Session(engine) as session:
        read(session)  # warm the caches
        for _ in range(REPEAT):
            start = time.perf_counter()
            read(session)
            times.append(time.perf_counter() - start)
            session.expire_all()
    return times


LISTS: dict[str, Callable[[Session], object]] = {
    "dispute queue, first page": lambda s: list_disputes(s, now=clock.now()),
    # A search as the team types it: part of one requester's email (present at both sizes). The
    # old "parent1" matched over half the generated rows, which measured sorting, not searching.
    "dispute queue, search": lambda s: list_disputes(s, q="parent123@", now=clock.now()),
    "vendor inventory, first page": lambda s: list_vendors(s),
    "public registry, first page": lambda s: registry_rows(s),
}


def main() -> None:
    """SQLite always; PostgreSQL too when STEWARD_BENCH_DATABASE_URL is set."""
    run(None)
    if os.environ.get("STEWARD_BENCH_DATABASE_URL"):
        run(os.environ["STEWARD_BENCH_DATABASE_URL"])


def run(url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(url or f"sqlite:///{tmp}/bench.db")
        mark_bench_database(engine)  # refuses a database that is not a bench database
        upgrade(engine)
        timings: dict[int, dict[str, list[float]]] = {}
        for size in (SMALL, LARGE):
            _fill(engine, size)
            timings[size] = {name: _times(engine, read) for name, read in LISTS.items()}
        _empty(engine)
        engine.dispose()
    backend = engine.dialect.name
    print(f"{backend}: one page over {LARGE:,} disputes ({LARGE // 50:,} vendors) against")
    print(f"the same page over {SMALL:,} ({SMALL // 50:,}) as the baseline; median of {REPEAT} reads")
    figures = []
    for name in LISTS:
        small, large = statistics.median(timings[SMALL][name]), statistics.median(timings[LARGE][name])
        # spread: the interquartile range of the large-size reads over their median
        q = statistics.quantiles(timings[LARGE][name], n=4)
        print(
            f"  {name:32s} {small * 1000:8.2f} ms -> {large * 1000:8.2f} ms   ratio {large / small:5.2f}"
            f"   (IQR/median {(q[2] - q[0]) / large:4.2f})"
        )
        slug = name.replace(",", "").replace(" ", "_")
        fig = figure(f"lists.{backend}.{slug}", large * 1000, "ms", small * 1000)
        fig["spread"] = round((q[2] - q[0]) / large, 3)
        figures.append(fig)
    write_results(figures, prefix=f"lists.{backend}.")


if __name__ == "__main__":
    main()
