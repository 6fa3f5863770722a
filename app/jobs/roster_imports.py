"""Roster imports the request did not get to run (the process stopped), and dead ones.

An upload normally runs at once in the background task of the request that queued it; this
sweep is the safety net: it fails imports whose heartbeat went stale (their runner was
killed; nothing was written) and runs any import still queued. Claiming is a conditional
UPDATE, so an import runs once however many workers sweep.
"""

from __future__ import annotations

from datetime import timedelta

from app.jobs.registry import JobContext, job
from app.services.roster.imports import run_queued


@job("roster_imports", every=timedelta(seconds=30))
def roster_imports(ctx: JobContext) -> int:
    """Run queued roster imports and fail the ones whose runner died."""
    return run_queued(ctx.engine, now=ctx.now)
