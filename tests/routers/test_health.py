from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.db import get_engine, make_engine


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_readyz_when_migrated(engine) -> None:
    from app.main import create_app

    with TestClient(create_app()) as c:  # its own connections, not the test transaction
        r = c.get("/readyz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["revision"] == r.json()["head"]


def test_readyz_is_503_on_an_unmigrated_database(app: FastAPI, tmp_path: Path) -> None:
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    app.dependency_overrides[get_engine] = lambda: empty
    with TestClient(app) as c:
        r = c.get("/readyz")
    assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json"
    assert "not at the latest migration" in r.json()["detail"]


def test_readyz_is_503_when_the_database_is_unreachable(app: FastAPI) -> None:
    unreachable = make_engine("postgresql://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    app.dependency_overrides[get_engine] = lambda: unreachable
    with TestClient(app) as c:
        r = c.get("/readyz")
    assert r.status_code == 503 and "unreachable" in r.json()["detail"]


def test_openapi_and_docs(client: TestClient) -> None:
    assert client.get("/openapi.json").json()["info"]["title"] == "Steward"
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
