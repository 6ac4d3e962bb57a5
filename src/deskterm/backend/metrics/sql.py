"""The metrics' reads: every customer wait of a period, and counts per quarter hour.

The waits are kept in their own table as they happen (what a wait is, and how the table is
kept, is in :mod:`deskterm.backend.schema_waits`): a period's waits are one index range, read
with the conversation each belongs to; Python receives one row per wait, never one per
message.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import NamedTuple

#: Quarter hours: every time zone's midnight and hour boundaries fall on one, so counts
#: grouped by quarter hour in SQL can be put into local days and hours afterwards.
QUARTER = 900

_WAITS = """
SELECT w.conversation_id, w.started, w.ended, w.answered, w.responder_id, w.first,
  c.channel, c.group_id, c.assignee_id, c.tags
FROM waits w INDEXED BY waits_started CROSS JOIN conversations c ON c.id = w.conversation_id
WHERE w.started >= :since AND w.started < :until
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


_OPEN_WAITS = """
SELECT w.conversation_id, w.started, w.ended, w.answered, w.responder_id, w.first,
  c.channel, c.group_id, c.assignee_id, c.tags
FROM waits w INDEXED BY waits_open CROSS JOIN conversations c ON c.id = w.conversation_id
WHERE w.started >= :since AND w.started < :until AND w.ended IS NULL
"""


def iter_open_waits(conn: sqlite3.Connection, since: int, until: int) -> Iterator[Wait]:
    """The waits of ``[since, until)`` still open (a few: read by an index of their own)."""
    return map(Wait._make, conn.execute(_OPEN_WAITS, {"since": since, "until": until}))


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
    """Counts per quarter hour of ``[since, until)`` (bounds on quarter hours, as a
    period's are), kept as messages are written (see
    :mod:`deskterm.backend.schema_waits`); quarters with nothing left out."""
    return [
        Traffic(*row)
        for row in conn.execute(
            "SELECT quarter, messages_in, replies_out, notes, new_conversations FROM traffic "
            "WHERE quarter >= ? AND quarter < ? AND (messages_in != 0 OR replies_out != 0 "
            "OR notes != 0 OR new_conversations != 0) ORDER BY quarter",
            (since // QUARTER, until // QUARTER),
        )
    ]


def tag_counts(conn: sqlite3.Connection, since: int, until: int) -> dict[str, int]:
    """How many conversations opened in ``[since, until)`` carry each tag (tags as of now):
    a range of the counts kept per quarter hour when the bounds fall on quarters, as a
    period's do."""
    if since % QUARTER == 0 and until % QUARTER == 0 and _has_table(conn, "tag_quarters"):
        return {
            tag: n
            for tag, n in conn.execute(
                "SELECT tag, sum(conversations) FROM tag_quarters "
                "WHERE quarter >= ? AND quarter < ? GROUP BY tag HAVING sum(conversations) > 0",
                (since // QUARTER, until // QUARTER),
            )
        }
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


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return bool(
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
    )
