"""Consent requests through the services: the refusal-first gate, opening, answers, reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from app import clock
from app.errors import Conflict, Forbidden, InvalidTransition, NotFound
from app.models import AuditEvent, DpaStatus, OutboxMessage, VendorStatus
from app.models.consent import ConsentRequestStatus, ConsentResponse, ConsentStatus
from app.services.consent import answers, queries, requests
from app.services.consent.reminders import send_reminders
from app.services.vendors import vendors as vendors_service
from app.services.vendors.rules import local_today
from tests.support.consent import (
    consent_vendor,
    draft_request,
    family,
    guardian_actor,
    open_request,
    team_member,
)
from tests.support.vendors import make_dpa, make_vendor


def _emails(db: Session, prefix: str) -> list[OutboxMessage]:
    return list(db.exec(select(OutboxMessage).where(col(OutboxMessage.dedupe_key).like(f"{prefix}%"))).all())


# ------------------------------------------------------------------ the refusal-first gate


def test_consent_path_needs_a_refusal_and_the_policy(db: Session) -> None:
    _, team = team_member(db)
    vendor = make_vendor(
        db,
        privacy_policy_url="https://v.example.com/privacy",
        website="https://v.example.com",
    )
    consent_vendor(db, team)  # a document exists to attach below
    with pytest.raises(InvalidTransition, match="would not sign"):
        vendors_service.transition_vendor(db, vendor_id=vendor.id, action="approve_with_consent", actor=team)
    make_dpa(db, vendor, status=DpaStatus.declined)
    with pytest.raises(InvalidTransition, match="privacy policy"):  # declined, but no copy of the policy
        vendors_service.transition_vendor(db, vendor_id=vendor.id, action="approve_with_consent", actor=team)


def test_a_recorded_refusal_opens_the_consent_path(db: Session) -> None:
    _, team = team_member(db)
    ready = consent_vendor(db, team)
    ready.status = VendorStatus.under_review
    ready.refused_to_sign_on = None
    db.add(ready)
    db.flush()
    with pytest.raises(InvalidTransition):
        vendors_service.transition_vendor(db, vendor_id=ready.id, action="approve_with_consent", actor=team)
    vendors_service.record_refusal(
        db, vendor_id=ready.id, refused_on=local_today(), note="Said no by email.", actor=team
    )
    done = vendors_service.transition_vendor(
        db, vendor_id=ready.id, action="approve_with_consent", actor=team
    )
    assert done.status == VendorStatus.approved_with_consent


def test_consent_is_asked_only_for_a_consent_vendor(db: Session) -> None:
    _, team = team_member(db)
    vendor = consent_vendor(db, team)
    vendor.status = VendorStatus.approved
    db.add(vendor)
    with pytest.raises(Conflict):
        draft_request(db, vendor, team)


# ------------------------------------------------------------------ opening


def test_opening_creates_pending_responses_and_one_email_per_guardian(db: Session) -> None:
    _, team = team_member(db)
    vendor = consent_vendor(db, team)
    a = family(db, languages=("es", "en"))
    b = family(db, languages=("pt",), rights=(True,))
    no_rights = family(db, languages=("en",), rights=(False,))
    family(db, grade="8")  # out of scope
    # one Spanish-speaking guardian with a second child in scope: one email listing both
    sibling = family(db)
    from app.models import Guardianship

    db.add(Guardianship(student_id=sibling.student.id, guardian_id=a.guardians[0].id))
    db.flush()
    request = open_request(db, vendor, team)
    responses = db.exec(select(ConsentResponse).where(ConsentResponse.request_id == request.id)).all()
    assert {r.student_id for r in responses} == {
        a.student.id,
        b.student.id,
        no_rights.student.id,
        sibling.student.id,
    }
    assert all(r.status == ConsentStatus.pending for r in responses)
    emails = {m.recipient: m for m in _emails(db, f"consent:{request.id}:open")}
    assert no_rights.guardians[0].email not in emails
    spanish = emails[a.guardians[0].email]
    assert spanish.language == "es" and "Necesitamos su permiso" in spanish.subject
    assert sibling.student.first_name in spanish.body_text and "Nombre del estudiante" in spanish.body_text
    assert emails[b.guardians[0].email].language == "pt"
    assert "privacy" in spanish.body_text and request.reference in spanish.body_text
    assert request.status == ConsentRequestStatus.open


def test_opening_with_nobody_in_scope_is_refused(db: Session) -> None:
    _, team = team_member(db)
    vendor = consent_vendor(db, team)
    request = draft_request(db, vendor, team, grades=["12"])
    with pytest.raises(InvalidTransition, match="No enrolled student"):
        requests.open_request(db, request_id=request.id, actor=team)
    assert request.status == ConsentRequestStatus.draft


def test_only_a_draft_opens_and_only_an_open_request_closes(db: Session) -> None:
    _, team = team_member(db)
    vendor = consent_vendor(db, team)
    family(db)
    request = open_request(db, vendor, team)
    with pytest.raises(InvalidTransition):
        requests.open_request(db, request_id=request.id, actor=team)
    requests.close_request(db, request_id=request.id, actor=team)
    with pytest.raises(InvalidTransition):
        requests.close_request(db, request_id=request.id, actor=team)


# ------------------------------------------------------------------ answers and the rule


def _answer(db: Session, request_ref: str, fam, guardian, answer: ConsentStatus):  # type: ignore[no-untyped-def]
    return answers.answer_online(
        db,
        reference=request_ref,
        student_id=fam.student.id,
        guardian_id=guardian.id,
        answer=answer,
        actor=guardian_actor(guardian),
    )


def test_two_guardians_any_refusal_blocks(db: Session, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    _, team = team_member(db)
    vendor = consent_vendor(db, team)
    fam = family(db, languages=("en", "es"))
    request = open_request(db, vendor, team)
    mom, dad = fam.guardians
    assert (
        _answer(db, request.reference, fam, mom, ConsentStatus.granted).response.status
        == ConsentStatus.granted
    )
    clock.advance(timedelta(minutes=1))
    assert (
        _answer(db, request.reference, fam, dad, ConsentStatus.refused).response.status
        == ConsentStatus.refused
    )
    clock.advance(timedelta(minutes=1))
    # the refusing guardian changes their mind: both granted now
    assert (
        _answer(db, request.reference, fam, dad, ConsentStatus.granted).response.status
        == ConsentStatus.granted
    )
    clock.advance(timedelta(minutes=1))
    # a revocation blocks at once, whatever came before
    assert (
        _answer(db, request.reference, fam, mom, ConsentStatus.revoked).response.status
        == ConsentStatus.revoked
    )
    clock.advance(timedelta(minutes=1))
    # only a new answer from the guardian who revoked brings it back
    assert (
        _answer(db, request.reference, fam, mom, ConsentStatus.granted).response.status
        == ConsentStatus.granted
    )


def test_the_same_answer_twice_is_a_no_op(db: Session) -> None:
    _, team = team_member(db)
    vendor = consent_vendor(db, team)
    fam = family(db)
    request = open_request(db, vendor, team)
    first = _answer(db, request.reference, fam, fam.guardians[0], ConsentStatus.refused)
    again = _answer(db, request.reference, fam, fam.guardians[0], ConsentStatus.refused)
    assert first.changed and not again.changed
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "consent.refused")).all()
    assert len(events) == 1


def test_a_guardian_without_rights_cannot_answer(db: Session) -> None:
    _, team = team_member(db)
    vendor = consent_vendor(db, team)
    fam = family(db, languages=("en", "en"), rights=(True, False))
    request = open_request(db, vendor, team)
    with pytest.raises(Forbidden):
        _answer(db, request.reference, fam, fam.guardians[1], ConsentStatus.granted)
    # and their view says so, while still showing the request
    [view] = queries.family_consents(db, guardian_id=fam.guardians[1].id)
    assert not view.can_answer and view.choices == []


def test_not_your_child_is_not_found_and_closed_is_a_conflict(db: Session) -> None:
    _, team = team_member(db)
    vendor = consent_vendor(db, team)
    fam, other = family(db), family(db)
    request = open_request(db, vendor, team)
    with pytest.raises(NotFound):
        _answer(db, request.reference, fam, other.guardians[0], ConsentStatus.granted)
    requests.close_request(db, request_id=request.id, actor=team)
    with pytest.raises(InvalidTransition):
        _answer(db, request.reference, fam, fam.guardians[0], ConsentStatus.granted)


def test_the_team_records_a_paper_answer_with_the_policy_version(db: Session) -> None:
    _, team = team_member(db)
    vendor = consent_vendor(db, team)
    fam = family(db)
    request = open_request(db, vendor, team)
    [row], _ = queries.list_responses(db, request_id=request.id, filters=queries.ResponseFilter())
    result = answers.record_answer(
        db,
        request_id=request.id,
        response_id=row.id,
        guardian_id=fam.guardians[0].id,
        answer=ConsentStatus.granted,
        route=answers.AnswerRoute.paper,
        received_on=local_today(),
        note="Form returned in the backpack.",
        actor=team,
    )
    assert result.response.status == ConsentStatus.granted
    detail = queries.response_detail(db, request_id=request.id, response_id=row.id)
    [(answer, _name, by)] = detail.history
    assert answer.route.value == "paper" and answer.policy_sha256 == request.policy_sha256 and by
    public = queries.request_public(db, request_id=request.id)
    assert public.counts.granted == 1 and public.counts.total == 1


def test_a_new_privacy_policy_flags_the_request(db: Session) -> None:
    _, team = team_member(db)
    vendor = consent_vendor(db, team)
    family(db)
    request = open_request(db, vendor, team)
    assert not queries.request_public(db, request_id=request.id).policy_changed
    from app.services.platform.documents import PDF, store_document
    from tests.support.vendors import pdf_bytes

    new = store_document(
        db, data=pdf_bytes(pages=2), original_name="v2.pdf", allowed=frozenset({PDF}), actor=team
    )
    vendor.privacy_policy_document_id = new.id
    db.add(vendor)
    db.flush()
    assert queries.request_public(db, request_id=request.id).policy_changed
    follow = requests.follow_up(
        db, request_id=request.id, due_on=local_today() + timedelta(days=14), actor=team
    )
    assert follow.follows_id == request.id and follow.policy_sha256 == new.sha256


# ------------------------------------------------------------------ reminders


def test_reminders_at_seven_and_two_days_each_once(db: Session, frozen_clock) -> None:  # type: ignore[no-untyped-def]
    _, team = team_member(db)
    vendor = consent_vendor(db, team)
    waiting, answered = family(db), family(db)
    request = open_request(db, vendor, team, due_in=20)
    _answer(db, request.reference, answered, answered.guardians[0], ConsentStatus.granted)
    today = local_today()
    assert send_reminders(db, today=today) == 0  # nothing due yet
    seven = request.due_on - timedelta(days=7)
    assert send_reminders(db, today=seven) == 1
    assert send_reminders(db, today=seven + timedelta(days=1)) == 0  # once
    two = request.due_on - timedelta(days=2)
    assert send_reminders(db, today=two) == 1
    assert send_reminders(db, today=two) == 0
    assert send_reminders(db, today=request.due_on) == 0  # at the due date: nothing, pending stays pending
    sent = _emails(db, f"consent:{request.id}:reminder")
    assert {m.recipient for m in sent} == {waiting.guardians[0].email}
    assert (
        db.get(
            ConsentResponse,
            db.exec(select(ConsentResponse.id).where(ConsentResponse.student_id == waiting.student.id)).one(),
        ).status
        == ConsentStatus.pending
    )  # type: ignore[union-attr]
