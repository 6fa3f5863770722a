"""The daily purge of records past their retention period (``services.retention.purge``).

The worker's claim on the job's interval makes one worker run it; a second one at the same time
would be refused (a live run holds the heartbeat), and one that died is resumed the next day.
"""

from __future__ import annotations

from datetime import timedelta

from app.errors import Conflict
from app.jobs.registry import JobContext, job
from app.services.retention.purge import run_purge


@job("retention_purge", every=timedelta(days=1))
def retention_purge(ctx: JobContext) -> int:
    """Purge every record past its retention period, skipping what a legal hold covers."""
    try:
        run = run_purge(ctx.engine, now=ctx.now)
    except Conflict:
        return 0
    return sum(int(state["purged"]) for state in run.progress.values())
