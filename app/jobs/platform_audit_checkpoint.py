"""Anchor the audit chain's head outside the database, every six hours (so at least daily).

The worker's claim on the job's interval makes one worker write each checkpoint; a second
checkpoint of the same head would be harmless anyway.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from app.jobs.registry import JobContext, job
from app.services.platform.audit_checkpoint import take_checkpoint

EVERY = timedelta(hours=6)


@job("audit_checkpoint", every=EVERY)
def write_audit_checkpoint(ctx: JobContext) -> int:
    """Write a signed checkpoint of the audit chain's head to the log and the checkpoint file."""
    with Session(ctx.engine) as session:
        checkpoint = take_checkpoint(session, now=ctx.now, path=ctx.settings.audit_checkpoint_path)
    return 1 if checkpoint else 0
