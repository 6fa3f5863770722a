"""The API scopes a client may be given: one catalogue for permissions, schemas and the API document."""

from __future__ import annotations

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
    "incidents:read": "read security incidents",
    "incidents:write": "report and work security incidents",
    "compliance:read": "read the compliance summary (WISP acknowledgment, training, review)",
    "scim": "provision employee accounts (SCIM 2.0)",
}
