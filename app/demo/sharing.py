"""Demo disclosure log: the SIS's nightly rostering exports and a few releases teachers logged by
hand, over the last two months, each checked by the same sharing check as the real API (only
releases the check allows are logged). The demo parent's children have some, so the family page
shows a real log.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlmodel import Session, col, select

from app import clock
from app.actors import Actor
from app.demo.identity import DEMO_GUARDIAN_EMAIL
from app.errors import Conflict
from app.models import Guardian, Guardianship, Student, Vendor
from app.models.schemas.sharing import DisclosureCreate
from app.models.sharing import Disclosure
from app.services.sharing.check import APPROVED, Question, check
from app.services.sharing.disclosures import log_disclosures

SIS = Actor(type="api_client", id="demo-sis", label="PowerSchool SIS (demo)")
PURPOSES = [
    ("Nightly class roster sync", "PowerSchool SIS nightly export"),
    ("New accounts for the start of the unit", "Ms. Alvarez, library media specialist"),
    ("Grade-level assessment results upload", "Assessment office export"),
]


def load_sharing(session: Session, *, seed: int = 2026) -> dict[str, int]:
    """Disclosures for the demo parent's children and about 150 other students; skipped when any exist."""
    if session.exec(select(Disclosure.id).limit(1)).first() is not None:
        return {"demo disclosures": 0}
    rng = random.Random(seed)
    own = session.exec(
        select(Student.sis_id)
        .join(Guardianship, col(Guardianship.student_id) == Student.id)
        .join(Guardian, col(Guardian.id) == Guardianship.guardian_id)
        .where(Guardian.email == DEMO_GUARDIAN_EMAIL)
    ).all()
    others = session.exec(select(Student.sis_id).order_by(col(Student.sis_id)).limit(600)).all()
    sis_ids = list(dict.fromkeys([*own, *rng.sample(list(others), min(150, len(others)))]))
    vendor_ids = session.exec(select(Vendor.id).where(col(Vendor.status).in_(APPROVED))).all()
    now = clock.now()
    answers = check(session, questions=[Question(v, s) for s in sis_ids for v in vendor_ids], at=now)
    items: list[DisclosureCreate] = []
    for answer in answers:
        if not answer.allowed or not answer.covered_elements:
            continue
        times = 3 if answer.student_sis_id in own else 1
        for _ in range(times):
            purpose, by = rng.choice(PURPOSES)
            elements = sorted(rng.sample(list(answer.covered_elements), min(3, len(answer.covered_elements))))
            items.append(
                DisclosureCreate(
                    student_sis_id=answer.student_sis_id,
                    vendor_id=answer.vendor_id,
                    data_elements=elements,
                    purpose=purpose,
                    released_at=now - timedelta(days=rng.randint(0, 20), hours=rng.randint(1, 20)),
                    released_by=by,
                )
            )
    if not items:
        return {"demo disclosures": 0}
    try:
        log_disclosures(session, items=items, actor=SIS, now=now)
    except Conflict as refused:  # a release dated before its agreement began: leave it out
        dropped = {int(e["index"]) for e in refused.errors or []}
        items = [item for i, item in enumerate(items) if i not in dropped]
        log_disclosures(session, items=items, actor=SIS, now=now)
    return {"demo disclosures": len(items)}
