"""The one place that says which role or API scope may do what.

Routers ask for a permission by name (``Allow("audit.read")``); object-level checks (a guardian
sees only their own children, a vendor only its own agreements) live in the services.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.actors import Actor
from app.models import Role
from app.models.scopes import SCOPES

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
    "scim.provision": Rule(scopes=frozenset({"scim"})),  # /scim/v2: the HR system or identity provider
    "audit.read": Rule(roles=READERS),
    "offboarding.read": Rule(roles=READERS),
    "offboarding.write": Rule(roles=TEAM),
    "wisp.sign": Rule(roles=ANY_EMPLOYEE),  # one's own acknowledgment and training
    "wisp.read": Rule(roles=READERS),
    "wisp.write": Rule(roles=TEAM),
    "compliance.read": Rule(roles=READERS, scopes=frozenset({"compliance:read"})),
    "retention.read": Rule(roles=READERS),
    "retention.write": Rule(roles=TEAM),
    # the privacy program (later issues use these names)
    "vendors.read": Rule(roles=READERS, scopes=frozenset({"vendors:read", "vendors:write"})),
    "vendors.write": Rule(roles=TEAM, scopes=frozenset({"vendors:write"})),
    "vendors.request": Rule(roles=ANY_EMPLOYEE),
    "disputes.read": Rule(roles=READERS, scopes=frozenset({"disputes:read", "disputes:write"})),
    "disputes.write": Rule(roles=TEAM, scopes=frozenset({"disputes:write"})),
    "consent.read": Rule(roles=READERS, scopes=frozenset({"consent:read", "consent:write"})),
    "consent.write": Rule(roles=TEAM, scopes=frozenset({"consent:write"})),
    "incidents.read": Rule(roles=READERS, scopes=frozenset({"incidents:read", "incidents:write"})),
    "incidents.write": Rule(roles=TEAM, scopes=frozenset({"incidents:write"})),
    "incidents.report": Rule(roles=ANY_EMPLOYEE, scopes=frozenset({"incidents:write"})),
    "roster.write": Rule(scopes=frozenset({"roster:write"})),
    "roster.read": Rule(roles=TEAM, scopes=frozenset({"roster:write"})),
    "roster.import": Rule(roles=TEAM, scopes=frozenset({"roster:write"})),
    "sharing.read": Rule(roles=READERS, scopes=frozenset({"sharing:read"})),
    "disclosures.write": Rule(roles=TEAM, scopes=frozenset({"disclosures:write"})),
}


def allowed(actor: Actor, permission: str) -> bool:
    rule = PERMISSIONS[permission]
    if actor.type == "staff":
        return bool(rule.roles & actor.roles)
    if actor.type == "api_client":
        return bool(rule.scopes & actor.scopes)
    return False


__all__ = ["PERMISSIONS", "SCOPES", "Rule", "allowed"]
