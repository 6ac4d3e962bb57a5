"""What the leads' desk lists: each a small read (the pending items are few)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from deskterm.backend.db import dt
from deskterm.domain.safety import one_line

#: The tag an agent's "needs a lead" flag puts on a conversation.
NEEDS_LEAD = "needs-lead"


@dataclass(frozen=True)
class PastGesture:
    amount_cents: int
    kind: str
    state: str
    at: datetime


@dataclass(frozen=True)
class PendingGesture:
    """A gesture over the policy, waiting for a lead."""

    id: int
    conversation_id: int | None
    customer_id: int
    customer_name: str
    agent_id: int | None
    agent_name: str
    amount_cents: int
    kind: str
    reason: str
    order_number: str | None
    at: datetime
    history: list[PastGesture] = field(default_factory=list)
    """The customer's goodwill before this request, newest first."""

    @property
    def given_cents(self) -> int:
        return sum(g.amount_cents for g in self.history if g.state == "applied")


@dataclass(frozen=True)
class Flagged:
    """A conversation an agent flagged for a lead, with the question asked."""

    conversation_id: int
    subject: str
    customer_name: str
    agent_name: str
    question: str
    at: datetime | None


@dataclass(frozen=True)
class Proposal:
    id: int
    agent_id: int
    agent_name: str
    macro_id: int | None
    shared_macro_id: int | None
    title: str
    body: str
    old_title: str
    """The shared macro's title and body it would replace ("" for a new macro)."""
    old_body: str
    uses: int
    """How often the proposing agent used their macro."""
    note: str
    state: str
    decision_note: str
    at: datetime
    variants: dict[str, str] = field(default_factory=dict)
    actions: list[dict[str, object]] = field(default_factory=list)


def pending_gestures(conn: sqlite3.Connection, *, history: int = 10) -> list[PendingGesture]:
    """Every gesture waiting for approval, oldest first, with the customer's last gestures."""
    found = []
    for r in conn.execute(
        "SELECT g.id, g.conversation_id, g.customer_id, cu.name, g.agent_id, "
        "coalesce(a.name, ''), g.amount_cents, g.kind, g.reason, o.number, g.created_at "
        "FROM gestures g JOIN customers cu ON cu.id = g.customer_id "
        "LEFT JOIN agents a ON a.id = g.agent_id LEFT JOIN orders o ON o.id = g.order_id "
        "WHERE g.state = 'approval_requested' ORDER BY g.id"
    ).fetchall():
        past = [
            PastGesture(int(p[0]), str(p[1]), str(p[2]), dt(p[3]))  # type: ignore[arg-type]
            for p in conn.execute(
                "SELECT amount_cents, kind, state, created_at FROM gestures "
                "WHERE customer_id = ? AND id != ? AND state != 'approval_requested' "
                "ORDER BY created_at DESC, id DESC LIMIT ?",
                (r[2], r[0], history),
            )
        ]
        found.append(
            PendingGesture(
                id=int(r[0]),
                conversation_id=r[1],
                customer_id=int(r[2]),
                customer_name=str(r[3]),
                agent_id=r[4],
                agent_name=str(r[5]),
                amount_cents=int(r[6]),
                kind=str(r[7]),
                reason=str(r[8]),
                order_number=r[9],
                at=dt(r[10]),  # type: ignore[arg-type]
                history=past,
            )
        )
    return found


def flagged(conn: sqlite3.Connection) -> list[Flagged]:
    """Conversations carrying the "needs a lead" flag, most urgent first, with the last
    question an agent asked."""
    rows = conn.execute(
        "SELECT c.id, c.subject, cu.name FROM conversation_tags t "
        "JOIN conversations c ON c.id = t.conversation_id "
        "JOIN customers cu ON cu.id = c.customer_id WHERE t.tag = ? "
        "ORDER BY t.bucket, t.urgency",
        (NEEDS_LEAD,),
    ).fetchall()
    found = []
    for cid, subject, customer in rows:
        q = conn.execute(
            "SELECT author_name, body, created_at FROM messages WHERE conversation_id = ? "
            "AND author_kind = 'agent' AND public = 0 AND body LIKE 'Question for a lead:%' "
            "ORDER BY created_at DESC, id DESC LIMIT 1",
            (cid,),
        ).fetchone()
        question = q[1].removeprefix("Question for a lead:").strip() if q else ""
        found.append(
            Flagged(
                conversation_id=int(cid),
                subject=str(subject),
                customer_name=str(customer),
                agent_name=q[0] if q else "",
                question=question,
                at=dt(q[2]) if q else None,
            )
        )
    return found


def proposals(conn: sqlite3.Connection, *, state: str | None = "proposed") -> list[Proposal]:
    """Macros proposed to the team (all of them with ``state`` None), oldest first."""
    where = "" if state is None else "WHERE p.state = ?"
    found = []
    for r in conn.execute(
        "SELECT p.id, p.agent_id, coalesce(a.name, ''), p.macro_id, p.shared_macro_id, "
        "p.title, p.body, coalesce(s.title, ''), coalesce(s.body, ''), p.note, p.state, "
        "p.decision_note, p.created_at, p.variants, p.actions "
        "FROM macro_proposals p LEFT JOIN agents a ON a.id = p.agent_id "
        f"LEFT JOIN macros s ON s.id = p.shared_macro_id {where} ORDER BY p.id",
        () if state is None else (state,),
    ).fetchall():
        uses = 0
        if r[3] is not None:
            uses = int(
                conn.execute(
                    "SELECT count(*) FROM macro_usage WHERE macro_id = ? AND agent_id = ?",
                    (r[3], r[1]),
                ).fetchone()[0]
            )
        found.append(
            Proposal(
                id=int(r[0]),
                agent_id=int(r[1]),
                agent_name=str(r[2]),
                macro_id=r[3],
                shared_macro_id=r[4],
                title=str(r[5]),
                body=str(r[6]),
                old_title=str(r[7]),
                old_body=str(r[8]),
                uses=uses,
                note=str(r[9]),
                state=str(r[10]),
                decision_note=str(r[11]),
                at=dt(r[12]),  # type: ignore[arg-type]
                variants=json.loads(r[13] or "{}"),
                actions=json.loads(r[14] or "[]"),
            )
        )
    return found


@dataclass(frozen=True)
class Unshared:
    """A macro a lead published that the remote helpdesk refused: it is in deskterm's shared
    library only (see ``backend/sync/shared_macros.py``)."""

    macro_id: int
    title: str
    reason: str
    """The remote's refusal, one line ("Zendesk refused it: …")."""


def unshared(conn: sqlite3.Connection, *, limit: int = 20) -> list[Unshared]:
    """Published macros whose latest push to the remote's shared library was refused,
    newest first."""
    rows = conn.execute(
        "SELECT m.id, m.title, o.last_error FROM outbox o "
        "JOIN macros m ON m.id = json_extract(o.payload, '$.macro_id') "
        "WHERE o.kind = 'shared_macro' AND o.state = 'failed' AND NOT EXISTS ("
        "SELECT 1 FROM outbox n WHERE n.kind = 'shared_macro' AND n.id > o.id "
        "AND json_extract(n.payload, '$.macro_id') = json_extract(o.payload, '$.macro_id')) "
        "ORDER BY o.id DESC LIMIT ?",
        (limit,),
    ).fetchall()
    return [Unshared(int(r[0]), str(r[1]), str(r[2] or "refused")) for r in rows]


def unshared_since(conn: sqlite3.Connection, seen: int | None) -> tuple[int, list[str]]:
    """The newest refused macro push, and one line for each refused after ``seen`` (none
    the first time: that read only notes where the outbox stands)."""
    newest = int(
        conn.execute(
            "SELECT coalesce(max(id), 0) FROM outbox WHERE kind = 'shared_macro' "
            "AND state = 'failed'"
        ).fetchone()[0]
    )
    if seen is None or newest <= seen:
        return newest, []
    rows = conn.execute(
        "SELECT m.title, o.last_error FROM outbox o "
        "JOIN macros m ON m.id = json_extract(o.payload, '$.macro_id') "
        "WHERE o.kind = 'shared_macro' AND o.state = 'failed' AND o.id > ? ORDER BY o.id LIMIT 3",
        (seen,),
    ).fetchall()
    return newest, [f"“{one_line(str(r[0]), 40)}”: {r[1] or 'refused'}" for r in rows]
