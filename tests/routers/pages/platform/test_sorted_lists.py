"""The team's paged lists (vendors, staff accounts, incidents) sort on the server: a sort covers
every page, the pages and the filters keep it, and the sorted column says so (aria-sort)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import Employee, EmployeeStatus, IncidentSeverity, IncidentStatus, Role, VendorStatus
from app.models.schemas.incidents import IncidentReport
from app.services.incidents import reporting
from tests.support.auth import sign_in_as
from tests.support.disputes import staff_actor
from tests.support.factories import make_employee
from tests.support.vendors import make_vendor

HTMX = {"HX-Request": "true"}
STATUS_TAG = re.compile(r'class="usa-tag status status-([a-z_]+)"')
WORKFLOW = [s.value for s in VendorStatus]


@pytest.fixture
def team(client: TestClient, db: Session) -> TestClient:
    sign_in_as(client, db, make_employee(db, name="Aaron Team", roles=[Role.privacy_team]))
    return client


def _statuses(html: str) -> list[str]:
    return STATUS_TAG.findall(html)


def test_vendors_sort_by_status_across_pages_and_a_filter_keeps_it(team: TestClient, db: Session) -> None:
    for i in range(30):  # name order and status order differ
        make_vendor(db, name=f"Vendor {i:02d}", status=list(VendorStatus)[(i * 5) % len(VendorStatus)])
    first = team.get("/staff/vendors?sort=status")
    assert first.status_code == 200
    assert '<th scope="col" aria-sort="ascending"><a href="/staff/vendors?sort=-status"' in first.text
    assert '<th scope="col"><a href="/staff/vendors?sort=name"' in first.text  # not sorted by name now
    assert 'href="/staff/vendors?sort=status&amp;page=2"' in first.text  # the next page keeps the sort
    second = team.get("/staff/vendors?sort=status&page=2")
    statuses = _statuses(first.text) + _statuses(second.text)
    assert len(statuses) == 30
    assert statuses == sorted(statuses, key=WORKFLOW.index)  # the workflow's order, over both pages
    assert statuses != sorted(statuses)  # which is not the alphabet's
    backwards = _statuses(team.get("/staff/vendors?sort=-status").text)
    assert backwards == sorted(statuses, key=WORKFLOW.index, reverse=True)[:25]
    # A filter sent by htmx carries the sort (the hidden input the fragment redraws): order kept.
    narrowed = team.get("/staff/vendors?q=Vendor+1&sort=status", headers=HTMX)
    assert narrowed.text.lstrip().startswith('<div id="vendor-table"')  # the list alone
    assert 'name="sort" value="status" form="vendor-filters"' in narrowed.text
    assert 'aria-sort="ascending"><a href="/staff/vendors?q=Vendor+1&amp;sort=-status"' in narrowed.text
    assert _statuses(narrowed.text) == sorted(_statuses(narrowed.text), key=WORKFLOW.index)
    # A column's link keeps the filters and goes back to the first page.
    paged = team.get("/staff/vendors?q=Vendor&sort=status&page=2")
    assert 'href="/staff/vendors?q=Vendor&amp;sort=name"' in paged.text


def test_vendors_default_to_name_order_and_a_made_up_sort_is_ignored(team: TestClient, db: Session) -> None:
    for name in ("Cedar", "alder", "Birch"):
        make_vendor(db, name=name)
    for address in ("/staff/vendors", "/staff/vendors?sort=price"):
        page = team.get(address)
        assert page.status_code == 200
        assert '<th scope="col" aria-sort="ascending"><a href="/staff/vendors?sort=-name"' in page.text
        assert re.findall(r'<a href="/staff/vendors/[^"]+">([^<]+)</a>', page.text) == [
            "alder",
            "Birch",
            "Cedar",
        ]
    reversed_names = re.findall(
        r'<a href="/staff/vendors/[^"]+">([^<]+)</a>', team.get("/staff/vendors?sort=-name").text
    )
    assert reversed_names == ["Cedar", "Birch", "alder"]


def test_staff_accounts_sort_by_email_and_status_on_every_page(client: TestClient, db: Session) -> None:
    team = client
    sign_in_as(team, db, make_employee(db, name="Ada Admin", roles=[Role.privacy_admin]))
    for i in range(27):
        make_employee(db, name=f"Person {i:02d}", email=f"{chr(122 - i)}{i}@district.example.org")
    suspended = make_employee(db, name="Zed Suspended", email="aaa@district.example.org")
    suspended.status = EmployeeStatus.suspended
    db.add(suspended)
    db.flush()
    emails = sorted(db.exec(select(col(Employee.email))).all(), reverse=True)
    page = team.get("/staff/employees?sort=-email")
    assert page.status_code == 200
    assert 'aria-sort="descending"><a href="/staff/employees?sort=email"' in page.text
    shown = re.findall(r"<td>([^<@]+@[^<]+)</td>", page.text)
    assert shown == emails[:25]
    assert 'href="/staff/employees?sort=-email&amp;page=2"' in page.text
    later = re.findall(r"<td>([^<@]+@[^<]+)</td>", team.get("/staff/employees?sort=-email&page=2").text)
    assert later == emails[25:]
    by_status = team.get("/staff/employees?sort=-status", headers=HTMX).text
    assert 'name="sort" value="-status" form="employee-filters"' in by_status
    assert _statuses(by_status)[0] == "suspended"  # active, suspended, terminated: reversed
    assert team.get("/staff/employees?sort=salary").status_code == 200


def _incident(
    db: Session, title: str, days_ago: int, severity: IncidentSeverity | None, status: IncidentStatus
):
    reporter = make_employee(db)
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    report = IncidentReport(title=title, description="d", discovered_at=now - timedelta(days=days_ago))
    incident = reporting.report_incident(db, data=report, actor=staff_actor(reporter), now=now, notify=False)
    incident.severity, incident.status = severity, status
    db.add(incident)
    db.flush()
    return incident


def test_incidents_newest_first_and_the_worst_first_on_a_click(team: TestClient, db: Session) -> None:
    _incident(db, "Old and critical", 30, IncidentSeverity.critical, IncidentStatus.closed)
    _incident(db, "Recent and low", 1, IncidentSeverity.low, IncidentStatus.investigating)
    _incident(db, "Not yet triaged", 10, None, IncidentStatus.reported)

    def titles(address: str) -> list[str]:
        return re.findall(r"<td>((?:Old|Recent|Not yet)[^<]*)</td>", team.get(address).text)

    page = team.get("/staff/incidents")
    assert 'aria-sort="descending"><a href="/staff/incidents?sort=discovered"' in page.text
    assert '<th scope="col"><a href="/staff/incidents?sort=-severity"' in page.text  # worst first
    assert '<th scope="col"><a href="/staff/incidents?sort=status"' in page.text  # earliest step first
    assert titles("/staff/incidents") == ["Recent and low", "Not yet triaged", "Old and critical"]
    assert titles("/staff/incidents?sort=-severity") == [
        "Old and critical",
        "Recent and low",
        "Not yet triaged",
    ]
    assert titles("/staff/incidents?sort=status") == ["Not yet triaged", "Recent and low", "Old and critical"]
    kept = team.get("/staff/incidents?open=true&sort=-severity", headers=HTMX).text
    assert 'name="sort" value="-severity" form="incident-filters"' in kept
    assert 'href="/staff/incidents?open=true&amp;sort=severity"' in kept


def test_a_filter_that_is_refused_keeps_the_sort_the_header_shows(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db, name="Ada Admin", roles=[Role.privacy_admin]))
    for name in ("Bea", "Cal", "Dee"):
        make_employee(db, name=name)
    page = client.get("/staff/employees", params={"sort": "-name", "q": "x" * 201})
    assert 'aria-sort="descending"' in page.text
    assert 'name="sort" value="-name" form="employee-filters"' in page.text
    names = re.findall(r'<a href="/staff/employees/[^"]+">([^<]+)</a>', page.text)
    assert names == sorted(names, reverse=True) and len(names) == 4
    _incident(db, "Old and critical", 30, IncidentSeverity.critical, IncidentStatus.closed)
    _incident(db, "Recent and low", 1, IncidentSeverity.low, IncidentStatus.investigating)
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    refused = client.get("/staff/incidents", params={"sort": "discovered", "status": "bogus"})
    assert refused.status_code == 422 and 'aria-sort="ascending"' in refused.text
    assert refused.text.index("Old and critical") < refused.text.index("Recent and low")
