"""A macro a lead publishes, sent to the remote's shared library through the outbox; the
remote's library mirrored back without losing what only deskterm holds.

- **Queued with the decision**: when the remote has a shared library (:func:`shares_macros`:
  a connector with ``publish_macro``), publishing a proposal
  (``backend/leads/proposals.py``) queues a ``shared_macro`` entry in the transaction that
  writes the macro locally. The entry names the local macro; the push sends it as it is then.
- **Pushed like every entry** by the outbox drainer (in order, retried with backoff, a 429's
  wait kept). The remote's id is kept on the local macro (``macros.external_id``): the next
  pull changes that macro instead of adding a second one, and a later publication of the
  same macro changes the remote one.
- **Refused** (a 403: the lead's role may not manage shared macros): the entry ends
  ``failed`` with its one line, which the leads' desk shows and the status bar counts; the
  macro stays published in deskterm, and pulls leave it as the lead published it.
- **Mirrored back** (:func:`mirror_macros`): a remote macro replaces the local shared macro
  of the same remote id (else of the same title, not yet tied to a remote one) — title,
  body, the actions the remote holds; what it cannot hold stays (deskterm's snooze and
  order actions, bodies and titles per language). A macro whose publication waits in the
  outbox, or was refused, is left as the lead published it.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from deskterm.backend.connectors.errors import PermanentError, RemoteError
from deskterm.backend.db import ts
from deskterm.backend.store import Store
from deskterm.backend.sync.protocol import Connector, MacroPublication, RemoteMacro
from deskterm.backend.sync.text import well_formed, well_formed_record
from deskterm.backend.writes.changes import enqueue
from deskterm.domain.macros import merge_actions

#: The outbox entry kind of a published macro (its conversation is NULL).
SHARED_MACRO = "shared_macro"


def shares_macros(connector: object) -> bool:
    """Whether the remote has a shared macro library deskterm can write to."""
    return callable(getattr(connector, "publish_macro", None))


def queue_publication(
    c: sqlite3.Connection, macro_id: int, proposal_id: int, when: int | None
) -> None:
    """Queue the push of a published shared macro (in the caller's transaction)."""
    enqueue(c, None, SHARED_MACRO, {"macro_id": macro_id, "proposal_id": proposal_id}, when)


def push(store: Store, connector: Connector, entry: sqlite3.Row, attempts: int) -> str:
    """Send one ``shared_macro`` entry; returns the remote's id of the shared macro.

    Raises:
        PermanentError: the macro is gone from the library, or the remote refused it; and
            the connector's other errors.
    """
    publish = getattr(connector, "publish_macro", None)
    if not callable(publish):
        raise PermanentError(f"{connector.label} has no shared macros deskterm can write")
    payload = json.loads(entry["payload"])
    row = store.conn.execute(
        "SELECT title, body, actions, external_id FROM macros WHERE id = ?",
        (payload.get("macro_id"),),
    ).fetchone()
    if row is None:
        raise PermanentError("the macro is no longer in deskterm's library")
    publication = MacroPublication(
        title=str(row["title"]),
        body=str(row["body"]),
        actions=list(json.loads(row["actions"] or "[]")),
        external_id=str(row["external_id"]) if row["external_id"] else None,
        idempotency_key=str(entry["idempotency_key"]),
        attempts=attempts,
    )
    return str(publish(publication))


def landed(c: sqlite3.Connection, entry: sqlite3.Row, remote_id: str) -> None:
    """The remote holds the macro now: keep its id on the local macro."""
    payload = json.loads(entry["payload"])
    c.execute(
        "UPDATE macros SET external_id = ? WHERE id = ?", (remote_id, payload.get("macro_id"))
    )


def refused(store: Store, entry: sqlite3.Row, exc: RemoteError, label: str) -> None:
    """End the entry ``failed`` with one line for the leads' desk; nothing is rolled back
    (the macro stays published in deskterm)."""
    reason = well_formed(str(exc).splitlines()[0][:300])
    with store.transaction() as c:
        c.execute(
            "UPDATE outbox SET state = 'failed', last_error = ?, next_attempt_at = NULL "
            "WHERE id = ?",
            (f"{label} refused it: {reason}", entry["id"]),
        )


# -- the remote's library, mirrored ---------------------------------------------------------


def mirror_macros(store: Store, connector: Connector) -> int:
    """Copy the remote's macros into the shared library (placeholders kept as written);
    returns how many were read."""
    keep = getattr(connector, "kept_locally", None)
    count = 0
    for macro in map(well_formed_record, connector.macros()):
        with store.transaction() as c:
            _mirror_one(c, macro, keep if callable(keep) else None, ts(store.now()))
        count += 1
    return count


def _fields(actions: list[Any]) -> set[str]:
    return {a.field for a in merge_actions(actions).actions}


def _mirror_one(c: sqlite3.Connection, macro: RemoteMacro, keep: Any, when: int | None) -> None:
    row = (
        c.execute(
            "SELECT id, actions FROM macros WHERE owner_agent_id IS NULL AND external_id = ? "
            "ORDER BY id LIMIT 1",
            (macro.external_id,),
        ).fetchone()
        or c.execute(
            "SELECT id, actions FROM macros WHERE owner_agent_id IS NULL AND title = ? "
            "AND coalesce(external_id, '') = '' ORDER BY id LIMIT 1",
            (macro.title,),
        ).fetchone()
    )
    if row is None:
        c.execute(
            "INSERT INTO macros(title, body, actions, owner_agent_id, created_at, updated_at, "
            "external_id) VALUES (?, ?, ?, NULL, ?, ?, ?)",
            (macro.title, macro.body, json.dumps(macro.actions), when, when, macro.external_id),
        )
        return
    last = c.execute(
        "SELECT state FROM outbox WHERE kind = ? AND json_extract(payload, '$.macro_id') = ? "
        "ORDER BY id DESC LIMIT 1",
        (SHARED_MACRO, row["id"]),
    ).fetchone()
    if last is not None and last["state"] in ("pending", "failed"):
        return  # the lead's version waits to go out, or is deskterm's only: it stands
    local = list(json.loads(row["actions"] or "[]"))
    remote_fields = _fields(macro.actions)
    kept = [a for a in (keep(local) if keep else []) if not _fields([a]) & remote_fields]
    c.execute(
        "UPDATE macros SET title = ?, body = ?, actions = ?, external_id = ?, updated_at = ? "
        "WHERE id = ?",
        (
            macro.title,
            macro.body,
            json.dumps([*macro.actions, *kept]),
            macro.external_id,
            when,
            row["id"],
        ),
    )
