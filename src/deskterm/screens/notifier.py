"""What any part of a screen needs at the least: the app's state and a way to say something."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from textual.notifications import SeverityLevel

if TYPE_CHECKING:
    from deskterm.app import DeskApp


class Notifier(Protocol):
    """The app's state, and notices (a screen's ``notify``)."""

    @property
    def desk(self) -> DeskApp: ...

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None: ...
