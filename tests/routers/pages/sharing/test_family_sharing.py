"""The family's "Who receives my child's data": the agreement vendor, the refused consent vendor,
the disclosure log newest first, the CSV download (audited), and nothing of anyone else's."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app import clock
from app.actors import Actor
from app.models import AuditEvent, DpaStatus, VendorStatus
from app.models.consent import ConsentStatus
from app.models.schemas.sharing import DisclosureCreate
from app.services.consent import answers
from app.services.sharing.disclosures import log_disclosures
from tests.support.auth import sign_in_family
from tests.support.consent import consent_vendor, family, guardian_actor, open_request, team_member
from tests.support.factories import make_guardian, make_student
from tests.support.vendors import make_dpa, make_vendor

pytestmark = pytest.mark.usefixtures("frozen_clock")
SIS = Actor(type="api_client", id="sis", label="SIS")


def _world(db: Session):  # type: ignore[no-untyped-def]
    _, team = team_member(db)
    kid = family(db)  # grade 7, Lincoln Middle School
    reading = make_vendor(
        db,
        name="Quill Reading",
        status=VendorStatus.approved,
        grade_bands=["6_8"],
        data_elements=["student_name"],
    )
    make_dpa(db, reading, status=DpaStatus.executed, data_elements=["student_name", "grade"])
    video = consent_vendor(db, team, name="Moonbeam Video")
    video.grade_bands = ["6_8"]
    db.add(video)
    request = open_request(db, video, team)
    answers.answer_online(
        db,
        reference=request.reference,
        student_id=kid.student.id,
        guardian_id=kid.guardians[0].id,
        answer=ConsentStatus.refused,
        actor=guardian_actor(kid.guardians[0]),
    )
    for hours, purpose in ((5, "=HYPERLINK(1) older"), (1, "Rostering, newest")):
        log_disclosures(
            db,
            items=[
                DisclosureCreate(
                    student_sis_id=kid.student.sis_id,
                    vendor_id=reading.id,
                    data_elements=["student_name"],
                    purpose=purpose,
                    released_at=clock.now() - timedelta(hours=hours),
                    released_by="SIS nightly export",
                )
            ],
            actor=SIS,
            now=clock.now(),
        )
    return kid


def test_the_child_page_shows_who_receives_the_data(
    client: TestClient, db: Session, frozen_clock: datetime
) -> None:
    kid = _world(db)
    sign_in_family(client, db, kid.guardians[0])
    page = client.get(f"/family/children/{kid.student.id}")
    assert page.status_code == 200
    assert page.headers["cache-control"].startswith("no-store")
    text = page.text
    section = text[text.index("Who receives") :]
    receiving = section[: section.index("We asked for permission")]
    assert "Quill Reading" in receiving and "signed data privacy agreement" in receiving
    assert "Student name, Grade level" in receiving
    assert "Moonbeam Video" not in receiving
    assert "Moonbeam Video</strong> — Does not receive data: permission was refused." in section
    assert section.index("Rostering, newest") < section.index("HYPERLINK(1) older")


def test_the_log_downloads_as_csv_audited(client: TestClient, db: Session) -> None:
    kid = _world(db)
    sign_in_family(client, db, kid.guardians[0])
    got = client.get(f"/family/children/{kid.student.id}/disclosures.csv")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(got.text)))
    assert rows[0][0] == "released_at" and len(rows) == 3
    assert rows[1][3] == "Rostering, newest" and rows[2][3].startswith("'=")  # no formula
    events = db.exec(select(AuditEvent).where(col(AuditEvent.action) == "disclosure.log_downloaded")).all()
    assert len(events) == 1 and events[0].details == {"rows": 2}


def test_another_family_sees_nothing(client: TestClient, db: Session) -> None:
    kid = _world(db)
    stranger = make_guardian(db, children=[make_student(db)])
    sign_in_family(client, db, stranger)
    assert client.get(f"/family/children/{kid.student.id}").status_code == 404
    assert client.get(f"/family/children/{kid.student.id}/disclosures.csv").status_code == 404
    assert client.get("/family/children/not-an-id/disclosures.csv").status_code == 404


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "es",
            [
                "Quién recibe los datos de",
                "con un acuerdo de privacidad de datos firmado con el distrito, en vigor hasta el",
                "Nombre del estudiante, Grado",
                "Moonbeam Video</strong> — No recibe datos: se negó el permiso.",
                "Datos enviados",
                "Descargar este registro (CSV)",
            ],
        ),
        (
            "pt",
            [
                "Quem recebe os dados de",
                "com um acordo de privacidade de dados assinado com o distrito, em vigor até",
                "Nome do aluno, Série",
                "Moonbeam Video</strong> — Não recebe dados: a autorização foi recusada.",
                "Dados enviados",
                "Baixar este registro (CSV)",
            ],
        ),
    ],
)
def test_who_receives_the_data_in_the_familys_language(
    client: TestClient, db: Session, lang: str, words: list[str]
) -> None:
    kid = _world(db)
    kid.guardians[0].preferred_language = lang
    db.add(kid.guardians[0])
    db.flush()
    sign_in_family(client, db, kid.guardians[0])
    text = client.get(f"/family/children/{kid.student.id}").text
    assert f'<html lang="{lang}">' in text
    for word in words:
        assert word in text, word
    section = text[text.index(words[0]) :]
    assert " de 20" in section  # the agreement's end date, written the language's way
    for english in ("Who receives", "Student name", "Does not receive", "signed data privacy agreement"):
        assert english not in section
