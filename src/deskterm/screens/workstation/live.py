"""Live updates: what changed in the store while the agent works (other agents, other
processes, the sync, snoozes coming due), and today's median first response.

Both are read in workers of their own and reported to the screen by message: the screen
decides what on screen follows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from textual.message import Message

from deskterm.backend.metrics import today_first_response
from deskterm.backend.rows import Unsent
from deskterm.domain.models import Conversation
from deskterm.domain.stats import format_duration
from deskterm.screens.workstation.host import Host

#: How often today's median first response is re-read (it reads today's messages), and how
#: often when reading it takes longer than MEDIAN_SLOW: half a second of mostly Python at
#: a million conversations, which slows every key pressed meanwhile (one interpreter), is
#: not worth paying twice a minute for a figure of the whole day.
MEDIAN_SECONDS = 30.0
MEDIAN_SLOW = 0.05
MEDIAN_SLOW_SECONDS = 300.0


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
            unsent = store.unsent(cid) if changed else None
        host.post_message(Polled(changed, breaching, others, fresh, unsent))

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
