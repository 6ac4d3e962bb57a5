"""The demo's known problems, linked to the conversations that report them: the app crashing
at payment since an update, promo codes refused as invalid, the delivery-slot page emptying
the basket, and one suggestion. Customers wrote about them in French and English in the
generated history; each problem gathers the conversations whose words say so."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

#: At most this many conversations linked to one problem.
MOST_LINKS = 60


@dataclass(frozen=True)
class DemoProblem:
    title: str
    kind: str
    status: str
    description: str
    tags: tuple[str, ...]
    """The reason tags of the conversations it gathers (none: any conversation)."""
    words: tuple[str, ...]
    """Words (lower case) one of which the subject or the customer's first message says."""


PROBLEMS = (
    DemoProblem(
        "App crashes at payment since the 4.2 update",
        "bug",
        "open",
        "Customers on iOS and Android see the app close when they tap Pay, or the button does "
        "nothing; started with version 4.2.",
        (),
        ("plante", "crash", "bug au paiement", "payment bug", "« payer »", "'pay'"),
    ),
    DemoProblem(
        "Promo code refused as “invalid code”",
        "bug",
        "open",
        "Codes from the marketing emails are refused at checkout although still valid.",
        ("promo-code",),
        ("invalide", "invalid", "ne fonctionne pas", "doesn't work", "ne marche pas", "refus"),
    ),
    DemoProblem(
        "Delivery-slot page empties the basket",
        "bug",
        "in_progress",
        "Changing the delivery slot in the app removes every item from the basket.",
        ("bug",),
        ("panier", "basket"),
    ),
    DemoProblem(
        "Let customers move their slot themselves",
        "suggestion",
        "open",
        "Customers ask us to move their slot; they would rather do it in the app.",
        ("slot-change",),
        ("décaler", "changer mon créneau", "change my slot", "move my delivery"),
    ),
)


def add_problems(conn: sqlite3.Connection) -> int:
    """Add the demo's problems and link their conversations (inside no transaction of the
    caller's: one of its own); returns how many links were made."""
    links = 0
    conn.execute("BEGIN")
    try:
        for problem in PROBLEMS:
            marks = ",".join("?" * len(problem.tags))
            tagged = (
                f"WHERE c.id IN (SELECT conversation_id FROM conversation_tags "
                f"WHERE tag IN ({marks}))"
                if problem.tags
                else ""
            )
            found = conn.execute(
                "SELECT c.id, c.created_at, lower(c.subject) || ' ' || coalesce((SELECT "
                "lower(body) FROM messages m WHERE m.conversation_id = c.id AND "
                "m.author_kind = 'customer' ORDER BY m.id LIMIT 1), '') "
                f"FROM conversations c {tagged} ORDER BY c.created_at DESC",
                problem.tags,
            ).fetchall()
            chosen = [
                (cid, created)
                for cid, created, text in found
                if any(word in text for word in problem.words)
            ][:MOST_LINKS]
            if not chosen:
                continue
            first = min(created for _, created in chosen)
            last = max(created for _, created in chosen)
            pid = conn.execute(
                "INSERT INTO problems(title, kind, status, description, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (problem.title, problem.kind, problem.status, problem.description, first, last),
            ).lastrowid
            conn.executemany(
                "INSERT OR IGNORE INTO problem_links(problem_id, conversation_id, linked_at) "
                "VALUES (?, ?, ?)",
                [(pid, cid, created) for cid, created in chosen],
            )
            links += len(chosen)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return links
