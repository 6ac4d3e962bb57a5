"""A conversation and its thread: the conversation, its messages, its audit log, and the
customer's other conversations."""

from __future__ import annotations

import json
from datetime import datetime

from deskterm.backend import rows
from deskterm.backend.db import Connections, dt
from deskterm.backend.rows import CONVERSATION_COLUMNS, Unsent
from deskterm.domain.models import Conversation, Event, Message


class Threads:
    """Conversations, their messages and events."""

    def __init__(self, db: Connections) -> None:
        self._db = db

    def conversation(self, conversation_id: int) -> Conversation | None:
        r = self._db.conn.execute(
            f"SELECT {CONVERSATION_COLUMNS} FROM conversations c "
            "JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ?",
            (conversation_id,),
        ).fetchone()
        return rows.conversation(r) if r else None

    def conversation_by_external(self, external_id: str) -> Conversation | None:
        r = self._db.conn.execute(
            "SELECT id FROM conversations WHERE external_id = ?", (external_id,)
        ).fetchone()
        return self.conversation(r[0]) if r else None

    def messages(
        self, conversation_id: int, *, limit: int | None = None, before_id: int | None = None
    ) -> list[Message]:
        """A thread oldest first; with ``limit``, only the newest ``limit`` messages."""
        sql = "SELECT * FROM messages WHERE conversation_id = ?"
        params: list[object] = [conversation_id]
        if before_id is not None:
            sql += " AND id < ?"
            params.append(before_id)
        if limit is not None:
            sql = f"SELECT * FROM ({sql} ORDER BY created_at DESC, id DESC LIMIT ?) "
            params.append(limit)
        sql += " ORDER BY created_at, id"
        return [rows.message(r) for r in self._db.conn.execute(sql, params)]

    def unsent(self, conversation_id: int) -> list[Unsent]:
        """The agent's actions on the conversation not yet accepted by the remote, oldest
        first (nothing in local mode: there is no outbox to wait in)."""
        found = self._db.conn.execute(
            "SELECT id, kind, payload, attempts, last_error FROM outbox "
            "WHERE state = 'pending' AND conversation_id = ? ORDER BY id",
            (conversation_id,),
        ).fetchall()
        if not found:
            return []
        from deskterm.backend.sync.intent import intent_of  # the sync package reads the store

        names = {int(r[0]): str(r[1]) for r in self._db.conn.execute("SELECT id, name FROM agents")}
        unsent = []
        for r in found:
            payload = json.loads(r["payload"])
            message = payload.get("message_id") if r["kind"] in ("reply", "note") else None
            if message is not None:
                what = "your note" if r["kind"] == "note" else "your reply"
                if payload.get("done"):
                    what += " and its done"
            else:
                what = "you " + intent_of(str(r["kind"]), payload, names).did
            unsent.append(Unsent(int(r["id"]), message, what, int(r["attempts"]), r["last_error"]))
        return unsent

    def kept_snooze(self, conversation_id: int) -> datetime | None:
        """The wake time of a snooze that ended in a conflict, while the agent has not acted
        on the conversation since (for "snooze anyway" with the same time)."""
        row = self._db.conn.execute(
            "SELECT kind, state, json_extract(payload, '$.fields.snoozed_until') FROM outbox "
            "WHERE conversation_id = ? ORDER BY id DESC LIMIT 1",
            (conversation_id,),
        ).fetchone()
        if row is None or row[1] != "conflict" or row[2] is None:
            return None
        return dt(int(row[2]))

    def customer_conversations(self, customer_id: int, *, limit: int = 20) -> list[Conversation]:
        """The customer's conversations, newest first."""
        return [
            rows.conversation(r)
            for r in self._db.conn.execute(
                f"SELECT {CONVERSATION_COLUMNS} FROM conversations c JOIN customers cu "
                "ON cu.id = c.customer_id WHERE c.customer_id = ? "
                "ORDER BY c.created_at DESC LIMIT ?",
                (customer_id, limit),
            )
        ]

    def open_conversations_of(self, customer_id: int, *, limit: int = 50) -> list[Conversation]:
        """The customer's conversations not closed (nor gone from the remote), the most
        recently active first: those a merge may join."""
        return [
            rows.conversation(r)
            for r in self._db.conn.execute(
                f"SELECT {CONVERSATION_COLUMNS} FROM conversations c JOIN customers cu "
                "ON cu.id = c.customer_id WHERE c.customer_id = ? AND c.status != 'done' "
                "AND c.gone_at IS NULL ORDER BY c.last_message_at DESC, c.id DESC LIMIT ?",
                (customer_id, limit),
            )
        ]

    def events(self, conversation_id: int) -> list[Event]:
        return [
            Event(
                id=r["id"],
                conversation_id=r["conversation_id"],
                agent_id=r["agent_id"],
                kind=r["kind"],
                before=json.loads(r["before"]),
                after=json.loads(r["after"]),
                created_at=dt(r["created_at"]),
            )
            for r in self._db.conn.execute(
                "SELECT * FROM events WHERE conversation_id = ? ORDER BY id", (conversation_id,)
            )
        ]
