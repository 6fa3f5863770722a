"""Family pages: sign in by emailed link (see ``link_sign_in``), my children, one child."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app import clock
from app.deps import CurrentFamily, CurrentGuardian, SessionDep, parse_uuid
from app.i18n import N_
from app.routers.pages.consent.presenters import STATUS_LABELS
from app.routers.pages.identity.link_sign_in import NO_STORE, LinkSignIn, add_link_sign_in
from app.routers.pages.sharing.presenters import context as sharing_words
from app.services.consent import queries as consent_queries
from app.services.identity import family_auth
from app.services.roster import family
from app.services.sharing import reports
from app.templating import render

router = APIRouter(include_in_schema=False)

# Relationships as the SIS sends them, for the child page (translated there with ``| t``).
RELATIONSHIP_WORDS = (
    N_("parent"),
    N_("mother"),
    N_("father"),
    N_("guardian"),
    N_("stepparent"),
    N_("grandparent"),
    N_("foster parent"),
    N_("other"),
)

add_link_sign_in(
    router,
    LinkSignIn(
        audience="family",
        templates="roster/family",
        purposes=family_auth.FAMILY_PURPOSES,
        request_link=family_auth.request_family_link,
        redeem=family_auth.redeem_family_link,
        keeps_next=True,
    ),
)


@router.get("/family")
def home(request: Request, session: SessionDep, viewer: CurrentFamily) -> Response:
    if viewer.guardian is None:  # a verified requester: their own disputes only
        return render(
            request, "roster/family/requester.html", {"email": viewer.session.email}, headers=NO_STORE
        )
    children = family.children_on_account(session, guardian_id=viewer.guardian.id)
    return render(
        request,
        "roster/family/home.html",
        {"guardian": viewer.guardian, "children": children},
        headers=NO_STORE,
    )


@router.get("/family/children/{student_id}")
def child_page(request: Request, session: SessionDep, viewer: CurrentGuardian, student_id: str) -> Response:
    assert viewer.guardian is not None  # CurrentGuardian guarantees it
    child = family.child_details(session, guardian_id=viewer.guardian.id, student_id=parse_uuid(student_id))
    consents = consent_queries.family_consents(
        session, guardian_id=viewer.guardian.id, student_id=child.student.id
    )
    sharing = reports.student_sharing(session, student=child.student, now=clock.now())
    context = {
        "child": child,
        "consents": consents,
        "consent_labels": STATUS_LABELS,
        "sharing": sharing,
        **sharing_words(),
    }
    return render(request, "roster/family/child.html", context, headers=NO_STORE)


@router.get("/family/children/{student_id}/disclosures.csv")
def child_disclosures_csv(
    request: Request, session: SessionDep, viewer: CurrentGuardian, student_id: str
) -> Response:
    """The child's disclosure log as a spreadsheet (audited)."""
    assert viewer.guardian is not None
    text = reports.child_log_csv(
        session,
        guardian_id=viewer.guardian.id,
        student_id=parse_uuid(student_id),
        actor=viewer.actor(request),
        now=clock.now(),
    )
    session.commit()
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="disclosures.csv"', **NO_STORE},
    )
