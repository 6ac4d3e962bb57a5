"""No exception ends the workstation: it is shown in one line, logged, and work goes on.

Textual ends the app at the first exception it did not expect: a worker's (unless it was
started with ``exit_on_error=False``), a message handler's, an action's, a timer's. For an
agent in the middle of ten conversations that is the worst outcome there is: the draft being
typed goes with the process, for a store that was busy for six seconds. Here each such
exception becomes a notification (the first line of the error) and a traceback in the log
file, and the app goes on. SQLite finding the file damaged turns the store read-only
(:func:`is_damage`); only the errors after which going on could lose data end the app
(:func:`is_fatal`).

Two of Textual's internals carry this, both checked against Textual 8.2.8 (the tests in
``tests/app/test_barrier.py`` fail if either changes):

- ``App._handle_exception(error)`` is where Textual sends what nothing caught (timers,
  ``call_later`` callbacks, idle handlers, workers left with ``exit_on_error=True``, a widget
  that failed to mount) and ends the app. ``DeskApp`` overrides it, and only it.
- ``MessagePump._dispatch_message(message)`` runs a message's handlers, and the actions of
  the key bindings a key event triggers. An exception leaving it also ends the message loop of
  the widget or screen that was handling it (``_process_messages_loop`` breaks out): that
  pane would never handle another key. :func:`install` wraps it so the barrier sees the
  exception there, per message, and the loop goes on.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from textual import events
from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerState

from deskterm.backend.db import StoreError

log = logging.getLogger("deskterm.patches.barrier")

#: The same notice is not shown again within this many seconds (it is still logged).
QUIET_SECONDS = 10.0
#: Messages that build a widget, a screen or the app. Failing in one leaves it half-built
#: and, from Mount on, without a message loop: keys sent to it would be lost, so those
#: errors are fatal (see Barrier.contain) and go on to Textual as before.
BUILDING = (events.Compose, events.Mount, events.Load)
#: SQLite's result codes for a damaged file.
DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}

_dispatch_message = MessagePump._dispatch_message


def summary(error: BaseException) -> str:
    """The one line an agent sees: a StoreError's message is already written for them."""
    detail = str(error).strip()
    if not detail:
        return type(error).__name__
    text = detail if isinstance(error, StoreError) else f"{type(error).__name__}: {detail}"
    return text.splitlines()[0][:300]


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not e for e in seen):
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def is_damage(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) is SQLite finding the store file damaged.

    Not fatal: the app turns the store read-only (every further write could spread the
    damage to what is still intact), says so, and the agent can still read and copy out.
    """
    return any(
        isinstance(e, sqlite3.DatabaseError) and getattr(e, "sqlite_errorcode", None) in DAMAGED
        for e in _chain(error)
    )


def is_fatal(error: BaseException) -> bool:
    """Whether going on after ``error`` could lose data, so the app must end: MemoryError
    (nothing done next, saving included, can be trusted to complete).

    Everything else (a busy, read-only or damaged store, a full disk, a bug in one action)
    leaves what is stored as it was and the draft in the composer: the agent goes on.
    """
    return any(isinstance(e, MemoryError) for e in _chain(error))


class Barrier:
    """Turns an exception into a logged traceback and one notification, at most one of each
    text per :data:`QUIET_SECONDS` so that a failing timer does not bury the screen."""

    def __init__(
        self,
        notify: Callable[..., Any],
        *,
        on_damage: Callable[[str], str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        quiet_seconds: float = QUIET_SECONDS,
    ) -> None:
        self._notify = notify
        self._on_damage = on_damage
        self._clock = clock
        self._quiet = quiet_seconds
        self._shown: dict[str, float] = {}
        self._unbuilt: list[BaseException] = []

    def building_failed(self, error: BaseException) -> None:
        """``error`` left a widget or screen half-built: it will be fatal when it comes."""
        self._unbuilt = [*self._unbuilt[-7:], error]

    def contain(self, error: BaseException, where: str) -> bool:
        """Log and show ``error``; False when it is fatal and the caller must let it end the
        app. Call on the event loop. ``where`` names the code (never data) for the log."""
        if self._on_damage is not None and is_damage(error):
            # The store turns read-only (its reason says how to recover); the agent reads on.
            log.error("%s met a damaged store; it is read-only now", where, exc_info=error)
            self.show(self._on_damage(summary(error)), title="Store damaged")
            return True
        if is_fatal(error) or any(error is e for e in self._unbuilt):
            log.critical("%s failed; deskterm stops", where, exc_info=error)
            return False
        log.error("%s failed", where, exc_info=error)
        self.show(summary(error))
        return True

    def show(self, line: str, *, title: str = "Something went wrong") -> None:
        now = self._clock()
        last = self._shown.get(line)
        if last is not None and now - last < self._quiet:
            return
        self._shown = {k: t for k, t in self._shown.items() if now - t < self._quiet}
        self._shown[line] = now
        self._notify(line, title=title, severity="error", timeout=10)


def forward_failure(node: MessagePump, event: Worker.StateChanged) -> None:
    """For ``on_worker_state_changed`` of a screen or widget that runs workers: the message
    goes to the node that started the worker and does not bubble, so a failure is sent on to
    the app, the one place that shows it."""
    if event.state is WorkerState.ERROR:
        node.app.post_message(event)


async def _dispatch_contained(self: MessagePump, message: Message) -> None:
    try:
        await _dispatch_message(self, message)
    except Exception as error:
        barrier = getattr(self.app, "barrier", None)
        if not isinstance(barrier, Barrier):
            raise
        if isinstance(message, BUILDING):
            barrier.building_failed(error)
            raise
        if is_fatal(error):
            raise  # to Textual's loop, then App._handle_exception: logged and fatal there
        barrier.contain(error, f"{type(message).__name__} in {type(self).__name__}")


def install() -> None:
    """Contain message handlers' exceptions per message (idempotent). Apps without a
    ``barrier`` attribute keep Textual's behaviour."""
    if MessagePump._dispatch_message is not _dispatch_contained:
        MessagePump._dispatch_message = _dispatch_contained  # type: ignore[method-assign]
