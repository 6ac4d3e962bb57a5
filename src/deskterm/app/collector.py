"""When Python's cycle collector walks everything: while the agent pauses, not mid-keystroke.

A full collection walks every tracked object. In the workstation that is tens of thousands
of cached lines and styles, 10–30 ms at a time, started by whichever allocation crossed
CPython's threshold — often in the middle of a key's frame or a search's read, where it
shows as a stutter. The young generations stay automatic (a millisecond each); full
collections wait for a pause in the agent's input, and are forced only when a long burst
of work has let many young collections pile up since the last one.

No UI and no I/O here: the app says when input came and calls :meth:`tick` now and then.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

#: Seconds without a key or a click before a full collection may run.
IDLE_AFTER = 0.3
#: Young (generation 1) collections since the last full one that make a full one worth it
#: (CPython's own default threshold for the oldest generation).
FULL_AFTER = 10
#: Past this many, a full collection runs even while the agent types: bounded garbage.
FULL_ANYWAY = 60
#: The oldest generation's automatic threshold while the app schedules full collections.
NEVER = 1 << 30


class IdleCollector:
    """Runs full cycle collections when the input has been quiet for a moment."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.last_input = clock()
        self.full_collections = 0
        self._saved: tuple[int, int, int] | None = None

    def start(self) -> None:
        """Take full collections away from the allocation counter (young ones stay)."""
        if self._saved is None:
            self._saved = gc.get_threshold()
            young, middle, _ = self._saved
            gc.set_threshold(young, middle, NEVER)

    def stop(self) -> None:
        """Give the oldest generation its automatic threshold back."""
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None

    def input_seen(self) -> None:
        self.last_input = self.clock()

    def due(self, pending: int, idle_for: float) -> bool:
        """Whether ``pending`` young collections since the last full one, after ``idle_for``
        seconds without input, call for a full collection now."""
        return pending >= FULL_ANYWAY or (pending >= FULL_AFTER and idle_for >= IDLE_AFTER)

    def tick(self) -> bool:
        """Collect everything if it is due; say whether it ran."""
        if self._saved is None:
            return False
        pending = gc.get_count()[2]
        if not self.due(pending, self.clock() - self.last_input):
            return False
        gc.collect()
        self.full_collections += 1
        return True
