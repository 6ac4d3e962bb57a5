"""Routing rules applied to the store: the facts a rule looks at, and its actions written.

The store calls :meth:`Router.route` inside the transaction that adds a conversation or a
customer's new message (``Store.set_router``), so a conversation is never seen unrouted; the
sync mirror calls it once per conversation it brings in. Which rule fires is decided by
:mod:`deskterm.domain.routing`; here are the reads (the customer, their orders, the first
message, the agents present) and the writes (one field change and one ``routed`` event,
pushed to a remote helpdesk only when the rule says ``push = true``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from deskterm.backend.db import ts
from deskterm.backend.writes.changes import record_event
from deskterm.domain.routing import Actions, Facts, Rule, Verdict, first_match

if TYPE_CHECKING:
    from deskterm.backend.store import Store

#: An agent who viewed or typed in a conversation this recently is present.
PRESENT_SECONDS = 30 * 60

#: The reason tag of a customer's text, or None when the suggester is not sure.
ReasonOf = Callable[[str], str | None]


@dataclass(frozen=True)
class Routed:
    conversation_id: int
    verdict: Verdict
    changes: dict[str, Any]
    assignee: str | None = None
    """Why the assignee is who it is (the picker's reason), when a rule set one."""


def gather_facts(
    c: sqlite3.Connection, conversation_id: int, event: str, reason_of: ReasonOf | None
) -> Facts | None:
    """What the rules look at, for one conversation (None: it is gone)."""
    conv = c.execute(
        "SELECT channel, subject, customer_id FROM conversations WHERE id = ?",
        (conversation_id,),
    ).fetchone()
    if conv is None:
        return None
    customer = c.execute("SELECT language, vip FROM customers WHERE id = ?", (conv[2],)).fetchone()
    orders = c.execute("SELECT count(*) FROM orders WHERE customer_id = ?", (conv[2],)).fetchone()
    first = c.execute(
        "SELECT body FROM messages WHERE conversation_id = ? AND author_kind = 'customer' "
        "ORDER BY created_at, id LIMIT 1",
        (conversation_id,),
    ).fetchone()
    text = first[0] if first else ""
    return Facts(
        channel=str(conv[0]),
        language=str(customer[0]) if customer else "",
        subject=str(conv[1]),
        first_message=text,
        vip=bool(customer[1]) if customer else False,
        orders=int(orders[0]),
        reason=reason_of(f"{conv[1]}\n{text}") if reason_of is not None else None,
        event=event,
    )


def present_agents(c: sqlite3.Connection, group_id: int, now: int) -> list[int]:
    """The group's agents who viewed or typed in a conversation lately, by id."""
    return [
        r[0]
        for r in c.execute(
            "SELECT DISTINCT a.id FROM agents a JOIN presence p ON p.agent_id = a.id "
            "WHERE a.group_id = ? AND p.updated_at >= ? ORDER BY a.id",
            (group_id, now - PRESENT_SECONDS),
        )
    ]


def _round_robin(c: sqlite3.Connection, group_id: int, present: list[int]) -> int:
    key = f"round-robin:{group_id}"
    row = c.execute(
        "SELECT value FROM sync_state WHERE connector = 'routing' AND key = ?", (key,)
    ).fetchone()
    last = int(row[0]) if row else 0
    chosen = next((a for a in present if a > last), present[0])
    c.execute(
        "INSERT INTO sync_state(connector, key, value) VALUES ('routing', ?, ?) "
        "ON CONFLICT DO UPDATE SET value = excluded.value",
        (key, str(chosen)),
    )
    return chosen


def _least_loaded(c: sqlite3.Connection, present: list[int]) -> int:
    marks = ",".join("?" * len(present))
    load = dict(
        c.execute(
            f"SELECT assignee_id, count(*) FROM conversations WHERE assignee_id IN ({marks}) "
            "AND bucket = 'inbox' GROUP BY assignee_id",
            present,
        ).fetchall()
    )
    return min(present, key=lambda a: (load.get(a, 0), a))


def _group_id(c: sqlite3.Connection, name: str) -> int:
    """The group of that name, created if the store has none yet."""
    row = c.execute("SELECT id FROM groups WHERE name = ? COLLATE NOCASE", (name,)).fetchone()
    if row:
        return int(row[0])
    return int(c.execute("INSERT INTO groups(name) VALUES (?)", (name,)).lastrowid or 0)


def _agent_id(c: sqlite3.Connection, who: str) -> int | None:
    if who.isdigit():
        row = c.execute("SELECT id FROM agents WHERE id = ?", (int(who),)).fetchone()
    else:
        row = c.execute(
            "SELECT id FROM agents WHERE email = ? COLLATE NOCASE OR name = ? COLLATE NOCASE "
            "ORDER BY id LIMIT 1",
            (who, who),
        ).fetchone()
    return int(row[0]) if row else None


def resolve(c: sqlite3.Connection, actions: Actions, now: int) -> tuple[dict[str, Any], str | None]:
    """The conversation fields the actions set (tags apart), and how the assignee was
    chosen; inside the caller's transaction (a round-robin moves its turn)."""
    changes: dict[str, Any] = {}
    group = _group_id(c, actions.group) if actions.group else None
    if group is not None:
        changes["group_id"] = group
    if actions.priority is not None:
        changes["priority"] = str(actions.priority)
    why = None
    who = actions.assignee
    if who is None:
        return changes, why
    if who in ("round-robin", "least-loaded") and group is not None:
        present = present_agents(c, group, now)
        if not present:
            return changes, f"{who}: nobody of {actions.group} is present"
        chosen = (
            _round_robin(c, group, present) if who == "round-robin" else _least_loaded(c, present)
        )
        changes["assignee_id"] = chosen
        return changes, f"{who} among {len(present)} present"
    if who.lower() == "none":
        changes["assignee_id"] = None
        return changes, "nobody"
    agent = _agent_id(c, who)
    if agent is None:
        return changes, f"no agent {who!r}"
    changes["assignee_id"] = agent
    return changes, who


class Router:
    """The rules of the settings, applied as conversations arrive and customers write."""

    def __init__(
        self, rules: Sequence[Rule], *, reason_of: ReasonOf | None = None, remote: bool = False
    ) -> None:
        self.rules = list(rules)
        self.reason_of = reason_of
        self.remote = remote

    def route(self, store: Store, conversation_id: int, event: str) -> Routed | None:
        """Apply the first rule that fires for the conversation (None: none did), in the
        caller's transaction if there is one."""
        if not self.rules:
            return None
        with store.transaction() as c:
            facts = gather_facts(c, conversation_id, event, self.reason_of)
            if facts is None:
                return None
            verdict = first_match(self.rules, facts)
            rule = verdict.rule
            if rule is None:
                return Routed(conversation_id, verdict, {})
            now = ts(store.now()) or 0
            changes, why = resolve(c, rule.actions, now)
            outbox = (
                {"kind": "routing", "payload": {"rule": rule.name}}
                if rule.push and self.remote
                else None
            )
            if changes:
                store.update_conversation(
                    conversation_id, changes, agent_id=None, kind="routing", outbox=outbox
                )
            if rule.actions.tags:
                store.change_tags(
                    conversation_id, add=rule.actions.tags, agent_id=None, outbox=outbox
                )
            record_event(
                c,
                conversation_id,
                None,
                "routed",
                {},
                {"rule": rule.name, "event": event, "assignee": why},
                now,
                None,
            )
            return Routed(conversation_id, verdict, changes, why)
