"""How an outbox entry that will not reach the remote ends — never silently.

- **Refused** (the remote said no for good): the entry is ``failed``, the local change is
  rolled back where it still stands, a refused reply goes back to its author's draft, and a
  ``⚠`` line in the thread says why.
- **Conflict** (the remote moved, or someone wrote before a close or a snooze went out): the
  entry is ``conflict``, the local change is rolled back where it still stands, and a ``⚠``
  line keeps what the agent meant and the key that does it anyway (:mod:`.intent`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from deskterm.backend.connectors.errors import Conflict, RemoteError
from deskterm.backend.db import ts
from deskterm.backend.store import Store
from deskterm.backend.sync.intent import CLOSE, intent_of
from deskterm.backend.sync.mirror import MESSAGE_KINDS, NOTICE_AUTHOR
from deskterm.backend.sync.text import well_formed
from deskterm.backend.writes.changes import record_event
from deskterm.domain.models import AuthorKind


class Endings:
    """Ends outbox entries in one store, with a line in their conversation."""

    def __init__(self, store: Store, label: str) -> None:
        self.store = store
        self.label = label

    def conflict(
        self, c: sqlite3.Connection, entry: sqlite3.Row, meanwhile: str, keys: Mapping[str, str]
    ) -> None:
        """End the entry as a conflict: the local change rolled back where it still stands,
        and a line in the thread that keeps what the agent meant and how to do it anyway."""
        payload: dict[str, Any] = json.loads(entry["payload"])
        cid = int(entry["conversation_id"])
        names = {int(r[0]): str(r[1]) for r in c.execute("SELECT id, name FROM agents")}
        intent = intent_of(str(entry["kind"]), payload, names)
        c.execute(
            "UPDATE outbox SET state = 'conflict', last_error = ?, next_attempt_at = NULL "
            "WHERE id = ?",
            (meanwhile, entry["id"]),
        )
        self._roll_back_fields(c, cid, payload, conflict=True)
        self.store.add_message(
            cid,
            author_kind=AuthorKind.SYSTEM,
            author_name=NOTICE_AUTHOR,
            body=intent.line(meanwhile, keys),
            created_at=self.store.now(),
        )
        # The agent decides again: it shows as unread in whichever view it is now.
        c.execute("UPDATE conversations SET unread = 1 WHERE id = ?", (cid,))
        record_event(
            c,
            cid,
            None,
            "sync:conflict",
            {},
            {"outbox_id": entry["id"], "kind": entry["kind"], "intent": payload.get("fields")},
            ts(self.store.now()),
            None,
        )

    def held_done(
        self, c: sqlite3.Connection, entry: sqlite3.Row, meanwhile: str, keys: Mapping[str, str]
    ) -> None:
        """A reply went out without its "done": someone wrote before it did. The close
        waits for the agent, with its line; the conversation shows open again."""
        cid = int(entry["conversation_id"])
        # Sent, with part of it held: a state of its own, so the header counts it.
        c.execute("UPDATE outbox SET state = 'held' WHERE id = ?", (entry["id"],))
        row = c.execute("SELECT status FROM conversations WHERE id = ?", (cid,)).fetchone()
        if row is not None and row["status"] == "done":
            # The reply is the last public message now: the remote waits on the customer.
            self.store.update_conversation(
                cid, {"status": "pending"}, agent_id=None, kind="sync:rollback"
            )
        self.store.add_message(
            cid,
            author_kind=AuthorKind.SYSTEM,
            author_name=NOTICE_AUTHOR,
            body=CLOSE.line(f"{meanwhile}; your reply went out", keys),
            created_at=self.store.now(),
        )
        c.execute("UPDATE conversations SET unread = 1 WHERE id = ?", (cid,))
        record_event(
            c,
            cid,
            None,
            "sync:conflict",
            {},
            {"outbox_id": entry["id"], "kind": "done", "intent": {"status": "done"}},
            ts(self.store.now()),
            None,
        )

    def refused(self, entry: sqlite3.Row, exc: RemoteError) -> None:
        """Mark the entry failed, roll the local change back, tell the agent in the thread."""
        store = self.store
        payload: dict[str, Any] = json.loads(entry["payload"])
        cid = int(entry["conversation_id"])
        label = self.label
        # The remote's own words: they may hold a lone surrogate like its data.
        reason = well_formed(str(exc).splitlines()[0][:300])
        with store.transaction() as c:
            c.execute(
                "UPDATE outbox SET state = 'failed', last_error = ?, next_attempt_at = NULL "
                "WHERE id = ?",
                (reason, entry["id"]),
            )
            if entry["kind"] in MESSAGE_KINDS:
                what = self._take_back_message(c, cid, payload)
            else:
                what = self._roll_back_fields(c, cid, payload, conflict=isinstance(exc, Conflict))
            verdict = "changed meanwhile" if isinstance(exc, Conflict) else "refused"
            store.add_message(
                cid,
                author_kind=AuthorKind.SYSTEM,
                author_name=NOTICE_AUTHOR,
                body=f"⚠ {label} {verdict} your {entry['kind']}: {reason}. {what}",
                created_at=store.now(),
            )
            record_event(
                c,
                cid,
                None,
                "sync:refused",
                {},
                {"outbox_id": entry["id"], "kind": entry["kind"], "reason": reason},
                ts(store.now()),
                None,
            )

    def _take_back_message(self, c: sqlite3.Connection, cid: int, payload: dict[str, Any]) -> str:
        """The refused message leaves the thread and goes back to its author's draft."""
        mid = payload.get("message_id")
        row = c.execute("SELECT * FROM messages WHERE id = ?", (mid,)).fetchone() if mid else None
        if row is None:
            return "The text is no longer in the store."
        c.execute("DELETE FROM messages WHERE id = ?", (mid,))
        c.execute(
            "UPDATE conversations SET message_count = max(0, message_count - 1) WHERE id = ?",
            (cid,),
        )
        self._restore_event_fields(c, cid, int(row["id"]))
        author = row["author_id"]
        if author is None:
            return "Its text is kept in the conversation's log."
        draft = c.execute(
            "SELECT body FROM drafts WHERE conversation_id = ? AND agent_id = ?", (cid, author)
        ).fetchone()
        body = row["body"] if draft is None else f"{draft[0]}\n\n{row['body']}"
        self.store.save_draft(cid, author, body, note=not row["public"])
        return "Your text is back in the composer as a draft."

    def _restore_event_fields(self, c: sqlite3.Connection, cid: int, mid: int) -> None:
        """Put back what sending the message changed (waiting, done), unless changed since."""
        for event in c.execute(
            "SELECT before, after FROM events WHERE conversation_id = ? AND kind LIKE "
            "'message:agent:%' ORDER BY id DESC LIMIT 50",
            (cid,),
        ).fetchall():
            after = json.loads(event["after"])
            if after.get("message_id") != mid:
                continue
            before = json.loads(event["before"])
            row = c.execute("SELECT * FROM conversations WHERE id = ?", (cid,)).fetchone()
            restore = {
                k: v
                for k, v in before.items()
                if k in ("status", "first_response_at", "snoozed_until", "unread")
                and row[k] == after.get(k)
            }
            if restore:
                self.store.update_conversation(cid, restore, agent_id=None, kind="sync:rollback")
            return

    def _roll_back_fields(
        self, c: sqlite3.Connection, cid: int, payload: dict[str, Any], *, conflict: bool
    ) -> str:
        before = payload.get("before") or {}
        after = payload.get("fields") or {}
        row = c.execute("SELECT * FROM conversations WHERE id = ?", (cid,)).fetchone()
        # Like undo: a field changed again since is left alone.
        columns = set(row.keys())
        restore = {k: v for k, v in before.items() if k in columns and row[k] == after.get(k)}
        if restore:
            self.store.update_conversation(cid, restore, agent_id=None, kind="sync:rollback")
        if conflict:
            return "The remote's version stands; it shows here with the next sync."
        return "The local change was rolled back." if restore else "Nothing to roll back."
