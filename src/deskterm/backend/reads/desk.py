"""What the agent works with beside the thread: macros (and the examples suggestions learn
from), the agent's draft, who else has the conversation open."""

from __future__ import annotations

from datetime import timedelta

from deskterm.backend import rows
from deskterm.backend.db import Connections, dt, ts
from deskterm.domain.models import Draft, Macro


class Desk:
    """Macros, drafts and presence."""

    def __init__(self, db: Connections) -> None:
        self._db = db

    def macros(self, agent_id: int | None = None) -> list[Macro]:
        """Shared macros and the agent's personal ones, most used first."""
        return [
            rows.macro(r)
            for r in self._db.conn.execute(
                "SELECT * FROM macros WHERE owner_agent_id IS NULL OR owner_agent_id = ? "
                "ORDER BY usage_count DESC, title",
                (agent_id if agent_id is not None else -1,),
            )
        ]

    def all_macros(self) -> list[Macro]:
        """Every macro of the library, shared and personal, by title."""
        return [
            rows.macro(r) for r in self._db.conn.execute("SELECT * FROM macros ORDER BY title, id")
        ]

    def macro(self, macro_id: int) -> Macro | None:
        r = self._db.conn.execute("SELECT * FROM macros WHERE id = ?", (macro_id,)).fetchone()
        return rows.macro(r) if r else None

    def macro_examples(self, limit: int = 50_000) -> list[tuple[int, str]]:
        """(macro id, the first customer message of a conversation where it was used), the
        latest recorded uses first (by row: sorting on ``used_at`` and reading messages in
        that order took seconds at 1M conversations; in row order they sit together)."""
        return [
            (r[0], r[1])
            for r in self._db.conn.execute(
                "SELECT u.macro_id, (SELECT m.body FROM messages m WHERE m.conversation_id = "
                "u.conversation_id AND m.author_kind = 'customer' ORDER BY m.id LIMIT 1) "
                "FROM macro_usage u WHERE u.conversation_id IS NOT NULL "
                "ORDER BY u.rowid DESC LIMIT ?",
                (limit,),
            )
            if r[1]
        ]

    def macros_used_in(self, conversation_id: int) -> frozenset[int]:
        """The macros anyone already used in this conversation."""
        return frozenset(
            int(r[0])
            for r in self._db.conn.execute(
                "SELECT DISTINCT macro_id FROM macro_usage WHERE conversation_id = ?",
                (conversation_id,),
            )
        )

    def draft(self, conversation_id: int, agent_id: int) -> Draft | None:
        r = self._db.conn.execute(
            "SELECT * FROM drafts WHERE conversation_id = ? AND agent_id = ?",
            (conversation_id, agent_id),
        ).fetchone()
        if r is None:
            return None
        return Draft(
            conversation_id=r["conversation_id"],
            agent_id=r["agent_id"],
            body=r["body"],
            note=bool(r["note"]),
            updated_at=dt(r["updated_at"]),
        )

    def presence(
        self, conversation_id: int, *, exclude_agent: int | None = None, fresh_seconds: int = 30
    ) -> list[tuple[str, str]]:
        """Who else has this conversation open: (agent name, 'viewing' or 'typing')."""
        since = ts(self._db.now() - timedelta(seconds=fresh_seconds))
        return [
            (r[0], r[1])
            for r in self._db.conn.execute(
                "SELECT a.name, p.state FROM presence p JOIN agents a ON a.id = p.agent_id "
                "WHERE p.conversation_id = ? AND p.agent_id != ? AND p.updated_at >= ? "
                "ORDER BY a.name",
                (conversation_id, exclude_agent if exclude_agent is not None else -1, since),
            )
        ]
