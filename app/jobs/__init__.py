"""Periodic jobs run by the worker. Importing this package registers them all."""

from app.jobs import (  # noqa: F401  (registers the jobs)
    consent_reminders,
    dispute_reminders,
    dpa_expiry,
    incidents_notice_clock,
    outbox_delivery,
    platform_audit_checkpoint,
    retention_disposal,
    retention_purge,
    retention_register,
    roster_imports,
    workforce_offboarding,
    workforce_wisp,
    workforce_wisp_review,
)
from app.jobs.registry import JOBS, Job, JobContext, job

__all__ = ["JOBS", "Job", "JobContext", "job"]
