"""Draining the outbox: one action at a time, in order per conversation, nothing lost.

Each entry was written in the same transaction as the local change it pushes. The drainer:

- keeps each conversation's order: an entry waits while an older one of the same
  conversation is still pending;
- counts the attempt *before* pushing (committed), so after a crash between the push and
  marking it done the connector knows an earlier try may have landed and looks before
  sending a message again — a reply is never sent twice;
- retries transient failures with exponential backoff and jitter, and waits what a 429's
  ``Retry-After`` says (for the whole account: a rate limit is not per conversation);
- turns a permanent refusal into a failed entry, a notice in the conversation and a rollback
  of the local change — a refused reply goes back to the agent's drafts;
- turns a conflict (the remote moved, or someone wrote before a close or a snooze went out)
  into a ``conflict`` entry whose line keeps the agent's intent and the key that does it
  anyway (:mod:`.intent`); a reply sent with done goes out alone when someone wrote before
  it, and its close waits for the agent (a ``held`` entry, with its line). Never silently
  dropped;
- retries every waiting entry at once, in order, when the remote answers again
  (:meth:`OutboxDrainer.hurry`), instead of letting each wait out its own backoff;
- sends a macro a lead published to the remote's shared library (a ``shared_macro``
  entry, of no conversation: :mod:`.shared_macros`), its refusal a line on the leads' desk.
"""

from __future__ import annotations

import json
import math
import random
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from deskterm.backend.connectors.errors import (
    AuthError,
    Conflict,
    PermanentError,
    RateLimited,
    RemoteError,
    TransientError,
    Unreachable,
)
from deskterm.backend.db import dt
from deskterm.backend.store import Store
from deskterm.backend.sync import shared_macros
from deskterm.backend.sync.endings import Endings
from deskterm.backend.sync.intent import DEFAULT_KEYS, MAYBE_LANDED, written_since
from deskterm.backend.sync.mirror import MESSAGE_KINDS
from deskterm.backend.sync.protocol import Connector, PushAction, PushResult
from deskterm.backend.sync.shared_macros import SHARED_MACRO
from deskterm.backend.sync.text import well_formed

BASE_DELAY = 2.0
MAX_DELAY = 300.0


@dataclass
class DrainReport:
    """What one pass over the outbox did."""

    pushed: int = 0
    failed: int = 0
    conflicts: int = 0
    retrying: int = 0
    waited: int = 0  # entries left for later: their backoff was not over
    stopped: bool = False  # the pass stopped on a failure (offline, rate-limited)
    rate_limited_until: datetime | None = None
    offline: bool = False
    last_error: str | None = None
    refused_credentials: str | None = None


def backoff(attempts: int, rand: Callable[[], float] = random.random) -> float:
    """Seconds before the next try after ``attempts`` failures: 2, 4, 8… capped, ±50 %."""
    delay = min(MAX_DELAY, BASE_DELAY * 2 ** max(0, attempts - 1))
    return delay * (0.5 + rand())


def waiting(store: Store) -> int:
    """How many actions wait to be pushed."""
    return int(
        store.conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0]
    )


class OutboxDrainer:
    """Pushes pending outbox entries through one connector."""

    def __init__(
        self,
        store: Store,
        connector: Connector,
        *,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.store = store
        self.connector = connector
        self.rand = rand
        self.paused_until: datetime | None = None
        self.me: int | None = None
        """The local id of the agent deskterm acts as (their messages never make a close
        stale)."""
        self.keys: Mapping[str, str] = DEFAULT_KEYS
        """The keys conflict lines name, by keymap id."""
        self.endings = Endings(store, getattr(connector, "label", "the remote helpdesk"))

    def hurry(self) -> int:
        """The remote answers again: every waiting entry is due now (a rate limit's pause
        still holds). Returns how many were waiting."""
        with self.store.transaction() as c:
            return c.execute(
                "UPDATE outbox SET next_attempt_at = NULL "
                "WHERE state = 'pending' AND next_attempt_at IS NOT NULL"
            ).rowcount

    def drain(self, *, limit: int = 200) -> DrainReport:
        """Push what is due now; stops at the first network failure (the rest waits)."""
        report = DrainReport()
        now = self.store.now()
        if self.paused_until is not None and now < self.paused_until:
            report.rate_limited_until = self.paused_until
            return report
        self.paused_until = None
        blocked: set[int] = set()
        entries = self.store.conn.execute(
            "SELECT * FROM outbox WHERE state = 'pending' ORDER BY id LIMIT ?", (limit,)
        ).fetchall()
        for entry in entries:
            conversation = entry["conversation_id"]
            if conversation in blocked:
                continue
            if entry["next_attempt_at"] is not None and entry["next_attempt_at"] > now.timestamp():
                blocked.add(conversation)  # an older entry waits: so do the newer ones
                report.retrying += 1
                report.waited += 1
                continue
            if not self._push_one(entry, report):
                report.stopped = True
                break
            if (
                self.store.conn.execute(
                    "SELECT state FROM outbox WHERE id = ?", (entry["id"],)
                ).fetchone()[0]
                == "pending"
            ):
                blocked.add(conversation)
        return report

    # -- one entry -------------------------------------------------------------------------

    def _push_one(self, entry: sqlite3.Row, report: DrainReport) -> bool:
        """Push one entry; False when the pass should stop (offline or rate-limited)."""
        store = self.store
        if entry["kind"] not in MESSAGE_KINDS and entry["conversation_id"] is not None:
            payload = json.loads(entry["payload"])
            with store.transaction() as c:
                meanwhile = written_since(c, int(entry["conversation_id"]), payload, self.me)
                if meanwhile is not None:  # never sent, and decided on an older thread
                    self.endings.conflict(c, entry, meanwhile, self.keys)
                    report.conflicts += 1
                    return True
        held = self._hold_done(entry)
        with store.transaction() as c:
            c.execute("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", (entry["id"],))
        attempts = int(entry["attempts"]) + 1
        remote_macro = None
        try:
            if entry["kind"] == SHARED_MACRO:
                remote_macro = shared_macros.push(store, self.connector, entry, attempts)
                result = PushResult()
            else:
                action = self._action(entry, attempts)
                if held is not None:
                    action = replace(action, done=False)
                result = self.connector.push(action)
        except RateLimited as exc:
            until = store.now() + timedelta(seconds=max(exc.retry_after, 0.0))
            self.paused_until = until
            self._retry_at(entry["id"], until, str(exc), landed=False)
            report.rate_limited_until, report.last_error = until, str(exc)
            return False
        except TransientError as exc:
            until = store.now() + timedelta(seconds=backoff(attempts, self.rand))
            self._retry_at(entry["id"], until, str(exc), landed=not isinstance(exc, Unreachable))
            report.retrying += 1
            report.offline = exc.status is None
            report.last_error = str(exc)
            return False
        except (Conflict, PermanentError) as exc:
            if isinstance(exc, AuthError) and exc.status == 401:
                # Unauthenticated is the sign-in's problem, not the action's (an expired
                # OAuth sign-in): it waits for the agent to sign in again; the pass stops.
                # A 403 stays a refusal of this action (no right to change that ticket).
                until = store.now() + timedelta(seconds=backoff(attempts, self.rand))
                self._retry_at(entry["id"], until, str(exc))
                report.retrying += 1
                report.refused_credentials = report.last_error = str(exc).splitlines()[0][:200]
                return False
            if entry["kind"] == SHARED_MACRO:  # no conversation: the leads' desk says it
                shared_macros.refused(store, entry, exc, self.endings.label)
                report.failed += 1
                report.last_error = str(exc)
                return True
            if isinstance(exc, Conflict) and entry["kind"] not in MESSAGE_KINDS:
                with store.transaction() as c:
                    reason = well_formed(str(exc).splitlines()[0][:300])
                    self.endings.conflict(c, entry, f"it changed meanwhile: {reason}", self.keys)
                report.conflicts += 1
                report.last_error = str(exc)
                return True
            self.endings.refused(entry, exc)
            report.failed += 1
            report.last_error = str(exc)
            return True
        except RemoteError as exc:  # an unknown kind of remote failure: keep it, retry later
            until = store.now() + timedelta(seconds=backoff(attempts, self.rand))
            self._retry_at(entry["id"], until, str(exc))
            report.retrying += 1
            return False
        payload = json.loads(entry["payload"])
        with store.transaction() as c:
            c.execute(
                "UPDATE outbox SET state = 'done', last_error = NULL, next_attempt_at = NULL "
                "WHERE id = ?",
                (entry["id"],),
            )
            if remote_macro is not None:
                shared_macros.landed(c, entry, remote_macro)
            if result.message_external_id and payload.get("message_id"):
                taken = c.execute(
                    "SELECT id FROM messages WHERE external_id = ?", (result.message_external_id,)
                ).fetchone()
                if taken is None:
                    c.execute(
                        "UPDATE messages SET external_id = ? WHERE id = ?",
                        (result.message_external_id, payload["message_id"]),
                    )
            if held is not None:
                self.endings.held_done(c, entry, held, self.keys)
                report.conflicts += 1
        report.pushed += 1
        return True

    def _hold_done(self, entry: sqlite3.Row) -> str | None:
        """For a reply sent with done: who wrote meanwhile, when the done must wait for the
        agent (kept in the entry, so every later try sends the reply alone)."""
        payload = json.loads(entry["payload"])
        if entry["kind"] not in MESSAGE_KINDS or not payload.get("done"):
            return None
        if payload.get("done_held"):
            return str(payload["done_held"])
        with self.store.transaction() as c:
            held = written_since(c, int(entry["conversation_id"]), payload, self.me)
            if held is not None:
                c.execute(
                    "UPDATE outbox SET payload = json_set(payload, '$.done_held', ?) WHERE id = ?",
                    (held, entry["id"]),
                )
        return held

    def _action(self, entry: sqlite3.Row, attempts: int) -> PushAction:
        payload: dict[str, Any] = json.loads(entry["payload"])
        conv = self.store.conn.execute(
            "SELECT * FROM conversations WHERE id = ?", (entry["conversation_id"],)
        ).fetchone()
        if conv is None or not conv["external_id"]:
            raise PermanentError("this conversation is not on the remote helpdesk")
        body = None
        public = entry["kind"] != "note"
        known: frozenset[str] = frozenset()
        if entry["kind"] in MESSAGE_KINDS:
            known = frozenset(
                str(r[0])
                for r in self.store.conn.execute(
                    # Not this entry's own message: a pull may have linked it already, after
                    # a try that landed and lost its answer; the retry must find it.
                    "SELECT external_id FROM messages WHERE conversation_id = ? "
                    "AND external_id IS NOT NULL AND id IS NOT ?",
                    (entry["conversation_id"], payload.get("message_id")),
                )
            )
            body = payload.get("body")
            if body is None and payload.get("message_id"):
                found = self.store.conn.execute(
                    "SELECT body FROM messages WHERE id = ?", (payload["message_id"],)
                ).fetchone()
                body = found[0] if found else None
            if body is None:
                raise PermanentError("the message to send is gone from the store")
        return PushAction(
            entry_id=int(entry["id"]),
            conversation_external_id=str(conv["external_id"]),
            kind=str(entry["kind"]),
            idempotency_key=str(entry["idempotency_key"]),
            created_at=dt(int(entry["created_at"] or 0)),
            attempts=attempts,
            body=body,
            public=public,
            done=bool(payload.get("done")),
            fields=self._remote_fields(payload.get("fields") or {}),
            before=self._remote_fields(payload.get("before") or {}),
            known_message_ids=known,
            # The conversation as this entry leaves it: a pull may have shown the remote's
            # value since, and the push must still send what the agent did.
            current=self._remote_fields(
                {
                    **{
                        k: conv[k]
                        for k in ("status", "tags", "snoozed_until", "assignee_id", "priority")
                    },
                    **(payload.get("fields") or {}),
                }
            ),
        )

    def _remote_fields(self, values: dict[str, Any]) -> dict[str, Any]:
        """Store values in the connector's terms: tags as a list, times as datetimes,
        the assignee as the remote's id."""
        out: dict[str, Any] = {}
        for name, value in values.items():
            if name == "tags":
                out["tags"] = [t for t in str(value or "").split() if t]
            elif name == "snoozed_until":
                out[name] = dt(value) if value is not None else None
            elif name == "assignee_id":
                ext = None
                if value is not None:
                    row = self.store.conn.execute(
                        "SELECT external_id FROM agents WHERE id = ?", (value,)
                    ).fetchone()
                    if row is None or row[0] is None:
                        raise PermanentError("that agent has no account on the remote helpdesk")
                    ext = str(row[0])
                out["assignee"] = ext
            elif name in ("status", "priority", "group_id", "subject"):
                out[name] = value
            # snoozed_at, snooze_reason, woken_at, unread…: local bookkeeping, not pushed
        return out

    def _retry_at(self, entry_id: int, until: datetime, error: str, *, landed: bool = True) -> None:
        """Try again at ``until``; ``landed``: the failed try may have reached the remote."""
        flag = f"json_set(payload, '$.{MAYBE_LANDED}', 1)" if landed else "payload"
        with self.store.transaction() as c:
            c.execute(
                f"UPDATE outbox SET next_attempt_at = ?, last_error = ?, payload = {flag} "
                "WHERE id = ?",
                (math.ceil(until.timestamp()), well_formed(error[:500]), entry_id),
            )
