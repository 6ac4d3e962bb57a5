"""One HTTP request to a tracker, its answer sorted into what the filing loop acts on:
a result, ``Refused`` (429 or 5xx: wait and try again), ``Lost`` (no answer: the request may
or may not have been acted on) or ``TrackerError`` (anything else: one line, no retry)."""

from __future__ import annotations

from typing import Any

import httpx

from deskterm.backend.db import StoreError


class TrackerError(StoreError):
    """The tracker cannot file the problem; the message is one line for the agent."""


class Refused(TrackerError):
    """The tracker said not now (429) or failed (5xx); ``retry_after`` in seconds, if said."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Lost(TrackerError):
    """The request went out and no answer came back."""


#: Longest wait a tracker's Retry-After is followed for; longer, and the agent tries later.
MAX_RETRY_AFTER = 60.0


def retry_after(response: httpx.Response) -> float | None:
    """The delay a 429 or 503 asks for, in seconds (``Retry-After``), if it gives one."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        return None


def send(client: httpx.Client, name: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """Send one request and return whatever the tracker answered; Lost when nothing came."""
    try:
        return client.request(method, url, **kwargs)
    except httpx.TransportError as exc:
        raise Lost(f"{name} did not answer: {type(exc).__name__}") from None


def sort(response: httpx.Response, name: str) -> httpx.Response:
    """The response when it succeeded (2xx); else Refused (429, 5xx) or TrackerError."""
    if response.status_code == 429 or response.status_code >= 500:
        raise Refused(f"{name} answered {response.status_code}", retry_after(response))
    if response.status_code >= 400:
        raise TrackerError(f"{name} refused: {response.status_code} {_said(response)}")
    return response


def json_of(response: httpx.Response, name: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise TrackerError(f"{name} answered something that is not JSON") from None


def _said(response: httpx.Response) -> str:
    """The first line of what a refusal says (GitHub's ``message``, Jira's
    ``errorMessages``), bounded."""
    try:
        data = response.json()
    except ValueError:
        return response.reason_phrase
    if isinstance(data, dict):
        said = data.get("message") or data.get("errorMessages") or data.get("errors") or ""
        text = "; ".join(map(str, said)) if isinstance(said, list) else str(said)
        return " ".join(text.split())[:200]
    return response.reason_phrase
