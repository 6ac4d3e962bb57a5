"""The metrics' reads: every customer wait of a period, and counts per quarter hour.

A **wait** starts with a customer message that follows a public agent reply, a close, or
nothing (a run of consecutive customer messages is one wait, timed from its first message:
the customer has been waiting since then). It ends at the next public agent reply (answered)
or when the conversation is marked done without one (closed); internal notes and system
messages do not end it. The conversation's first wait is the one its first customer message
starts: its answer is the first response.

Everything is aggregated in SQLite with window functions over the messages of the
conversations a customer wrote to in the period (index ranges on ``created_at`` and
``conversation_id``); Python receives one row per wait, never one per message.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import NamedTuple

#: Quarter hours: every time zone's midnight and hour boundaries fall on one, so counts
#: grouped by quarter hour in SQL can be put into local days and hours afterwards.
QUARTER = 900

#: A step's kind, in the order steps of the same second are taken.
_CUSTOMER, _REPLY, _CLOSE = 0, 1, 2

_WAITS = f"""
WITH touched AS (
  SELECT DISTINCT conversation_id AS cid FROM messages
  WHERE created_at >= :since AND created_at < :until AND author_kind = 'customer'
),
steps AS (
  -- CROSS JOIN keeps the period's conversations as the outer loop: index lookups, no scan.
  SELECT m.conversation_id AS cid, m.created_at AS at, m.id AS seq,
         CASE WHEN m.author_kind = 'customer' THEN {_CUSTOMER} ELSE {_REPLY} END AS kind,
         m.author_id AS who
  FROM touched t CROSS JOIN messages m ON m.conversation_id = t.cid
  WHERE m.author_kind = 'customer' OR (m.author_kind = 'agent' AND m.public = 1)
  UNION ALL
  SELECT e.conversation_id, e.created_at, e.id, {_CLOSE}, e.agent_id
  FROM touched t CROSS JOIN events e ON e.conversation_id = t.cid
  WHERE e.kind = 'status:done'
),
marked AS (
  -- One pass in time order: a wait is the customer steps between two other steps (same
  -- "run" number); the step after its last customer message is what ended it.
  SELECT cid, at, kind,
    sum(kind != {_CUSTOMER}) OVER w AS run,
    sum(kind = {_CUSTOMER}) OVER w AS nth,
    LEAD(kind) OVER w AS next_kind, LEAD(at) OVER w AS next_at, LEAD(who) OVER w AS next_who
  FROM steps WINDOW w AS (PARTITION BY cid ORDER BY at, kind, seq)
),
waits AS (
  SELECT cid, min(at) AS started,
    max(CASE WHEN next_kind != {_CUSTOMER} THEN next_at END) AS ended,
    coalesce(max(next_kind = {_REPLY}), 0) AS answered,
    max(CASE WHEN next_kind = {_REPLY} THEN next_who END) AS responder,
    min(nth) = 1 AS first
  FROM marked WHERE kind = {_CUSTOMER}
  GROUP BY cid, run
  HAVING started >= :since AND started < :until
)
SELECT w.cid, w.started, w.ended, w.answered, w.responder, w.first,
  c.channel, c.group_id, c.assignee_id, c.tags
FROM waits w JOIN conversations c ON c.id = w.cid
"""


class Wait(NamedTuple):
    """One customer wait (times in epoch seconds)."""

    conversation_id: int
    started: int
    ended: int | None
    """When a reply or a close ended it; None while the customer still waits."""
    answered: int
    """1 when a public agent reply ended it (not a close without one), else 0."""
    responder_id: int | None
    """The agent who replied, when answered."""
    first: int
    """1 for the conversation's first wait (its answer is the first response), else 0."""
    channel: str
    group_id: int | None
    assignee_id: int | None
    tags: str
    """The conversation's tags, space-separated."""


def iter_waits(conn: sqlite3.Connection, since: int, until: int) -> Iterator[Wait]:
    """Every wait that started in ``[since, until)``, answered any time up to now or not,
    as the rows come (a month of a large store is hundreds of thousands)."""
    return map(Wait._make, conn.execute(_WAITS, {"since": since, "until": until}))


def waits(conn: sqlite3.Connection, since: int, until: int) -> list[Wait]:
    """The same as a list."""
    return list(iter_waits(conn, since, until))


class Traffic(NamedTuple):
    """Messages and new conversations in one quarter hour."""

    quarter: int
    """Epoch seconds // QUARTER."""
    messages_in: int
    replies_out: int
    notes: int
    new_conversations: int


def traffic(conn: sqlite3.Connection, since: int, until: int) -> list[Traffic]:
    """Counts per quarter hour of ``[since, until)``, quarters with nothing left out."""
    counts: dict[int, list[int]] = {}
    for quarter, customer, reply, note in conn.execute(
        f"SELECT created_at / {QUARTER}, sum(author_kind = 'customer'), "
        "sum(author_kind = 'agent' AND public = 1), sum(author_kind = 'agent' AND public = 0) "
        "FROM messages WHERE created_at >= ? AND created_at < ? GROUP BY 1",
        (since, until),
    ):
        counts[quarter] = [customer, reply, note, 0]
    for quarter, n in conn.execute(
        f"SELECT created_at / {QUARTER}, count(*) FROM conversations "
        "WHERE created_at >= ? AND created_at < ? GROUP BY 1",
        (since, until),
    ):
        counts.setdefault(quarter, [0, 0, 0, 0])[3] = n
    return [Traffic(q, *values) for q, values in sorted(counts.items())]


def tag_counts(conn: sqlite3.Connection, since: int, until: int) -> dict[str, int]:
    """How many conversations opened in ``[since, until)`` carry each tag (tags as of now)."""
    return {
        tag: n
        for tag, n in conn.execute(
            "SELECT ct.tag, count(*) FROM conversations c "
            "CROSS JOIN conversation_tags ct ON ct.conversation_id = c.id "
            "WHERE c.created_at >= ? AND c.created_at < ? GROUP BY ct.tag",
            (since, until),
        )
    }


def names(conn: sqlite3.Connection) -> tuple[dict[int, str], dict[int, str]]:
    """Agents' and groups' names by id."""
    agents = {r[0]: r[1] for r in conn.execute("SELECT id, name FROM agents")}
    groups = {r[0]: r[1] for r in conn.execute("SELECT id, name FROM groups")}
    return agents, groups
