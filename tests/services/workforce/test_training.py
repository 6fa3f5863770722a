"""Training campaigns: who must attend, certifying with the signature, sessions held in person."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import Session, select

from app.errors import Conflict, NotFound, ValidationFailed
from app.models import AuditEvent, EmployeeType, TrainingCampaign, TrainingCertification
from app.services.workforce import training
from tests.support.pdfs import build_pdf
from tests.support.wisp import NOW, actor_of, hired, signature, team


def _campaign(db: Session, **kw: Any) -> TrainingCampaign:
    form = training.CampaignInput(
        school_year="2026-27", title="WISP training 2026", materials_url="https://example.org/wisp", **kw
    )
    return training.create_campaign(db, actor=team(db), form=form, now=NOW)


def _owing(db: Session, campaign_id: object) -> set[object]:
    rows = db.exec(
        select(TrainingCertification).where(TrainingCertification.campaign_id == campaign_id)
    ).all()
    return {r.employee_id for r in rows}


def test_defaults_follow_the_school_year_and_everyone_attends(db: Session) -> None:
    people = [hired(db, date(2020, 1, 1)) for _ in range(3)]
    campaign = _campaign(db)
    assert (campaign.opens_on, campaign.due_on) == (date(2026, 9, 1), date(2026, 10, 1))
    assert {p.id for p in people} <= _owing(db, campaign.id)


def test_only_the_types_and_departments_named_must_attend(db: Session) -> None:
    coach = hired(db, date(2020, 1, 1), employee_type=EmployeeType.coach, department="Athletics")
    sub = hired(db, date(2020, 1, 1), employee_type=EmployeeType.substitute, department="Athletics")
    other_coach = hired(db, date(2020, 1, 1), employee_type=EmployeeType.coach, department="Oak Hill")
    campaign = _campaign(db, employee_types=["coach"], departments=["Athletics", "  "])
    assert _owing(db, campaign.id) == {coach.id}
    assert sub.id not in _owing(db, campaign.id) and other_coach.id not in _owing(db, campaign.id)


def test_a_later_hire_gets_30_days_from_the_hire(db: Session) -> None:
    late = hired(db, date(2026, 10, 10))
    campaign = _campaign(db)
    row = db.exec(select(TrainingCertification).where(TrainingCertification.employee_id == late.id)).one()
    assert campaign.due_on == date(2026, 10, 1) and row.due_on == date(2026, 11, 9)


@pytest.mark.parametrize(
    ("field", "kw"),
    [
        ("school_year", {"school_year": "2026-28"}),
        ("title", {"title": ""}),
        ("materials_url", {"materials_url": "javascript:alert(1)"}),
        ("due_on", {"opens_on": date(2026, 9, 10), "due_on": date(2026, 9, 1)}),
        ("employee_types", {"employee_types": ["wizard"]}),
    ],
)
def test_bad_campaigns_are_refused_by_field(db: Session, field: str, kw: dict[str, object]) -> None:
    values: dict[str, object] = {
        "school_year": "2026-27",
        "title": "T",
        "materials_url": "https://x.example/",
    }
    values.update(kw)
    with pytest.raises(ValidationFailed) as caught:
        training.create_campaign(db, actor=team(db), form=training.CampaignInput(**values), now=NOW)  # type: ignore[arg-type]
    assert field in [e["field"] for e in caught.value.errors or []]


def test_certifying_needs_the_signature_and_happens_once(db: Session) -> None:
    person = hired(db, date(2020, 1, 1), name="Renée Roy")
    campaign = _campaign(db)
    with pytest.raises(ValidationFailed):
        training.certify(
            db, actor=actor_of(person), campaign_id=campaign.id, signature=signature("Rene Ray"), now=NOW
        )
    row = training.certify(
        db, actor=actor_of(person), campaign_id=campaign.id, signature=signature("renee roy"), now=NOW
    )
    assert row.signed_at == NOW and row.typed_name == "renee roy"
    with pytest.raises(Conflict):
        training.certify(
            db, actor=actor_of(person), campaign_id=campaign.id, signature=signature("Renée Roy"), now=NOW
        )
    outsider = hired(db, date(2020, 1, 1), name="Out Sider")
    with pytest.raises(NotFound):
        training.certify(
            db, actor=actor_of(outsider), campaign_id=campaign.id, signature=signature("Out Sider"), now=NOW
        )


def test_a_session_held_in_person_certifies_the_people_picked_with_the_sheet(db: Session) -> None:
    a, b, c = (hired(db, date(2020, 1, 1)) for _ in range(3))
    campaign = _campaign(db)
    actor = team(db)
    with pytest.raises(ValidationFailed):
        training.record_in_person(
            db,
            actor=actor,
            campaign_id=campaign.id,
            employee_ids=[a.id],
            held_on=date(2026, 10, 1),
            data=b"",
            file_name=None,
            now=NOW,
        )
    count = training.record_in_person(
        db,
        actor=actor,
        campaign_id=campaign.id,
        employee_ids=[a.id, b.id],
        held_on=date(2026, 10, 1),
        data=build_pdf(),
        file_name="sheet.pdf",
        now=NOW,
    )
    assert count == 2
    view = training.campaign_view(db, campaign_id=campaign.id)
    done = {e.id for cert, e in view.people if cert.in_person_session_id is not None}
    assert done == {a.id, b.id} and c.id not in done and len(view.sessions) == 1
    mine = training.mine(db, employee_id=a.id, today=date(2026, 10, 15))
    assert mine[0][0].signed_at is not None and mine[0][0].in_person_session_id == view.sessions[0].id
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "training.session_recorded")).one()
    assert sorted(event.details["employee_ids"]) == sorted([str(a.id), str(b.id)])
