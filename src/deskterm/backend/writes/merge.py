"""Merging two open conversations of one customer about the same thing, and splitting them
back.

A merge moves every message of the source into the target (the thread shows them in order
of time), closes the source with a line saying where they went ("Merged into #123") and
puts a line in the target too; all in one write transaction, under one undo group. Its
``merge`` event keeps what undo needs to split them back exactly: the messages moved, the
two lines written, and both conversations' counts and times as they were.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from deskterm.backend.db import Connections, StoreError, ts
from deskterm.backend.writes.changes import conversation_row, write_changes
from deskterm.backend.writes.messages import MessageWrites, preview
from deskterm.domain.models import AuthorKind, SLAPolicy, Status

#: The event kind undo recognises (on the target conversation).
MERGE_EVENT = "merge"
#: Who the lines of a merge are from.
MERGE_AUTHOR = "deskterm"
#: The columns a conversation's messages decide, kept as they were for undo.
DERIVED = (
    "last_message_at",
    "message_count",
    "preview",
    "last_customer_message_at",
    "last_agent_message_at",
    "first_response_at",
    "unread",
)


class MergeRefused(StoreError):
    """The two conversations cannot be merged; the message is one line for the agent."""


def number_of(row: sqlite3.Row) -> int:
    """The number the agent knows a conversation by (as ``Conversation.number``)."""
    remote = row["external_id"] or ""
    return int(remote) if remote.isascii() and remote.isdigit() else int(row["id"])


def counts(c: sqlite3.Connection, conversation_id: int) -> dict[str, Any]:
    """What a conversation's messages say of it: how many, the last times, the preview (the
    newest public or customer message, never a line of deskterm's own)."""
    r = c.execute(
        "SELECT count(*), max(created_at), "
        "max(CASE WHEN author_kind = 'customer' THEN created_at END), "
        "max(CASE WHEN author_kind = 'agent' AND public = 1 THEN created_at END) "
        "FROM messages WHERE conversation_id = ?",
        (conversation_id,),
    ).fetchone()
    newest = c.execute(
        "SELECT body FROM messages WHERE conversation_id = ? AND author_kind != 'system' "
        "AND (public = 1 OR author_kind = 'customer') ORDER BY created_at DESC, id DESC LIMIT 1",
        (conversation_id,),
    ).fetchone()
    return {
        "message_count": r[0],
        "last_message_at": r[1],
        "last_customer_message_at": r[2],
        "last_agent_message_at": r[3],
        "preview": preview(newest[0]) if newest else "",
    }


def _newest_message(c: sqlite3.Connection, conversation_id: int) -> int:
    row = c.execute(
        "SELECT count(*), coalesce(max(id), 0) FROM messages WHERE conversation_id = ?",
        (conversation_id,),
    ).fetchone()
    return int(row[0]) * 10**12 + int(row[1])  # count and newest id, in one comparable number


class MergeWrites:
    """Merges conversations, and splits a merge back."""

    def __init__(
        self,
        db: Connections,
        messages: MessageWrites,
        policies: Callable[[], list[SLAPolicy]],
    ) -> None:
        self._db = db
        self._messages = messages
        self._policies = policies

    def merge(
        self, source_id: int, target_id: int, *, agent_id: int | None, undo_group: str
    ) -> int:
        """Move every message of ``source_id`` into ``target_id`` and close the source, each
        with a line saying so; returns how many messages moved.

        Raises:
            MergeRefused: the same conversation, two customers, or one of them closed or gone.
            NotFound: no such conversation.
        """
        when = ts(self._db.now())
        with self._db.transaction() as c:
            source, target = conversation_row(c, source_id), conversation_row(c, target_id)
            _check(source, target)
            kept = {
                "source": {k: source[k] for k in DERIVED}
                | {"_mark": _newest_message(c, source_id)},
                "target": {k: target[k] for k in DERIVED}
                | {"_mark": _newest_message(c, target_id)},
            }
            moved = [
                int(r[0])
                for r in c.execute(
                    "SELECT id FROM messages WHERE conversation_id = ? ORDER BY id", (source_id,)
                )
            ]
            c.execute(
                "UPDATE messages SET conversation_id = ? WHERE conversation_id = ?",
                (target_id, source_id),
            )
            s_number, t_number = number_of(source), number_of(target)
            lines = [
                self._messages.add_message(
                    target_id,
                    author_kind=AuthorKind.SYSTEM,
                    author_name=MERGE_AUTHOR,
                    body=f"#{s_number} merged in here: its {len(moved)} "
                    f"message{'s' if len(moved) != 1 else ''} moved into this thread, "
                    "in order of time.",
                    undo_group=undo_group,
                    route=False,
                ),
                self._messages.add_message(
                    source_id,
                    author_kind=AuthorKind.SYSTEM,
                    author_name=MERGE_AUTHOR,
                    body=f"Merged into #{t_number}: its messages are there now.",
                    status_after=Status.DONE,
                    undo_group=undo_group,
                    route=False,
                ),
            ]
            firsts = [r for r in (source["first_response_at"], target["first_response_at"]) if r]
            merged = {
                "first_response_at": min(firsts) if firsts else None,
                "unread": max(source["unread"], target["unread"]),
            }
            if target["status"] == Status.PENDING and _waiting(counts(c, target_id)):
                # The source's customer is still waiting for an answer: so is the target.
                merged["status"] = str(Status.OPEN)
                kept["target"]["_status"] = target["status"]
            self._recount(
                c,
                target_id,
                merged,
                agent_id=agent_id,
                when=when,
                undo_group=undo_group,
                kind=MERGE_EVENT,
                note={"from": source_id, "messages": moved, "lines": lines, "kept": kept},
            )
            self._recount(
                c,
                source_id,
                {"first_response_at": None, "unread": 0},
                agent_id=agent_id,
                when=when,
                undo_group=undo_group,
                kind="merge:source",
                note={"into": target_id},
            )
            return len(moved)

    def _recount(
        self,
        c: sqlite3.Connection,
        conversation_id: int,
        extra: dict[str, Any],
        *,
        agent_id: int | None,
        when: int | None,
        undo_group: str | None,
        kind: str,
        note: dict[str, Any],
    ) -> None:
        cur = conversation_row(c, conversation_id)
        write_changes(
            c,
            cur,
            {},
            counts(c, conversation_id) | extra,
            policies=self._policies(),
            agent_id=agent_id,
            kind=kind,
            when=when,
            undo_group=undo_group,
            extra_after=note,
        )

    def undo_event(
        self, c: sqlite3.Connection, event: sqlite3.Row, agent_id: int | None
    ) -> list[int]:
        """Split a merge back (inside undo's transaction): the moved messages return, the
        two lines go, and each conversation's counts are as they were — read again from its
        messages when one came in since. Returns the conversations touched."""
        after = json.loads(event["after"])
        target_id, source_id = int(event["conversation_id"]), int(after["from"])
        moved = [int(i) for i in after.get("messages", [])]
        lines = [int(i) for i in after.get("lines", [])]
        if not conversation_exists(c, source_id) or not conversation_exists(c, target_id):
            return []
        c.executemany(
            "UPDATE messages SET conversation_id = ? WHERE id = ? AND conversation_id = ?",
            [(source_id, m, target_id) for m in moved],
        )
        c.executemany("DELETE FROM messages WHERE id = ?", [(m,) for m in lines])
        for cid, key in ((target_id, "target"), (source_id, "source")):
            kept = dict(after.get("kept", {}).get(key) or {})
            mark = kept.pop("_mark", None)
            status = kept.pop("_status", None)
            if mark == _newest_message(c, cid) and set(kept) == set(DERIVED):
                derived = kept  # nothing came in since: exactly as it was
            else:
                derived = counts(c, cid) | {
                    k: v for k, v in kept.items() if k in ("first_response_at", "unread")
                }
            cur = conversation_row(c, cid)
            if status is not None and cur["status"] == Status.OPEN:
                derived["status"] = status
            write_changes(
                c,
                cur,
                {},
                derived,
                policies=self._policies(),
                agent_id=agent_id,
                kind="unmerge",
                when=ts(self._db.now()),
                undo_group=None,
            )
        return [target_id, source_id]


def _waiting(found: dict[str, Any]) -> bool:
    """Whether the customer wrote after the last public answer."""
    asked, answered = found["last_customer_message_at"], found["last_agent_message_at"]
    return asked is not None and (answered is None or asked > answered)


def conversation_exists(c: sqlite3.Connection, conversation_id: int) -> bool:
    return (
        c.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        is not None
    )


def _check(source: sqlite3.Row, target: sqlite3.Row) -> None:
    if source["id"] == target["id"]:
        raise MergeRefused("A conversation cannot be merged into itself.")
    if source["customer_id"] != target["customer_id"]:
        raise MergeRefused("Only two conversations of the same customer can be merged.")
    for row in (source, target):
        if row["status"] == Status.DONE or row["gone_at"] is not None:
            raise MergeRefused(f"#{number_of(row)} is closed: only open conversations merge.")
