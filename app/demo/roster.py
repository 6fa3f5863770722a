"""Demo import history: how the roster got here, as the roster page shows it.

The summer's full OneRoster load (everyone created), an October delta the SIS team had to fix
(refused whole, with its problem report) and the corrected delta the next day.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlmodel import Session, col

from app.models import (
    EnrollmentStatus,
    Guardian,
    Guardianship,
    ImportSource,
    ImportStatus,
    RosterImport,
    Student,
)

SIS_TEAM = "team@riverbend.example.org"  # Jordan Lee, the demo privacy analyst


def _summary(
    mode: str, students: dict[str, int], guardians: dict[str, int], links: dict[str, int]
) -> dict[str, Any]:
    changed = any(v for d in (students, guardians, links) for k, v in d.items() if k != "unchanged")
    return {
        "mode": mode,
        "changed": changed,
        "students": students,
        "guardians": guardians,
        "guardianships": links,
    }


def load_roster_history(session: Session) -> dict[str, int]:
    enrolled = session.execute(
        select(func.count())
        .select_from(Student)
        .where(col(Student.enrollment_status) == EnrollmentStatus.enrolled)
    ).scalar_one()
    unenrolled = session.execute(
        select(func.count())
        .select_from(Student)
        .where(col(Student.enrollment_status) == EnrollmentStatus.unenrolled)
    ).scalar_one()
    guardians = session.execute(select(func.count()).select_from(Guardian)).scalar_one()
    links = session.execute(select(func.count()).select_from(Guardianship)).scalar_one()
    summer = datetime(2026, 8, 24, 13, 5, tzinfo=UTC)
    october = datetime(2026, 10, 6, 14, 40, tzinfo=UTC)
    common = {
        "created_by_type": "staff",
        "created_by_label": SIS_TEAM,
        "phase": "done",
        "source": ImportSource.page,
    }
    rows = [
        {
            **common,
            "file_name": "riverbend-oneroster-2026-08-24.zip",
            "status": ImportStatus.succeeded,
            "rows_total": enrolled + unenrolled + guardians + 3,
            "rows_done": enrolled + unenrolled + guardians + 3,
            "summary": _summary(
                "full",
                {"created": enrolled + unenrolled, "updated": 0, "unchanged": 0, "unenrolled": 0},
                {"created": guardians, "updated": 0, "unchanged": 0},
                {"created": links, "updated": 0, "unchanged": 0, "removed": 0},
            ),
            "created_at": summer,
        },
        {
            **common,
            "file_name": "riverbend-delta-2026-10-06.zip",
            "status": ImportStatus.failed,
            "rows_total": 42,
            "rows_done": 42,
            "problems": [
                {
                    "file": "users.csv",
                    "line": 17,
                    "column": "grades",
                    "message": "Unknown grade code '7th': use KG, PK, 01 … 12 or another OneRoster code.",
                },
                {
                    "file": "users.csv",
                    "line": 31,
                    "column": "student",
                    "message": "Student 'S299999' is neither in this roster nor on file.",
                },
            ],
            "problem_count": 2,
            "created_at": october,
        },
        {
            **common,
            "file_name": "riverbend-delta-2026-10-07.zip",
            "status": ImportStatus.succeeded,
            "rows_total": 42,
            "rows_done": 42,
            "summary": _summary(
                "delta",
                {"created": 0, "updated": 9, "unchanged": 4, "unenrolled": unenrolled},
                {"created": 0, "updated": 6, "unchanged": 11},
                {"created": 2, "updated": 0, "unchanged": 15, "removed": 1},
            ),
            "created_at": october + timedelta(days=1),
        },
    ]
    for row in rows:
        row["started_at"] = row["created_at"]
        row["heartbeat_at"] = row["finished_at"] = row["created_at"] + timedelta(seconds=14)
    session.execute(insert(RosterImport), rows)
    return {"roster imports": len(rows)}
