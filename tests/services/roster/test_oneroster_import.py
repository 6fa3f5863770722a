"""OneRoster 1.1 CSV imports: the sample set from the specification, and every bad input refused whole."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, func, select

from app import clock
from app.actors import Actor
from app.models import AuditEvent, Guardian, Guardianship, ImportSource, ImportStatus, RosterImport, Student
from app.services.roster import imports
from app.services.roster.records import RosterRefused
from tests.support.roster import SAMPLE, generated_set, sample_files, with_users, write_zip, zip_bytes

STAFF = Actor(type="staff", id="00000000-0000-0000-0000-000000000001", label="team@example.org")


def run_files(
    db: Session, tmp_path: Path, files: dict[str, bytes] | None, *, folder: Path | None = None
) -> RosterImport:
    row = imports.create_import(
        db, file_name="roster.zip", source=ImportSource.cli, actor=STAFF, now=clock.now()
    )
    db.commit()
    path = folder or write_zip(tmp_path / "roster.zip", files or {})
    final = imports.run_import(db.get_bind(), import_id=row.id, path=path)
    assert final is not None
    return imports.get_import(db, import_id=row.id)


def count(db: Session, model: Any) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


def problems_of(row: RosterImport) -> set[tuple[str, str]]:
    return {(p["file"], p["column"]) for p in row.problems or []}


def test_the_sample_set_imports(db: Session, tmp_path: Path) -> None:
    row = run_files(db, tmp_path, None, folder=SAMPLE)
    assert row.status == ImportStatus.succeeded, row.problems
    assert row.running_slot is None and row.rows_total == 17
    assert row.summary is not None and row.summary["mode"] == "full"
    assert row.summary["students"]["created"] == 4 and row.summary["guardians"]["created"] == 4
    assert row.summary["guardianships"]["created"] == 5  # agents from both sides, counted once
    maya = db.exec(select(Student).where(Student.sis_id == "stu-1001")).one()
    assert (maya.school, maya.grade) == ("Maple Street Elementary School", "3")
    assert db.exec(select(Student.grade).where(Student.sis_id == "stu-1002")).one() == "K"
    langs = dict(db.exec(select(Guardian.sis_id, Guardian.preferred_language)).all())
    assert langs == {"par-2001": "es", "par-2002": "es-MX", "par-2003": "pt-BR", "rel-2004": "en"}
    rights = {
        (s, g): (rel, r)
        for s, g, rel, r in db.exec(
            select(
                Student.sis_id,
                Guardian.sis_id,
                Guardianship.relationship,
                Guardianship.has_educational_rights,
            )
            .join(Guardianship, col(Guardianship.student_id) == Student.id)
            .join(Guardian, col(Guardian.id) == Guardianship.guardian_id)
        ).all()
    }
    assert rights[("stu-1003", "rel-2004")] == ("relative", False)
    assert rights[("stu-1001", "par-2002")] == ("guardian", True)
    assert not db.exec(select(Guardian).where(Guardian.sis_id == "tch-3001")).first()  # teachers skipped
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "roster.import")).one()
    assert event.details["students"]["created"] == 4 and event.actor_label == STAFF.label


def test_the_same_zip_again_changes_nothing_and_bom_crlf_are_accepted(db: Session, tmp_path: Path) -> None:
    run_files(db, tmp_path, sample_files())
    files = {n: b"\xef\xbb\xbf" + d.replace(b"\n", b"\r\n") for n, d in sample_files().items()}
    again = run_files(db, tmp_path, files)
    assert again.status == ImportStatus.succeeded, again.problems
    assert again.summary is not None and again.summary["changed"] is False
    assert again.summary["students"]["unchanged"] == 4


def test_a_delta_file_unenrols_tobedeleted_students(db: Session, tmp_path: Path) -> None:
    run_files(db, tmp_path, sample_files())
    files = sample_files()
    header = files["users.csv"].split(b"\n", 1)[0]
    files["users.csv"] = (
        header
        + b"\nstu-1004,tobedeleted,2026-10-01T12:00:00Z,true,org-lincoln,student,"
        + b"sam.okafor,,Sam,Okafor,,,,,,,08,,\n"
    )
    files["manifest.csv"] = files["manifest.csv"].replace(b"file.users,bulk", b"file.users,delta")
    row = run_files(db, tmp_path, files)
    assert row.status == ImportStatus.succeeded, row.problems
    assert row.summary is not None and row.summary["students"]["unenrolled"] == 1
    assert db.exec(select(Student.enrollment_status).where(Student.sis_id == "stu-1003")).one() == "enrolled"


BAD_ROWS = {
    "unknown grade": (["stu-9,,,true,org-maple,student,x,,Al,Bo,,,,,,,Z7,,"], ("users.csv", "grade")),
    "formula in a name": (
        ['stu-9,,,true,org-maple,student,x,,"=CMD()",Bo,,,,,,,04,,'],
        ("users.csv", "first_name"),
    ),
    "duplicate sourcedId": (
        ["stu-1001,,,true,org-maple,student,x,,Al,Bo,,,,,,,04,,"],
        ("users.csv", "sourcedId"),
    ),
    "agent not in file or db": (
        ["par-9,,,true,org-maple,parent,x,,Al,Bo,,,,,,stu-404,,,"],
        ("users.csv", "student"),
    ),
    "unknown org": (["stu-9,,,true,org-nowhere,student,x,,Al,Bo,,,,,,,04,,"], ("users.csv", "orgSourcedIds")),
    "delta row without status": (
        ["stu-9,,,true,org-maple,student,x,,Al,Bo,,,,,,,04,,"],
        ("users.csv", "status"),
    ),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_one_bad_row_refuses_the_whole_file(db: Session, tmp_path: Path, case: str) -> None:
    rows, expected = BAD_ROWS[case]
    before = count(db, Student), count(db, Guardian)
    row = run_files(db, tmp_path, with_users(rows, users_mode="delta" if "delta" in case else "bulk"))
    assert row.status == ImportStatus.failed
    assert expected in problems_of(row), row.problems
    assert all(p["line"] >= 1 for p in row.problems or [])
    assert (count(db, Student), count(db, Guardian)) == before
    assert row.running_slot is None
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "roster.import_refused")).first() is not None


def test_file_level_problems(db: Session, tmp_path: Path) -> None:
    cases: dict[str, tuple[dict[str, bytes], tuple[str, str]]] = {}
    files = sample_files()
    files["users.csv"] = files["users.csv"].replace(b"givenName,", b"firstName,", 1)
    cases["missing column"] = (files, ("users.csv", "givenName"))
    files = sample_files()
    files["users.csv"] = files["users.csv"].replace(b"Jane", b"J\xff\xfene")
    cases["bad utf-8"] = (files, ("users.csv", ""))
    files = sample_files()
    files["orgs.csv"] = b""
    cases["empty file"] = (files, ("orgs.csv", ""))
    files = sample_files()
    files["enrollments.csv"] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    cases["not csv"] = (files, ("enrollments.csv", ""))
    files = sample_files()
    del files["manifest.csv"]
    cases["no manifest"] = (files, ("manifest.csv", ""))
    files = sample_files()
    files["users.csv"] = files["users.csv"].replace(b",grades,", b",birthDate,grades,", 1)
    cases["date of birth column"] = (files, ("users.csv", "birthDate"))
    files = sample_files()
    files["demographics.csv"] = b"sourcedId,status,dateLastModified,birthDate\n"
    cases["demographics"] = (files, ("demographics.csv", ""))
    before = count(db, Student)
    for name, (data, expected) in cases.items():
        row = run_files(db, tmp_path, data)
        assert row.status == ImportStatus.failed, name
        assert expected in problems_of(row), (name, row.problems)
    assert count(db, Student) == before
    bad_utf8 = [p for p in row.problems or []]  # the last case's report is still well-formed
    assert bad_utf8


def _zip_with(entries: list[tuple[str, bytes]]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([("../users.csv", b"x")], "path"),
        ([("roster/users.csv", b"x")], "path"),
        ([("inner.zip", zip_bytes({"users.csv": b"x"}))], "nested"),
        ([("users.csv", b"0" * (50 * 1024 * 1024))], "bomb"),
    ],
)
def test_unsafe_zips_are_refused_before_queueing(
    db: Session, entries: list[tuple[str, bytes]], message: str
) -> None:
    with pytest.raises(RosterRefused) as caught:
        imports.start_upload(
            db,
            upload=_zip_with(entries),
            file_name="x.zip",
            source=ImportSource.api,
            actor=STAFF,
            now=clock.now(),
        )
    assert message in str(caught.value.errors).lower()
    assert count(db, RosterImport) == 0


def test_not_a_zip_is_refused(db: Session) -> None:
    with pytest.raises(RosterRefused):
        imports.start_upload(
            db,
            upload=io.BytesIO(b"sourcedId,name\n"),
            file_name="x.csv",
            source=ImportSource.api,
            actor=STAFF,
            now=clock.now(),
        )


def test_one_import_at_a_time_and_a_dead_one_is_failed(db: Session) -> None:
    now = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
    first = imports.create_import(db, file_name="a.zip", source=ImportSource.api, actor=STAFF, now=now)
    with pytest.raises(imports.ImportRunning) as caught:
        imports.create_import(db, file_name="b.zip", source=ImportSource.api, actor=STAFF, now=now)
    assert str(first.id) in caught.value.detail
    first.status, first.heartbeat_at = ImportStatus.running, now
    db.flush()
    assert imports.fail_stale_imports(db, now=now + timedelta(minutes=11)) == 1
    second = imports.create_import(db, file_name="b.zip", source=ImportSource.api, actor=STAFF, now=now)
    assert second.running_slot == 1


def test_a_generated_set_reports_progress(db: Session, tmp_path: Path) -> None:
    seen: list[tuple[str, int]] = []
    row = imports.create_import(
        db, file_name="big.zip", source=ImportSource.cli, actor=STAFF, now=clock.now()
    )
    db.commit()
    path = write_zip(tmp_path / "big.zip", generated_set(3000))
    final = imports.run_import(
        db.get_bind(), import_id=row.id, path=path, on_progress=lambda r: seen.append((r.phase, r.rows_done))
    )
    assert final is not None and final.status == ImportStatus.succeeded, final.problems
    assert seen[-1] == ("done", final.rows_total)
    assert "writing" in {phase for phase, _ in seen}


def test_the_worker_sweep_runs_a_queued_upload_once(db: Session) -> None:
    upload = io.BytesIO(zip_bytes(sample_files()))
    row = imports.start_upload(
        db, upload=upload, file_name="x.zip", source=ImportSource.api, actor=STAFF, now=clock.now()
    )
    db.commit()
    assert not imports.upload_path(row.id).read_bytes().startswith(b"PK")  # encrypted at rest
    assert imports.run_queued(db.get_bind(), now=clock.now()) == 1
    assert imports.run_queued(db.get_bind(), now=clock.now()) == 0  # nothing left to claim
    assert imports.run_import(db.get_bind(), import_id=row.id) is None  # a second runner gets nothing
    done = imports.get_import(db, import_id=row.id)
    assert done.status == ImportStatus.succeeded and done.source == ImportSource.api
    assert not imports.upload_path(row.id).exists()  # the upload is gone once it has run
    assert count(db, Student) == 4


def test_field_and_link_problems_are_reported_together(db: Session, tmp_path: Path) -> None:
    rows = [
        "stu-9,,,true,org-maple,student,x,,Al,Bo,,,,,,,Z7,,",
        "par-9,,,true,org-maple,parent,y,,Cy,Do,,,,,,stu-404,,,",
    ]
    row = run_files(db, tmp_path, with_users(rows))
    assert {("users.csv", "grade"), ("users.csv", "student")} <= problems_of(row)
    assert row.problem_count == 2


def test_a_delta_row_lists_all_its_agents(db: Session, tmp_path: Path) -> None:
    run_files(db, tmp_path, sample_files())
    files = sample_files()
    header = files["users.csv"].split(b"\n", 1)[0]
    # Maya's row now lists only her mother: the link to par-2002 goes.
    files["users.csv"] = header + (
        b"\nstu-1001,active,2026-10-01T12:00:00Z,true,org-maple,student,maya.ortiz,,Maya,Ortiz,,,,,,par-2001,03,,\n"
    )
    files["manifest.csv"] = files["manifest.csv"].replace(b"file.users,bulk", b"file.users,delta")
    row = run_files(db, tmp_path, files)
    assert row.status == ImportStatus.succeeded, row.problems
    assert row.summary is not None and row.summary["guardianships"]["removed"] == 1, row.summary
    assert row.summary["guardianships"]["unchanged"] == 1
