"""The JSON sync service: all or nothing, idempotent, delta and full, minimal fields only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import Session, col, func, select

from app.actors import Actor
from app.models import AuditEvent, EnrollmentStatus, Guardian, Guardianship, Student
from app.models.schemas.roster import RosterSync, SyncMode
from app.services.roster import family
from app.services.roster.records import RosterRefused, normalize_language, served_language
from app.services.roster.sync import sync_roster
from tests.support.factories import make_guardian, make_student

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
SIS = Actor(type="api_client", id="c1", label="Riverbend SIS", scopes=frozenset({"roster:write"}))


def body(n: int = 3, *, prefix: str = "T") -> dict[str, Any]:
    return {
        "students": [
            {
                "sis_id": f"{prefix}S{i}",
                "first_name": f"Kid{i}",
                "last_name": "Doe",
                "school": "Maple",
                "grade": "03",
            }
            for i in range(n)
        ],
        "guardians": [
            {
                "sis_id": f"{prefix}G{i}",
                "first_name": f"Pat{i}",
                "last_name": "Doe",
                "email": f"pat{i}@example.net",
                "preferred_language": "Spanish" if i == 0 else "en-us",
            }
            for i in range(n)
        ],
        "guardianships": [
            {"student_sis_id": f"{prefix}S{i}", "guardian_sis_id": f"{prefix}G{i}", "relationship": "parent"}
            for i in range(n)
        ],
    }


def run(db: Session, data: dict[str, Any], mode: SyncMode = SyncMode.delta) -> dict[str, Any]:
    result = sync_roster(db, body=RosterSync.model_validate(data), mode=mode, actor=SIS, now=NOW)
    db.flush()
    return {"changed": result.changed, **result.as_dict()}


def count(db: Session, model: Any) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


def test_first_sync_creates_then_the_same_body_changes_nothing(db: Session) -> None:
    first = run(db, body())
    assert first["students"] == {"created": 3, "updated": 0, "unchanged": 0, "unenrolled": 0}
    assert first["guardians"]["created"] == 3 and first["guardianships"]["created"] == 3
    students = db.exec(select(Student).where(col(Student.sis_id).like("TS%"))).all()
    assert {s.grade for s in students} == {"3"}  # OneRoster 03 is stored as the district's 3
    stamp = {s.sis_id: s.updated_at for s in students}
    again = run(db, body())
    assert again["changed"] is False
    assert again["students"] == {"created": 0, "updated": 0, "unchanged": 3, "unenrolled": 0}
    assert again["guardianships"] == {"created": 0, "updated": 0, "unchanged": 3, "removed": 0}
    for s in db.exec(
        select(Student).where(col(Student.sis_id).like("TS%")).execution_options(populate_existing=True)
    ):
        assert s.updated_at == stamp[s.sis_id]
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "roster.sync")).all()
    assert len(events) == 2
    assert events[-1].details["changed"] is False and events[-1].details["students"]["unchanged"] == 3
    assert "Kid0" not in str(events[-1].details)  # counts, never the rows


def test_changes_are_updates_and_languages_are_bcp47(db: Session) -> None:
    run(db, body())
    data = body()
    data["students"][1]["grade"] = "KG"
    data["guardianships"][2]["has_educational_rights"] = False
    out = run(db, data)
    assert out["students"]["updated"] == 1 and out["students"]["unchanged"] == 2
    assert out["guardianships"]["updated"] == 1
    langs = dict(
        db.exec(
            select(Guardian.sis_id, Guardian.preferred_language).where(col(Guardian.sis_id).like("TG%"))
        ).all()
    )
    assert langs == {"TG0": "es", "TG1": "en-US", "TG2": "en-US"}
    kid = db.exec(
        select(Student).where(Student.sis_id == "TS1").execution_options(populate_existing=True)
    ).one()
    assert kid.grade == "K"


def test_full_mode_unenrols_the_missing_and_keeps_them(db: Session) -> None:
    old = make_student(db, sis_id="OLD1")
    parent = make_guardian(db, sis_id="OLDG", children=[old])
    run(db, body())
    out = run(db, body(2), mode=SyncMode.full)
    assert out["students"]["unenrolled"] >= 2  # TS2 and OLD1 (and anything else enrolled)
    db.refresh(old)
    assert old.enrollment_status == EnrollmentStatus.unenrolled
    assert count(db, Student) >= 4  # nobody deleted
    # history kept: the link stays, but the guardian's pages stop listing the student
    assert db.exec(select(Guardianship).where(Guardianship.student_id == old.id)).first() is not None
    assert family.children_of(db, guardian_id=parent.id) == []
    # enrolling again is an update
    again = run(db, body(3), mode=SyncMode.full)
    assert again["students"]["updated"] == 1 and again["students"]["unenrolled"] == 0


def test_full_mode_replaces_a_students_guardianships(db: Session) -> None:
    run(db, body())
    data = body()
    data["guardianships"][0]["guardian_sis_id"] = "TG1"  # TS0 now only with TG1
    out = run(db, data, mode=SyncMode.full)
    assert out["guardianships"]["created"] == 1 and out["guardianships"]["removed"] == 1


def test_delta_removes_only_links_marked_tobedeleted(db: Session) -> None:
    run(db, body())
    out = run(
        db, {"guardianships": [{"student_sis_id": "TS0", "guardian_sis_id": "TG0", "status": "tobedeleted"}]}
    )
    assert out["guardianships"]["removed"] == 1
    assert out["students"] == {"created": 0, "updated": 0, "unchanged": 0, "unenrolled": 0}


def test_one_bad_row_refuses_the_whole_body(db: Session) -> None:
    before = count(db, Student)
    data = body(5)
    data["students"][3]["grade"] = "Z9"
    data["students"][4]["first_name"] = '=HYPERLINK("x")'
    data["guardians"].append(dict(data["guardians"][0]))  # duplicate SIS id
    data["guardianships"].append({"student_sis_id": "NOPE", "guardian_sis_id": "TG0"})
    with pytest.raises(RosterRefused) as caught:
        run(db, data)
    columns = {(e["file"], e["line"], e["column"]) for e in caught.value.errors or []}
    assert ("students", 3, "grade") in columns and ("students", 4, "first_name") in columns
    assert ("guardians", 5, "sis_id") in columns
    assert count(db, Student) == before


def test_a_link_to_an_unknown_student_refuses_everything(db: Session) -> None:
    before = count(db, Guardian)
    data = body(2)
    data["guardianships"].append({"student_sis_id": "GHOST", "guardian_sis_id": "TG0"})
    with pytest.raises(RosterRefused) as caught:
        run(db, data)
    assert caught.value.errors and caught.value.errors[0]["column"] == "student"
    assert count(db, Guardian) == before


@pytest.mark.parametrize("key", ["date_of_birth", "dob", "birthDate", "ssn", "social_security_number"])
def test_dates_of_birth_and_ssns_are_refused_by_name(key: str) -> None:
    data = body(1)
    data["students"][0][key] = "2015-01-01"
    with pytest.raises(ValidationError) as caught:
        RosterSync.model_validate(data)
    assert f"students[0].{key}" in str(caught.value)


def test_unknown_fields_are_refused() -> None:
    data = body(1)
    data["students"][0]["address"] = "1 Main St"
    with pytest.raises(ValidationError):
        RosterSync.model_validate(data)


def test_language_normalisation() -> None:
    assert normalize_language("EN-us") == "en-US"
    assert normalize_language("spa") == "es"
    assert normalize_language("Português") == "pt"
    assert normalize_language("") == "en"
    assert normalize_language("Klingonish") == "Klingonish"  # kept as given
    assert served_language("Klingonish") == "en" and served_language("pt-BR") == "pt"


def test_a_tag_is_served_in_its_language_and_an_unknown_one_in_english() -> None:
    from app.emails import render_email

    ctx = {"recipient_name": "Rosa", "link": "https://x.example/l", "minutes": 15}
    assert render_email("guardian_sign_in", "es-MX", **ctx)[2] == "es"
    assert render_email("guardian_sign_in", "pt-BR", **ctx)[2] == "pt"
    assert render_email("guardian_sign_in", "Klingonish", **ctx)[2] == "en"


def test_a_full_roster_without_students_is_refused(db: Session) -> None:
    make_student(db, sis_id="STAY")
    with pytest.raises(RosterRefused):
        run(db, {"guardians": body(1)["guardians"]}, mode=SyncMode.full)
    assert db.exec(select(Student.enrollment_status).where(Student.sis_id == "STAY")).one() == "enrolled"


def test_control_characters_and_bad_emails_are_refused(db: Session) -> None:
    data = body(2)
    data["guardians"][0]["email"] = "pat\x00@example.net"
    data["guardians"][1]["last_name"] = "Doe\u2028Smith"
    with pytest.raises(RosterRefused) as caught:
        run(db, data)
    assert {(e["file"], e["column"]) for e in caught.value.errors or []} == {
        ("guardians", "email"),
        ("guardians", "last_name"),
    }
