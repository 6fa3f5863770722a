"""Steward over HTTP against a bare FastAPI app, both served by the same uvicorn the same way.

Starts the bare app (``bench/bare_app.py``: a list of the same shape, no database) and Steward on
its demo data plus generated disputes and vendors, each in a uvicorn child process on a free
loopback port with the same options, and drives them with ``wrk`` (Debian's; see
``scripts/ensure-wrk.sh`` for why) at 1, 10 and 50 connections. Rounds are interleaved (bare,
then each endpoint, per client count) so the machine's mood touches both sides alike; the ratio
is Steward's req/s over the bare app's in the same round, the median over rounds.

    make bench                                          # SQLite in a temporary directory
    BENCH_QUICK=1 make bench                            # one short round each
    STEWARD_BENCH_DATABASE_URL=postgresql://.../steward_bench make bench   # also PostgreSQL

The figures go to bench/results.json. On a shared machine they are noisy: quote the ratios.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from benchkit import QUICK, add_bulk, figure, mark_bench_database, spread, write_results
from sqlmodel import Session, select

from app.config import Environment, get_settings, new_audit_key, new_data_key
from app.db import make_engine
from app.demo import has_data, load_demo
from app.migrate import upgrade
from app.models import ApiClient, ApiClientKind, Audience, Dpa, DpaStatus, Employee, Role, Student
from app.security.client_secrets import hash_client_secret
from app.security.sessions import Browser, cookie_name, start_session
from app.security.tokens import issue_access_token

HERE = Path(__file__).resolve().parent
CLIENTS = (1, 10, 50)
SECONDS = 3 if QUICK else 10
ROUNDS = 1 if QUICK else 3
DISPUTES, VENDORS = (10_000, 500) if QUICK else (100_000, 2_000)
# Served as in production (templates cached, no development routes), with throwaway secrets;
# the data (demo accounts included) is made beforehand in development mode.
SERVE_AS = {
    "STEWARD_ENVIRONMENT": "production",
    "STEWARD_DATA_KEYS": new_data_key(),
    "STEWARD_AUDIT_KEYS": new_audit_key("bench"),
}
SECRETS = {
    "STEWARD_TOKEN_SECRET": "bench-token-secret-" + "x" * 24,
    "STEWARD_SESSION_SECRET": "bench-session-secret-" + "x" * 22,
    "STEWARD_LOG_JSON": "false",
}
UVICORN = ["--host", "127.0.0.1", "--log-level", "warning", "--no-access-log", "--workers", "1"]
CLIENT_SECRET = "bench-client-secret-" + "s" * 24
SCOPES = ["disputes:read", "vendors:read", "sharing:read"]


@dataclass
class Endpoint:
    name: str
    path: str
    method: str = "GET"
    headers: dict[str, str] | None = None
    body: str | None = None


@dataclass
class Run:
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _serve(app: str, env: dict[str, str], app_dir: Path | None = None) -> Iterator[str]:
    port = _free_port()
    args = [sys.executable, "-m", "uvicorn", "--factory", app, "--port", str(port), *UVICORN]
    if app_dir is not None:
        args += ["--app-dir", str(app_dir)]
    proc = subprocess.Popen(args, env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"{app} did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def _prepare(url: str) -> tuple[list[Endpoint], str]:
    """Demo data, bulk rows, an API client and a staff session; the endpoints to drive."""
    engine = make_engine(url)
    mark_bench_database(engine)
    upgrade(engine)
    with Session(engine) as session:
        if not has_data(session):
            load_demo(session)
            session.commit()
    add_bulk(engine, disputes=DISPUTES, vendors=VENDORS, tag=f"H{int(time.time())}")
    with Session(engine) as session:
        client = ApiClient(
            name="Benchmark client",
            kind=ApiClientKind.sis,
            client_id=f"stw_bench{int(time.time())}",
            secret_hash=hash_client_secret(CLIENT_SECRET),
            scopes=SCOPES,
        )
        session.add(client)
        # The sharing check: a demo student and a vendor with an executed agreement (the answer's
        # reason does not matter here, only that the check runs to its end).
        student = session.exec(select(Student).order_by(Student.sis_id)).first()
        dpa = session.exec(select(Dpa).where(Dpa.status == DpaStatus.executed).order_by(Dpa.id)).first()
        if student is None or dpa is None:
            sys.exit("the demo data has no student or no executed agreement for the sharing check")
        sharing_query = (
            f"vendor_id={dpa.vendor_id}&student_sis_id={student.sis_id}&data_elements=student_name"
        )
        staff = next(e for e in session.exec(select(Employee)).all() if Role.privacy_team in e.roles)
        staff.password_changed_at = None  # no "your password has expired" step in the way
        session.add(staff)
        signed_in = start_session(
            session,
            audience=Audience.staff,
            principal_id=staff.id,
            browser=Browser(session_token=None, address="127.0.0.1", user_agent="wrk"),
            mfa_passed=True,
        )
        session.commit()
        client_id = client.client_id
    engine.dispose()
    token, _ = issue_access_token(client_id=client_id, scopes=SCOPES, secret_version=1)
    bearer = {"Authorization": f"Bearer {token}"}
    production_cookie = cookie_name(get_settings().model_copy(update={"environment": Environment.production}))
    endpoints = [
        Endpoint("registry", "/api/v1/registry/dpas?limit=20"),
        Endpoint("vendors", "/api/v1/vendors?limit=20", headers=bearer),
        Endpoint("disputes", "/api/v1/disputes?limit=20", headers=bearer),
        Endpoint(
            "queue_page", "/staff/disputes", headers={"Cookie": f"{production_cookie}={signed_in.token}"}
        ),
        Endpoint("sharing_check", f"/api/v1/sharing-check?{sharing_query}", headers=bearer),
        Endpoint(
            "token",
            "/api/v1/oauth/token",
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            body=f"grant_type=client_credentials&client_id={client_id}&client_secret={CLIENT_SECRET}",
        ),
    ]
    return endpoints, engine.dialect.name


LUA_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"p50":%d,"p95":%d,"p99":%d,'
    .. '"errors":%d}\\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def _wrk(base: str, endpoint: Endpoint, clients: int, script_dir: Path) -> Run:
    lines = [f'wrk.method = "{endpoint.method}"']
    for key, value in (endpoint.headers or {}).items():
        lines.append(f"wrk.headers[{json.dumps(key)}] = {json.dumps(value)}")
    if endpoint.body is not None:
        lines.append(f"wrk.body = {json.dumps(endpoint.body)}")
    script = script_dir / f"{endpoint.name}.lua"
    script.write_text("\n".join(lines) + LUA_DONE)
    threads = min(2, clients)
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{clients}",
            f"-d{SECONDS}s",
            "--timeout",
            "5s",
            "-s",
            str(script),
            base + endpoint.path,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data = json.loads(next(line for line in out.splitlines() if line.startswith("WRKJSON "))[8:])
    seconds = data["duration_us"] / 1e6
    return Run(
        rps=data["requests"] / seconds,
        p50=data["p50"] / 1000,
        p95=data["p95"] / 1000,
        p99=data["p99"] / 1000,
        errors=data["errors"],
    )


def _check(base: str, endpoint: Endpoint) -> None:
    """Each endpoint answers 200 before it is measured (a redirect would be counted as a success)."""
    r = httpx.request(
        endpoint.method, base + endpoint.path, headers=endpoint.headers, content=endpoint.body, timeout=30
    )
    if r.status_code != 200:
        sys.exit(f"{endpoint.name}: {r.status_code} before the benchmark: {r.text[:300]}")


def bench(url: str) -> list[dict[str, Any]]:
    endpoints, backend = _prepare(url)
    env = {**SECRETS, **SERVE_AS, "STEWARD_DATABASE_URL": url}
    bare_endpoint = Endpoint("bare", "/list")
    # Read beside the ratios: the same bare list behind one database lookup per request.
    floor = Endpoint("bare_lookup", "/list-with-lookup")
    runs: dict[tuple[str, int], list[Run]] = {}
    with (
        tempfile.TemporaryDirectory() as tmp,
        _serve("bare_app:create_app", env, HERE) as bare,
        _serve("app.main:create_app", env) as steward,
    ):
        for endpoint in endpoints:
            _check(steward, endpoint)
        for round_no in range(ROUNDS):
            for clients in CLIENTS:
                runs.setdefault(("bare", clients), []).append(_wrk(bare, bare_endpoint, clients, Path(tmp)))
                runs.setdefault((floor.name, clients), []).append(_wrk(bare, floor, clients, Path(tmp)))
                for endpoint in endpoints:
                    run = _wrk(steward, endpoint, clients, Path(tmp))
                    runs.setdefault((endpoint.name, clients), []).append(run)
            print(f"  round {round_no + 1}/{ROUNDS} done", flush=True)
    return _report(backend, endpoints, runs)


def _report(
    backend: str, endpoints: list[Endpoint], runs: dict[tuple[str, int], list[Run]]
) -> list[dict[str, Any]]:
    figures: list[dict[str, Any]] = []
    print(f"\n{backend}: {DISPUTES:,} generated disputes and {VENDORS:,} vendors over the demo data;")
    print(f"wrk {SECONDS} s per point, {ROUNDS} round(s); medians; ratio = req/s over the bare app's")
    print(
        f"{'endpoint':13s} {'clients':>7s} {'req/s':>9s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} "
        f"{'errors':>6s} {'ratio':>6s} {'spread':>6s}"
    )
    for name in ["bare", "bare_lookup"] + [e.name for e in endpoints]:
        for clients in CLIENTS:
            mine, bare = runs[(name, clients)], runs[("bare", clients)]
            rps = statistics.median(r.rps for r in mine)
            ratios = [m.rps / b.rps for m, b in zip(mine, bare, strict=True)]
            ratio = statistics.median(ratios)
            p50, p95, p99 = (statistics.median(getattr(r, k) for r in mine) for k in ("p50", "p95", "p99"))
            errors = sum(r.errors for r in mine)
            rounds = [r.rps for r in mine]
            print(
                f"{name:13s} {clients:7d} {rps:9.0f} {p50:8.1f} {p95:8.1f} {p99:8.1f} {errors:6d} "
                f"{ratio:6.2f} {spread(rounds):6.2f}"
            )
            key = f"http.{backend}.{name}.c{clients}"
            bare_rps = statistics.median(r.rps for r in bare)
            rps_fig = figure(f"{key}.rps", rps, "req/s", bare_rps, rounds)
            rps_fig["ratio"] = round(ratio, 3)
            bare_p95 = statistics.median(r.p95 for r in bare)
            figures += [
                rps_fig,
                figure(
                    f"{key}.p50", p50, "ms", statistics.median(r.p50 for r in bare), [r.p50 for r in mine]
                ),
                figure(f"{key}.p95", p95, "ms", bare_p95, [r.p95 for r in mine]),
                figure(
                    f"{key}.p99", p99, "ms", statistics.median(r.p99 for r in bare), [r.p99 for r in mine]
                ),
                figure(f"{key}.errors", errors, "count"),
            ]
    return figures


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: sh scripts/ensure-wrk.sh (or apt-get install wrk)")
    get_settings.cache_clear()
    os.environ.update(SECRETS)  # the tokens and the cookie made here must be the servers' own
    os.environ["STEWARD_ENVIRONMENT"] = "development"
    get_settings.cache_clear()
    print(f"bench_http: {os.cpu_count()} CPUs; other work on this machine makes the figures noisy")
    with tempfile.TemporaryDirectory() as tmp:
        figures = bench(f"sqlite:///{tmp}/bench.db")
        write_results(figures, prefix="http.sqlite.")
    pg = os.environ.get("STEWARD_BENCH_DATABASE_URL")
    if pg:
        figures = bench(pg)
        write_results(figures, prefix="http.postgresql.")


if __name__ == "__main__":
    main()
