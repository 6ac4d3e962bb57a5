"""What a metrics report holds: figures per slice, breaches, days and reason trends.

All durations are seconds; see :mod:`deskterm.backend.metrics` for how they are counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from deskterm.domain import stats

if TYPE_CHECKING:
    from deskterm.backend.metrics.agents import AgentFigures


@dataclass
class Figures:
    """Response times and SLA attainment of one slice of a period (all times in seconds)."""

    label: str
    conversations: int = 0
    """Conversations whose first wait started in the period."""
    first_responses: int = 0
    first_median: float | None = None
    first_p90: float | None = None
    responses: int = 0
    """Answered waits, the first ones included."""
    response_median: float | None = None
    response_p90: float | None = None
    first_met: int = 0
    first_judged: int = 0
    replies_met: int = 0
    replies_judged: int = 0
    unanswered: int = 0
    """Waits still unanswered (the conversation is not done)."""
    closed_unanswered: int = 0

    @property
    def breaches(self) -> int:
        return (self.first_judged - self.first_met) + (self.replies_judged - self.replies_met)


@dataclass(frozen=True)
class Breach:
    conversation_id: int
    policy: str
    first: bool
    target_minutes: int
    started: datetime
    waited_seconds: float
    answered: bool


@dataclass(frozen=True)
class Day:
    """One local day of the period."""

    day: date
    new_conversations: int
    messages_in: int
    replies_out: int
    notes: int
    first_median: float | None
    response_median: float | None
    first_waits: int
    """Conversations whose first wait started that day."""
    answered_same_day: int
    """…of which the first response came the same local day."""
    backlog: int
    """Waits of the period still open at the end of the day."""


@dataclass(frozen=True)
class TagTrend:
    tag: str
    count: int
    previous: int
    """The same tag over the period of the same length just before."""

    @property
    def change(self) -> float | None:
        return stats.trend(self.count, self.previous)


@dataclass(frozen=True)
class ProblemTally:
    """A problem, with the customers it touched in the period."""

    title: str
    status: str
    customers: int
    notified: int
    """Customers told of its fix, in all."""


@dataclass
class Report:
    since: date
    until: date
    """Inclusive."""
    timezone: str
    by: str
    overall: Figures
    rows: list[Figures]
    policies: list[Figures]
    breaches: list[Breach]
    days: list[Day] = field(default_factory=list)
    tags: list[TagTrend] = field(default_factory=list)
    notified: int = 0
    """Customers told of a fix in the period."""
    problems: list[ProblemTally] = field(default_factory=list)
    """The problems that touched the most customers in the period."""
    agents: list[AgentFigures] = field(default_factory=list)
    """Each agent's line (see :mod:`deskterm.backend.metrics.agents`)."""
