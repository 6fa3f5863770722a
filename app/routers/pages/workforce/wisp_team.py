"""The team's side of the WISP's yearly duties: versions, training campaigns (and in-person
sessions), and the annual review. Auditors read every page and change nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app import clock
from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.errors import ValidationFailed
from app.flash import redirect_with_flash
from app.models import EmployeeType, ReviewTrigger
from app.routers.form_data import FormDep, upload_bytes
from app.routers.pages.workforce.forms import (
    NO_STORE,
    errors_of,
    form_date,
    form_list,
    form_text,
    form_uuids,
    values_of,
)
from app.security.permissions import allowed
from app.services.identity.staff import list_team_members
from app.services.platform.documents import MAX_UPLOAD_BYTES
from app.services.workforce import reviews, training, wisp_versions
from app.services.workforce.signatures import local_today, school_year_of
from app.templating import render

router = APIRouter(prefix="/staff/wisp", include_in_schema=False)

CanRead = Annotated[Actor, Depends(Allow("wisp.read", api=False))]
CanWrite = Annotated[Actor, Depends(Allow("wisp.write", api=False))]
TYPES = {t.value: t.value.replace("_", " ").capitalize() for t in EmployeeType}


def _render(
    request: Request, template: str, actor: Actor, context: dict[str, Any], status_code: int = 200
) -> Response:
    context = {"can_write": allowed(actor, "wisp.write"), "errors": {}, "values": {}, **context}
    return render(request, template, context, status_code=status_code, headers=NO_STORE)


# --- versions ----------------------------------------------------------------------------------


def _versions(request: Request, session: SessionDep, actor: Actor, **context: Any) -> Response:
    status_code = context.pop("status_code", 200)
    today = local_today(clock.now())
    return _render(
        request,
        "workforce/wisp_versions.html",
        actor,
        {
            "versions": wisp_versions.list_versions(session),
            "current": wisp_versions.current_version(session, today=today),
            "today": today,
            **context,
        },
        status_code,
    )


@router.get("/versions")
def versions(request: Request, session: SessionDep, actor: CanRead) -> Response:
    return _versions(request, session, actor)


@router.post("/versions")
def upload_version(request: Request, session: SessionDep, actor: CanWrite, form: FormDep) -> Response:
    upload = upload_bytes(form.get("file"), MAX_UPLOAD_BYTES + 1)
    try:
        wisp_versions.upload_version(
            session,
            actor=actor,
            label=form_text(form, "label", 1000),
            effective_on=form_date(form, "effective_on"),
            data=upload[0] if upload else b"",
            file_name=upload[1] if upload else None,
            now=clock.now(),
        )
    except ValidationFailed as exc:
        session.rollback()
        return _versions(
            request, session, actor, errors=errors_of(exc), values=values_of(form), status_code=422
        )
    session.commit()
    return redirect_with_flash("/staff/wisp/versions", "The version was uploaded.", "success")


# --- training ----------------------------------------------------------------------------------


def _campaigns(request: Request, session: SessionDep, actor: Actor, **context: Any) -> Response:
    status_code = context.pop("status_code", 200)
    values = context.pop("values", None) or {"school_year": school_year_of(local_today(clock.now()))}
    return _render(
        request,
        "workforce/training_list.html",
        actor,
        {"campaigns": training.list_campaigns(session), "types": TYPES, "values": values, **context},
        status_code,
    )


@router.get("/training")
def campaigns(request: Request, session: SessionDep, actor: CanRead) -> Response:
    return _campaigns(request, session, actor)


@router.post("/training")
def create_campaign(request: Request, session: SessionDep, actor: CanWrite, form: FormDep) -> Response:
    upload = upload_bytes(form.get("file"), MAX_UPLOAD_BYTES + 1)
    campaign_form = training.CampaignInput(
        school_year=form_text(form, "school_year", 20).strip(),
        title=form_text(form, "title", 1000),
        materials_url=form_text(form, "materials_url", 1000),
        opens_on=form_date(form, "opens_on"),
        due_on=form_date(form, "due_on"),
        employee_types=form_list(form, "employee_types"),
        departments=form_text(form, "departments", 20_000).splitlines(),
    )
    try:
        campaign = training.create_campaign(
            session,
            actor=actor,
            form=campaign_form,
            data=upload[0] if upload else b"",
            file_name=upload[1] if upload else None,
            now=clock.now(),
        )
    except ValidationFailed as exc:
        session.rollback()
        return _campaigns(
            request, session, actor, errors=errors_of(exc), values=values_of(form), status_code=422
        )
    session.commit()
    return redirect_with_flash(f"/staff/wisp/training/{campaign.id}", "The training was created.", "success")


def _campaign(
    request: Request, session: SessionDep, actor: Actor, campaign_id: str, **context: Any
) -> Response:
    status_code = context.pop("status_code", 200)
    view = training.campaign_view(session, campaign_id=parse_uuid(campaign_id))
    return _render(
        request,
        "workforce/training_detail.html",
        actor,
        {"view": view, "today": local_today(clock.now()), **context},
        status_code,
    )


@router.get("/training/{campaign_id}")
def campaign(campaign_id: str, request: Request, session: SessionDep, actor: CanRead) -> Response:
    return _campaign(request, session, actor, campaign_id)


@router.post("/training/{campaign_id}/sessions")
def record_session(
    campaign_id: str, request: Request, session: SessionDep, actor: CanWrite, form: FormDep
) -> Response:
    upload = upload_bytes(form.get("file"), MAX_UPLOAD_BYTES + 1)
    try:
        count = training.record_in_person(
            session,
            actor=actor,
            campaign_id=parse_uuid(campaign_id),
            employee_ids=form_uuids(form, "employee_ids"),
            held_on=form_date(form, "held_on"),
            data=upload[0] if upload else b"",
            file_name=upload[1] if upload else None,
            now=clock.now(),
        )
    except ValidationFailed as exc:
        session.rollback()
        return _campaign(
            request,
            session,
            actor,
            campaign_id,
            errors=errors_of(exc),
            values=values_of(form),
            status_code=422,
        )
    session.commit()
    return redirect_with_flash(
        f"/staff/wisp/training/{parse_uuid(campaign_id)}",
        f"Recorded the session for {count} people.",
        "success",
    )


# --- reviews -----------------------------------------------------------------------------------

RECOMMENDATION_ROWS = 3


def _reviews(request: Request, session: SessionDep, actor: Actor, **context: Any) -> Response:
    status_code = context.pop("status_code", 200)
    today = local_today(clock.now())
    return _render(
        request,
        "workforce/wisp_reviews.html",
        actor,
        {
            "reviews": reviews.list_reviews(session),
            "clock": reviews.clock_of(session, today=today),
            "people": list_team_members(session) if allowed(actor, "wisp.write") else [],
            "triggers": {
                ReviewTrigger.annual.value: "The annual review",
                ReviewTrigger.material_change.value: "A material change in practice",
            },
            "rows": range(1, RECOMMENDATION_ROWS + 1),
            **context,
        },
        status_code,
    )


@router.get("/reviews")
def review_list(request: Request, session: SessionDep, actor: CanRead) -> Response:
    return _reviews(request, session, actor)


@router.post("/reviews")
def record_review(request: Request, session: SessionDep, actor: CanWrite, form: FormDep) -> Response:
    review_form = reviews.ReviewInput(
        held_on=form_date(form, "held_on"),
        reviewers=form_text(form, "reviewers", 2000),
        trigger=form_text(form, "trigger", 40),
        what_changed=form_text(form, "what_changed", 5000),
        findings=form_text(form, "findings", 10_000),
        presented_on=form_date(form, "presented_on"),
        recommendations=[
            reviews.RecommendationInput(
                text=form_text(form, f"recommendation_{n}", 3000),
                owner_id=parse_uuid(form_text(form, f"owner_{n}", 100)),
                due_on=form_date(form, f"due_{n}"),
            )
            for n in range(1, RECOMMENDATION_ROWS + 1)
        ],
    )
    try:
        reviews.record_review(session, actor=actor, form=review_form, now=clock.now())
    except ValidationFailed as exc:
        session.rollback()
        return _reviews(
            request, session, actor, errors=errors_of(exc), values=values_of(form), status_code=422
        )
    session.commit()
    return redirect_with_flash("/staff/wisp/reviews", "The review was recorded.", "success")


@router.post("/reviews/{review_id}/presented")
def presented(review_id: str, session: SessionDep, actor: CanWrite, form: FormDep) -> Response:
    try:
        reviews.mark_presented(
            session,
            actor=actor,
            review_id=parse_uuid(review_id),
            presented_on=form_date(form, "presented_on"),
            now=clock.now(),
        )
    except ValidationFailed as exc:
        session.rollback()
        return redirect_with_flash("/staff/wisp/reviews", exc.detail, "error")
    session.commit()
    return redirect_with_flash(
        "/staff/wisp/reviews", "Recorded as presented to the School Committee.", "success"
    )
