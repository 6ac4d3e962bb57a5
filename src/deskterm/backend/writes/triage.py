"""Triage: a conversation's fields (status, assignee and group, tags, priority, snooze) and
the check that refuses to overwrite what someone else changed meanwhile."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from deskterm.backend.db import Connections, StaleVersion, StoreError, dt, ts
from deskterm.backend.rows import UNTIL_REPLY_TS, tags_text
from deskterm.backend.writes.changes import (
    MUTABLE,
    conversation_row,
    enqueue,
    to_store,
    write_changes,
)
from deskterm.domain.models import SLAPolicy, Status


class ChangedMeanwhile(StaleVersion):
    """Someone else changed a field since the caller read it, to another value than the one
    asked for: the change is refused rather than overwriting theirs.

    ``found`` is the value stored now, ``by_agent_id`` who set it (None: the customer, a
    sync or the system) and ``at`` when, both from the event log.
    """

    def __init__(
        self,
        conversation_id: int,
        field: str,
        found: Any,
        by_agent_id: int | None,
        at: datetime | None,
    ) -> None:
        StoreError.__init__(
            self,
            f"Conversation #{conversation_id}: its {field.replace('_id', '')} changed meanwhile "
            "(someone else changed it since you read it): reload it and try again",
        )
        self.conversation_id = conversation_id
        self.expected = -1
        self.found = found
        self.field = field
        self.by_agent_id = by_agent_id
        self.at = at


class Triage:
    """Every change to a conversation's fields goes through :meth:`update_conversation`."""

    def __init__(self, db: Connections, policies: Callable[[], list[SLAPolicy]]) -> None:
        self._db = db
        self._policies = policies  # the SLA policies the due time is computed with

    def update_conversation(
        self,
        conversation_id: int,
        changes: dict[str, Any],
        *,
        agent_id: int | None,
        kind: str,
        expected_version: int | None = None,
        seen: dict[str, Any] | None = None,
        undo_group: str | None = None,
        outbox: dict[str, Any] | None = None,
    ) -> int:
        """Change some of a conversation's fields; returns its new version.

        Raises StaleVersion when ``expected_version`` is given and the row moved on at all.
        ``seen`` holds the values the caller read of the fields it changes (the assignee
        before a take): ChangedMeanwhile is raised when someone else changed one of them
        since, to another value than the one asked for. A change to other fields meanwhile
        (a tag, a message) composes with this one and does not stop it. The check and the
        write happen in one transaction taken with the write lock, so no other writer can
        slip in between.
        """
        unknown = set(changes) - MUTABLE
        if unknown:
            raise ValueError(f"Cannot change {', '.join(sorted(unknown))}")
        stored = {k: to_store(v) for k, v in changes.items()}
        when = ts(self._db.now())
        with self._db.transaction() as c:
            cur = conversation_row(c, conversation_id)
            if expected_version is not None and cur["version"] != expected_version:
                raise StaleVersion(conversation_id, expected_version, cur["version"])
            if seen:
                check_seen(c, cur, seen, stored, agent_id)
            version = write_changes(
                c,
                cur,
                stored,
                {},
                policies=self._policies(),
                agent_id=agent_id,
                kind=kind,
                when=when,
                undo_group=undo_group,
            )
            if outbox is not None:
                # The push carries the values before and after, so the remote side can tell a
                # race (someone changed the field meanwhile) from a retry of this very change.
                fields = {k: v for k, v in stored.items() if cur[k] != v}
                payload = {
                    **outbox.get("payload", {}),
                    "fields": fields,
                    "before": {k: cur[k] for k in fields},
                }
                enqueue(c, conversation_id, outbox["kind"], payload, when)
            return version

    # -- the usual actions -------------------------------------------------------------

    def set_status(
        self,
        conversation_id: int,
        status: Status,
        *,
        agent_id: int | None,
        undo_group: str | None = None,
        expected_version: int | None = None,
        seen: dict[str, Any] | None = None,
        outbox: dict[str, Any] | None = None,
    ) -> int:
        return self.update_conversation(
            conversation_id,
            {"status": str(status)},
            agent_id=agent_id,
            kind=f"status:{status}",
            undo_group=undo_group,
            expected_version=expected_version,
            seen=seen,
            outbox=outbox,
        )

    def snooze(
        self,
        conversation_id: int,
        until: datetime,
        *,
        agent_id: int | None,
        reason: str | None = None,
        undo_group: str | None = None,
        seen: dict[str, Any] | None = None,
        outbox: dict[str, Any] | None = None,
    ) -> int:
        return self.update_conversation(
            conversation_id,
            {
                "snoozed_until": until,
                "snoozed_at": self._db.now(),
                "snooze_reason": reason,
                "woken_at": None,
            },
            agent_id=agent_id,
            kind="snooze",
            undo_group=undo_group,
            seen=seen,
            outbox=outbox,
        )

    def assign(
        self,
        conversation_id: int,
        agent_id_to: int | None,
        *,
        agent_id: int | None,
        group_id: int | None = None,
        undo_group: str | None = None,
        seen: dict[str, Any] | None = None,
        outbox: dict[str, Any] | None = None,
    ) -> int:
        """Give the conversation to an agent (None: nobody). With ``seen`` (the assignee as
        the caller read it), a take over someone else's meanwhile is refused."""
        changes: dict[str, Any] = {"assignee_id": agent_id_to}
        if group_id is not None:
            changes["group_id"] = group_id
        return self.update_conversation(
            conversation_id,
            changes,
            agent_id=agent_id,
            kind="assign",
            undo_group=undo_group,
            seen=seen,
            outbox=outbox,
        )

    def set_tags(
        self,
        conversation_id: int,
        tags: Iterable[str],
        *,
        agent_id: int | None,
        undo_group: str | None = None,
        outbox: dict[str, Any] | None = None,
    ) -> int:
        return self.update_conversation(
            conversation_id,
            {"tags": tags_text([clean_tag(t) for t in tags if t.strip()])},
            agent_id=agent_id,
            kind="tags",
            undo_group=undo_group,
            outbox=outbox,
        )

    def change_tags(
        self,
        conversation_id: int,
        *,
        add: Iterable[str] = (),
        remove: Iterable[str] = (),
        agent_id: int | None,
        undo_group: str | None = None,
        outbox: dict[str, Any] | None = None,
    ) -> int:
        """Add and remove tags relative to what is stored when the write happens: the tags
        are read under the write lock, so another agent's tags added meanwhile stay."""
        gone = {clean_tag(t) for t in remove if t.strip()}
        with self._db.transaction() as c:
            stored = conversation_row(c, conversation_id)["tags"].split(" ")
            tags = [t for t in stored if t and t not in gone] + list(add)
            return self.set_tags(
                conversation_id, tags, agent_id=agent_id, undo_group=undo_group, outbox=outbox
            )

    def mark_read(self, conversation_id: int) -> None:
        if self._db.read_only_reason is not None:
            return  # bookkeeping, not the agent's work: a damaged store is still readable
        with self._db.transaction() as c:
            # Reading is not an action worth a version bump or an event.
            c.execute("UPDATE conversations SET unread = 0 WHERE id = ?", (conversation_id,))

    def wake_due(self) -> list[int]:
        """Wake every conversation whose snooze time has come; returns their ids."""
        if self._db.read_only_reason is not None:
            return []
        now = ts(self._db.now())
        due = [
            r[0]
            for r in self._db.conn.execute(
                "SELECT id FROM conversations WHERE snoozed_until IS NOT NULL "
                "AND snoozed_until <= ? AND snoozed_until != ?",
                (now, UNTIL_REPLY_TS),
            )
        ]
        woken = []
        for cid in due:
            with self._db.transaction() as c:
                # Under the write lock: a reply or a new snooze meanwhile keeps it as it is.
                cur = conversation_row(c, cid)
                until = cur["snoozed_until"]
                if until is None or until > (now or 0) or until == UNTIL_REPLY_TS:
                    continue
                self.update_conversation(
                    cid,
                    {
                        "snoozed_until": None,
                        "snoozed_at": None,
                        "snooze_reason": None,
                        "woken_at": self._db.now(),
                        "unread": 1,
                    },
                    agent_id=None,
                    kind="wake",
                )
                woken.append(cid)
        return woken


def check_seen(
    c: sqlite3.Connection,
    cur: sqlite3.Row,
    seen: dict[str, Any],
    stored: dict[str, Any],
    agent_id: int | None,
) -> None:
    """Raise ChangedMeanwhile when a field moved on from ``seen`` by someone else's hand.

    The agent's own earlier change is no conflict (their screen may not have read it back
    yet), nor is a field that already holds the value asked for.
    """
    for field, value in seen.items():
        was = to_store(value)
        now = cur[field]
        if now == was or (field in stored and now == stored[field]):
            continue
        last = c.execute(
            "SELECT agent_id, created_at FROM events WHERE conversation_id = ? "
            "AND json_type(after, ?) IS NOT NULL ORDER BY id DESC LIMIT 1",
            (cur["id"], f"$.{field}"),
        ).fetchone()
        by = last["agent_id"] if last is not None else None
        if agent_id is not None and by == agent_id:
            continue
        at = dt(last["created_at"]) if last is not None else None
        raise ChangedMeanwhile(cur["id"], field, now, by, at)


def clean_tag(tag: str) -> str:
    """A tag as the store keeps it: trimmed, lower case, dashes for spaces."""
    return tag.strip().lower().replace(" ", "-")
