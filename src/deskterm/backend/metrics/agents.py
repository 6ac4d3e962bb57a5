"""Each agent's figures of a period: what they answered, how fast, within SLA, how many of
the conversations they closed came back, and the goodwill they gave.

- **answered**: conversations with at least one wait of the period that the agent's reply
  ended; the medians and SLA attainment are those of the waits they answered (a wait still
  open counts for whoever has the conversation, as in the breakdown by agent).
- **reopen rate**: of the conversations the agent marked done in the period, the share whose
  customer wrote again after that close (any time up to now).
- **gestures**: goodwill the agent gave in the period and applied (not the ones waiting for a
  lead's approval, nor the reversed ones), with their total.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field

from deskterm.backend.metrics.types import Figures
from deskterm.domain import stats


@dataclass
class AgentFigures:
    """One agent's line of the breakdown by agent."""

    agent_id: int
    figures: Figures
    answered: int = 0
    """Conversations the agent answered at least once in the period."""
    closed: int = 0
    reopened: int = 0
    gestures: int = 0
    gestures_cents: int = 0

    @property
    def reopen_rate(self) -> float | None:
        return self.reopened / self.closed if self.closed else None


@dataclass
class TeamView:
    """The breakdown by agent as one agent may see it: everyone for a lead; for an agent,
    their own line and the team's medians."""

    agents: list[AgentFigures] = field(default_factory=list)
    team_first_median: float | None = None
    team_response_median: float | None = None
    team_reopen_rate: float | None = None
    team_gestures_median_cents: float | None = None


_CLOSES = """
SELECT e.agent_id, count(*),
  sum(EXISTS (SELECT 1 FROM waits w
              WHERE w.conversation_id = e.conversation_id AND w.started > e.created_at))
FROM events e INDEXED BY events_closes
WHERE e.created_at >= ? AND e.created_at < ? AND e.kind = 'status:done'
  AND e.agent_id IS NOT NULL
GROUP BY e.agent_id
"""

_GESTURES = """
SELECT agent_id, count(*), sum(amount_cents) FROM gestures
WHERE created_at >= ? AND created_at < ? AND state = 'applied' AND agent_id IS NOT NULL
GROUP BY agent_id
"""


def closes_by_agent(conn: sqlite3.Connection, start: int, end: int) -> dict[int, list[int]]:
    """How many conversations each agent marked done in ``[start, end)``, and how many of
    those the customer wrote again after: agent → [closed, reopened]."""
    return {
        aid: [closed, reopened or 0]
        for aid, closed, reopened in conn.execute(_CLOSES, (start, end))
    }


def agent_figures(
    conn: sqlite3.Connection,
    start: int,
    end: int,
    figures: dict[int, Figures],
    answered: dict[int, int],
    closes: dict[int, list[int]] | None = None,
) -> list[AgentFigures]:
    """Every agent's line: *figures* and *answered* come from the report's pass over the
    waits (by agent id), *closes* from the days' digests; what is not given (closes,
    reopens) and the gestures are read here."""
    rows: dict[int, AgentFigures] = {}

    def line(aid: int) -> AgentFigures:
        if aid not in rows:
            rows[aid] = AgentFigures(aid, figures.get(aid) or Figures(label=str(aid)))
        return rows[aid]

    for aid, f in figures.items():
        line(aid).figures = f
    for aid, n in answered.items():
        line(aid).answered = n
    if closes is None:
        closes = closes_by_agent(conn, start, end)
    for aid, (closed, reopened) in closes.items():
        row = line(aid)
        row.closed, row.reopened = closed, reopened
    for aid, n, cents in conn.execute(_GESTURES, (start, end)):
        row = line(aid)
        row.gestures, row.gestures_cents = n, cents or 0
    return sorted(rows.values(), key=lambda a: (-a.answered, -a.figures.responses, a.agent_id))


def team_view(
    agents: list[AgentFigures], overall: Figures, *, viewer: int | None, lead: bool
) -> TeamView:
    """What *viewer* may see of the breakdown: a lead (or a report with no viewer) sees
    every agent; an agent, their own line and the team's medians."""
    closed = sum(a.closed for a in agents)
    view = TeamView(
        team_first_median=overall.first_median,
        team_response_median=overall.response_median,
        team_reopen_rate=sum(a.reopened for a in agents) / closed if closed else None,
        team_gestures_median_cents=stats.median(
            sorted(float(a.gestures_cents) for a in agents if a.gestures)
        ),
    )
    if lead or viewer is None:
        view.agents = list(agents)
    else:
        view.agents = [a for a in agents if a.agent_id == viewer]
    return view


class AgentTally:
    """The conversations each agent answered, collected during the report's pass."""

    def __init__(self) -> None:
        self.conversations: dict[int, set[int]] = defaultdict(set)

    def add(self, responder: int | None, conversation_id: int) -> None:
        if responder is not None:
            self.conversations[responder].add(conversation_id)

    def counts(self) -> dict[int, int]:
        return {aid: len(cids) for aid, cids in self.conversations.items()}
