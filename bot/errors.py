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
