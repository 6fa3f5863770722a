"""Two syncs of the same new roster at once: one creates, the other finds it all unchanged."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, func, select

from app import clock
from app.actors import Actor
from app.models import Student
from app.models.schemas.roster import RosterSync, SyncMode
from app.services.roster.sync import sync_roster

SIS = Actor(type="api_client", id="c1", label="Riverbend SIS")


def test_concurrent_syncs_do_not_collide(committed: Engine) -> None:
    body = RosterSync.model_validate(
        {
            "students": [
                {"sis_id": f"C{n}", "first_name": "K", "last_name": f"N{n}", "school": "Maple", "grade": "1"}
                for n in range(300)
            ]
        }
    )
    results: list[dict[str, Any]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            start.wait()
            with Session(committed) as session:
                result = sync_roster(session, body=body, mode=SyncMode.delta, actor=SIS, now=clock.now())
                session.commit()
                results.append(result.as_dict()["students"])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(r["created"] for r in results) == [0, 300]
    assert sorted(r["unchanged"] for r in results) == [0, 300]
    with Session(committed) as session:
        assert session.exec(select(func.count()).select_from(Student)).one() == 300
