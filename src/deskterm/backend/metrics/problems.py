"""The problems side of the metrics: customers told of a fix, and the problems that touched
the most customers in the period (by when the customers wrote)."""

from __future__ import annotations

import sqlite3

from deskterm.backend.metrics.types import ProblemTally

TOP_PROBLEMS = 5


def customers_notified(conn: sqlite3.Connection, start: int, end: int) -> int:
    """Customers told a problem of theirs was fixed within ``[start, end)``."""
    try:
        row = conn.execute(
            "SELECT coalesce(sum(json_extract(after, '$.customers')), 0) FROM events "
            "WHERE kind = 'problem:notified' AND created_at >= ? AND created_at < ?",
            (start, end),
        ).fetchone()
    except sqlite3.OperationalError:  # a store older than problems
        return 0
    return int(row[0])


def top_problems(
    conn: sqlite3.Connection, start: int, end: int, limit: int = TOP_PROBLEMS
) -> list[ProblemTally]:
    """The problems whose linked conversations, opened within ``[start, end)``, came from
    the most customers; most first."""
    try:
        found = conn.execute(
            "SELECT p.title, p.status, count(DISTINCT c.customer_id) AS n, p.notified "
            "FROM problem_links l JOIN problems p ON p.id = l.problem_id "
            "JOIN conversations c ON c.id = l.conversation_id "
            "WHERE c.created_at >= ? AND c.created_at < ? "
            "GROUP BY p.id ORDER BY n DESC, p.id LIMIT ?",
            (start, end, limit),
        ).fetchall()
    except sqlite3.OperationalError:  # a store older than problems
        return []
    return [ProblemTally(title=r[0], status=r[1], customers=r[2], notified=r[3]) for r in found]
