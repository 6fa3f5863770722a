"""The compliance summary over the API: scope ``compliance:read`` (team, administrators and
auditors may use their session). The same figures as the dashboard at ``/staff/compliance``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from app import clock
from app.actors import Actor
from app.deps import Allow, SessionDep
from app.models.schemas.workforce import (
    BreakdownPublic,
    ComplianceSummary,
    FigurePublic,
    OverduePublic,
    ReviewClockPublic,
    SharePublic,
    WispVersionPublic,
)
from app.services.workforce import compliance
from app.services.workforce.signatures import local_today

router = APIRouter(prefix="/compliance", tags=["compliance"])

Reader = Annotated[Actor, Depends(Allow("compliance.read"))]


def _share(share: compliance.Share) -> SharePublic:
    return SharePublic(label=share.label, total=share.total, done=share.done, percent=share.percent)


def _breakdown(b: compliance.Breakdown) -> BreakdownPublic:
    return BreakdownPublic(
        overall=_share(b.overall),
        by_department=[_share(s) for s in b.by_department],
        by_employee_type=[_share(s) for s in b.by_type],
    )


@router.get("/summary", response_model=ComplianceSummary, operation_id="compliance_summary")
def summary(session: SessionDep, actor: Reader, response: Response) -> ComplianceSummary:
    """Who signed the current WISP and certified this year's training, who is overdue, the review
    clock and the other domains' figures."""
    s = compliance.summary(session, today=local_today(clock.now()))
    response.headers["Cache-Control"] = "no-store"
    v = s.version
    return ComplianceSummary(
        as_of=s.today,
        school_year=s.school_year,
        wisp_version=WispVersionPublic(id=v.id, label=v.label, effective_on=v.effective_on, sha256=v.sha256)
        if v
        else None,
        acknowledged=_breakdown(s.acknowledged) if s.acknowledged else None,
        trained=_breakdown(s.trained),
        overdue=[
            OverduePublic(
                employee_id=o.employee_id,
                name=o.name,
                email=o.email,
                department=o.department,
                employee_type=o.employee_type,
                duty=o.duty,
                due_on=o.due_on,
                days_overdue=o.days,
            )
            for o in s.overdue
        ],
        review=ReviewClockPublic(
            last_held_on=s.review.last_held_on,
            next_due_on=s.review.next_due_on,
            days_left=s.review.days_left,
            overdue=s.review.overdue,
        ),
        figures=[FigurePublic(key=f.key, label=f.label, value=f.value) for f in s.figures],
    )
