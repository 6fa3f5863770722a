"""The sharing check and the disclosure log over the API: scopes, shapes, order, limits, bad input."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app import clock
from app.models import AuditEvent, DpaStatus, OutboxMessage, VendorStatus
from app.models.sharing import Disclosure
from tests.routers.api.vendors.test_vendors_api import PROBLEM, bearer
from tests.support.factories import make_student
from tests.support.vendors import make_dpa, make_vendor

BANDS = ["pk_2", "3_5", "6_8", "9_12"]


def _vendor(db: Session, **kw: object) -> uuid.UUID:
    vendor = make_vendor(
        db, status=VendorStatus.approved, grade_bands=BANDS, data_elements=["student_name", "grade"], **kw
    )
    make_dpa(db, vendor, status=DpaStatus.executed, data_elements=["student_name", "grade"])
    return vendor.id


def test_a_single_check(client: TestClient, db: Session) -> None:
    vendor_id = _vendor(db)
    student = make_student(db)
    reader = bearer(db, ["sharing:read"])
    url = f"/api/v1/sharing-check?vendor_id={vendor_id}&student_sis_id={student.sis_id}"
    ok = client.get(url + "&data_elements=student_name,grade", headers=reader)
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["allowed"] is True and body["basis"] == "dpa" and body["reason"] == "allowed_dpa"
    assert body["dpa_id"] and body["valid_until"]
    assert ok.headers["cache-control"] == "no-store"
    no = client.get(url + "&data_elements=health", headers=reader).json()
    assert (
        no["allowed"] is False
        and no["reason"] == "elements_not_covered"
        and no["missing_elements"] == ["health"]
    )
    unknown = client.get(f"/api/v1/sharing-check?vendor_id={uuid.uuid4()}&student_sis_id=X", headers=reader)
    assert unknown.json()["reason"] == "unknown_vendor" and unknown.json()["basis"] is None


def test_scopes(client: TestClient, db: Session) -> None:
    url = f"/api/v1/sharing-check?vendor_id={uuid.uuid4()}&student_sis_id=X"
    assert client.get(url).status_code == 401
    denied = client.get(url, headers=bearer(db, ["vendors:read"]))
    assert denied.status_code == 403 and denied.headers["content-type"] == PROBLEM
    batch = {"vendor_id": str(uuid.uuid4()), "student_sis_ids": ["X"]}
    assert (
        client.post("/api/v1/sharing-check", json=batch, headers=bearer(db, ["vendors:read"])).status_code
        == 403
    )
    one = {
        "student_sis_id": "X",
        "vendor_id": str(uuid.uuid4()),
        "data_elements": ["student_name"],
        "purpose": "Rostering",
        "released_at": "2026-01-05T12:00:00Z",
        "released_by": "SIS nightly export",
    }
    assert (
        client.post("/api/v1/disclosures", json=one, headers=bearer(db, ["sharing:read"])).status_code == 403
    )


def test_bad_ids_and_malformed_elements(client: TestClient, db: Session) -> None:
    reader = bearer(db, ["sharing:read"])
    bad_id = client.get("/api/v1/sharing-check?vendor_id=not-a-uuid&student_sis_id=X", headers=reader)
    assert bad_id.status_code == 422 and bad_id.headers["content-type"] == PROBLEM
    control = client.get(
        f"/api/v1/sharing-check?vendor_id={uuid.uuid4()}&student_sis_id=A%0AB", headers=reader
    )
    assert control.status_code == 422
    malformed = client.post(
        "/api/v1/sharing-check",
        json={
            "vendor_id": str(uuid.uuid4()),
            "student_sis_ids": ["X"],
            "data_elements": ["student_name", "shoe_size"],
        },
        headers=reader,
    )
    assert malformed.status_code == 422 and "shoe_size" in malformed.text
    query = client.get(
        f"/api/v1/sharing-check?vendor_id={uuid.uuid4()}&student_sis_id=X&data_elements=grade,DROP%20TABLE",
        headers=reader,
    )
    assert query.status_code == 422 and "DROP TABLE" in query.text


def test_both_batch_shapes_answer_in_order(client: TestClient, db: Session) -> None:
    vendor_id = _vendor(db)
    other = make_vendor(db, status=VendorStatus.under_review, grade_bands=BANDS).id
    sis = [make_student(db, sis_id=f"B{i}").sis_id for i in range(3)]
    reader = bearer(db, ["sharing:read"])
    one_vendor = client.post(
        "/api/v1/sharing-check",
        json={
            "vendor_id": str(vendor_id),
            "student_sis_ids": [sis[2], "NOPE", sis[0]],
            "data_elements": ["grade"],
        },
        headers=reader,
    ).json()
    assert one_vendor["count"] == 3
    assert [a["student_sis_id"] for a in one_vendor["data"]] == [sis[2], "NOPE", sis[0]]
    assert [a["reason"] for a in one_vendor["data"]] == ["allowed_dpa", "unknown_student", "allowed_dpa"]
    pairs = client.post(
        "/api/v1/sharing-check",
        json={
            "checks": [
                {"vendor_id": str(other), "student_sis_id": sis[1]},
                {"vendor_id": str(vendor_id), "student_sis_id": sis[1], "data_elements": ["health"]},
            ]
        },
        headers=reader,
    ).json()
    assert [a["reason"] for a in pairs["data"]] == ["vendor_not_approved", "elements_not_covered"]


def test_an_oversized_batch_is_refused(client: TestClient, db: Session) -> None:
    reader = bearer(db, ["sharing:read"])
    ids = [f"S{i}" for i in range(10_001)]
    big = client.post(
        "/api/v1/sharing-check", json={"vendor_id": str(uuid.uuid4()), "student_sis_ids": ids}, headers=reader
    )
    assert big.status_code in (413, 422) and big.headers["content-type"] == PROBLEM
    full = client.post(
        "/api/v1/sharing-check",
        json={"vendor_id": str(uuid.uuid4()), "student_sis_ids": ids[:10_000]},
        headers=reader,
    )
    assert full.status_code == 200 and full.json()["count"] == 10_000


def _release(vendor_id: object, sis_id: str, **kw: object) -> dict[str, object]:
    body: dict[str, object] = {
        "student_sis_id": sis_id,
        "vendor_id": str(vendor_id),
        "data_elements": ["student_name"],
        "purpose": "Rostering for the reading app",
        "released_at": clock.now().isoformat(),
        "released_by": "SIS nightly export",
    }
    body.update(kw)
    return body


def _count(db: Session) -> int:
    return len(db.exec(select(Disclosure.id)).all())


def test_disclosures_single_and_batch(client: TestClient, db: Session) -> None:
    vendor_id = _vendor(db)
    students = [make_student(db) for _ in range(3)]
    writer = bearer(db, ["disclosures:write"])
    one = client.post("/api/v1/disclosures", json=_release(vendor_id, students[0].sis_id), headers=writer)
    assert one.status_code == 201, one.text
    row = one.json()["data"][0]
    assert row["basis"] == "dpa" and row["reason"] == "allowed_dpa" and row["unauthorized"] is False
    assert one.headers["location"] == f"/api/v1/disclosures/{row['id']}"
    got = client.get(one.headers["location"], headers=bearer(db, ["sharing:read"]))
    assert got.status_code == 200 and got.json()["id"] == row["id"]
    assert client.get("/api/v1/disclosures/nope", headers=bearer(db, ["sharing:read"])).status_code == 404
    batch = {"disclosures": [_release(vendor_id, s.sis_id) for s in students[1:]]}
    many = client.post("/api/v1/disclosures", json=batch, headers=writer)
    assert many.status_code == 201 and many.json()["count"] == 2
    assert _count(db) == 3
    audit = db.exec(select(AuditEvent).where(col(AuditEvent.action) == "disclosure.logged")).all()
    assert sorted(e.details["count"] for e in audit) == [1, 2]


def test_a_refused_batch_writes_nothing(client: TestClient, db: Session) -> None:
    vendor_id = _vendor(db)
    student = make_student(db)
    writer = bearer(db, ["disclosures:write"])
    batch = {
        "disclosures": [
            _release(vendor_id, student.sis_id),
            _release(vendor_id, student.sis_id, data_elements=["health"]),
            _release(vendor_id, "NO-SUCH"),
        ]
    }
    refused = client.post("/api/v1/disclosures", json=batch, headers=writer)
    assert refused.status_code == 409 and refused.headers["content-type"] == PROBLEM
    errors = refused.json()["errors"]
    assert [(e["index"], e["reason"]) for e in errors] == [
        (1, "elements_not_covered"),
        (2, "unknown_student"),
    ]
    assert _count(db) == 0
    # released on a day the agreement had not begun: refused at its released_at
    old = _release(vendor_id, student.sis_id, released_at=datetime(2020, 1, 1, tzinfo=UTC).isoformat())
    assert (
        client.post("/api/v1/disclosures", json=old, headers=writer).json()["errors"][0]["reason"]
        == "no_executed_dpa"
    )
    future = _release(vendor_id, student.sis_id, released_at=(clock.now() + timedelta(days=1)).isoformat())
    assert client.post("/api/v1/disclosures", json=future, headers=writer).status_code == 422
    naive = _release(vendor_id, student.sis_id, released_at="2026-01-01T10:00:00")
    assert client.post("/api/v1/disclosures", json=naive, headers=writer).status_code == 422
    assert _count(db) == 0


def test_an_unauthorized_release_is_recorded_flagged_and_the_team_emailed(
    client: TestClient, db: Session
) -> None:
    vendor = make_vendor(db, status=VendorStatus.under_review, grade_bands=BANDS)
    student = make_student(db)
    writer = bearer(db, ["disclosures:write"])
    body = _release(vendor.id, student.sis_id, unauthorized=True, data_elements=["health"])
    before = len(db.exec(select(OutboxMessage.id)).all())
    logged = client.post("/api/v1/disclosures", json=body, headers=writer)
    assert logged.status_code == 201, logged.text
    row = logged.json()["data"][0]
    assert row["unauthorized"] is True and row["reason"] == "vendor_not_approved" and row["basis"] is None
    emails = db.exec(select(OutboxMessage)).all()
    assert len(emails) == before + 1 and "unauthorized" in emails[-1].subject
    assert vendor.name in emails[-1].body_text and student.last_name not in emails[-1].body_text
    # an unknown student cannot be recorded even as unauthorized
    ghost = client.post(
        "/api/v1/disclosures", json=_release(vendor.id, "GHOST", unauthorized=True), headers=writer
    )
    assert ghost.status_code == 409


def test_no_edit_or_delete_routes(client: TestClient, db: Session) -> None:
    writer = bearer(db, ["disclosures:write"])
    target = f"/api/v1/disclosures/{uuid.uuid4()}"
    assert client.delete(target, headers=writer).status_code == 405
    assert client.patch(target, json={}, headers=writer).status_code == 405
    _ = date  # dates are exercised above


def test_the_reason_codes_are_an_enum_in_openapi(app) -> None:  # type: ignore[no-untyped-def]
    from app.models.sharing import SharingReason

    schema = app.openapi()
    assert set(schema["components"]["schemas"]["SharingReason"]["enum"]) == {r.value for r in SharingReason}
    answer = schema["components"]["schemas"]["SharingAnswer"]["properties"]["reason"]
    assert answer == {"$ref": "#/components/schemas/SharingReason"}
    assert "/api/v1/sharing-check" in schema["paths"] and "/api/v1/disclosures" in schema["paths"]


def test_odd_bodies_are_422_never_500(client: TestClient, db: Session) -> None:
    reader = bearer(db, ["sharing:read"])
    writer = bearer(db, ["disclosures:write"])
    for body in (
        {"checks": []},
        [],
        {"vendor_id": str(uuid.uuid4()), "student_sis_ids": ["x"], "data_elements": {"a": 1}},
        {"vendor_id": str(uuid.uuid4()), "student_sis_ids": ["x" * 65]},
        {"checks": [{"vendor_id": 5}]},
    ):
        assert client.post("/api/v1/sharing-check", json=body, headers=reader).status_code == 422, body
    for when in ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59+14:00", "yesterday"):
        body = _release(uuid.uuid4(), "X", released_at=when)
        assert client.post("/api/v1/disclosures", json=body, headers=writer).status_code == 422, when
    raw = client.post(
        "/api/v1/sharing-check", content=b"{not json", headers={**reader, "content-type": "application/json"}
    )
    assert raw.status_code == 422


def test_answers_match_the_documented_shape(client: TestClient, db: Session) -> None:
    from app.models.schemas.sharing import SharingAnswer, SharingAnswers

    vendor_id = _vendor(db)
    student = make_student(db)
    reader = bearer(db, ["sharing:read"])
    one = client.get(
        f"/api/v1/sharing-check?vendor_id={vendor_id}&student_sis_id={student.sis_id}", headers=reader
    )
    assert set(one.json()) == set(SharingAnswer.model_fields)
    SharingAnswer.model_validate(one.json())
    many = client.post(
        "/api/v1/sharing-check",
        json={"vendor_id": str(vendor_id), "student_sis_ids": [student.sis_id]},
        headers=reader,
    )
    assert many.headers["cache-control"] == "no-store"
    parsed = SharingAnswers.model_validate(many.json())
    assert parsed.count == 1 and set(many.json()["data"][0]) == set(SharingAnswer.model_fields)
