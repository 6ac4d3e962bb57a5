"""What ``u`` takes back: the workstation's last actions, newest first.

The stack only keeps them; the screen pops one and hands it to the part that knows how to
take it back (a held reply to the replies, an order action to its provider, anything else
to the store's undo of its events).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from deskterm.backend.commerce.base import ActionResult

#: Actions remembered for ``u``; older ones are forgotten.
UNDO_DEPTH = 50

T = TypeVar("T")


@dataclass
class DoneAction:
    """A committed action that ``u`` can take back."""

    undo_group: str
    description: str


@dataclass
class OrderActionDone:
    """An applied order action that ``u`` can take back through its provider."""

    result: ActionResult
    conversation_id: int
    description: str
    sentence: str = ""  # as put in the reply ("" when it was not)
    draft_before: str = ""  # the reply just before, and just after, the sentence went in
    draft_after: str = ""


class UndoStack(Generic[T]):
    """The last ``depth`` actions, newest on top."""

    def __init__(self, depth: int = UNDO_DEPTH) -> None:
        self._items: list[T] = []
        self._depth = depth

    def push(self, item: T) -> None:
        self._items.append(item)
        del self._items[: -self._depth]

    def pop(self) -> T | None:
        """The newest action, taken off; None when there is nothing left to undo."""
        return self._items.pop() if self._items else None

    def __len__(self) -> int:
        return len(self._items)
