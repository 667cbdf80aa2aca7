"""Loket's one error hierarchy; each error knows the HTTP status it maps to."""

from __future__ import annotations


class LoketError(Exception):
    status = 500
    code = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(LoketError):
    status = 404
    code = "not_found"


class ServiceUnavailable(LoketError):
    """A service Loket depends on is down; the sender should retry (nothing was stored)."""

    status = 503
    code = "unavailable"


class RasaUnavailable(ServiceUnavailable):
    code = "rasa_unavailable"


class RateLimited(LoketError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unauthenticated(LoketError):
    """No valid login: the staff member must log in (again)."""

    status = 401
    code = "unauthenticated"


class PermissionDenied(LoketError):
    """Logged in, but the staff member's roles do not allow this."""

    status = 403
    code = "forbidden"


class Conflict(LoketError):
    """The request does not fit the current state, e.g. taking a conversation someone holds."""

    status = 409
    code = "conflict"


class InvalidInput(LoketError):
    status = 422
    code = "invalid_request"
