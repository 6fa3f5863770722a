from datetime import timedelta

from sqlalchemy import Engine

from app import clock
from app.config import Settings
from app.jobs.registry import JOBS, Job, JobContext
from app.jobs.worker import Worker
from app.mail import LogTransport


def test_a_job_runs_once_per_interval_across_workers(
    committed: Engine, settings: Settings, frozen_clock
) -> None:
    runs: list[str] = []

    def counting(ctx: JobContext) -> int:
        runs.append("x")
        return 1

    JOBS["test_counting"] = Job("test_counting", timedelta(minutes=10), counting)
    try:
        a = Worker(committed, settings, LogTransport())
        b = Worker(committed, settings, LogTransport())
        assert a.run_due().get("test_counting") == 1
        assert "test_counting" not in b.run_due()
        clock.advance(timedelta(minutes=9))
        assert "test_counting" not in a.run_due()
        clock.advance(timedelta(minutes=1))
        assert b.run_due().get("test_counting") == 1
        assert len(runs) == 2
    finally:
        del JOBS["test_counting"]


def test_a_failing_job_is_recorded_and_does_not_stop_the_others(
    committed: Engine, settings: Settings, frozen_clock
) -> None:
    def broken(ctx: JobContext) -> int:
        raise RuntimeError("boom")

    JOBS["test_broken"] = Job("test_broken", timedelta(minutes=1), broken)
    try:
        done = Worker(committed, settings, LogTransport()).run_due()
        assert "test_broken" not in done and "outbox_delivery" in done
        from sqlmodel import Session

        from app.models import JobState

        with Session(committed) as s:
            assert "boom" in (s.get(JobState, "test_broken").last_error or "")
    finally:
        del JOBS["test_broken"]
