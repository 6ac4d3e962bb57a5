"""Macros (shared and personal), their recorded uses, and saved search views."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from deskterm.backend.db import Connections, ts


class MacroWrites:
    """Adds and replaces macros, counts their uses, saves views."""

    def __init__(self, db: Connections) -> None:
        self._db = db

    def add_macro(
        self,
        title: str,
        body: str,
        *,
        variants: dict[str, str] | None = None,
        actions: Sequence[dict[str, Any]] = (),
        owner_agent_id: int | None = None,
        external_id: str | None = None,
        titles: dict[str, str] | None = None,
        language: str | None = None,
    ) -> int:
        """Add a macro (``owner_agent_id`` None: shared with the team); returns its id.
        ``titles`` per language like ``variants``; ``language``: what it is written in."""
        when = ts(self._db.now())
        with self._db.transaction() as c:
            return int(
                c.execute(
                    "INSERT INTO macros(title, body, variants, actions, owner_agent_id, "
                    "created_at, updated_at, external_id, titles, language) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        title,
                        body,
                        json.dumps(variants or {}),
                        json.dumps(list(actions)),
                        owner_agent_id,
                        when,
                        when,
                        external_id,
                        json.dumps(titles or {}, ensure_ascii=False),
                        language,
                    ),
                ).lastrowid
                or 0
            )

    def upsert_macro_by_title(
        self,
        title: str,
        body: str,
        *,
        variants: dict[str, str] | None = None,
        actions: Sequence[dict[str, Any]] = (),
        owner_agent_id: int | None = None,
        external_id: str | None = None,
        titles: dict[str, str] | None = None,
        language: str | None = None,
    ) -> tuple[int, bool]:
        """Replace the macro of that title and owner, or add it; returns (id, created)."""
        with self._db.transaction() as c:
            # Looked up under the write lock: two imports at once must not add it twice.
            found = c.execute(
                "SELECT id FROM macros WHERE title = ? AND owner_agent_id IS ?",
                (title, owner_agent_id),
            ).fetchone()
            if found is None:
                return self.add_macro(
                    title,
                    body,
                    variants=variants,
                    actions=actions,
                    owner_agent_id=owner_agent_id,
                    external_id=external_id,
                    titles=titles,
                    language=language,
                ), True
            c.execute(
                "UPDATE macros SET body = ?, variants = ?, actions = ?, updated_at = ?, "
                "external_id = coalesce(?, external_id), titles = ?, language = ? WHERE id = ?",
                (
                    body,
                    json.dumps(variants or {}),
                    json.dumps(list(actions)),
                    ts(self._db.now()),
                    external_id,
                    json.dumps(titles or {}, ensure_ascii=False),
                    language,
                    found[0],
                ),
            )
        return int(found[0]), False

    def record_macro_use(
        self, macro_id: int, *, agent_id: int | None, conversation_id: int | None
    ) -> None:
        """Count one use of a macro, per agent and per conversation (suggestions learn
        from it)."""
        with self._db.transaction() as c:
            c.execute("UPDATE macros SET usage_count = usage_count + 1 WHERE id = ?", (macro_id,))
            c.execute(
                "INSERT INTO macro_usage(macro_id, agent_id, conversation_id, used_at) "
                "VALUES (?, ?, ?, ?)",
                (macro_id, agent_id, conversation_id, ts(self._db.now())),
            )

    def save_view(self, name: str, query: str) -> int:
        with self._db.transaction() as c:
            return int(
                c.execute(
                    "INSERT INTO saved_views(name, query, created_at) VALUES (?, ?, ?) "
                    "ON CONFLICT(name) DO UPDATE SET query = excluded.query RETURNING id",
                    (name, query, ts(self._db.now())),
                ).fetchone()[0]
            )
