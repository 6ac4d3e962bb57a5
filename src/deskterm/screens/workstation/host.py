"""What a part of the workstation may ask of the screen that owns it.

Each part names the little it needs as a ``Protocol`` built on :class:`Host`; the screen
satisfies them all, and a unit test satisfies one with a small fake. A part never sees the
screen's other parts: what it has to say to them goes up to the screen (a return value or a
message), and the screen decides.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer

from deskterm.screens.notifier import Notifier

T = TypeVar("T")


class Host(Notifier, Protocol):
    """The services every part uses: the app's state, notices, modals, workers, timers."""

    def ask(self, modal: Screen[T], answered: Callable[[T | None], None]) -> None:
        """Push ``modal``; ``answered`` gets what it was dismissed with."""

    def in_thread(
        self, work: Callable[[], None], *, group: str, name: str, exclusive: bool = False
    ) -> None:
        """Run ``work`` in a thread worker of ``group`` (its failures are noticed once)."""

    def from_thread(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """From a worker thread: run ``callback(*args, **kwargs)`` on the event loop."""

    def set_timer(self, delay: float, callback: Callable[[], object]) -> Timer: ...

    def post_message(self, message: Message) -> bool: ...


class ReloadConversation(Message):
    """A part changed a conversation in the store: the screen opens it again, read afresh."""

    def __init__(self, conversation_id: int) -> None:
        super().__init__()
        self.conversation_id = conversation_id
