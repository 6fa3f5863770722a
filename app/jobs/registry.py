"""A small registry of periodic jobs. Every job is idempotent and claims the rows it works on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine

from app.config import Settings
from app.mail import Transport


@dataclass
class JobContext:
    engine: Engine
    settings: Settings
    transport: Transport
    now: datetime


@dataclass
class Job:
    name: str
    every: timedelta
    run: Callable[[JobContext], int]
    description: str = field(default="")


JOBS: dict[str, Job] = {}


def job(
    name: str, *, every: timedelta
) -> Callable[[Callable[[JobContext], int]], Callable[[JobContext], int]]:
    """Register ``fn`` as a periodic job; it returns how many items it handled."""

    def register(fn: Callable[[JobContext], int]) -> Callable[[JobContext], int]:
        if name in JOBS:
            raise ValueError(f"job {name!r} registered twice")
        JOBS[name] = Job(name=name, every=every, run=fn, description=(fn.__doc__ or "").strip())
        return fn

    return register
