from fastapi.testclient import TestClient


def test_home_explains_steward_and_links_to_registry_and_disputes(client: TestClient) -> None:
    r = client.get("/")
    # The home page follows the visitor's language (cookie, then Accept-Language): caches must too.
    assert r.status_code == 200 and r.headers["vary"] == "HX-Request, Accept-Language, Cookie"
    html = r.text
    assert 'href="/registry"' in html and 'href="/disputes/new"' in html
    assert "three weeks" in html
    assert "<script>" not in html and "style=" not in html  # CSP: no inline script or style
    assert "/static/vendor/htmx.min.js" in html


def test_dev_outbox_lists_queued_mail(client: TestClient, db) -> None:
    from app.services.platform.outbox import queue_email

    queue_email(db, to="parent@example.net", subject="Your sign-in link", body_text="Open <this>")
    r = client.get("/dev/outbox")
    assert r.status_code == 200 and "Your sign-in link" in r.text and "Open &lt;this&gt;" in r.text


def test_dev_outbox_is_absent_in_production() -> None:
    from app.config import get_settings
    from app.main import create_app

    prod = get_settings().model_copy(update={"environment": "production"})
    with TestClient(create_app(prod)) as c:
        assert c.get("/dev/outbox").status_code == 404
