"""The waits and the volume as the report computed them before they were kept: from the
messages and the closes of the conversations a customer wrote to in the period, in one
window pass, and the messages counted per quarter hour. The kept figures must be exactly
these, on any store."""

from __future__ import annotations

import sqlite3

from deskterm.backend.metrics.sql import QUARTER, Traffic, Wait

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


def recomputed_waits(conn: sqlite3.Connection, since: int, until: int) -> list[Wait]:
    """Every wait that started in ``[since, until)``, computed from the messages."""
    return [Wait._make(r) for r in conn.execute(_WAITS, {"since": since, "until": until})]


def recomputed_traffic(conn: sqlite3.Connection, since: int, until: int) -> list[Traffic]:
    """Counts per quarter hour of ``[since, until)``, counted from the messages."""
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
