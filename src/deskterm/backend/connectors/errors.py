"""Domain errors raised by the remote helpdesk clients and connectors.

The sync engine decides what to do from the class alone: retry a transient error with backoff,
wait ``retry_after`` seconds on a rate limit, and surface a permanent refusal on the
conversation without retrying it.
"""

from __future__ import annotations


class RemoteError(Exception):
    """Base class: something went wrong talking to a remote helpdesk."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TransientError(RemoteError):
    """Worth retrying: a timeout, a dropped connection, a 5xx answer."""


class Unreachable(TransientError):
    """The remote could not be reached at all (connection refused, no route, connect
    timeout): the request that failed never left, so it cannot have changed anything."""


class RateLimited(TransientError):
    """The remote asked us to slow down (HTTP 429); wait ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: float, status: int | None = 429) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class PermanentError(RemoteError):
    """The remote refused the request for good (400, 403, 404, 422): retrying will not help."""


class AuthError(PermanentError):
    """The credentials were refused (401 or 403 on authentication)."""


class Conflict(PermanentError):
    """The remote record changed since we read it (409, 412): re-read before writing."""
