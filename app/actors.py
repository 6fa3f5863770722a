"""Who is doing something, and from where: passed to every service that writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from app.errors import Forbidden


@dataclass(frozen=True)
class Actor:
    type: str  # staff, guardian, requester, vendor, api_client, system, anonymous
    id: str | None = None
    label: str | None = None  # an email or a client name, for people reading the log
    roles: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)
    client_address: str | None = None
    request_id: str | None = None

    @property
    def uuid(self) -> UUID | None:
        return UUID(self.id) if self.id else None

    @property
    def employee_id(self) -> UUID:
        """The employee behind a staff actor; for what only a signed-in employee may do."""
        if self.type != "staff" or not self.id:
            raise Forbidden("Only a signed-in employee can do this.")
        return UUID(self.id)


SYSTEM = Actor(type="system", label="steward")
