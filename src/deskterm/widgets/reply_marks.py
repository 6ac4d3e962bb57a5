"""What the composer reads in its text: the placeholders a macro left unfilled, the macros
whose text is in the reply, and text offsets as the text area's (row, column)."""

from __future__ import annotations

from dataclasses import dataclass

from deskterm.domain.models import MacroAction

MARK_OPEN, MARK_CLOSE = "⟦", "⟧"


def missing_markers(text: str) -> list[str]:
    """Names of the unfilled ``⟦placeholder⟧`` markers a macro left in the text."""
    found = []
    start = text.find(MARK_OPEN)
    while start != -1:
        end = text.find(MARK_CLOSE, start + 1)
        if end == -1:
            break
        found.append(text[start + 1 : end])
        start = text.find(MARK_OPEN, end + 1)
    return found


@dataclass(frozen=True)
class UsedMacro:
    """A macro inserted in the reply: its actions apply on send while its text is there.
    ``dropped`` once its text was gone from the reply: typing or inserting text afterwards
    never brings its actions back, only undoing the edit that took its text out does."""

    macro_id: int
    actions: tuple[MacroAction, ...]
    text: str
    title: str = ""
    dropped: bool = False


def offset_of(text: str, location: tuple[int, int]) -> int:
    """A (row, column) of the text area as an offset in its text."""
    row, column = location
    lines = text.split("\n")
    return sum(len(line) + 1 for line in lines[:row]) + column


def location_of(text: str, offset: int) -> tuple[int, int]:
    """An offset in the text as the text area's (row, column)."""
    before = text[:offset]
    return before.count("\n"), offset - (before.rfind("\n") + 1)
