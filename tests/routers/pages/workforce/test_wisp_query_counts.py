"""The WISP pages and the compliance figures run the same number of statements whatever the
number of people; the banner costs the same one query on every staff page."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.models import Role
from app.services.workforce import acknowledgments, reviews, training
from tests.support.auth import sign_in_as
from tests.support.queries import assert_constant_queries, statements_of
from tests.support.wisp import NOW, actor_of, hired, signature, team, version


@pytest.mark.parametrize(
    "url",
    [
        "/staff/compliance",
        "/staff/compliance/overdue.csv",
        "/staff/compliance/acknowledgment.csv",
        "/api/v1/compliance/summary",
        "/staff/wisp/training/{campaign}",
        "/staff/wisp/training",
        "/staff/wisp/reviews",
        "/staff/wisp/versions",
    ],
)
def test_constant_statements(
    client: TestClient, db: Session, engine: Engine, frozen_clock: datetime, url: str
) -> None:
    actor = team(db)
    v = version(db, actor, effective_on=date(2026, 1, 5), now=frozen_clock)
    campaign = training.create_campaign(
        db,
        actor=actor,
        form=training.CampaignInput(school_year="2025-26", title="T", materials_url="https://x.example/"),
        now=frozen_clock,
    )
    reviews.record_review(
        db,
        actor=actor,
        form=reviews.ReviewInput(held_on=date(2026, 1, 5), reviewers="T", findings="F"),
        now=frozen_clock,
    )
    sign_in_as(client, db, hired(db, date(2020, 1, 1), roles=[Role.privacy_team], name="Reader"))
    count = 0

    def grow(n: int) -> None:
        nonlocal count
        for _ in range(n):
            count += 1
            person = hired(db, date(2020, 1, 1), name=f"P {count}", department=f"D{count % 4}")
            acknowledgments.assign_missing(db, version=v, now=frozen_clock)
            training.assign_missing(db, campaign=campaign)
            if count % 2:
                acknowledgments.sign(
                    db,
                    actor=actor_of(person),
                    version_id=v.id,
                    signature=signature(f"P {count}"),
                    now=frozen_clock,
                )
        db.flush()

    grow(2)

    def run() -> None:
        r = client.get(url.format(campaign=campaign.id))
        assert r.status_code == 200, r.text[:300]

    assert_constant_queries(engine, run, lambda: grow(10))


def test_the_banner_is_one_query_signed_or_not(client: TestClient, db: Session, engine: Engine) -> None:
    actor = team(db)
    teacher = hired(db, date(2020, 1, 1), name="Ann Able")
    v = version(db, actor, effective_on=date(2026, 10, 1))
    sign_in_as(client, db, teacher)
    pending = statements_of(engine, lambda: client.get("/staff/account"))
    acknowledgments.sign(
        db, actor=actor_of(teacher), version_id=v.id, signature=signature("Ann Able"), now=NOW
    )
    db.flush()
    signed = statements_of(engine, lambda: client.get("/staff/account"))
    assert len(pending) == len(signed)
    assert sum("wisp_version" in s for s in signed) == 1
