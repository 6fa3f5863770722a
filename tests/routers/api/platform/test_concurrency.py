"""Parallel uploads through a real uvicorn server on SQLite: each one answers 2xx or a documented
4xx, and the health check keeps answering meanwhile (no handler blocks the event loop)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import Engine
from sqlmodel import Session

from tests.support.factories import make_api_client
from tests.support.vendors import make_vendor, pdf_bytes

PARALLEL = 16


def test_parallel_privacy_policy_uploads_never_stall_the_health_check(
    live_server: str, committed: Engine
) -> None:
    with Session(committed) as db:
        vendor = make_vendor(db)
        api_client, secret = make_api_client(db, scopes=["vendors:write"])
        db.commit()
        vendor_id, client_id = vendor.id, api_client.client_id
    token = httpx.post(
        live_server + "/api/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        timeout=30,
    ).json()["access_token"]
    pdf = pdf_bytes(pages=40)

    def upload(n: int) -> int:
        r = httpx.put(
            f"{live_server}/api/v1/vendors/{vendor_id}/privacy-policy",
            headers={"Authorization": f"Bearer {token}"},
            data={"privacy_policy_url": f"https://example.org/privacy-{n}"},
            files={"file": (f"policy-{n}.pdf", pdf, "application/pdf")},
            timeout=60,
        )
        return r.status_code

    def health_latencies() -> list[float]:
        latencies = []
        with httpx.Client(base_url=live_server, timeout=10) as http:
            for _ in range(10):
                started = time.monotonic()
                assert http.get("/healthz").status_code == 200
                latencies.append(time.monotonic() - started)
                time.sleep(0.05)
        return latencies

    with ThreadPoolExecutor(max_workers=PARALLEL + 1) as pool:
        uploads = [pool.submit(upload, n) for n in range(PARALLEL)]
        time.sleep(0.05)  # the uploads are in flight
        latencies = pool.submit(health_latencies).result()
        statuses = [u.result() for u in uploads]

    assert statuses == [200] * PARALLEL
    assert max(latencies) < 1.0, latencies


def test_concurrent_creates_of_one_vendor_name_make_one_vendor_and_409s(
    live_server: str, committed: Engine
) -> None:
    with Session(committed) as db:
        api_client, secret = make_api_client(db, scopes=["vendors:write"])
        db.commit()
        client_id = api_client.client_id
    token = httpx.post(
        live_server + "/api/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        timeout=30,
    ).json()["access_token"]
    names = ["Émile Learning", "emile learning", "EMILE LEARNING", "Emile  Learning"] * 2

    def create(name: str) -> int:
        r = httpx.post(
            f"{live_server}/api/v1/vendors",
            headers={"Authorization": f"Bearer {token}"},
            json={"name": name},
            timeout=60,
        )
        assert r.headers["content-type"].startswith(("application/json", "application/problem+json"))
        return r.status_code

    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        statuses = sorted(pool.map(create, names))
    assert statuses == [201] + [409] * (len(names) - 1)


def test_idempotent_retries_through_a_real_server(live_server: str, committed: Engine) -> None:
    """The key is reserved and the answer kept in sessions of their own, around the handler's."""
    with Session(committed) as db:
        api_client, secret = make_api_client(db, scopes=["vendors:write"])
        db.commit()
        client_id = api_client.client_id
    token = httpx.post(
        live_server + "/api/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        timeout=30,
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "live-1"}

    def create(_: int) -> httpx.Response:
        return httpx.post(f"{live_server}/api/v1/vendors", headers=headers, json={"name": "Once"}, timeout=30)

    started = time.monotonic()
    first = create(0)
    with ThreadPoolExecutor(max_workers=4) as pool:
        retries = list(pool.map(create, range(4)))
    assert time.monotonic() - started < 10
    assert first.status_code == 201
    assert all(r.status_code == 201 and r.json()["id"] == first.json()["id"] for r in retries)
    assert all(r.headers["idempotent-replayed"] == "true" for r in retries)
