"""Every change to the store, by concern: short transactions, a version bump, an event each.

- :mod:`.changes`: how a conversation's row changes (derived columns, audit log, outbox);
- :mod:`.messages`: conversations opened, messages added, drafts, presence;
- :mod:`.triage`: status, assignee, tags, priority, snooze, and :class:`ChangedMeanwhile`;
- :mod:`.undo`: putting back what an action group changed;
- :mod:`.customers`: groups, agents, customers;
- :mod:`.macros`: macros, their uses, saved views;
- :mod:`.policies`: SLA policies.

Each writer holds the store's :class:`~deskterm.backend.db.Connections` (and, for
conversations, its SLA policies); :class:`~deskterm.backend.store.Store` composes them.
"""

from __future__ import annotations

from deskterm.backend.writes.changes import MUTABLE, UNDOABLE, new_key
from deskterm.backend.writes.triage import ChangedMeanwhile

__all__ = ["MUTABLE", "UNDOABLE", "ChangedMeanwhile", "new_key"]
