"""The one place that says which role or API scope may do what.

Routers ask for a permission by name (``Allow("audit.read")``); object-level checks (a guardian
sees only their own children, a vendor only its own agreements) live in the services.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.actors import Actor
from app.models import Role

TEAM = frozenset({Role.privacy_team, Role.privacy_admin})
READERS = TEAM | {Role.auditor}
ADMIN = frozenset({Role.privacy_admin})
ANY_EMPLOYEE = frozenset(Role)


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)


PERMISSIONS: dict[str, Rule] = {
    # identity and administration
    "staff.read": Rule(roles=ADMIN | {Role.auditor}),
    "staff.manage": Rule(roles=ADMIN, scopes=frozenset({"scim"})),
    "api_clients.manage": Rule(roles=ADMIN),
    "audit.read": Rule(roles=READERS),
    # the privacy program (later issues use these names)
    "vendors.read": Rule(roles=READERS, scopes=frozenset({"vendors:read", "vendors:write"})),
    "vendors.write": Rule(roles=TEAM, scopes=frozenset({"vendors:write"})),
    "vendors.request": Rule(roles=ANY_EMPLOYEE),
    "disputes.read": Rule(roles=READERS, scopes=frozenset({"disputes:read", "disputes:write"})),
    "disputes.write": Rule(roles=TEAM, scopes=frozenset({"disputes:write"})),
    "consent.read": Rule(roles=READERS, scopes=frozenset({"consent:read", "consent:write"})),
    "consent.write": Rule(roles=TEAM, scopes=frozenset({"consent:write"})),
    "roster.write": Rule(scopes=frozenset({"roster:write"})),
    "sharing.read": Rule(roles=READERS, scopes=frozenset({"sharing:read"})),
    "disclosures.write": Rule(roles=TEAM, scopes=frozenset({"disclosures:write"})),
}

# Scopes an API client may be given (admins pick from these).
SCOPES: dict[str, str] = {
    "roster:write": "push the roster (students, guardians)",
    "sharing:read": "ask whether a vendor may receive a student's data",
    "disclosures:write": "log disclosures of student records",
    "vendors:read": "read vendors and agreements",
    "vendors:write": "create and change vendors and agreements",
    "disputes:read": "read disputes",
    "disputes:write": "create and work disputes",
    "consent:read": "read consent requests and guardians' answers",
    "consent:write": "create and run consent requests, record answers",
    "scim": "provision employee accounts (SCIM 2.0)",
}


def allowed(actor: Actor, permission: str) -> bool:
    rule = PERMISSIONS[permission]
    if actor.type == "staff":
        return bool(rule.roles & actor.roles)
    if actor.type == "api_client":
        return bool(rule.scopes & actor.scopes)
    return False
