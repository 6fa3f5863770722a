"""A family's attachment must decode: HTML behind a GIF signature is refused in plain words."""

from __future__ import annotations

from sqlmodel import Session, select

from app.models import Dispute
from tests.routers.pages.disputes.test_family_pages import _form, _guardian_with_child
from tests.services.platform.test_upload_checks import SCRIPTED
from tests.support.auth import sign_in_family


def test_html_posing_as_a_gif_and_a_scripted_pdf_are_refused(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    guardian, student = _guardian_with_child(db)
    sign_in_family(client, db, guardian=guardian)
    for name, data, kind in (
        ("photo.gif", b"GIF89a<html><script>alert(document.cookie)</script></html>", "image/gif"),
        ("letter.pdf", SCRIPTED["OpenAction JavaScript"], "application/pdf"),
    ):
        response = client.post(
            "/disputes/new",
            data=_form(student_id=str(student.id), description="Kept description"),
            files={"attachment": (name, data, kind)},
            follow_redirects=False,
        )
        assert response.status_code == 422, name
        assert "Kept description" in response.text
        assert (
            "whatever its name says" if name == "photo.gif" else "This file is not acceptable."
        ) in response.text
    assert db.exec(select(Dispute).where(Dispute.guardian_id == guardian.id)).first() is None
