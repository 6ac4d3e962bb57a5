"""The monthly support shift, seen from the store: which reasons a newcomer can answer on
their own ("Start here"), and what one agent did in a day (the end-of-shift summary,
``deskterm report --me --today``)."""

from __future__ import annotations

import json
import sqlite3
import statistics
from dataclasses import dataclass, field
from datetime import datetime

from deskterm.backend.db import ts

#: The demo's reasons a macro answers with no order action (no resend, refund, slot…).
DEMO_SIMPLE_REASONS = (
    "allergens",
    "spicy",
    "promo-code",
    "login",
    "subscription-info",
    "compliment",
    "invoice",
)
_META = "simple_reasons"


def set_simple_reasons(conn: sqlite3.Connection, reasons: list[str] | tuple[str, ...]) -> None:
    """Say which reason tags suit a newcomer (in the caller's transaction)."""
    conn.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (_META, json.dumps(list(reasons)))
    )


def simple_reasons(conn: sqlite3.Connection) -> list[str]:
    """The reasons "Start here" lists: those the store names, else those a shared macro
    tags (the same SQL as the view)."""
    from deskterm.backend.views import SIMPLE_REASONS

    return [str(row[0]) for row in conn.execute(SIMPLE_REASONS)]


@dataclass(frozen=True)
class ShiftSummary:
    """What one agent did between two moments."""

    answered: int = 0
    """Conversations the agent replied to."""
    replies: int = 0
    closed: int = 0
    """Conversations the agent marked done (and still done)."""
    median_response_seconds: float | None = None
    """From the customer's message to the agent's reply, for replies that answered one."""
    reasons: list[tuple[str, int]] = field(default_factory=list)
    """The reason tags of the conversations answered, most frequent first."""
    problems: list[ShiftProblem] = field(default_factory=list)
    """The known problems the conversations answered are linked to, most seen first: the
    list of things to fix an engineer leaves the shift with."""


@dataclass(frozen=True)
class ShiftProblem:
    title: str
    status: str
    conversations: int
    """Of the conversations answered, how many are linked to it."""
    tracker_url: str | None = None


def shift_summary(
    conn: sqlite3.Connection, agent_id: int, since: datetime, until: datetime, *, top: int = 5
) -> ShiftSummary:
    """What ``agent_id`` did in ``[since, until)``: read only, one day is a few hundred rows."""
    start, end = ts(since), ts(until)
    rows = conn.execute(
        "SELECT m.conversation_id, m.created_at, "
        "(SELECT max(p.created_at) FROM messages p WHERE p.conversation_id = m.conversation_id "
        " AND p.author_kind = 'customer' AND p.created_at <= m.created_at) AS asked, "
        "(SELECT max(q.created_at) FROM messages q WHERE q.conversation_id = m.conversation_id "
        " AND q.author_kind = 'agent' AND q.public = 1 AND q.id < m.id) AS before "
        "FROM messages m WHERE m.author_kind = 'agent' AND m.author_id = ? AND m.public = 1 "
        "AND m.created_at >= ? AND m.created_at < ?",
        (agent_id, start, end),
    ).fetchall()
    waits = [
        float(r[1] - r[2])
        for r in rows
        if r[2] is not None and (r[3] is None or r[3] < r[2]) and r[1] >= r[2]
    ]
    answered = sorted({int(r[0]) for r in rows})
    closed = conn.execute(
        "SELECT count(DISTINCT e.conversation_id) FROM events e "
        "JOIN conversations c ON c.id = e.conversation_id AND c.status = 'done' "
        "WHERE e.agent_id = ? AND e.kind = 'status:done' AND e.created_at >= ? "
        "AND e.created_at < ?",
        (agent_id, start, end),
    ).fetchone()[0]
    reasons: dict[str, int] = {}
    for cid in answered:
        for (tag,) in conn.execute(
            "SELECT tag FROM conversation_tags WHERE conversation_id = ?", (cid,)
        ):
            reasons[tag] = reasons.get(tag, 0) + 1
    ranked = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    seen: dict[int, int] = {}
    for cid in answered:
        for (pid,) in conn.execute(
            "SELECT problem_id FROM problem_links WHERE conversation_id = ?", (cid,)
        ):
            seen[pid] = seen.get(pid, 0) + 1
    problems = []
    for pid, n in sorted(seen.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
        title, status, url = conn.execute(
            "SELECT title, status, tracker_url FROM problems WHERE id = ?", (pid,)
        ).fetchone()
        problems.append(ShiftProblem(title, status, n, url))
    return ShiftSummary(
        answered=len(answered),
        replies=len(rows),
        closed=int(closed),
        median_response_seconds=statistics.median(waits) if waits else None,
        reasons=ranked,
        problems=problems,
    )


def describe(summary: ShiftSummary) -> list[str]:
    """The summary as lines of text, for the screen and the command line."""
    if summary.median_response_seconds is None:
        median = "no reply to a waiting customer"
    else:
        minutes = round(summary.median_response_seconds / 60)
        median = f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d}"
    lines = [
        f"Conversations answered   {summary.answered}",
        f"Replies sent             {summary.replies}",
        f"Closed                   {summary.closed}",
        f"Median response time     {median}",
    ]
    if summary.problems:
        lines.append("Known problems you met (things to fix):")
        for p in summary.problems:
            status = p.status.replace("_", " ")
            where = f"  {p.tracker_url}" if p.tracker_url else ""
            lines.append(f"  {p.title:<40.40} {p.conversations:>3}  {status}{where}")
    if summary.reasons:
        lines.append("What customers wrote about most:")
        lines += [f"  {tag:<22} {count}" for tag, count in summary.reasons]
    return lines
