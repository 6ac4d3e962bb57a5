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
from typing import NamedTuple

#: Quarter hours: every time zone's midnight and hour boundaries fall on one, so counts
#: grouped by quarter hour in SQL can be put into local days and hours afterwards.
QUARTER = 900

#: A step's kind, in the order steps of the same second are taken.
_CUSTOMER, _REPLY, _CLOSE = 0, 1, 2
#: Room for an agent id in the packed "what ended the wait" value (ids above it read as 0).
_WHO = 1 << 20

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
  -- Newest first, so that "what ends this wait" is a running minimum over the later steps.
  SELECT cid, at, kind,
    kind = {_CUSTOMER} AND coalesce(LEAD(kind) OVER r, {_REPLY}) != {_CUSTOMER} AS starts,
    min(CASE WHEN kind != {_CUSTOMER}
        THEN (at * 4 + kind) * {_WHO} + (CASE WHEN who BETWEEN 1 AND {_WHO - 1} THEN who ELSE 0 END)
        END) OVER (r ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS ender,
    count(*) FILTER (WHERE kind = {_CUSTOMER}) OVER (r ROWS BETWEEN CURRENT ROW
        AND UNBOUNDED FOLLOWING) = 1 AS first
  FROM steps
  WINDOW r AS (PARTITION BY cid ORDER BY at DESC, kind DESC, seq DESC)
)
SELECT w.cid, w.at, w.ender, w.first, c.channel, c.group_id, c.assignee_id, c.tags
FROM marked w JOIN conversations c ON c.id = w.cid
WHERE w.starts AND w.kind = {_CUSTOMER} AND w.at >= :since AND w.at < :until
"""


class Wait(NamedTuple):
    """One customer wait (times in epoch seconds)."""

    conversation_id: int
    started: int
    ended: int | None
    """When a reply or a close ended it; None while the customer still waits."""
    answered: bool
    """Ended by a public agent reply (not by a close without one)."""
    responder_id: int | None
    """The agent who replied, when answered."""
    first: bool
    """The conversation's first wait: its answer is the first response."""
    channel: str
    group_id: int | None
    assignee_id: int | None
    tags: str
    """The conversation's tags, space-separated."""


def waits(conn: sqlite3.Connection, since: int, until: int) -> list[Wait]:
    """Every wait that started in ``[since, until)``, answered any time up to now or not."""
    found: list[Wait] = []
    for cid, at, ender, first, channel, group_id, assignee_id, tags in conn.execute(
        _WAITS, {"since": since, "until": until}
    ):
        if ender is None:
            found.append(
                Wait(cid, at, None, False, None, bool(first), channel, group_id, assignee_id, tags)
            )
            continue
        packed, who = divmod(ender, _WHO)
        ended, kind = divmod(packed, 4)
        answered = kind == _REPLY
        found.append(
            Wait(
                cid,
                at,
                ended,
                answered,
                (who or None) if answered else None,
                bool(first),
                channel,
                group_id,
                assignee_id,
                tags,
            )
        )
    return found


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
