"""Reading ``Retry-After``: how long a server asks a client to wait (every client reads it here).

A value is used only when it is what HTTP allows (RFC 9110 §10.2.3): a number of seconds, or
an HTTP date. Decimals are read too (some servers send them); anything else — negative
numbers, exponents, ``inf``, ``nan``, words — is not an answer, and the caller falls back to
its own backoff. What is read is capped, so a server cannot park a client for a day.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

#: The longest wait a server can ask for, in seconds.
MAX_RETRY_AFTER = 300.0

_SECONDS = re.compile(r"\d+(?:\.\d+)?")
#: How a plain-text answer may say it ("Retry after 12 seconds"), when the header does not.
_SECONDS_IN_TEXT = (
    re.compile(r"retry[-_ ]?after\W{0,4}(\d+(?:\.\d+)?)(?![\w.])", re.IGNORECASE),
    re.compile(r"(?<![\w.+-])(\d+(?:\.\d+)?)\s*seconds?\b", re.IGNORECASE),
)


def _seconds(text: str) -> float | None:
    if not _SECONDS.fullmatch(text):
        return None
    seconds = float(text)
    return seconds if math.isfinite(seconds) else None


def _date(text: str, now: datetime) -> float | None:
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def retry_after(
    header: str | None,
    *,
    body: str = "",
    now: datetime | None = None,
    cap: float = MAX_RETRY_AFTER,
) -> float | None:
    """Seconds to wait, from a ``Retry-After`` header (or, failing it, the answer's text).

    Args:
        header: the header's value, if any.
        body: the answer's text, searched when the header says nothing usable.
        now: the current time, to turn an HTTP date into seconds.
        cap: the longest wait returned.

    Returns:
        Seconds in ``[0, cap]``, or None when nothing usable was said: the caller's backoff.
    """
    found: float | None = None
    value = (header or "").strip()
    if value:
        found = _seconds(value)
        if found is None:
            found = _date(value, now or datetime.now(UTC))
    if found is None and body:
        text = body[:2000]
        for pattern in _SECONDS_IN_TEXT:
            match = pattern.search(text)
            if match is not None:
                found = _seconds(match.group(1))
                break
    return None if found is None else min(found, cap)
