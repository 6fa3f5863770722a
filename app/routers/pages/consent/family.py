"""The guardian's consent pages: a request about their children, the answer confirmed on a page
that says what it means, and the copy of the privacy policy they were asked about.

Any guardian of a child in the request sees it; only one with educational rights may answer.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from app.deps import CurrentGuardian, SessionDep, parse_uuid
from app.errors import DomainError, NotFound
from app.flash import redirect_with_flash
from app.i18n import N_
from app.models.consent import ConsentStatus
from app.models.data_elements import DATA_ELEMENTS
from app.routers.downloads import attachment
from app.routers.pages.consent.presenters import STATUS_LABELS
from app.services.consent import answers, queries
from app.services.consent.policy import policy_for_guardian
from app.templating import render

router = APIRouter(prefix="/family/consent", include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}
MEANINGS = {  # translated where shown; %(vendor)s and %(child)s filled in by the template
    ConsentStatus.granted: (
        N_("Give consent"),
        N_(
            "%(vendor)s may receive the information listed below about %(child)s, for the purpose "
            "described. You can withdraw your consent at any time on this page; the district then "
            "stops sharing."
        ),
    ),
    ConsentStatus.refused: (
        N_("Refuse"),
        N_(
            "%(vendor)s will not receive %(child)s's information. Your refusal holds even if another "
            "parent or guardian says yes. You can change your mind later on this page."
        ),
    ),
    ConsentStatus.revoked: (
        N_("Withdraw consent"),
        N_(
            "The district stops sharing %(child)s's information with %(vendor)s from now on. "
            "You can give consent again later on this page."
        ),
    ),
}


def _mine(session: SessionDep, viewer: CurrentGuardian, reference: str) -> list[queries.ChildConsent]:
    assert viewer.guardian is not None  # CurrentGuardian guarantees it
    items = queries.family_consents(session, guardian_id=viewer.guardian.id, reference=reference)
    if not items:
        raise NotFound(N_("There is no such consent request for your children."))
    return items


@router.get("/{reference}")
def request_page(request: Request, session: SessionDep, viewer: CurrentGuardian, reference: str) -> Response:
    items = _mine(session, viewer, reference)
    context = {"items": items, "first": items[0], "status_labels": STATUS_LABELS, "elements": DATA_ELEMENTS}
    return render(request, "consent/family_request.html", context, headers=NO_STORE)


@router.get("/{reference}/children/{student_id}/confirm")
def confirm_page(
    request: Request,
    session: SessionDep,
    viewer: CurrentGuardian,
    reference: str,
    student_id: str,
    answer: str = "",
) -> Response:
    item = next((i for i in _mine(session, viewer, reference) if str(i.student.id) == student_id), None)
    if item is None:
        raise NotFound(N_("There is no such consent request for your child."))
    try:
        choice = ConsentStatus(answer)
    except ValueError:
        choice = None
    if choice not in item.choices:
        return redirect_with_flash(
            f"/family/consent/{reference}", N_("Choose one of the answers offered."), "error"
        )
    title, meaning = MEANINGS[choice]
    context = {"item": item, "choice": choice, "title": title, "meaning": meaning}
    return render(request, "consent/family_confirm.html", context, headers=NO_STORE)


@router.post("/{reference}/children/{student_id}")
def answer(
    request: Request,
    session: SessionDep,
    viewer: CurrentGuardian,
    reference: str,
    student_id: str,
    answer: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    assert viewer.guardian is not None
    try:
        choice = ConsentStatus(answer)
        result = answers.answer_online(
            session,
            reference=reference,
            student_id=parse_uuid(student_id),
            guardian_id=viewer.guardian.id,
            answer=choice,
            actor=viewer.actor(request),
        )
    except ValueError:
        return redirect_with_flash(
            f"/family/consent/{reference}", N_("Choose one of the answers offered."), "error"
        )
    except DomainError as exc:
        session.rollback()
        if exc.status == 404:
            raise
        return redirect_with_flash(f"/family/consent/{reference}", exc.detail, "error")
    session.commit()
    message = (
        N_("Thank you: your answer is recorded.")
        if result.changed
        else N_("You had already given this answer.")
    )
    return redirect_with_flash(f"/family/consent/{reference}", message)


@router.get("/{reference}/policy")
def policy_copy(request: Request, session: SessionDep, viewer: CurrentGuardian, reference: str) -> Response:
    """The copy of the vendor's privacy policy this request asked about (audited)."""
    assert viewer.guardian is not None
    document, data = policy_for_guardian(
        session, reference=reference, guardian_id=viewer.guardian.id, actor=viewer.actor(request)
    )
    session.commit()
    return attachment(document, data)
