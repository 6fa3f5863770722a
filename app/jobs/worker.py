"""The worker: runs each registered job when it is due, once per interval across all workers."""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from sqlalchemy import Engine, update
from sqlmodel import Session, col

from app import clock
from app.config import Settings
from app.db import insert_ignore
from app.jobs.registry import JOBS, Job, JobContext
from app.mail import Transport, make_transport
from app.models import JobState

log = logging.getLogger(__name__)


class Worker:
    def __init__(self, engine: Engine, settings: Settings, transport: Transport | None = None) -> None:
        self.engine = engine
        self.settings = settings
        self.transport = transport or make_transport(settings)

    def _claim(self, job: Job, now: datetime) -> bool:
        """Take this interval's run of ``job``; False if another worker already has it."""
        with Session(self.engine) as session:
            insert_ignore(session, JobState, [{"name": job.name, "next_run_at": now}], ["name"])
            result = session.execute(
                update(JobState)
                .where(col(JobState.name) == job.name, col(JobState.next_run_at) <= now)
                .values(next_run_at=now + job.every, last_started_at=now)
            )
            session.commit()
            return getattr(result, "rowcount", 0) == 1

    def _record(self, job: Job, error: str | None) -> None:
        with Session(self.engine) as session:
            session.execute(
                update(JobState)
                .where(col(JobState.name) == job.name)
                .values(last_finished_at=clock.now(), last_error=error)
            )
            session.commit()

    def run_job(self, job: Job) -> int:
        ctx = JobContext(self.engine, self.settings, self.transport, clock.now())
        return job.run(ctx)

    def run_due(self) -> dict[str, int]:
        """Run every job that is due now; returns what each one handled."""
        done: dict[str, int] = {}
        for job in JOBS.values():
            now = clock.now()
            if not self._claim(job, now):
                continue
            try:
                done[job.name] = self.run_job(job)
            except Exception as exc:
                log.exception("job %s failed", job.name)
                self._record(job, f"{type(exc).__name__}: {exc}"[:1000])
            else:
                self._record(job, None)
        return done

    def run_forever(self, stop: threading.Event) -> None:
        log.info("worker started with jobs: %s", ", ".join(JOBS))
        while not stop.is_set():
            try:
                self.run_due()
            except Exception:
                log.exception("worker tick failed")
            stop.wait(self.settings.worker_poll_seconds)
        log.info("worker stopped")
