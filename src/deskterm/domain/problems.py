"""Problems: the known bugs, outages and suggestions that customers report, the rules of their
status, and the figures a problem list shows (customers touched, a sparkline of reports).

A problem gathers the conversations that report it; the day it is fixed, every customer who
reported it is told. Pure: no store, no UI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ProblemKind(StrEnum):
    BUG = "bug"
    INCIDENT = "incident"
    SUGGESTION = "suggestion"


class ProblemStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    FIXED = "fixed"
    WONT_FIX = "wont_fix"

    @property
    def label(self) -> str:
        """As agents say it: "fix in progress", "won't fix"."""
        return STATUS_LABELS[self]

    @property
    def active(self) -> bool:
        """Still worth linking new reports to."""
        return self in (ProblemStatus.OPEN, ProblemStatus.IN_PROGRESS)


STATUS_LABELS = {
    ProblemStatus.OPEN: "open",
    ProblemStatus.IN_PROGRESS: "fix in progress",
    ProblemStatus.FIXED: "fixed",
    ProblemStatus.WONT_FIX: "won't fix",
}

#: How many days the sparkline of new reports covers.
SPARK_DAYS = 14
_BARS = " ▁▂▃▄▅▆▇█"


@dataclass
class Problem:
    """A problem as stored, with the figures read alongside it."""

    id: int
    title: str
    kind: ProblemKind
    status: ProblemStatus
    description: str
    tracker_url: str | None
    created_at: datetime
    updated_at: datetime
    notified: int = 0
    version: int = 1
    conversations: int = 0
    customers: int = 0
    customers_week: int = 0
    first_report: datetime | None = None
    last_report: datetime | None = None
    per_day: list[int] = field(default_factory=list)
    """New reports per day, oldest first, the last entry today (``SPARK_DAYS`` of them)."""


def sparkline(counts: list[int]) -> str:
    """One character per count, scaled to the largest: "▁▁▃█▂"; a blank for a zero."""
    top = max(counts, default=0)
    if top <= 0:
        return " " * len(counts)
    return "".join(_BARS[0] if n <= 0 else _BARS[max(1, round(n / top * 8))] for n in counts)


def parse_status(text: str) -> ProblemStatus:
    """A status from what an agent or a file says ("fixed", "won't fix", "in progress").

    Raises ValueError with one line naming the known ones.
    """
    key = text.strip().lower().replace("'", "").replace("-", "_").replace(" ", "_")
    key = {"wont_fix": "wont_fix", "fix_in_progress": "in_progress", "progress": "in_progress"}.get(
        key, key
    )
    try:
        return ProblemStatus(key)
    except ValueError:
        known = ", ".join(s.value for s in ProblemStatus)
        raise ValueError(f"Unknown problem status {text!r}: one of {known}") from None


def new_problem_text(subject: str, first_message: str, limit: int = 600) -> tuple[str, str]:
    """A new problem's title and description, prefilled from the conversation it starts
    from: its subject (or the message's first line) and the customer's first message."""
    body = " ".join(first_message.split())
    title = " ".join(subject.split()) or body[:80]
    description = body if len(body) <= limit else body[: limit - 1].rstrip() + "…"
    return title[:120], description
