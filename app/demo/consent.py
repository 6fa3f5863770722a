"""Demo consent requests: two vendors on the consent path, with requests in every state.

Moonbeam Video Studio asked Lincoln Middle School's grade 7 last spring (closed) and asks grade 8
now (open, most families answered); Snapdragon Social Stories asks Maple Street's kindergarten and
grade 1 (open, few answers yet) and has a draft for grade 2. Answers come online and on paper, in
the families' languages, through the same services the pages use; the opening emails are marked
sent, as they would have been.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app import clock
from app.actors import SYSTEM, Actor
from app.models import Employee, Guardian, Guardianship, OutboxMessage, OutboxStatus, Student, Vendor
from app.models.consent import AnswerRoute, ConsentRequest, ConsentResponse, ConsentStatus
from app.models.schemas.consent import ConsentRequestCreate
from app.services.consent import answers, requests
from app.services.vendors.rules import local_today

TEAM_EMAIL = "team@riverbend.example.org"
LINCOLN = "Lincoln Middle School"
MAPLE = "Maple Street Elementary School"
PLANS = [
    # vendor, school, grades, opened days ago, due in days, share answered, close it
    ("Moonbeam Video Studio", LINCOLN, ["7"], 200, -170, 0.9, True),
    ("Moonbeam Video Studio", LINCOLN, ["8"], 12, 9, 0.75, False),
    ("Snapdragon Social Stories", MAPLE, ["K", "1"], 3, 18, 0.2, False),
    ("Snapdragon Social Stories", MAPLE, ["2"], None, 30, 0.0, False),
]
PURPOSES = {
    "Moonbeam Video Studio": "Students film and edit short videos for their science and English projects; "
    "the teacher reviews and grades them in the tool.",
    "Snapdragon Social Stories": "Teachers make picture stories that help young students get ready for new "
    "routines, such as a fire drill or a field trip.",
}
ELEMENTS = {
    "Moonbeam Video Studio": [
        "student_name",
        "student_email",
        "login_credentials",
        "photo_video",
        "student_work",
    ],
    "Snapdragon Social Stories": ["student_name", "school", "grade"],
}


def _team(session: Session) -> Actor:
    team = session.exec(select(Employee).where(Employee.email == TEAM_EMAIL)).first()
    return Actor(type="staff", id=str(team.id), label=team.email) if team else SYSTEM


def _give(
    session: Session,
    request: ConsentRequest,
    response: ConsentResponse,
    guardian: Guardian,
    answer: ConsentStatus,
    at: datetime,
    team: Actor,
    paper: bool,
) -> None:
    if paper:
        answers.record_answer(
            session,
            request_id=request.id,
            response_id=response.id,
            guardian_id=guardian.id,
            answer=answer,
            route=AnswerRoute.paper,
            received_on=local_today(at),
            note=None,
            actor=team,
            now=at,
        )
        return
    answers.answer_online(
        session,
        reference=request.reference,
        student_id=response.student_id,
        guardian_id=guardian.id,
        answer=answer,
        actor=Actor(type="guardian", id=str(guardian.id), label=guardian.email),
        now=at,
    )


def _answer_some(
    session: Session, request: ConsentRequest, share: float, opened: datetime, rng: random.Random, team: Actor
) -> int:
    """About ``share`` of the students get an answer from their first guardian, a few from a second."""
    rows = session.exec(
        select(ConsentResponse, Guardian)
        .join(Guardianship, col(Guardianship.student_id) == ConsentResponse.student_id)
        .join(Guardian, col(Guardian.id) == Guardianship.guardian_id)
        .where(
            col(ConsentResponse.request_id) == request.id, col(Guardianship.has_educational_rights).is_(True)
        )
        .order_by(col(ConsentResponse.id), col(Guardian.id))
    ).all()
    latest = clock.now() - timedelta(hours=1)
    answered = 0
    seen: set[object] = set()
    for response, guardian in rows:
        first_guardian = response.id not in seen
        seen.add(response.id)
        if rng.random() > (share if first_guardian else share / 4):
            continue
        answer = ConsentStatus.granted if rng.random() < 0.8 else ConsentStatus.refused
        at = min(opened + timedelta(hours=rng.randint(2, 24 * 6)), latest)
        paper = guardian.email is None or rng.random() < 0.15
        _give(session, request, response, guardian, answer, at, team, paper)
        answered += 1
        if answer == ConsentStatus.granted and not paper and rng.random() < 0.06:  # a change of mind
            _give(
                session,
                request,
                response,
                guardian,
                ConsentStatus.revoked,
                min(at + timedelta(days=2), latest),
                team,
                False,
            )
    return answered


def load_consent(session: Session, *, seed: int = 2026) -> dict[str, int]:
    """The demo consent requests; skipped when consent requests already exist."""
    if session.exec(select(ConsentRequest.id).limit(1)).first() is not None:
        return {"demo consent requests": 0}
    if session.exec(select(Student.id).limit(1)).first() is None:
        return {"demo consent requests": 0}
    rng = random.Random(seed)
    now = clock.now()
    team = _team(session)
    made = answered = 0
    for vendor_name, school, grades, opened_ago, due_in, share, close in PLANS:
        vendor = session.exec(select(Vendor).where(Vendor.name == vendor_name)).first()
        if vendor is None:
            continue
        created = now - timedelta(days=(opened_ago or 1) + 2)
        data = ConsentRequestCreate(
            vendor_id=vendor.id,
            purpose=PURPOSES[vendor_name],
            data_elements=ELEMENTS[vendor_name],
            schools=[school],
            grades=grades,
            due_on=local_today(now) + timedelta(days=max(due_in, 7)),
        )
        request = requests.create_request(session, data=data, actor=team, now=created)
        made += 1
        if opened_ago is None:
            continue
        opened = now - timedelta(days=opened_ago)
        request.due_on = local_today(opened) + timedelta(days=21)
        requests.open_request(session, request_id=request.id, actor=team, now=opened)
        request.due_on = local_today(now) + timedelta(days=due_in)
        session.add(request)
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.dedupe_key).like(f"consent:{request.id}:%"))
            .values(status=OutboxStatus.sent, sent_at=opened, attempts=1)
        )
        answered += _answer_some(session, request, share, opened, rng, team)
        if close:
            requests.close_request(session, request_id=request.id, actor=team, now=now - timedelta(days=160))
    session.flush()
    return {"demo consent requests": made, "demo consent answers": answered}
