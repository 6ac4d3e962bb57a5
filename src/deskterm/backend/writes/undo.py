"""Undo: put back what one action group changed, never over a newer change."""

from __future__ import annotations

import json
from typing import Any

from deskterm.backend.db import Connections
from deskterm.backend.rows import tags_text
from deskterm.backend.writes.changes import UNDOABLE, conversation_row
from deskterm.backend.writes.merge import MERGE_EVENT, MergeWrites
from deskterm.backend.writes.problems import EVENT_PREFIX, ProblemWrites
from deskterm.backend.writes.triage import Triage


class Undo:
    """Reads the audit log of an undo group and changes the fields back through triage."""

    def __init__(
        self, db: Connections, triage: Triage, problems: ProblemWrites, merges: MergeWrites
    ) -> None:
        self._db = db
        self._triage = triage
        self._problems = problems
        self._merges = merges

    def undo(
        self,
        undo_group: str,
        *,
        agent_id: int | None,
        outbox: dict[str, Any] | None = None,
    ) -> list[int]:
        """Put back what the events of one action group changed; returns conversations touched.

        A field that someone changed again since is left alone, so undo never overwrites a
        newer change. A problem's own change (no conversation) counts as conversation 0.
        """
        touched: list[int] = []
        with self._db.transaction() as c:
            found = c.execute(
                "SELECT conversation_id, kind, before, after FROM events WHERE undo_group = ? "
                "ORDER BY id DESC",
                (undo_group,),
            ).fetchall()
            for r in found:
                if r["kind"].startswith(EVENT_PREFIX):
                    if self._problems.undo_event(c, r):
                        touched.append(r["conversation_id"] or 0)
                    continue
                if r["kind"] == MERGE_EVENT:
                    touched += self._merges.undo_event(c, r, agent_id)
                    continue
                before, after = json.loads(r["before"]), json.loads(r["after"])
                conv = conversation_row(c, r["conversation_id"])
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
                    self._triage.update_conversation(
                        r["conversation_id"], restore, agent_id=agent_id, kind="undo", outbox=outbox
                    )
                    touched.append(r["conversation_id"])
        return touched
