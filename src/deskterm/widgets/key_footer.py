"""The footer of keys that matter now: Textual's, rebuilt only when those keys change, with
``? Keys`` first so that a narrow terminal never cuts it off.

Textual's footer builds its keys again whenever the focus moves or a binding changes: a
widget per key mounted in the frame after every `/`, `enter`, `escape` or `g`, although the
keys shown are most often the same ones. And each key it removes stays referenced by the
footer's data binding (its list of watchers is pruned only when the footer's ``compact``
changes, which it never does): after a few minutes of searching, hundreds of dead keys that
every full cycle collection walks again, so the collector's pauses grow all day.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: The key a newcomer needs when the others are cut off by a narrow terminal: shown first.
FIRST_ACTION = "app.help"


class KeyFooter(Footer):
    """A footer that recomposes only when the keys it would show differ."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown: tuple | None = None

    def shown_keys(self) -> tuple:
        """What the footer's keys are made from: the screen's active bindings as shown."""
        display = self.app.get_key_display
        return (
            self.compact,
            self.show_command_palette,
            tuple(
                (
                    binding.key,
                    display(binding),
                    binding.description,
                    binding.action,
                    enabled,
                    tooltip,
                    binding.group,
                )
                for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
                if binding.show
            ),
        )

    def compose(self) -> ComposeResult:
        keys = list(super().compose())
        first = [k for k in keys if isinstance(k, FooterKey) and k.action == FIRST_ACTION]
        yield from first + [k for k in keys if k not in first]

    async def recompose(self) -> None:
        keys = self.shown_keys() if self.is_attached else None
        if keys is not None and keys == self._shown:
            return
        await super().recompose()
        self._shown = keys
        # Re-setting ``compact`` (to its own value) is what prunes the watchers of the keys
        # just removed; the new keys get the value they already have.
        self.mutate_reactive(Footer.compact)
