"""Roster sync at district scale: a full sync of 100,000 students and 150,000 guardians.

DESIGN.md §9: within 3x the time of a bare ``executemany`` of the same rows into the same
tables, measured in this run on this machine. Two runs are compared with that baseline:

1. the first full sync into empty tables (everything is created), and
2. the same sync sent again (nothing changes: the rows are loaded by SIS id in bulk and
   compared, nothing is written but the audit event).

The sync is timed from the parsed body (``RosterSync``, as the API hands it over) to the
commit: field checks, bulk loads, the upsert and the audit event. Peak memory (RSS) is printed
too; it must stay under 1 GB.

    .venv/bin/python bench/bench_roster.py          # SQLite in a temporary directory
    BENCH_QUICK=1 .venv/bin/python bench/bench_roster.py   # a tenth of the size
    STEWARD_BENCH_DATABASE_URL=postgresql://... .venv/bin/python bench/bench_roster.py
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import resource
import tempfile
import time
import uuid
from typing import Any

from benchkit import figure, mark_bench_database, write_results
from pydantic import TypeAdapter
from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app import clock
from app.actors import Actor
from app.db import make_engine
from app.migrate import upgrade
from app.models import AuditEvent, Guardian, Guardianship, Student
from app.models.schemas.roster import GuardianIn, GuardianshipIn, RosterSync, StudentIn, SyncMode
from app.services.roster.sync import sync_roster
from app.services.roster.upsert import CHUNK

QUICK = os.environ.get("BENCH_QUICK") == "1"
STUDENTS = 10_000 if QUICK else 100_000
GUARDIANS = STUDENTS * 3 // 2
SIS = Actor(type="api_client", id="bench", label="bench SIS")
SCHOOLS = ("Maple Street Elementary School", "Lincoln Middle School", "Riverbend High School")
GRADES = ("KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12")


def _body() -> dict[str, Any]:
    students = [
        {
            "sis_id": f"S{n:07d}",
            "first_name": f"Kid{n}",
            "last_name": f"Family{n // 2}",
            "school": SCHOOLS[n % 3],
            "grade": GRADES[n % 13],
        }
        for n in range(STUDENTS)
    ]
    guardians = [
        {
            "sis_id": f"G{n:07d}",
            "first_name": f"Parent{n}",
            "last_name": f"Family{n // 3}",
            "email": f"parent{n}@example.net",
            "preferred_language": ("en", "es", "pt-BR")[n % 3],
        }
        for n in range(GUARDIANS)
    ]
    # every student has one guardian, half of them a second: 150,000 guardianships for 100,000
    links = [{"student_sis_id": f"S{n:07d}", "guardian_sis_id": f"G{n:07d}"} for n in range(STUDENTS)]
    links += [
        {
            "student_sis_id": f"S{n:07d}",
            "guardian_sis_id": f"G{STUDENTS + n // 2:07d}",
            "relationship": "guardian",
        }
        for n in range(0, STUDENTS, 1)
        if n % 2 == 0
    ]
    return {"students": students, "guardians": guardians, "guardianships": links}


def _parsed(raw: dict[str, Any]) -> RosterSync:
    """The body as the API would parse it, item by item (one request takes at most 50,000
    students; a larger district's full roster comes as a OneRoster import, through the same
    upsert, so the service is measured at district scale)."""
    student, guardian, link = TypeAdapter(StudentIn), TypeAdapter(GuardianIn), TypeAdapter(GuardianshipIn)
    return RosterSync.model_construct(
        students=[student.validate_python(s) for s in raw["students"]],
        guardians=[guardian.validate_python(g) for g in raw["guardians"]],
        guardianships=[link.validate_python(k) for k in raw["guardianships"]],
    )


def _empty(engine: Engine) -> None:
    with Session(engine) as session:
        for model in (Guardianship, Guardian, Student, AuditEvent):
            session.execute(delete(model))
        session.commit()


def _bare(engine: Engine, body: dict[str, Any]) -> float:
    """The baseline: the same rows, already shaped, inserted with one executemany per table."""
    now = clock.now()
    sids = {s["sis_id"]: uuid.uuid4() for s in body["students"]}
    gids = {g["sis_id"]: uuid.uuid4() for g in body["guardians"]}
    students = [
        {
            **s,
            "id": sids[s["sis_id"]],
            "grade": s["grade"].lstrip("0") or "K",
            "enrollment_status": "enrolled",
            "created_at": now,
            "updated_at": now,
        }
        for s in body["students"]
    ]
    guardians = [
        {**g, "id": gids[g["sis_id"]], "created_at": now, "updated_at": now} for g in body["guardians"]
    ]
    links = [
        {
            "id": uuid.uuid4(),
            "student_id": sids[k["student_sis_id"]],
            "guardian_id": gids[k["guardian_sis_id"]],
            "relationship": k.get("relationship", "parent"),
            "has_educational_rights": True,
        }
        for k in body["guardianships"]
    ]
    gc.collect()
    gc.freeze()  # the prepared rows are not the collector's business while the clock runs
    started = time.perf_counter()
    with Session(engine) as session:
        # Core executemany into the tables, in the sync's batches of CHUNK rows: as bare as it gets.
        for model, rows in ((Student, students), (Guardian, guardians), (Guardianship, links)):
            for i in range(0, len(rows), CHUNK):
                session.execute(insert(model.__table__), rows[i : i + CHUNK])  # type: ignore[attr-defined]
        session.commit()
    return time.perf_counter() - started


def _baseline_in_child(url: str, result: Any) -> None:
    """The baseline runs in a process of its own, so the peak memory printed is the sync's."""
    engine = make_engine(url)
    raw = _body()
    _empty(engine)
    result.put(_bare(engine, raw))
    _empty(engine)
    engine.dispose()


def _sync(engine: Engine, body: RosterSync) -> tuple[float, dict[str, Any]]:
    gc.collect()
    gc.freeze()  # the parsed body is not the collector's business either (same rule as the baseline)
    started = time.perf_counter()
    with Session(engine) as session:
        result = sync_roster(session, body=body, mode=SyncMode.full, actor=SIS, now=clock.now())
        session.commit()
    return time.perf_counter() - started, result.as_dict()


def main() -> None:
    url = os.environ.get("STEWARD_BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(url or f"sqlite:///{tmp}/bench.db")
        mark_bench_database(engine)  # it empties the roster tables
        upgrade(engine)
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"roster sync: {STUDENTS:,} students, {GUARDIANS:,} guardians on {engine.dialect.name}")
        print(f"  (load average at start: {load}; on a shared machine the ratios are noisy)")
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        child = context.Process(
            target=_baseline_in_child, args=(engine.url.render_as_string(hide_password=False), queue)
        )
        child.start()
        baseline = queue.get()
        child.join()
        raw = _body()
        parsed = _parsed(raw)
        links = len(raw["guardianships"])
        del raw  # only the parsed body stays, as in a request
        _empty(engine)
        first, counts = _sync(engine, parsed)
        assert counts["students"]["created"] == STUDENTS, counts
        again, counts_again = _sync(engine, parsed)
        assert counts_again["students"]["unchanged"] == STUDENTS, counts_again
        assert counts_again["guardianships"]["unchanged"] == links, counts_again
        print(f"  bare executemany (baseline) {baseline:7.2f} s")
        print(
            f"  full sync, all new          {first:7.2f} s   ratio {first / baseline:4.2f}x  (target <= 3x)"
        )
        print(
            f"  same sync again, no change  {again:7.2f} s   ratio {again / baseline:4.2f}x  (target <= 3x)"
        )
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak memory of the sync (RSS, body parsed and held) {peak_mb:5.0f} MB (limit 1024 MB)")
        name = f"roster.{engine.dialect.name}.sync_{STUDENTS}"
        write_results(
            [
                figure(f"{name}.all_new", first, "s", baseline),
                figure(f"{name}.unchanged", again, "s", baseline),
                figure(f"{name}.peak_rss", peak_mb, "MB", 1024.0),
            ],
            prefix=f"roster.{engine.dialect.name}.",
        )
        _empty(engine)
        engine.dispose()


if __name__ == "__main__":
    main()
