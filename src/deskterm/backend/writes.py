"""Every change to the store: short transactions, a version bump, an event each.

A conversation is only ever changed through :meth:`WritesMixin.update_conversation` or
:meth:`WritesMixin.add_message`, which keep the derived columns (SLA due time, bucket,
urgency, the tag index) right, refuse a stale version, and append to the audit log. That log
is also what undo reads.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from deskterm.backend.db import NotFound, StaleVersion, StoreError, dt, ts
from deskterm.backend.rows import UNTIL_REPLY_TS, bucket_of, tags_text, urgency_of
from deskterm.domain import sla
from deskterm.domain.models import AuthorKind, Channel, Handle, SLAPolicy, Status

if TYPE_CHECKING:
    from deskterm.backend.store import Store

#: Conversation columns an action may change (everything else is derived or immutable).
MUTABLE = {
    "status",
    "assignee_id",
    "group_id",
    "tags",
    "priority",
    "snoozed_until",
    "snoozed_at",
    "snooze_reason",
    "woken_at",
    "unread",
    "subject",
    "first_response_at",
    "external_id",
}

#: What undo may put back: not ``first_response_at``, since a reply committed with a status
#: change was really sent, and undoing the status must leave its first response counted.
UNDOABLE = MUTABLE - {"first_response_at"}


def new_key() -> str:
    return uuid.uuid4().hex


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


class WritesMixin:
    """The store's writes; mixed into :class:`deskterm.backend.store.Store`."""

    # -- reference data ----------------------------------------------------------------

    def add_group(self: Store, name: str) -> int:
        with self.transaction() as c:
            return int(c.execute("INSERT INTO groups(name) VALUES (?)", (name,)).lastrowid or 0)

    def add_agent(
        self: Store,
        name: str,
        email: str,
        *,
        group_id: int | None = None,
        external_id: str | None = None,
    ) -> int:
        with self.transaction() as c:
            return int(
                c.execute(
                    "INSERT INTO agents(name, email, group_id, external_id) VALUES (?, ?, ?, ?)",
                    (name, email, group_id, external_id),
                ).lastrowid
                or 0
            )

    def add_customer(
        self: Store,
        name: str,
        *,
        language: str = "en",
        vip: bool = False,
        notes: str = "",
        handles: Iterable[Handle] = (),
        created_at: datetime | None = None,
        external_id: str | None = None,
    ) -> int:
        with self.transaction() as c:
            cid = int(
                c.execute(
                    "INSERT INTO customers(name, language, vip, notes, created_at, external_id) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (name, language, int(vip), notes, ts(created_at or self.now()), external_id),
                ).lastrowid
                or 0
            )
            c.executemany(
                "INSERT OR IGNORE INTO customer_handles(customer_id, channel, value) "
                "VALUES (?, ?, ?)",
                [(cid, str(h.channel), h.value) for h in handles],
            )
            return cid

    def update_customer_notes(
        self: Store, customer_id: int, notes: str, *, seen: str | None = None
    ) -> None:
        """Replace the customer's notes. With ``seen`` (the notes as the caller read them),
        notes someone else edited meanwhile are not overwritten: StoreError says so."""
        with self.transaction() as c:
            if seen is None:
                c.execute("UPDATE customers SET notes = ? WHERE id = ?", (notes, customer_id))
                return
            changed = c.execute(
                "UPDATE customers SET notes = ? WHERE id = ? AND notes IN (?, ?)",
                (notes, customer_id, seen, notes),
            ).rowcount
            if not changed:
                raise StoreError(
                    f"Customer #{customer_id}'s notes changed meanwhile: "
                    "read them again before saving yours"
                )

    def set_sla_policies(self: Store, policies: Sequence[SLAPolicy]) -> None:
        with self.transaction() as c:
            c.execute("DELETE FROM sla_policies")
            c.executemany(
                "INSERT INTO sla_policies(id, name, channel, group_id, first_response_minutes, "
                "next_response_minutes, business_hours) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        p.id,
                        p.name,
                        str(p.channel) if p.channel else None,
                        p.group_id,
                        p.first_response_minutes,
                        p.next_response_minutes,
                        p.business_hours.model_dump_json() if p.business_hours else None,
                    )
                    for p in policies
                ],
            )
        self._policies = None

    # -- conversations -----------------------------------------------------------------

    def open_conversation(
        self: Store,
        customer_id: int,
        channel: Channel,
        subject: str,
        body: str,
        *,
        created_at: datetime | None = None,
        group_id: int | None = None,
        html: str | None = None,
        tags: Sequence[str] = (),
        external_id: str | None = None,
        message_external_id: str | None = None,
    ) -> int:
        """A customer starts a conversation; returns its id."""
        when = ts(created_at or self.now())
        assert when is not None
        with self.transaction() as c:
            cid = int(
                c.execute(
                    "INSERT INTO conversations(subject, channel, status, customer_id, group_id, "
                    "tags, created_at, updated_at, bucket, urgency, external_id) "
                    "VALUES (?, ?, 'new', ?, ?, ?, ?, ?, 'inbox', ?, ?)",
                    (
                        subject,
                        str(channel),
                        customer_id,
                        group_id,
                        tags_text(list(tags)),
                        when,
                        when,
                        urgency_of(None, None, when),
                        external_id,
                    ),
                ).lastrowid
                or 0
            )
            self._event(c, cid, None, "created", {}, {"channel": str(channel)}, when, None)
            self.add_message(
                cid,
                author_kind=AuthorKind.CUSTOMER,
                body=body,
                html=html,
                created_at=dt(when),
                external_id=message_external_id,
            )
            return cid

    def add_message(
        self: Store,
        conversation_id: int,
        *,
        author_kind: AuthorKind,
        body: str,
        public: bool = True,
        author_id: int | None = None,
        author_name: str = "",
        html: str | None = None,
        attachments: Sequence[dict[str, Any]] = (),
        created_at: datetime | None = None,
        external_id: str | None = None,
        expected_version: int | None = None,
        status_after: Status | None = None,
        undo_group: str | None = None,
        outbox: dict[str, Any] | None = None,
    ) -> int:
        """Add a message and move the conversation along; returns the message id.

        A customer message reopens a done or waiting conversation, wakes a snoozed one and
        marks it unread. An agent's public reply is the (first) response the SLA clock waits
        for, and leaves the conversation waiting on the customer unless ``status_after`` says
        otherwise. With ``outbox``, the same transaction queues the push to a remote helpdesk.
        """
        when = ts(created_at or self.now())
        with self.transaction() as c:
            cur = self._row(c, conversation_id)
            if expected_version is not None and cur["version"] != expected_version:
                raise StaleVersion(conversation_id, expected_version, cur["version"])
            mid = int(
                c.execute(
                    "INSERT INTO messages(conversation_id, author_kind, author_id, author_name, "
                    "public, body, html, attachments, created_at, external_id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        conversation_id,
                        str(author_kind),
                        author_id,
                        author_name,
                        int(public),
                        body,
                        html,
                        json.dumps(list(attachments)),
                        when,
                        external_id,
                    ),
                ).lastrowid
                or 0
            )
            changes: dict[str, Any] = {}
            derived: dict[str, Any] = {
                "last_message_at": max(when or 0, cur["last_message_at"] or 0),
                "message_count": cur["message_count"] + 1,
            }
            if public or author_kind is AuthorKind.CUSTOMER:
                derived["preview"] = _preview(body)
            if author_kind is AuthorKind.CUSTOMER:
                derived["last_customer_message_at"] = when
                changes["unread"] = 1
                if cur["status"] in (Status.DONE, Status.PENDING):
                    changes["status"] = str(Status.OPEN)
                if cur["snoozed_until"] is not None:
                    changes.update(
                        snoozed_until=None, snoozed_at=None, snooze_reason=None, woken_at=when
                    )
            elif author_kind is AuthorKind.AGENT and public:
                derived["last_agent_message_at"] = when
                if cur["first_response_at"] is None:
                    changes["first_response_at"] = when
                changes["status"] = str(status_after or Status.PENDING)
                changes["unread"] = 0
                changes["woken_at"] = None
                if changes["status"] == Status.DONE and cur["snoozed_until"] is not None:
                    changes.update(snoozed_until=None, snoozed_at=None, snooze_reason=None)
            elif status_after is not None:
                changes["status"] = str(status_after)
            self._apply(
                c,
                cur,
                changes,
                derived,
                agent_id=author_id if author_kind is AuthorKind.AGENT else None,
                kind=f"message:{author_kind}:{'reply' if public else 'note'}",
                when=when,
                undo_group=undo_group,
                extra_after={"message_id": mid},
            )
            if outbox is not None:
                self._enqueue(
                    c,
                    conversation_id,
                    outbox["kind"],
                    {**outbox.get("payload", {}), "message_id": mid},
                    when,
                )
            return mid

    def update_conversation(
        self: Store,
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
        stored = {k: _to_store(v) for k, v in changes.items()}
        when = ts(self.now())
        with self.transaction() as c:
            cur = self._row(c, conversation_id)
            if expected_version is not None and cur["version"] != expected_version:
                raise StaleVersion(conversation_id, expected_version, cur["version"])
            if seen:
                self._check_seen(c, cur, seen, stored, agent_id)
            version = self._apply(
                c, cur, stored, {}, agent_id=agent_id, kind=kind, when=when, undo_group=undo_group
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
                self._enqueue(c, conversation_id, outbox["kind"], payload, when)
            return version

    def _check_seen(
        self: Store,
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
            was = _to_store(value)
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

    def _row(self: Store, c: sqlite3.Connection, conversation_id: int) -> sqlite3.Row:
        cur = c.execute("SELECT * FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        if cur is None:
            raise NotFound(f"No conversation #{conversation_id}")
        return cur

    def _apply(
        self: Store,
        c: sqlite3.Connection,
        cur: sqlite3.Row,
        changes: dict[str, Any],
        derived: dict[str, Any],
        *,
        agent_id: int | None,
        kind: str,
        when: int | None,
        undo_group: str | None,
        extra_after: dict[str, Any] | None = None,
    ) -> int:
        new = dict(cur) | derived | changes
        if new["status"] == Status.DONE and new["snoozed_until"] is not None:
            new.update(snoozed_until=None, snoozed_at=None, snooze_reason=None)
            changes.update(snoozed_until=None, snoozed_at=None, snooze_reason=None)
        due = sla.due_at(
            status=Status(new["status"]),
            first_response_at=dt(new["first_response_at"]),
            last_customer_message_at=dt(new["last_customer_message_at"]),
            last_agent_message_at=dt(new["last_agent_message_at"]),
            channel=Channel(new["channel"]),
            group_id=new["group_id"],
            policies=self.sla_policies(),
        )
        new["sla_due_at"] = ts(due)
        new["bucket"] = bucket_of(new["status"], new["snoozed_until"])
        new["urgency"] = urgency_of(
            new["sla_due_at"], new["last_customer_message_at"], new["created_at"]
        )
        new["updated_at"] = max(when or 0, cur["updated_at"])
        new["version"] = cur["version"] + 1
        cols = [k for k in new if k != "id" and new[k] != cur[k]]
        c.execute(
            f"UPDATE conversations SET {', '.join(f'{k} = ?' for k in cols)} "
            "WHERE id = ? AND version = ?",
            [*(new[k] for k in cols), cur["id"], cur["version"]],
        )
        if any(k in cols for k in ("tags", "bucket", "urgency")):
            c.execute("DELETE FROM conversation_tags WHERE conversation_id = ?", (cur["id"],))
            c.executemany(
                "INSERT OR IGNORE INTO conversation_tags(tag, bucket, urgency, conversation_id) "
                "VALUES (?, ?, ?, ?)",
                [
                    (t, new["bucket"], new["urgency"], cur["id"])
                    for t in new["tags"].split(" ")
                    if t
                ],
            )
        before = {k: cur[k] for k in changes if cur[k] != changes[k]}
        after = {k: changes[k] for k in before}
        self._event(
            c, cur["id"], agent_id, kind, before, after | (extra_after or {}), when, undo_group
        )
        return int(new["version"])

    def _event(
        self: Store,
        c: sqlite3.Connection,
        conversation_id: int | None,
        agent_id: int | None,
        kind: str,
        before: dict[str, Any],
        after: dict[str, Any],
        when: int | None,
        undo_group: str | None,
    ) -> None:
        c.execute(
            "INSERT INTO events(conversation_id, agent_id, kind, before, after, created_at, "
            "undo_group) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                conversation_id,
                agent_id,
                kind,
                json.dumps(before),
                json.dumps(after),
                when,
                undo_group,
            ),
        )

    # -- the usual actions -------------------------------------------------------------

    def set_status(
        self: Store,
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
        self: Store,
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
                "snoozed_at": self.now(),
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
        self: Store,
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
        self: Store,
        conversation_id: int,
        tags: Iterable[str],
        *,
        agent_id: int | None,
        undo_group: str | None = None,
        outbox: dict[str, Any] | None = None,
    ) -> int:
        return self.update_conversation(
            conversation_id,
            {"tags": tags_text([_clean_tag(t) for t in tags if t.strip()])},
            agent_id=agent_id,
            kind="tags",
            undo_group=undo_group,
            outbox=outbox,
        )

    def change_tags(
        self: Store,
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
        gone = {_clean_tag(t) for t in remove if t.strip()}
        with self.transaction() as c:
            stored = self._row(c, conversation_id)["tags"].split(" ")
            tags = [t for t in stored if t and t not in gone] + list(add)
            return self.set_tags(
                conversation_id, tags, agent_id=agent_id, undo_group=undo_group, outbox=outbox
            )

    def mark_read(self: Store, conversation_id: int) -> None:
        if self.read_only_reason is not None:
            return  # bookkeeping, not the agent's work: a damaged store is still readable
        with self.transaction() as c:
            # Reading is not an action worth a version bump or an event.
            c.execute("UPDATE conversations SET unread = 0 WHERE id = ?", (conversation_id,))

    def wake_due(self: Store) -> list[int]:
        """Wake every conversation whose snooze time has come; returns their ids."""
        if self.read_only_reason is not None:
            return []
        now = ts(self.now())
        due = [
            r[0]
            for r in self.conn.execute(
                "SELECT id FROM conversations WHERE snoozed_until IS NOT NULL "
                "AND snoozed_until <= ? AND snoozed_until != ?",
                (now, UNTIL_REPLY_TS),
            )
        ]
        woken = []
        for cid in due:
            with self.transaction() as c:
                # Under the write lock: a reply or a new snooze meanwhile keeps it as it is.
                cur = self._row(c, cid)
                until = cur["snoozed_until"]
                if until is None or until > (now or 0) or until == UNTIL_REPLY_TS:
                    continue
                self.update_conversation(
                    cid,
                    {
                        "snoozed_until": None,
                        "snoozed_at": None,
                        "snooze_reason": None,
                        "woken_at": self.now(),
                        "unread": 1,
                    },
                    agent_id=None,
                    kind="wake",
                )
                woken.append(cid)
        return woken

    def undo(
        self: Store,
        undo_group: str,
        *,
        agent_id: int | None,
        outbox: dict[str, Any] | None = None,
    ) -> list[int]:
        """Put back what the events of one action group changed; returns conversations touched.

        A field that someone changed again since is left alone, so undo never overwrites a
        newer change.
        """
        touched: list[int] = []
        with self.transaction() as c:
            found = c.execute(
                "SELECT conversation_id, before, after FROM events WHERE undo_group = ? "
                "ORDER BY id DESC",
                (undo_group,),
            ).fetchall()
            for r in found:
                before, after = json.loads(r["before"]), json.loads(r["after"])
                conv = self._row(c, r["conversation_id"])
                restore = {
                    k: v for k, v in before.items() if k in UNDOABLE and conv[k] == after.get(k)
                }
                if "tags" in before:
                    # Tags are put back relative to what is there now: the tags others
                    # added or removed since stay as they are.
                    was, were = set(before["tags"].split()), set(after.get("tags", "").split())
                    now = set(conv["tags"].split())
                    back = tags_text(list((now - (were - was)) | (was - were)))
                    restore.pop("tags", None)
                    if back != conv["tags"]:
                        restore["tags"] = back
                if restore:
                    self.update_conversation(
                        r["conversation_id"], restore, agent_id=agent_id, kind="undo", outbox=outbox
                    )
                    touched.append(r["conversation_id"])
        return touched

    # -- macros ------------------------------------------------------------------------

    def add_macro(
        self: Store,
        title: str,
        body: str,
        *,
        variants: dict[str, str] | None = None,
        actions: Sequence[dict[str, Any]] = (),
        owner_agent_id: int | None = None,
        external_id: str | None = None,
    ) -> int:
        """Add a macro (``owner_agent_id`` None: shared with the team); returns its id."""
        when = ts(self.now())
        with self.transaction() as c:
            return int(
                c.execute(
                    "INSERT INTO macros(title, body, variants, actions, owner_agent_id, "
                    "created_at, updated_at, external_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        title,
                        body,
                        json.dumps(variants or {}),
                        json.dumps(list(actions)),
                        owner_agent_id,
                        when,
                        when,
                        external_id,
                    ),
                ).lastrowid
                or 0
            )

    def upsert_macro_by_title(
        self: Store,
        title: str,
        body: str,
        *,
        variants: dict[str, str] | None = None,
        actions: Sequence[dict[str, Any]] = (),
        owner_agent_id: int | None = None,
        external_id: str | None = None,
    ) -> tuple[int, bool]:
        """Replace the macro of that title and owner, or add it; returns (id, created)."""
        with self.transaction() as c:
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
                ), True
            c.execute(
                "UPDATE macros SET body = ?, variants = ?, actions = ?, updated_at = ?, "
                "external_id = coalesce(?, external_id) WHERE id = ?",
                (
                    body,
                    json.dumps(variants or {}),
                    json.dumps(list(actions)),
                    ts(self.now()),
                    external_id,
                    found[0],
                ),
            )
        return int(found[0]), False

    def record_macro_use(
        self: Store, macro_id: int, *, agent_id: int | None, conversation_id: int | None
    ) -> None:
        """Count one use of a macro, per agent and per conversation (suggestions learn
        from it)."""
        with self.transaction() as c:
            c.execute("UPDATE macros SET usage_count = usage_count + 1 WHERE id = ?", (macro_id,))
            c.execute(
                "INSERT INTO macro_usage(macro_id, agent_id, conversation_id, used_at) "
                "VALUES (?, ?, ?, ?)",
                (macro_id, agent_id, conversation_id, ts(self.now())),
            )

    # -- drafts and presence -----------------------------------------------------------

    def save_draft(
        self: Store, conversation_id: int, agent_id: int, body: str, *, note: bool = False
    ) -> None:
        with self.transaction() as c:
            if body.strip():
                c.execute(
                    "INSERT INTO drafts(conversation_id, agent_id, body, note, updated_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT(conversation_id, agent_id) DO UPDATE "
                    "SET body = excluded.body, note = excluded.note, "
                    "updated_at = excluded.updated_at",
                    (conversation_id, agent_id, body, int(note), ts(self.now())),
                )
            else:
                c.execute(
                    "DELETE FROM drafts WHERE conversation_id = ? AND agent_id = ?",
                    (conversation_id, agent_id),
                )

    def touch_presence(self: Store, conversation_id: int, agent_id: int, state: str) -> None:
        if self.read_only_reason is not None:
            return
        with self.transaction() as c:
            c.execute(
                "DELETE FROM presence WHERE agent_id = ? AND conversation_id != ?",
                (agent_id, conversation_id),
            )
            c.execute(
                "INSERT INTO presence(conversation_id, agent_id, state, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(conversation_id, agent_id) DO UPDATE "
                "SET state = excluded.state, updated_at = excluded.updated_at",
                (conversation_id, agent_id, state, ts(self.now())),
            )

    def clear_presence(self: Store, agent_id: int) -> None:
        if self.read_only_reason is not None:
            return
        with self.transaction() as c:
            c.execute("DELETE FROM presence WHERE agent_id = ?", (agent_id,))

    def save_view(self: Store, name: str, query: str) -> int:
        with self.transaction() as c:
            return int(
                c.execute(
                    "INSERT INTO saved_views(name, query, created_at) VALUES (?, ?, ?) "
                    "ON CONFLICT(name) DO UPDATE SET query = excluded.query RETURNING id",
                    (name, query, ts(self.now())),
                ).fetchone()[0]
            )

    # -- the outbox ----------------------------------------------------------------------

    def _enqueue(
        self: Store,
        c: sqlite3.Connection,
        conversation_id: int | None,
        kind: str,
        payload: dict[str, Any],
        when: int | None,
    ) -> None:
        c.execute(
            "INSERT INTO outbox(conversation_id, kind, payload, idempotency_key, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (conversation_id, kind, json.dumps(payload, default=str), new_key(), when),
        )


def _clean_tag(tag: str) -> str:
    return tag.strip().lower().replace(" ", "-")


def _to_store(value: Any) -> Any:
    if isinstance(value, datetime):
        return ts(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (list, tuple)):
        return tags_text(list(value))
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value
    return value


def _preview(body: str) -> str:
    return " ".join(body[:2000].split())[:160]  # a 5 MB body: only its start is read
