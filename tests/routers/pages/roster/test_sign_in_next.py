"""Every emailed link brings the person where it says: the family sign-in keeps a safe ``next``."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Guardian, Student
from tests.support.disputes import file_dispute
from tests.support.factories import make_guardian, make_student
from tests.support.links import csrf_from, messages_to

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def guardian(db: Session) -> Guardian:
    child: Student = make_student(db, first_name="Ada")
    return make_guardian(db, children=[child], email="parent@example.net", preferred_language="es")


def _emailed_link(db: Session, email: str) -> str:
    """The path and query of the newest link emailed to ``email``."""
    body = messages_to(db, email)[-1].body_text
    url = next(word for word in body.split() if "/family/link/" in word)
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _sign_in_from(client: TestClient, db: Session, start: str, email: str) -> str:
    """Open ``start`` signed out, go on to the sign-in page (redirected, or by the page's own
    sign-in button), ask for a link, open the emailed link and press Continue."""
    first = client.get(start, follow_redirects=False)
    if first.status_code == 200:  # the public "Raise a concern" page: its sign-in button
        button = first.text.split('href="/family/sign-in?', 1)[1].split('"', 1)[0]
        location = "/family/sign-in?" + button.replace("&amp;", "&")
    else:
        assert first.status_code == 303, first.text[:200]
        location = first.headers["location"]
    sign_in = client.get(location)
    assert sign_in.status_code == 200
    sent = client.post(
        "/family/sign-in",
        data={"email": email, "csrf_token": csrf_from(sign_in.text), **_hidden_next(sign_in.text)},
    )
    assert sent.status_code == 200
    link = _emailed_link(db, email)
    page = client.get(link)
    assert page.status_code == 200
    used = client.post(
        urlsplit(link).path,
        data={"csrf_token": csrf_from(page.text), **_hidden_next(page.text)},
        follow_redirects=False,
    )
    assert used.status_code == 303
    return used.headers["location"]


def _hidden_next(html: str) -> dict[str, str]:
    marker = 'name="next" value="'
    forms = [part for part in html.split("<form") if 'action="/language"' not in part]
    for form in forms:
        if marker in form:
            return {"next": form.split(marker, 1)[1].split('"', 1)[0].replace("&amp;", "&")}
    return {}


def test_a_dispute_link_lands_on_that_concern_after_sign_in(
    client: TestClient, db: Session, guardian
) -> None:
    dispute = file_dispute(db, guardian=guardian)
    target = f"/disputes/mine/{dispute.reference}"
    landed = _sign_in_from(client, db, target, "parent@example.net")
    assert landed == target
    page = client.get(landed)
    assert page.status_code == 200 and dispute.reference in page.text and 'lang="es"' in page.text


def test_raise_a_concern_returns_to_the_form(client: TestClient, db: Session, guardian) -> None:
    assert _sign_in_from(client, db, "/disputes/new", "parent@example.net") == "/disputes/new"


def test_a_requester_not_on_the_roster_lands_on_their_concern_too(client: TestClient, db: Session) -> None:
    assert _sign_in_from(client, db, "/disputes/mine", "neighbour@example.net") == "/disputes/mine"


def test_the_emailed_link_carries_next_in_its_query(client: TestClient, db: Session, guardian) -> None:
    page = client.get("/family/sign-in?next=/family/consent/C-2026-0001")
    client.post(
        "/family/sign-in",
        data={
            "email": "parent@example.net",
            "next": "/family/consent/C-2026-0001",
            "csrf_token": csrf_from(page.text),
        },
    )
    query = parse_qs(urlsplit(_emailed_link(db, "parent@example.net")).query)
    assert query == {"next": ["/family/consent/C-2026-0001"]}


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/", "//evil.example", "/\\evil.example", "/x\r\nSet-Cookie:a"]
)
def test_an_unsafe_next_is_dropped_everywhere(client: TestClient, db: Session, guardian, unsafe: str) -> None:
    page = client.get("/family/sign-in", params={"next": unsafe})
    assert _hidden_next(page.text) == {}
    client.post(
        "/family/sign-in",
        data={"email": "parent@example.net", "next": unsafe, "csrf_token": csrf_from(page.text)},
    )
    link = _emailed_link(db, "parent@example.net")
    assert "?" not in link  # nothing rides in the email
    link_page = client.get(link + "?" + "next=" + "https://evil.example/")
    assert _hidden_next(link_page.text) == {}
    used = client.post(
        link, data={"csrf_token": csrf_from(link_page.text), "next": unsafe}, follow_redirects=False
    )
    assert used.status_code == 303 and used.headers["location"] == "/family"


def test_without_next_a_guardian_lands_on_my_children(client: TestClient, db: Session, guardian) -> None:
    page = client.get("/family/sign-in")
    client.post("/family/sign-in", data={"email": "parent@example.net", "csrf_token": csrf_from(page.text)})
    link = _emailed_link(db, "parent@example.net")
    link_page = client.get(link)
    used = client.post(link, data={"csrf_token": csrf_from(link_page.text)}, follow_redirects=False)
    assert used.headers["location"] == "/family"
