"""Live updates: what changed in the store while the agent works (other agents, other
processes, the sync, snoozes coming due), and today's median first response.

Both are read in workers of their own and reported to the screen by message: the screen
decides what on screen follows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

from textual.message import Message

from deskterm.backend.metrics import today_first_response
from deskterm.backend.rows import Unsent
from deskterm.domain.models import Conversation
from deskterm.domain.safety import NAME_CELLS, one_line
from deskterm.domain.stats import format_duration
from deskterm.screens.workstation.host import Host

#: How often today's median first response is re-read (it reads today's messages), and how
#: often when reading it takes longer than MEDIAN_SLOW: half a second of mostly Python at
#: a million conversations, which slows every key pressed meanwhile (one interpreter), is
#: not worth paying twice a minute for a figure of the whole day.
MEDIAN_SECONDS = 30.0
MEDIAN_SLOW = 0.05
MEDIAN_SLOW_SECONDS = 300.0


@dataclass(frozen=True)
class Arrived:
    """A customer's message that came since the last poll."""

    conversation_id: int
    name: str
    channel: str
    body: str
    assignee_id: int | None


#: At most this many new messages are read per poll (a sync may bring thousands at once).
ARRIVALS_READ = 20


def arrival_notice(arrived: list[Arrived], agent_id: int, shown_id: int | None) -> str | None:
    """The line that tells the agent their customers wrote: in conversations assigned to
    them or on screen (the rest shows in the inbox); None when there are none."""
    ours = [a for a in arrived if a.assignee_id == agent_id or a.conversation_id == shown_id]
    if not ours:
        return None
    if len(ours) == 1:
        a = ours[0]
        said = one_line(a.body, 60)
        return f"{one_line(a.name, NAME_CELLS)} ({a.channel}): {said}"
    names = list(dict.fromkeys(one_line(a.name, NAME_CELLS) for a in ours))
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"{len(ours)} new messages from {shown}"


@dataclass
class Polled(Message):
    """What the poll found."""

    changed: bool
    """The store changed since the last poll (or snoozes woke): the list reads its rows."""
    breaching: int
    others: list[tuple[str, str]]
    """Other agents on the conversation that was shown: (name, viewing or typing)."""
    fresh: Conversation | None
    """That conversation, as read now."""
    unsent: list[Unsent] | None = None
    """Its actions not yet accepted by the remote helpdesk."""
    arrived: list[Arrived] = field(default_factory=list)
    """Customers' messages that came since the last poll."""


@dataclass
class MedianRead(Message):
    """Today's median first response, formatted ("" when there is none yet)."""

    median: str
    next_in: float
    """Seconds until it is read again."""


class LiveHost(Host, Protocol):
    @property
    def shown_id(self) -> int | None:
        """The conversation whose thread is on screen."""


def median_interval(took: float) -> float:
    """When to read the median again, after a read that took ``took`` seconds."""
    return MEDIAN_SECONDS if took < MEDIAN_SLOW else MEDIAN_SLOW_SECONDS


class LiveUpdates:
    """The poll and the median, each in its exclusive worker."""

    def __init__(self, host: LiveHost) -> None:
        self.host = host
        self._data_version = -1
        self._message_seen = -1

    def poll(self) -> None:
        self.host.in_thread(self._poll, group="poll", name="_poll", exclusive=True)

    def _poll(self) -> None:
        host = self.host
        store = host.desk.store
        woken = store.wake_due()
        version = store.data_version()
        breaching = store.breaching_count()
        changed = version != self._data_version or bool(woken)
        self._data_version = version
        others: list[tuple[str, str]] = []
        fresh = None
        unsent: list[Unsent] | None = None
        cid = host.shown_id
        if cid is not None:
            others = store.presence(cid, exclude_agent=host.desk.agent.id)
            fresh = store.conversation(cid)
            # Read at every poll, not only after a change: a change the screen could not
            # apply (the agent was between rows, a load was in flight) must not leave a
            # stale "not sent yet" line once the remote took the action.
            unsent = store.unsent(cid)
        arrived = self._arrivals() if changed else []
        host.post_message(Polled(changed, breaching, others, fresh, unsent, arrived))

    def _arrivals(self) -> list[Arrived]:
        """Customers' messages since the last poll (none at the first: they are not news)."""
        conn = self.host.desk.store.conn
        top = int(conn.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()[0])
        seen, self._message_seen = self._message_seen, top
        if seen < 0 or top <= seen:
            return []
        rows = conn.execute(
            "SELECT m.conversation_id, m.author_name, c.channel, m.body, c.assignee_id "
            "FROM messages m JOIN conversations c ON c.id = m.conversation_id "
            "WHERE m.id > ? AND m.id <= ? AND m.author_kind = 'customer' ORDER BY m.id LIMIT ?",
            (seen, top, ARRIVALS_READ),
        ).fetchall()
        return [Arrived(int(r[0]), str(r[1]), str(r[2]), str(r[3]), r[4]) for r in rows]

    def poll_median(self) -> None:
        """Today's median first response for the header (its own worker: at a million
        conversations it takes half a second, which the breaching count must not wait for)."""
        self.host.in_thread(self._read_median, group="median", name="poll_median", exclusive=True)

    def _read_median(self) -> None:
        desk = self.host.desk
        store = desk.store
        started = time.perf_counter()
        seconds = today_first_response(
            store.conn, now=desk.clock(), tz=desk.tz, policies=store.sla_policies()
        )
        median = format_duration(seconds) if seconds is not None else ""
        took = time.perf_counter() - started
        self.host.post_message(MedianRead(median, median_interval(took)))
