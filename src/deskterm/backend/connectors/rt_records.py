"""Shaping Request Tracker 5's REST 2 records into plain Python, with no I/O.

RT sends ids as strings in lists and as numbers on single records, priorities as strings,
references to users and queues as small objects, unset dates as 1970-01-01, and ``pages`` as
``0.0`` for an empty search; it also answers 200 with a refusal in its message list. These
helpers turn all of that into ints, ids, aware UTC datetimes or ``None``, and refusals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from deskterm.backend.retry_after import retry_after

#: RT refuses larger pages.
MAX_PER_PAGE = 100
#: Seconds to wait on a 429 that does not say how long.
DEFAULT_RETRY_AFTER = 5.0

DATE_FIELDS = frozenset({"Created", "LastUpdated", "Starts", "Started", "Due", "Resolved", "Told"})
NUMBER_FIELDS = frozenset(
    {"Priority", "InitialPriority", "FinalPriority", "TimeWorked", "TimeLeft", "TimeEstimated"}
)
#: Transactions that carry a message (the ticket's first message, a reply, an internal note).
MESSAGE_TYPES = frozenset({"Create", "Correspond", "Comment"})
_UNSET_DATES = frozenset({"", "1970-01-01T00:00:00Z", "Not set"})

# RT can answer 200 and put its refusal in the message list; these phrases mark a refusal.
_REFUSAL = re.compile(
    r"isn't a valid|is not a valid|permission denied|not allowed|does not exist|"
    r"doesn't exist|no such|invalid|illegal|can't|cannot|could not|couldn't|failed",
    re.IGNORECASE,
)
# Phrases of a change that happened: such a message is not a refusal.
_SUCCESS = re.compile(
    r"changed from|changed to|\bset to\b|\badded\b|\bremoved\b|\bdeleted\b|\bcreated\b",
    re.IGNORECASE,
)
# Quoted values (a subject, a status) are the customer's words, not RT's verdict.
_QUOTED = re.compile(r"(?<![A-Za-z])'[^']*'(?![A-Za-z])|\"[^\"]*\"")


@dataclass(frozen=True)
class Page:
    """One page of a search: normalised records and where the search stands."""

    items: list[dict[str, Any]]
    page: int
    pages: int
    total: int
    next_page: int | None


def parse_rt_date(value: str | None) -> datetime | None:
    """Read one of RT's dates (``2024-05-01T12:00:00Z``) as an aware UTC datetime.

    Returns ``None`` for RT's ways of saying "not set". Raises ValueError on anything else
    that is not an ISO 8601 date.
    """
    if value is None or value in _UNSET_DATES:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_rt_date(moment: datetime) -> str:
    """Write a datetime the way RT's REST 2 accepts it: ``YYYY-MM-DD HH:MM:SS`` in UTC.

    RT 5.0.3 says it stored an ISO 8601 date with ``Z`` or an offset, then keeps "not set";
    this plain form is the one it honours, read in the acting user's time zone (UTC here).
    """
    if moment.tzinfo is None:
        raise ValueError("RT dates must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def refusals(messages: list[str]) -> list[str]:
    """The messages of an RT answer that report a refused change rather than a done one."""
    refused = []
    for message in messages:
        verdict = _QUOTED.sub("''", message)
        if _REFUSAL.search(verdict) and not _SUCCESS.search(verdict):
            refused.append(message)
    return refused


def retry_after_seconds(value: str | None) -> float:
    """Seconds to wait from a Retry-After header; ``DEFAULT_RETRY_AFTER`` when unusable."""
    seconds = retry_after(value)
    return DEFAULT_RETRY_AFTER if seconds is None else seconds


def messages_of(data: Any) -> list[str]:
    """The message list of a write's answer (RT sends a list, or an object on errors)."""
    if isinstance(data, list):
        return [str(m) for m in data]
    if isinstance(data, dict) and "message" in data:
        return [str(data["message"])]
    return []


def page_of(data: dict[str, Any]) -> Page:
    """A search or history answer as a Page of normalised records."""
    items = [normalise(item) for item in data.get("items") or []]
    page = int(data.get("page") or 1)
    # RT sends pages as 0.0 for an empty result.
    pages = int(float(data.get("pages") or 0))
    raw_total = data.get("total")
    total = int(raw_total) if raw_total is not None else len(items)
    more = bool(data.get("next_page")) or page < pages
    return Page(
        items=items, page=page, pages=pages, total=total, next_page=page + 1 if more else None
    )


def _is_reference(value: Any) -> bool:
    return isinstance(value, dict) and "type" in value and "id" in value and "_url" in value


def _reference_id(value: dict[str, Any]) -> int | str:
    # Users are referred to by name; tickets, queues and the rest by number.
    if value["type"] == "user":
        return str(value["id"])
    return _as_int(value["id"])


def _as_int(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def normalise(record: dict[str, Any]) -> dict[str, Any]:
    """RT's record with links dropped, ids and numbers as ints, dates parsed, refs as ids."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key in ("_hyperlinks", "_url"):
            continue
        if key == "id" or key in NUMBER_FIELDS:
            out[key] = _as_int(value)
        elif key in DATE_FIELDS:
            out[key] = parse_rt_date(value)
        elif key == "CustomFields":
            out[key] = value  # entries look like references but carry values: keep them
        elif _is_reference(value):
            out[key] = _reference_id(value)
        elif isinstance(value, list) and value and all(_is_reference(v) for v in value):
            out[key] = [_reference_id(v) for v in value]
        else:
            out[key] = value
    return out
