"""Domain exceptions. Services raise them; the app turns them into problem+json or error pages."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status: int = 400
    title: str = "Bad request"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class Unauthorized(DomainError):
    status = 401
    title = "Authentication required"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class InvalidTransition(Conflict):
    title = "Invalid state transition"


class ValidationFailed(DomainError):
    """Input that parsed but breaks a rule; ``errors`` names the fields."""

    status = 422
    title = "Invalid input"


class TooManyRequests(DomainError):
    status = 429
    title = "Too many requests"


class ServiceUnavailable(DomainError):
    """Not now, soon: the database is away or busy past the deadline; ``retry_after`` in seconds."""

    status = 503
    title = "Service unavailable"

    def __init__(self, detail: str, *, retry_after: int = 5) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class PreconditionRequired(DomainError):
    """An edit without ``If-Match`` from a client that opted in to conditional edits."""

    status = 428
    title = "Precondition required"


class StepRequired(DomainError):
    """Signed in, but a step comes first: second factor, enrolment or a password change."""

    status = 403
    title = "Sign-in not finished"

    def __init__(self, detail: str, *, next_url: str) -> None:
        super().__init__(detail)
        self.next_url = next_url


def field_error(field: str, message: str) -> ValidationFailed:
    """A validation failure of one named field, shaped like the schema's own field errors."""
    return ValidationFailed(message, errors=[{"field": field, "message": message}])
