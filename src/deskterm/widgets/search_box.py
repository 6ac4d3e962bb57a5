"""The search box above the inbox: an input with keys of its own (save the search as a view)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.widgets import Input

from deskterm import keymap


class SearchBox(Input):
    """Where the agent types a search; ``ctrl+s`` asks to keep it as a view."""

    BINDINGS = keymap.bindings("search")

    @dataclass
    class SaveRequested(Message):
        """The agent asked to keep ``query`` as a saved view."""

        query: str

    def action_save(self) -> None:
        query = self.value.strip()
        if query:
            self.post_message(self.SaveRequested(query))
