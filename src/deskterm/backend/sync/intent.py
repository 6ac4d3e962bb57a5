"""What the agent meant by an outbox entry, and the line that keeps it when the remote moved.

An outbox entry ends one of two ways: it reaches the remote, or it ends as a *conflict* — its
state ``conflict``, the local change rolled back to what the remote holds, and a ``⚠`` line in
the thread that says what the agent did, what happened meanwhile, and the key that does it
anyway ("You closed this; Paul replied meanwhile. Close anyway? e"). Nothing vanishes.

Two things make a conflict:

- the remote holds a third value for a field the entry changes (the connector raises
  ``Conflict``: someone else changed it);
- a close or a snooze goes *stale*: someone (the customer, a colleague) wrote in the
  conversation after the agent decided and before the push. Closing or snoozing on a thread
  the agent has not read would hide that message, so the agent decides again. A reply sent
  with "done" still goes out (it answers what the agent read); only its close is held back,
  with its own line.

A stale entry is only turned into a conflict while no earlier try of it can have reached the
remote (every try so far failed to connect at all): once a try may have landed, the push
goes on and the connector's retry rules decide, so an action is never both applied and shown
as a conflict.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from deskterm.domain.models import UNTIL_REPLY
from deskterm.domain.safety import NAME_CELLS, one_line

#: The keys that do an action again, by keymap id; the app passes the agent's own keymap.
DEFAULT_KEYS: dict[str, str] = {
    "desk.done": "e",
    "desk.reopen": "E",
    "desk.snooze": "z",
    "desk.take": "i",
    "desk.assign": "a",
    "desk.tag": "t",
    "desk.priority": "p",
}
#: The payload flag set once a try of the entry may have reached the remote.
MAYBE_LANDED = "maybe_landed"


@dataclass(frozen=True)
class Intent:
    """An entry's action in the agent's words: "closed this" / "Close" / ``desk.done``."""

    did: str
    verb: str
    key_id: str

    def line(self, meanwhile: str, keys: Mapping[str, str]) -> str:
        """The conflict line: what the agent did, what happened since, how to do it anyway."""
        key = keys.get(self.key_id) or DEFAULT_KEYS.get(self.key_id, "")
        return f"⚠ You {self.did}; {meanwhile}. {self.verb} anyway? {key}".rstrip()


def _when(value: Any) -> str:
    if value is None:
        return ""
    moment = datetime.fromtimestamp(int(value), UTC)
    if moment >= UNTIL_REPLY:
        return " until the customer replies"
    return moment.strftime(" until %a %d %b %H:%M UTC")


def intent_of(kind: str, payload: Mapping[str, Any], names: Mapping[int, str]) -> Intent:
    """The action of a field-change entry, from the values it sets (store values)."""
    fields: Mapping[str, Any] = payload.get("fields") or {}
    if fields.get("snoozed_until") is not None:
        return Intent(f"snoozed this{_when(fields['snoozed_until'])}", "Snooze", "desk.snooze")
    if fields.get("status") == "done":
        return Intent("closed this", "Close", "desk.done")
    if "status" in fields or "snoozed_until" in fields:
        return Intent("reopened this", "Reopen", "desk.reopen")
    if "assignee_id" in fields:
        who = fields["assignee_id"]
        name = one_line(names.get(who, "nobody") if who is not None else "nobody", NAME_CELLS)
        return Intent(f"assigned this to {name}", "Assign", "desk.assign")
    if "tags" in fields:
        before = set(str((payload.get("before") or {}).get("tags") or "").split())
        after = set(str(fields["tags"] or "").split())
        change = [f"+{t}" for t in sorted(after - before)] + [
            f"-{t}" for t in sorted(before - after)
        ]
        return Intent(f"tagged this {' '.join(change)}".rstrip(), "Tag", "desk.tag")
    if "priority" in fields:
        return Intent(f"set the priority to {fields['priority']}", "Set it", "desk.priority")
    return _BY_KIND.get(kind, Intent(f"changed this ({kind})", "Change it", "desk.assign"))


#: An entry that changes nothing (the value was already there) still says what it was.
_BY_KIND = {
    "status": Intent("changed the status", "Change it", "desk.done"),
    "snooze": Intent("snoozed this", "Snooze", "desk.snooze"),
    "assign": Intent("assigned this", "Assign", "desk.assign"),
    "tags": Intent("tagged this", "Tag", "desk.tag"),
    "priority": Intent("set the priority", "Set it", "desk.priority"),
}


def closes(payload: Mapping[str, Any]) -> bool:
    """Whether the entry closes or snoozes the conversation (what a new message makes stale);
    a reply sent with "done" closes it too."""
    fields: Mapping[str, Any] = payload.get("fields") or {}
    return (
        fields.get("status") == "done"
        or fields.get("snoozed_until") is not None
        or bool(payload.get("done"))
    )


#: The intent of the "done" of a reply sent with done, held back because someone wrote.
CLOSE = Intent("closed this", "Close", "desk.done")


def written_since(
    c: sqlite3.Connection, conversation_id: int, payload: Mapping[str, Any], me: int | None
) -> str | None:
    """Who wrote publicly in the conversation after the agent acted ("Paul replied"), if
    anyone did: the customer, or an agent other than ``me``. None when nobody did, or when
    the entry can no longer be stopped (a try may have landed) or does not close."""
    if not closes(payload) or payload.get(MAYBE_LANDED) or "seen_message" not in payload:
        return None
    row = c.execute(
        "SELECT author_kind, author_name FROM messages WHERE conversation_id = ? AND id > ? "
        "AND public = 1 AND (author_kind = 'customer' OR (author_kind = 'agent' "
        "AND author_id IS NOT ?)) ORDER BY id DESC LIMIT 1",
        (conversation_id, payload.get("seen_message") or 0, me),
    ).fetchone()
    if row is None:
        return None
    customer = row["author_kind"] == "customer"
    name = one_line(row["author_name"] or ("The customer" if customer else "Someone"), NAME_CELLS)
    return f"{name} {'wrote' if customer else 'replied'} meanwhile"
