"""The base of deskterm's modal screens: each leaves once, however fast the keys come.

A key typed while a modal is still opening waits in the modal's queue; two of them (``g``
``i`` ``/`` typed in one go) both reach it. Textual's ``dismiss`` pops whatever screen is on
top: the first key closed the modal, the second then closed the workstation under it and
left an empty screen that no key could leave. Here a modal dismisses once; the keys that
reach it after that are handed back to the app, which gives them to the screen now on top.
"""

from __future__ import annotations

from textual import events
from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen, ScreenResultType


class DeskModal(ModalScreen[ScreenResultType]):
    """A modal screen that can be dismissed only once."""

    _leaving = False

    @property
    def leaving(self) -> bool:
        """Dismissed already: what still reaches this screen belongs to the one under it."""
        return self._leaving

    def dismiss(self, result: ScreenResultType | None = None) -> AwaitComplete:
        if self._leaving:
            return AwaitComplete()
        self._leaving = True
        return super().dismiss(result)

    async def _on_key(self, event: events.Key) -> None:
        # Textual calls this before its own key handling (a screen's bindings come after,
        # as the key bubbles up): while leaving, the key goes back to the app instead.
        if self._leaving:
            self.hand_back(event)

    def hand_back(self, event: events.Key) -> None:
        """Give ``event`` to the app again, for the screen that is now on top."""
        event.stop()
        event.prevent_default()
        self.app.post_message(events.Key(event.key, event.character))
