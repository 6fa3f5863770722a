"""scim2-tester (the conformance checker of scim2-models' project) against a live Steward.

It reads ServiceProviderConfig, ResourceTypes and Schemas, then creates, reads, lists, searches,
replaces, patches and deletes Users as the published schema describes them. Every check must
pass. Groups are Steward's fixed roles (no POST, PUT or DELETE), so the tester's Group CRUD
checks do not apply; their reading and PATCH are tested in ``test_scim_termination_and_groups``.
"""

from __future__ import annotations

from collections import Counter

import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server
from sqlalchemy import Engine
from sqlmodel import Session

from app.models import ApiClientKind
from app.security.tokens import issue_access_token
from tests.support.factories import make_api_client

PASSING = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE}


def test_scim2_tester_reports_no_failure(live_server: str, committed: Engine) -> None:
    with Session(committed) as db:
        client, _ = make_api_client(db, scopes=["scim"], kind=ApiClientKind.hr)
        db.commit()
        token, _ = issue_access_token(
            client_id=client.client_id, scopes=["scim"], secret_version=client.secret_version
        )
    with httpx2.Client(
        base_url=f"{live_server}/scim/v2", headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as http:
        results = check_server(SyncSCIMClient(http), resource_types=["User"])
    statuses = Counter(r.status for r in results)
    failures = [
        f"{r.resource_type} {r.title}: {r.reason}"
        for r in results
        if r.status not in PASSING | {Status.SKIPPED}
    ]
    assert not failures, "\n".join(failures)
    assert statuses[Status.SUCCESS] >= 50  # discovery, and every User operation was really exercised
    assert {r.title for r in results} >= {"object_creation", "object_replacement", "object_deletion"}
