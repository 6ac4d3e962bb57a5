"""Which RT queues a mirror follows, and where the pull of each one stands.

``--queue`` takes one queue or several (``--queue A --queue B``, or ``A,B``); a queue RT does
not have (or will not show the user) is refused in one line naming the ones the user can
see. Each queue has its own cursor, keyed by the queue's id in the mirror's one cursor row:
``{"queues": {"1": {"since": …, "after": …, "started": …}}}``. A run on one queue never moves
another's cursor, so switching queues, or mistyping one, loses nothing. Tickets of a queue
the mirror followed before but is not named this time stay as they were (not refreshed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from deskterm.backend.connectors.errors import PermanentError
from deskterm.backend.connectors.rt_api import RTClient


@dataclass(frozen=True)
class Queue:
    """One RT queue, as RT names it."""

    id: int
    name: str

    @property
    def key(self) -> str:
        """Its key in the cursor (the id: a renamed queue keeps its cursor)."""
        return str(self.id)


def queue_names(text: str | None) -> list[str]:
    """The queue names of ``--queue`` values joined by commas, in order, without repeats."""
    names: list[str] = []
    for part in (text or "").split(","):
        name = part.strip()
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return names or ["General"]


def resolve(client: RTClient, names: list[str]) -> list[Queue]:
    """The queues called ``names``.

    Raises:
        PermanentError: one line naming the queues RT does not have and those it shows.
    """
    found: list[Queue] = []
    missing: list[str] = []
    for name in names:
        try:
            record = client.get_queue(name)
        except PermanentError as exc:
            if exc.status not in (403, 404):
                raise
            missing.append(name)
            continue
        if str(record.get("Disabled") or "0") == "1":
            missing.append(name)
            continue
        queue = Queue(int(record["id"]), str(record.get("Name") or name))
        if queue not in found:
            found.append(queue)
    if missing:
        seen = sorted(str(q.get("Name") or q["id"]) for q in client.list_queues())
        what = ", ".join(repr(m) for m in missing)
        raise PermanentError(
            f"no queue {what} that you can see; yours: {', '.join(seen) or 'none'}",
            status=404,
        )
    return found


def where_queues(queues: list[Queue]) -> str:
    """The TicketSQL clause of tickets in any of ``queues``."""
    return "(" + " OR ".join(f"Queue = {q.id}" for q in queues) + ")"


class Cursors:
    """The pull state of each queue, read from and written to the mirror's cursor."""

    def __init__(self, cursor: str | None) -> None:
        data: Any = json.loads(cursor) if cursor else {}
        # A cursor of one queue unnamed (before queues had their own) is not trusted: it may
        # belong to another queue than today's; the first pull reads everything once.
        queues = data.get("queues") if isinstance(data, dict) else None
        self._states: dict[str, dict[str, Any]] = dict(queues or {})

    def followed(self) -> frozenset[str]:
        """The keys of every queue this mirror has pulled."""
        return frozenset(self._states)

    def state(self, queue: Queue) -> dict[str, Any]:
        """Where the pull of ``queue`` stands (empty: from the start)."""
        return dict(self._states.get(queue.key) or {})

    def moved(self, queue: Queue, state: dict[str, Any]) -> str:
        """The whole cursor, with ``queue`` at ``state`` and every other queue as it was."""
        self._states[queue.key] = state
        return json.dumps({"queues": self._states}, sort_keys=True)
