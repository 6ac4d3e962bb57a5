"""The mirror's answers to a connector's questions (:class:`MirrorLookup`), read from the store.

Reads only, on the engine's own connection: a pull's batches land one transaction at a time
before the connector builds the next, so a mail threads onto what the earlier batches wrote.
"""

from __future__ import annotations

from collections.abc import Sequence

from deskterm.backend.store import Store
from deskterm.backend.sync.protocol import ReplyContext

#: SQLite's default limit on host parameters is far above this; long References are cut.
_MAX_IDS = 200


class StoreLookup:
    """:class:`~deskterm.backend.sync.protocol.MirrorLookup` over one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def conversation_of_messages(self, message_ids: Sequence[str]) -> str | None:
        ids = list(dict.fromkeys(i for i in message_ids if i))[-_MAX_IDS:]
        if not ids:
            return None
        marks = ", ".join("?" * len(ids))
        row = self.store.conn.execute(
            "SELECT c.external_id FROM messages m JOIN conversations c "
            f"ON c.id = m.conversation_id WHERE m.external_id IN ({marks}) "
            "AND c.external_id IS NOT NULL ORDER BY m.id DESC LIMIT 1",
            ids,
        ).fetchone()
        return str(row[0]) if row else None

    def conversation_exists(self, external_id: str) -> bool:
        row = self.store.conn.execute(
            "SELECT 1 FROM conversations WHERE external_id = ?", (external_id,)
        ).fetchone()
        return row is not None

    def conversations_of_customer(self, customer_external_id: str) -> list[tuple[str, str]]:
        rows = self.store.conn.execute(
            "SELECT c.external_id, c.subject FROM conversations c JOIN customers cu "
            "ON cu.id = c.customer_id WHERE cu.external_id = ? AND c.external_id IS NOT NULL "
            "ORDER BY c.created_at DESC, c.id DESC LIMIT 50",
            (customer_external_id,),
        ).fetchall()
        return [(str(r[0]), str(r[1] or "")) for r in rows]

    def reply_context(self, conversation_external_id: str) -> ReplyContext | None:
        conv = self.store.conn.execute(
            "SELECT c.id, c.subject, cu.name, cu.external_id FROM conversations c "
            "JOIN customers cu ON cu.id = c.customer_id WHERE c.external_id = ?",
            (conversation_external_id,),
        ).fetchone()
        if conv is None:
            return None
        email = self.store.conn.execute(
            "SELECT value FROM customer_handles WHERE customer_id = "
            "(SELECT customer_id FROM conversations WHERE id = ?) AND channel = 'email' "
            "ORDER BY value LIMIT 1",
            (conv[0],),
        ).fetchone()
        messages = [
            (str(r[0]), str(r[1]))
            for r in self.store.conn.execute(
                "SELECT external_id, author_kind FROM messages WHERE conversation_id = ? "
                "AND external_id IS NOT NULL ORDER BY created_at, id",
                (conv[0],),
            )
        ]
        return ReplyContext(
            subject=str(conv[1] or ""),
            customer_name=str(conv[2] or ""),
            customer_email=str(email[0]) if email else None,
            messages=messages,
        )
