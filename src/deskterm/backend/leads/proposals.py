"""Macros proposed to the team: an agent proposes their own macro (a new one, or their
version of a shared one, found by its title); a lead publishes it to the shared library or
declines it with a note. Each one short transaction."""

from __future__ import annotations

import json
import sqlite3

from deskterm.backend.db import StoreError, ts
from deskterm.backend.store import Store
from deskterm.backend.sync.shared_macros import queue_publication
from deskterm.domain.models import Agent, Macro


class ProposalError(StoreError):
    """The proposal cannot be made or decided; the message is one line for the user."""


def propose_macro(store: Store, macro: Macro, *, agent: Agent, note: str = "") -> int:
    """Propose *macro* (the agent's own) to the team; returns the proposal's id. It changes
    the shared macro of the same title if there is one, else it is a new shared macro."""
    if macro.shared:
        raise ProposalError(f"{macro.title!r} is already shared with the team")
    with store.transaction() as c:
        waiting = c.execute(
            "SELECT 1 FROM macro_proposals WHERE macro_id = ? AND state = 'proposed'",
            (macro.id,),
        ).fetchone()
        if waiting:
            raise ProposalError(f"{macro.title!r} is already waiting for a lead")
        shared = c.execute(
            "SELECT id FROM macros WHERE owner_agent_id IS NULL AND title = ? COLLATE NOCASE "
            "ORDER BY id LIMIT 1",
            (macro.title,),
        ).fetchone()
        return int(
            c.execute(
                "INSERT INTO macro_proposals(macro_id, shared_macro_id, agent_id, title, body, "
                "variants, actions, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    macro.id,
                    shared[0] if shared else None,
                    agent.id,
                    macro.title,
                    macro.body,
                    json.dumps(macro.variants),
                    json.dumps([a.model_dump() for a in macro.actions]),
                    note,
                    ts(store.now()),
                ),
            ).lastrowid
            or 0
        )


def _decide(
    c: sqlite3.Connection, proposal_id: int, state: str, lead: Agent, note: str, when: int | None
) -> None:
    cur = c.execute(
        "UPDATE macro_proposals SET state = ?, decided_by = ?, decision_note = ?, "
        "decided_at = ? WHERE id = ? AND state = 'proposed'",
        (state, lead.id, note, when, proposal_id),
    )
    if cur.rowcount == 0:
        raise ProposalError("Someone already decided this proposal")


def publish_proposal(store: Store, proposal_id: int, *, lead: Agent, remote: bool = False) -> int:
    """Write the proposal into the shared library (over the shared macro it changes, or as a
    new one); returns the shared macro's id. With ``remote`` (a mirror of a helpdesk whose
    shared library deskterm writes to), the same transaction queues its push there."""
    when = ts(store.now())
    with store.transaction() as c:
        shared_id = _publish(c, proposal_id, lead, when)
        if remote:
            queue_publication(c, shared_id, proposal_id, when)
        return shared_id


def _publish(c: sqlite3.Connection, proposal_id: int, lead: Agent, when: int | None) -> int:
    """Write one proposal into the shared library; returns the shared macro's id."""
    row = c.execute(
        "SELECT shared_macro_id, title, body, variants, actions FROM macro_proposals WHERE id = ?",
        (proposal_id,),
    ).fetchone()
    if row is None:
        raise ProposalError("This proposal is gone")
    _decide(c, proposal_id, "published", lead, "", when)
    shared, title, body, variants, actions = row
    if (
        shared is not None
        and c.execute(
            "SELECT 1 FROM macros WHERE id = ? AND owner_agent_id IS NULL", (shared,)
        ).fetchone()
    ):
        c.execute(
            "UPDATE macros SET title = ?, body = ?, variants = ?, actions = ?, "
            "updated_at = ? WHERE id = ?",
            (title, body, variants, actions, when, shared),
        )
        return int(shared)
    return int(
        c.execute(
            "INSERT INTO macros(title, body, variants, actions, owner_agent_id, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, NULL, ?, ?)",
            (title, body, variants, actions, when, when),
        ).lastrowid
        or 0
    )


def decline_proposal(store: Store, proposal_id: int, *, lead: Agent, note: str) -> None:
    with store.transaction() as c:
        _decide(c, proposal_id, "declined", lead, note.strip(), ts(store.now()))
