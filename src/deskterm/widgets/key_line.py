"""A line that names what is on screen, then its keys: when the line is too narrow, the
least important key goes first, then the name is shortened, so that no key is cut mid-word."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widget import Widget

GAP = "   "
SEP = " · "
#: Below this many cells the name is no longer worth shortening to keep one more key.
MIN_HEAD = 8


def fit_line(head: Text, keys: Sequence[str], width: int, *, keep: int = 2) -> Text:
    """``head`` then ``keys`` (most important first) in ``width`` cells: keys dropped from
    the end down to ``keep``, then ``head`` shortened with "…", then fewer keys still."""

    def with_keys(name: Text, n: int) -> Text:
        line = name.copy()
        if n:
            line.append(GAP + SEP.join(keys[:n]), style="dim")
        return line

    if width <= 0:
        return Text()
    for n in range(len(keys), min(keep, len(keys)) - 1, -1):
        line = with_keys(head, n)
        if line.cell_len <= width:
            return line
    for n in range(min(keep, len(keys)), -1, -1):
        room = width - with_keys(Text(), n).cell_len
        if room >= MIN_HEAD or n == 0:
            short = head.copy()
            short.truncate(max(room, 0), overflow="ellipsis")
            return with_keys(short, n)
    return Text()  # pragma: no cover - the loop always returns at n == 0


class KeyLine(Widget):
    """One line: a name and its keys, fitted to the width it has (see :func:`fit_line`)."""

    DEFAULT_CSS = """
    KeyLine { height: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._head = Text()
        self._keys: tuple[str, ...] = ()

    def show(self, head: Text, keys: Sequence[str]) -> None:
        self._head, self._keys = head, tuple(keys)
        self.refresh()

    def render(self) -> Text:
        return fit_line(self._head, self._keys, self.content_size.width)
