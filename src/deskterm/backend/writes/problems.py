"""Problems and the conversations linked to them: created, linked, changed, customers told.

Each change is one short transaction with an event in the audit log, under the action's undo
group, so ``u`` takes it back like any other action (see :meth:`ProblemWrites.undo_event`).
Events of a problem alone have no conversation; a link's event names its conversation.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from deskterm.backend.db import Connections, NotFound, ts
from deskterm.backend.writes.changes import record_event
from deskterm.domain.problems import ProblemKind, ProblemStatus

#: A problem's fields an agent may change (the rest is counted or derived).
PROBLEM_FIELDS = {"title", "kind", "status", "description", "tracker_url"}

#: The kinds of events a problem's writes record; undo knows them by this prefix.
EVENT_PREFIX = "problem:"


class ProblemWrites:
    """Adds problems, links conversations to them, changes them, counts customers told."""

    def __init__(self, db: Connections) -> None:
        self._db = db

    def add_problem(
        self,
        title: str,
        *,
        kind: ProblemKind = ProblemKind.BUG,
        description: str = "",
        tracker_url: str | None = None,
        agent_id: int | None,
        undo_group: str | None = None,
        created_at: datetime | None = None,
    ) -> int:
        """A new open problem; returns its id. Raises ValueError for an empty title."""
        title = " ".join(title.split())
        if not title:
            raise ValueError("A problem needs a title")
        when = ts(created_at or self._db.now())
        with self._db.transaction() as c:
            pid = int(
                c.execute(
                    "INSERT INTO problems(title, kind, description, tracker_url, created_at, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (title, str(ProblemKind(kind)), description, tracker_url, when, when),
                ).lastrowid
                or 0
            )
            record_event(
                c, None, agent_id, "problem:create", {}, {"problem_id": pid}, when, undo_group
            )
            return pid

    def link(
        self,
        problem_id: int,
        conversation_ids: Iterable[int],
        *,
        agent_id: int | None,
        undo_group: str | None = None,
        linked_at: datetime | None = None,
    ) -> list[int]:
        """Link conversations to a problem; returns those newly linked (a conversation
        linked already stays as it was)."""
        when = ts(linked_at or self._db.now())
        linked = []
        with self._db.transaction() as c:
            _problem_row(c, problem_id)
            for cid in dict.fromkeys(conversation_ids):
                done = c.execute(
                    "INSERT OR IGNORE INTO problem_links(problem_id, conversation_id, linked_at, "
                    "agent_id) VALUES (?, ?, ?, ?)",
                    (problem_id, cid, when, agent_id),
                ).rowcount
                if done:
                    linked.append(cid)
                    record_event(
                        c,
                        cid,
                        agent_id,
                        "problem:link",
                        {},
                        {"problem_id": problem_id},
                        when,
                        undo_group,
                    )
            if linked:
                _touch(c, problem_id, when)
        return linked

    def unlink(
        self,
        problem_id: int,
        conversation_id: int,
        *,
        agent_id: int | None,
        undo_group: str | None = None,
    ) -> bool:
        """Take a conversation off a problem; False when it was not linked."""
        when = ts(self._db.now())
        with self._db.transaction() as c:
            row = c.execute(
                "SELECT * FROM problem_links WHERE problem_id = ? AND conversation_id = ?",
                (problem_id, conversation_id),
            ).fetchone()
            if row is None:
                return False
            c.execute(
                "DELETE FROM problem_links WHERE problem_id = ? AND conversation_id = ?",
                (problem_id, conversation_id),
            )
            before = {k: row[k] for k in ("problem_id", "linked_at", "agent_id", "notified_at")}
            record_event(
                c, conversation_id, agent_id, "problem:unlink", before, {}, when, undo_group
            )
            _touch(c, problem_id, when)
            return True

    def update_problem(
        self,
        problem_id: int,
        changes: dict[str, Any],
        *,
        agent_id: int | None,
        undo_group: str | None = None,
    ) -> int:
        """Change a problem's title, kind, status, description or tracker link; returns its
        new version. Raises ValueError for another field or a bad value."""
        unknown = set(changes) - PROBLEM_FIELDS
        if unknown:
            raise ValueError(f"Cannot change a problem's {', '.join(sorted(unknown))}")
        stored = dict(changes)
        if "status" in stored:
            stored["status"] = str(ProblemStatus(stored["status"]))
        if "kind" in stored:
            stored["kind"] = str(ProblemKind(stored["kind"]))
        if "title" in stored and not " ".join(str(stored["title"]).split()):
            raise ValueError("A problem needs a title")
        when = ts(self._db.now())
        with self._db.transaction() as c:
            cur = _problem_row(c, problem_id)
            before = {k: cur[k] for k, v in stored.items() if cur[k] != v}
            if not before:
                return int(cur["version"])
            after = {k: stored[k] for k in before}
            c.execute(
                f"UPDATE problems SET {', '.join(f'{k} = ?' for k in after)}, "
                "updated_at = ?, version = version + 1 WHERE id = ?",
                [*after.values(), when, problem_id],
            )
            record_event(
                c,
                None,
                agent_id,
                "problem:update",
                {"problem_id": problem_id, **before},
                {"problem_id": problem_id, **after},
                when,
                undo_group,
            )
            return int(cur["version"]) + 1

    def record_notified(self, problem_id: int, conversation_ids: Iterable[int]) -> int:
        """The customers of ``conversation_ids`` were told of the fix: each of that
        customer's links to the problem is marked, and the problem counts each customer
        once. Returns how many customers were newly counted. Not undone: the replies went."""
        when = ts(self._db.now())
        with self._db.transaction() as c:
            ids = list(dict.fromkeys(conversation_ids))
            if not ids:
                return 0
            marks = ",".join("?" * len(ids))
            customers = [
                r[0]
                for r in c.execute(
                    "SELECT DISTINCT cv.customer_id FROM problem_links l "
                    "JOIN conversations cv ON cv.id = l.conversation_id "
                    f"WHERE l.problem_id = ? AND l.conversation_id IN ({marks}) "
                    "AND NOT EXISTS (SELECT 1 FROM problem_links l2 JOIN conversations c2 "
                    "ON c2.id = l2.conversation_id WHERE l2.problem_id = l.problem_id "
                    "AND c2.customer_id = cv.customer_id AND l2.notified_at IS NOT NULL)",
                    (problem_id, *ids),
                )
            ]
            if not customers:
                return 0
            cmarks = ",".join("?" * len(customers))
            c.execute(
                "UPDATE problem_links SET notified_at = ? WHERE problem_id = ? AND conversation_id "
                f"IN (SELECT id FROM conversations WHERE customer_id IN ({cmarks}))",
                (when, problem_id, *customers),
            )
            c.execute(
                "UPDATE problems SET notified = notified + ?, updated_at = ? WHERE id = ?",
                (len(customers), when, problem_id),
            )
            record_event(
                c,
                None,
                None,
                "problem:notified",
                {},
                {"problem_id": problem_id, "customers": len(customers)},
                when,
                None,
            )
            return len(customers)

    # -- undo --------------------------------------------------------------------------

    def undo_event(self, c: sqlite3.Connection, event: sqlite3.Row) -> bool:
        """Put back what one problem event changed, inside undo's transaction ``c``;
        whether anything changed. A field changed again since is left alone."""
        kind = event["kind"]
        before, after = json.loads(event["before"]), json.loads(event["after"])
        cid = event["conversation_id"]
        if kind == "problem:link":
            return bool(
                c.execute(
                    "DELETE FROM problem_links WHERE problem_id = ? AND conversation_id = ?",
                    (after["problem_id"], cid),
                ).rowcount
            )
        if kind == "problem:unlink":
            return bool(
                c.execute(
                    "INSERT OR IGNORE INTO problem_links(problem_id, conversation_id, linked_at, "
                    "agent_id, notified_at) SELECT ?, ?, ?, ?, ? "
                    "WHERE EXISTS (SELECT 1 FROM problems WHERE id = ?)",
                    (
                        before["problem_id"],
                        cid,
                        before["linked_at"],
                        before["agent_id"],
                        before["notified_at"],
                        before["problem_id"],
                    ),
                ).rowcount
            )
        if kind == "problem:create":
            # Only while nothing else was linked to it since.
            return bool(
                c.execute(
                    "DELETE FROM problems WHERE id = ? AND NOT EXISTS "
                    "(SELECT 1 FROM problem_links WHERE problem_id = ?)",
                    (after["problem_id"], after["problem_id"]),
                ).rowcount
            )
        if kind == "problem:update":
            pid = after.pop("problem_id")
            before.pop("problem_id", None)
            row = c.execute("SELECT * FROM problems WHERE id = ?", (pid,)).fetchone()
            if row is None:
                return False
            back = {k: v for k, v in before.items() if row[k] == after.get(k)}
            if not back:
                return False
            c.execute(
                f"UPDATE problems SET {', '.join(f'{k} = ?' for k in back)}, "
                "updated_at = ?, version = version + 1 WHERE id = ?",
                [*back.values(), ts(self._db.now()), pid],
            )
            return True
        return False


def _problem_row(c: sqlite3.Connection, problem_id: int) -> sqlite3.Row:
    row = c.execute("SELECT * FROM problems WHERE id = ?", (problem_id,)).fetchone()
    if row is None:
        raise NotFound(f"No problem #{problem_id}")
    return row


def _touch(c: sqlite3.Connection, problem_id: int, when: int | None) -> None:
    c.execute(
        "UPDATE problems SET updated_at = max(updated_at, ?) WHERE id = ?", (when, problem_id)
    )
